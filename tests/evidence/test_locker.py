"""The Locker API of docs/contracts.md, end to end."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.core.errors import ConfigError, IntegrityError, UsageError
from leakline.evidence import Locker, ObjectInfo, Provenance

API = Provenance(
    source="api", endpoint="/services/data/v62.0/sobjects/EventLogFile/0AT/LogFile", request_id="r-1"
)


def test_add_bytes_roundtrip_and_info(locker: Locker) -> None:
    data = b'"EVENT_TYPE","USER_ID"\n"API","005000000000001"\n' * 1000
    info = locker.add_bytes(data, provenance=API, name="API-2026-03-01.csv", kind="elf_csv")
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert (info.size, info.name, info.kind) == (len(data), "API-2026-03-01.csv", "elf_csv")
    assert info.acquired_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert info.provenance == API
    assert locker.has(info.sha256)
    with locker.open_object(info.sha256) as handle:
        assert handle.read() == data
    assert locker.list() == [info]


def test_add_file_streams_and_records_path_and_mtime(locker: Locker, tmp_path: Path) -> None:
    source = tmp_path / "LoginHistory.csv"
    source.write_bytes(os.urandom(3 << 20))
    os.utime(source, (1_772_000_000, 1_772_000_000))
    info = locker.add_file(source, kind="csv")
    assert info.name == "LoginHistory.csv"
    assert info.provenance.source == "file"
    assert info.provenance.original_path == str(source.resolve())
    assert info.provenance.original_mtime == datetime.fromtimestamp(1_772_000_000, tz=UTC)
    with locker.open_object(info.sha256) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == info.sha256


def test_add_stream_and_empty_object(locker: Locker) -> None:
    info = locker.add_stream(
        io.BytesIO(b""), provenance=Provenance(source="leakline"), name="empty", kind="blob"
    )
    assert info.size == 0
    with locker.open_object(info.sha256) as handle:
        assert handle.read() == b""


def test_same_bytes_twice_returns_existing_and_logs_second_acquisition(locker: Locker) -> None:
    first = locker.add_bytes(b"abc", provenance=API, name="one", kind="blob")
    again = locker.add_bytes(b"abc", provenance=Provenance(source="file", original_path="/x"), name="two")
    assert again == first
    acquired = [e for e in locker.log.entries() if e["action"] == "acquired"]
    assert len(acquired) == 2
    assert acquired[1]["detail"]["duplicate"] is True
    assert acquired[1]["provenance"] == {"source": "file", "original_path": "/x"}
    assert len(locker.list()) == 1


def test_custody_entries_say_who_what_when_tool(locker: Locker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKLINE_OPERATOR", "analyst-7")
    info = locker.add_bytes(b"x", provenance=API, name="x")
    entry = list(locker.log.entries())[-1]
    assert entry["action"] == "acquired"
    assert entry["operator"] == "analyst-7"
    assert entry["host"]
    assert entry["at"] == "2026-03-02T09:00:00Z"
    assert entry["tool"].startswith("leakline ")
    assert entry["sha256"] == info.sha256
    assert entry["provenance"]["request_id"] == "r-1"


def test_open_object_is_logged_as_accessed(locker: Locker) -> None:
    info = locker.add_bytes(b"x", provenance=API, name="x")
    with locker.open_object(info.sha256, purpose="normalize") as handle:
        handle.read()
    entry = list(locker.log.entries())[-1]
    assert (entry["action"], entry["sha256"], entry["detail"]) == (
        "accessed",
        info.sha256,
        {"purpose": "normalize"},
    )


def test_unknown_object(locker: Locker) -> None:
    assert not locker.has("0" * 64)
    with pytest.raises(UsageError, match="no object 0000000000000000"):
        locker.info("0" * 64)


def test_reopen_sees_the_same_objects(tmp_case: Case, locker: Locker, fixed_clock: FixedClock) -> None:
    info = locker.add_bytes(b"persist", provenance=API, name="p")
    again = Locker.open(Case.load(tmp_case.root), clock=fixed_clock)
    assert again.list() == [info]
    assert Case.load(tmp_case.root).meta.key_id == locker.key.key_id


def test_wrong_passphrase_is_a_clear_error(
    tmp_case: Case, locker: Locker, monkeypatch: pytest.MonkeyPatch
) -> None:
    locker.add_bytes(b"x", provenance=API, name="x")
    monkeypatch.setenv("LEAKLINE_PASSPHRASE", "not the passphrase")
    with pytest.raises(
        ConfigError, match=r"^wrong evidence key: LEAKLINE_PASSPHRASE gives key id k1-"
    ) as exc:
        Locker.open(tmp_case)
    assert exc.value.exit_code == 2


def test_key_file_and_wrong_key_file(
    tmp_path: Path, fixed_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "k"
    key.write_bytes(os.urandom(32))
    monkeypatch.delenv("LEAKLINE_PASSPHRASE", raising=False)
    monkeypatch.setenv("LEAKLINE_KEY_FILE", str(key))
    case = Case.init(tmp_path / "c", title="t", clock=fixed_clock, case_id="kf")
    info = Locker.open(case).add_bytes(b"secret", provenance=API, name="s")
    with Locker.open(case).open_object(info.sha256) as handle:
        assert handle.read() == b"secret"
    key.write_bytes(os.urandom(32))
    with pytest.raises(ConfigError, match="wrong evidence key"):
        Locker.open(case)
    key.write_bytes(b"short")
    with pytest.raises(ConfigError, match="holds 5 bytes; an evidence key is exactly 32 raw bytes"):
        Locker.open(case)


def test_per_case_key_file_created_0600(
    tmp_path: Path, fixed_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEAKLINE_PASSPHRASE", raising=False)
    monkeypatch.delenv("LEAKLINE_KEY_FILE", raising=False)
    monkeypatch.setenv("LEAKLINE_HOME", str(tmp_path / "home"))
    case = Case.init(tmp_path / "c", title="t", clock=fixed_clock, case_id="auto-key")
    locker = Locker.open(case)
    path = tmp_path / "home" / "keys" / "auto-key.key"
    assert locker.key_notice is not None and str(path) in locker.key_notice
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes()) == 32
    assert path.read_bytes().hex() not in (case.root / "case.yaml").read_text()
    assert Locker.open(case).key_notice is None
    path.unlink()
    with pytest.raises(ConfigError, match="no evidence key"):
        Locker.open(case)


def test_both_key_sources_set_is_refused(
    tmp_case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKLINE_KEY_FILE", str(tmp_path / "k"))
    with pytest.raises(ConfigError, match="both LEAKLINE_KEY_FILE and LEAKLINE_PASSPHRASE are set"):
        Locker.open(tmp_case)


def test_flipped_object_byte_fails_on_read(locker: Locker) -> None:
    info = locker.add_bytes(os.urandom(4096), provenance=API, name="r")
    path = locker.object_path(info.sha256)
    data = bytearray(path.read_bytes())
    data[40] ^= 0x10
    path.write_bytes(bytes(data))
    with (
        pytest.raises(IntegrityError, match="chunk 0 fails authentication"),
        locker.open_object(info.sha256) as f,
    ):
        f.read()


def test_object_info_is_serialisable(locker: Locker) -> None:
    info = locker.add_bytes(b"x", provenance=API, name="x")
    assert ObjectInfo.model_validate_json(info.model_dump_json()) == info


def test_threads_share_one_locker(locker: Locker) -> None:
    from concurrent.futures import ThreadPoolExecutor

    blobs = [f"blob {i}".encode() * 1000 for i in range(12)]
    with ThreadPoolExecutor(4) as pool:
        infos = list(pool.map(lambda b: locker.add_bytes(b, provenance=API, name="t"), blobs + blobs))
    assert {i.sha256 for i in infos} == {hashlib.sha256(b).hexdigest() for b in blobs}
    assert len(locker.list()) == 12
    assert locker.log.verify() == []


def test_derived_sub_keys_differ_from_the_case_key(locker: Locker) -> None:
    first = locker.key.derive("leakline keyed-hash v1")
    assert len(first) == 32
    assert first == locker.key.derive("leakline keyed-hash v1")
    assert first not in (locker.key.secret, locker.key.derive("other"))
