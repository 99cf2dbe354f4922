"""Tamper matrix: each kind of change on each kind of item gives the exact error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.evidence import Locker, Provenance
from leakline.evidence.integrity import seal, verify

CHUNK = 4096
RECORD = CHUNK + 16
HEADER = 16
PROV = Provenance(source="api", endpoint="/services/data/v62.0/query", request_id="q-1")


@pytest.fixture
def sealed(locker: Locker) -> tuple[Locker, str]:
    locker.chunk_size = CHUNK
    big = locker.add_bytes(os.urandom(5 * CHUNK), provenance=PROV, name="big.bin", kind="blob")
    locker.add_bytes(b'"Id","Name"\n"001000000000001AAA","Acme"\n', provenance=PROV, name="a.csv", kind="csv")
    locker.add_bytes(b"third", provenance=PROV, name="c.txt", kind="txt")
    seal(locker)
    assert verify(locker, record=False).problems == []
    return locker, big.sha256


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _swap_lines(path: Path, a: int, b: int) -> None:
    lines = _lines(path)
    lines[a], lines[b] = lines[b], lines[a]
    path.write_bytes(b"".join(lines))


def _object_change(kind: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        data = path.read_bytes()
        chunks = [data[HEADER + i : HEADER + i + RECORD] for i in range(0, len(data) - HEADER, RECORD)]
        if kind == "bit_flip":
            _flip(path, HEADER + RECORD + 100)
        elif kind == "truncation":
            path.write_bytes(data[: HEADER + 2 * RECORD])
        elif kind == "deletion":
            path.unlink()
        elif kind == "reorder":
            chunks[0], chunks[1] = chunks[1], chunks[0]
            path.write_bytes(data[:HEADER] + b"".join(chunks))
        elif kind == "insertion":
            chunks.insert(1, chunks[0])
            path.write_bytes(data[:HEADER] + b"".join(chunks))

    return change


OBJECT_ERRORS = {
    "bit_flip": "{label}: chunk 1 fails authentication (modified, truncated, reordered or inserted data)",
    "truncation": "{label}: truncated (ends after chunk 1; the last chunk is missing)",
    "deletion": "{label}: missing (acquired at custody seq 2, never shredded)",
    "reorder": "{label}: chunk 0 fails authentication (modified, truncated, reordered or inserted data)",
    "insertion": "{label}: chunk 1 fails authentication (modified, truncated, reordered or inserted data)",
}


@pytest.mark.parametrize("kind", list(OBJECT_ERRORS))
def test_object_tampering(sealed: tuple[Locker, str], kind: str) -> None:
    locker, sha = sealed
    _object_change(kind)(locker.object_path(sha))
    problems = verify(locker).problems
    label = f"locker/objects/{sha[:2]}/{sha}"
    assert problems == [OBJECT_ERRORS[kind].format(label=label)]


def _log_change(kind: str, path: Path) -> None:
    if kind == "bit_flip":
        line3 = _lines(path)[2]
        start = sum(len(line) for line in _lines(path)[:2])
        _flip(path, start + line3.index(b'"operator":"') + len(b'"operator":"'))
    elif kind == "truncation":
        path.write_bytes(b"".join(_lines(path)[:-1]))
    elif kind == "deletion":
        lines = _lines(path)
        del lines[2]
        path.write_bytes(b"".join(lines))
    elif kind == "reorder":
        _swap_lines(path, 2, 3)
    elif kind == "insertion":
        lines = _lines(path)
        lines.insert(2, lines[1])
        path.write_bytes(b"".join(lines))


LOG_ERRORS = {
    "bit_flip": "locker/custody.log:3: entry seq 3 was modified (hash mismatch)",
    "truncation": "locker/custody.log: log truncated: head records entry seq 5 but the log ends at seq 4",
    "deletion": "locker/custody.log:3: seq 4 where seq 3 was expected "
    "(skips ahead: an entry before this line was deleted, or lines were moved)",
    "reorder": "locker/custody.log:3: seq 4 where seq 3 was expected "
    "(skips ahead: an entry before this line was deleted, or lines were moved)",
    "insertion": "locker/custody.log:3: seq 2 where seq 3 was expected "
    "(repeats or goes back: an entry was inserted before this line, or lines were moved)",
}


@pytest.mark.parametrize("kind", list(LOG_ERRORS))
def test_custody_log_tampering(sealed: tuple[Locker, str], kind: str) -> None:
    locker, _ = sealed
    _log_change(kind, locker.log.path)
    problems = verify(locker).problems
    assert problems[0] == LOG_ERRORS[kind]


def _file_change(kind: str, path: Path) -> None:
    data = path.read_bytes()
    if kind == "bit_flip":
        _flip(path, len(data) // 2)
    elif kind == "truncation":
        path.write_bytes(data[:-1])
    elif kind == "deletion":
        path.unlink()
    elif kind == "reorder":
        half = len(data) // 2
        path.write_bytes(data[half:] + data[:half])
    elif kind == "insertion":
        path.write_bytes(data[:10] + b"X" + data[10:])


MANIFEST_ERRORS = {
    kind: "locker/manifest.json: modified (its sha256 differs from the seal at custody seq 5)"
    for kind in ("bit_flip", "truncation", "reorder", "insertion")
} | {"deletion": "locker/manifest.json: missing (sealed at custody seq 5)"}

SIGNATURE_ERRORS = {
    "bit_flip": "locker/manifest.sig: signature does not verify against the case public key (modified)",
    "truncation": "locker/manifest.sig: 63 bytes; an Ed25519 signature is 64 bytes",
    "deletion": "locker/manifest.sig: missing",
    "reorder": "locker/manifest.sig: signature does not verify against the case public key (modified)",
    "insertion": "locker/manifest.sig: 65 bytes; an Ed25519 signature is 64 bytes",
}


@pytest.mark.parametrize("kind", list(MANIFEST_ERRORS))
def test_manifest_tampering(sealed: tuple[Locker, str], kind: str) -> None:
    locker, _ = sealed
    _file_change(kind, locker.root / "manifest.json")
    assert verify(locker).problems == [MANIFEST_ERRORS[kind]]


@pytest.mark.parametrize("kind", list(SIGNATURE_ERRORS))
def test_signature_tampering(sealed: tuple[Locker, str], kind: str) -> None:
    locker, _ = sealed
    _file_change(kind, locker.root / "manifest.sig")
    assert verify(locker).problems == [SIGNATURE_ERRORS[kind]]


def test_replayed_older_manifest_is_caught(sealed: tuple[Locker, str]) -> None:
    locker, _ = sealed
    old_manifest = (locker.root / "manifest.json").read_bytes()
    old_sig = (locker.root / "manifest.sig").read_bytes()
    locker.add_bytes(b"later", provenance=PROV, name="later")
    seal(locker)
    (locker.root / "manifest.json").write_bytes(old_manifest)
    (locker.root / "manifest.sig").write_bytes(old_sig)
    assert (
        verify(locker)
        .problems[0]
        .startswith("locker/manifest.json: modified (its sha256 differs from the seal")
    )


def test_inserted_object_file(sealed: tuple[Locker, str]) -> None:
    locker, sha = sealed
    fake = locker.object_path("ab" + sha[2:])
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_bytes(locker.object_path(sha).read_bytes())
    assert verify(locker).problems == [
        f"locker/objects/ab/ab{sha[2:]}: not recorded in the custody log (inserted)"
    ]


def test_wrapped_key_tampering(sealed: tuple[Locker, str]) -> None:
    locker, sha = sealed
    _flip(locker.key_path(sha), 30)
    assert verify(locker).problems == [
        f"locker/keys/{sha[:2]}/{sha}.key: wrapped key fails authentication (modified or moved)"
    ]


def test_quick_verify_checks_ciphertext_hashes(sealed: tuple[Locker, str]) -> None:
    locker, sha = sealed
    _flip(locker.object_path(sha), HEADER + 5)
    assert verify(locker, deep=False).problems == [
        f"locker/objects/{sha[:2]}/{sha}: encrypted file differs from the stored_sha256 sealed in manifest.json "
        "(modified or replaced)"
    ]


def test_verify_is_recorded(sealed: tuple[Locker, str]) -> None:
    locker, _ = sealed
    verify(locker)
    last = list(locker.log.entries())[-1]
    assert last["action"] == "verified"
    assert last["detail"]["ok"] is True


def test_cli_verify_exit_5_names_the_item(sealed: tuple[Locker, str], tmp_case: Case) -> None:
    locker, sha = sealed
    _object_change("bit_flip")(locker.object_path(sha))
    result = CliRunner().invoke(app, ["evidence", "verify", "--case", str(tmp_case.root)])
    assert result.exit_code == 5
    assert f"locker/objects/{sha[:2]}/{sha}: chunk 1 fails authentication" in result.output
    assert "Traceback" not in result.output


def test_deleted_locker_metadata_is_not_recreated(sealed: tuple[Locker, str], tmp_case: Case) -> None:
    locker, _ = sealed
    (locker.root / "locker.json").unlink()
    result = CliRunner().invoke(app, ["evidence", "verify", "--case", str(tmp_case.root)])
    assert result.exit_code == 5
    assert "locker/locker.json is missing but the locker holds evidence" in result.output
    assert not (locker.root / "locker.json").exists()
