"""Export bundle: sha256sum -c, plain-cryptography signature check, standalone script, import."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.core.errors import IntegrityError, UsageError
from leakline.evidence import Locker, Provenance
from leakline.evidence.bundle import export_bundle, import_bundle

PROV = Provenance(
    source="api", endpoint="/services/data/v62.0/sobjects/EventLogFile/0AT1/LogFile", request_id="r9"
)
CSV = b'"EVENT_TYPE","TIMESTAMP"\n"API","20260301090000.000"\n'


def _extract(bundle: Path, into: Path) -> Path:
    with tarfile.open(bundle) as tar:
        tar.extractall(into, filter="data")
    (folder,) = into.iterdir()
    return folder


@pytest.fixture
def filled(locker: Locker) -> Locker:
    locker.chunk_size = 4096
    locker.add_bytes(CSV, provenance=PROV, name="API.csv", kind="elf_csv")
    locker.add_bytes(os.urandom(10_000), provenance=PROV, name="blob.bin", kind="blob")
    return locker


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU sha256sum")
def test_decrypted_bundle_passes_sha256sum_and_signature(filled: Locker, tmp_path: Path) -> None:
    result = export_bundle(filled, tmp_path / "b.tar", decrypt=True)
    folder = _extract(result.path, tmp_path / "x")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 9
    public = load_pem_public_key((folder / "public_key.pem").read_bytes())
    public.verify((folder / "manifest.sig").read_bytes(), (folder / "manifest.json").read_bytes())  # type: ignore[union-attr,call-arg]
    with pytest.raises(InvalidSignature):
        public.verify((folder / "manifest.sig").read_bytes(), (folder / "manifest.json").read_bytes() + b" ")  # type: ignore[union-attr,call-arg]
    csv_sha = next(
        o["sha256"]
        for o in json.loads((folder / "manifest.json").read_text())["objects"]
        if o["name"] == "API.csv"
    )
    assert (folder / "objects" / csv_sha).read_bytes() == CSV
    assert "sha256sum -c SHA256SUMS" in (folder / "VERIFY.md").read_text()
    standalone = subprocess.run(
        [sys.executable, "verify_bundle.py"], cwd=folder, capture_output=True, text=True
    )
    assert standalone.stdout.strip().splitlines()[-1] == "OK", standalone.stdout + standalone.stderr
    last = list(filled.log.entries())[-1]
    assert (last["action"], last["detail"]["bundle_sha256"]) == ("exported", result.sha256)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU sha256sum")
def test_sha256sum_catches_a_changed_object(filled: Locker, tmp_path: Path) -> None:
    folder = _extract(export_bundle(filled, tmp_path / "b.tar", decrypt=True).path, tmp_path / "x")
    target = next((folder / "objects").iterdir())
    target.write_bytes(target.read_bytes() + b"x")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 1
    assert f"objects/{target.name}: FAILED" in check.stdout
    standalone = subprocess.run(
        [sys.executable, "verify_bundle.py"], cwd=folder, capture_output=True, text=True
    )
    assert f"objects/{target.name}: sha256 differs from SHA256SUMS" in standalone.stdout


def test_encrypted_bundle_with_separate_keys(filled: Locker, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    result = export_bundle(filled, tmp_path / "b.tar", decrypt=False, keys_output=keys)
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    folder = _extract(result.path, tmp_path / "x")
    names = sorted(p.name for p in (folder / "objects").iterdir())
    assert all(name.endswith(".llobj") for name in names)
    assert CSV not in b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    standalone = subprocess.run(
        [sys.executable, "verify_bundle.py", str(keys)], cwd=folder, capture_output=True, text=True
    )
    assert standalone.stdout.strip() == "OK", standalone.stdout + standalone.stderr


def test_import_decrypted_and_encrypted(filled: Locker, tmp_path: Path, fixed_clock: FixedClock) -> None:
    originals = {info.sha256 for info in filled.list()}
    plain = export_bundle(filled, tmp_path / "plain.tar", decrypt=True)
    keys = tmp_path / "keys.json"
    encrypted = export_bundle(filled, tmp_path / "enc.tar", decrypt=False, keys_output=keys)
    for number, (bundle, key_file) in enumerate(((plain.path, None), (encrypted.path, keys))):
        other = Locker.open(
            Case.init(tmp_path / f"other{number}", title="o", clock=fixed_clock), clock=fixed_clock
        )
        result = import_bundle(other, bundle, keys_file=key_file)
        assert result.source_case == "test-case"
        stored = {info.sha256: info for info in other.list()}
        assert originals <= set(stored)
        assert {info.kind for info in stored.values()} >= {
            "bundle_manifest",
            "bundle_signature",
            "bundle_custody_log",
        }
        csv = next(info for info in stored.values() if info.name == "API.csv")
        assert csv.provenance.note is not None and "of case test-case" in csv.provenance.note
        with other.open_object(csv.sha256) as handle:
            assert handle.read() == CSV
        assert [e["action"] for e in other.log.entries()][-2:] == ["imported", "accessed"]


def test_encrypted_import_needs_keys(filled: Locker, tmp_path: Path, fixed_clock: FixedClock) -> None:
    bundle = export_bundle(filled, tmp_path / "enc.tar", decrypt=False).path
    other = Locker.open(Case.init(tmp_path / "o", title="o", clock=fixed_clock), clock=fixed_clock)
    with pytest.raises(UsageError, match="is encrypted and no data key was given"):
        import_bundle(other, bundle)


def test_import_rejects_a_tampered_bundle(filled: Locker, tmp_path: Path, fixed_clock: FixedClock) -> None:
    bundle = export_bundle(filled, tmp_path / "b.tar", decrypt=True).path
    folder = _extract(bundle, tmp_path / "x")
    manifest = folder / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"API.csv", b"APX.csv"))
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as tar:
        tar.add(folder, arcname=folder.name)
    other = Locker.open(Case.init(tmp_path / "o", title="o", clock=fixed_clock), clock=fixed_clock)
    with pytest.raises(IntegrityError, match=r"manifest\.json differs from its SHA256SUMS line"):
        import_bundle(other, forged)
    assert other.list() == []


def test_export_refuses_existing_output(filled: Locker, tmp_path: Path) -> None:
    (tmp_path / "b.tar").write_bytes(b"")
    with pytest.raises(UsageError, match="already exists"):
        export_bundle(filled, tmp_path / "b.tar", decrypt=True)
