"""Seal (signed manifest) and verify (objects, custody log, manifest, signature).

``seal`` writes ``manifest.json`` (every stored object with its plaintext and ciphertext
hashes, shredded objects, holds, and the custody log head) and ``manifest.sig`` (raw 64-byte
Ed25519 signature over the exact manifest bytes), then logs ``sealed`` with the manifest's
sha256, which ties the manifest to the hash chain.

``verify`` checks everything and names each bad item: the custody log line, the object and
chunk, the manifest or the signature. It never stops at the first problem.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from leakline import __version__
from leakline.core.clock import iso
from leakline.core.errors import BadInputError, IntegrityError, LeaklineError, UsageError
from leakline.evidence import keys as keymod
from leakline.evidence.locker import Locker, LockerState, atomic_write, fold_entry, sha256_file

MANIFEST_FORMAT = "leakline-evidence-manifest/1"
SIGNATURE_SIZE = 64


@dataclass
class VerifyReport:
    """Outcome of ``verify``: each problem names one item; ``checked`` counts what was looked at."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def build_manifest(locker: Locker, state: LockerState, stored: dict[str, str]) -> dict[str, Any]:
    """The manifest body for the current state (not yet signed)."""
    head = locker.log.head()
    if head is None:
        raise UsageError("the custody log is empty; nothing to seal")
    objects = []
    for info in sorted(state.objects.values(), key=lambda item: item.sha256):
        objects.append(
            {
                "sha256": info.sha256,
                "size": info.size,
                "name": info.name,
                "kind": info.kind,
                "acquired_at": iso(info.acquired_at),
                "provenance": json.loads(info.provenance.model_dump_json(exclude_none=True)),
                "stored_sha256": stored[info.sha256],
                "stored_size": info.stored_size,
            }
        )
    return {
        "format": MANIFEST_FORMAT,
        "case_id": locker.case.meta.id,
        "sealed_at": iso(locker.clock.now()),
        "tool": f"leakline {__version__}",
        "key_id": locker.meta["key"]["key_id"],
        "public_key_sha256": locker.meta["signing"]["public_key_sha256"],
        "custody_log": {"seq": head.seq, "hash": head.hash},
        "objects": objects,
        "shredded": sorted(state.shredded),
        "holds": [
            json.loads(hold.model_dump_json(exclude_none=True))
            for hold in sorted(state.holds.values(), key=lambda h: h.hold_id)
        ],
    }


def seal(locker: Locker) -> dict[str, Any]:
    """Check the stored files, then write and sign the manifest; returns the ``sealed`` entry.

    Objects already in the previous seal must still have the sealed ciphertext hash; objects
    added since are decrypted and checked against their id before they are signed for.
    """
    with locker.lock:
        log_problems = locker.log.verify()
        if log_problems:
            raise IntegrityError(f"cannot seal: {log_problems[0]}", hint="run: leakline evidence verify")
        state = locker.state()
        previous = sealed_stored_hashes(locker, list(locker.log.entries()))
        stored: dict[str, str] = {}
        for info in state.objects.values():
            path = locker.object_path(info.sha256)
            label = f"locker/objects/{info.sha256[:2]}/{info.sha256}"
            if not path.exists():
                raise IntegrityError(f"cannot seal: {label}: object file is missing")
            stored[info.sha256] = sha256_file(path)
            if info.sha256 in previous:
                if stored[info.sha256] != previous[info.sha256]:
                    raise IntegrityError(f"cannot seal: {label}: encrypted file changed since the last seal")
                continue
            try:
                _read_through(locker, info.sha256)
            except IntegrityError as exc:
                raise IntegrityError(
                    f"cannot seal: {exc.message}", hint="run: leakline evidence verify"
                ) from None
        manifest = build_manifest(locker, state, stored)
        body = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        signature = locker.signing_key().sign(body)
        atomic_write(locker.root / "manifest.json", body)
        atomic_write(locker.root / "manifest.sig", signature)
        return locker.record(
            "sealed",
            detail={
                "manifest_sha256": hashlib.sha256(body).hexdigest(),
                "object_count": len(manifest["objects"]),
                "custody_seq": manifest["custody_log"]["seq"],
            },
        )


def verify(locker: Locker, *, deep: bool = True, record: bool = True) -> VerifyReport:
    """Check custody log, locker metadata, every object, the manifest and its signature.

    ``deep`` decrypts and re-hashes every object; otherwise only the ciphertext hashes of sealed
    objects are compared with the manifest. With ``record`` the outcome is logged as ``verified``.
    """
    report = VerifyReport()
    entries = _check_log(locker, report)
    state = LockerState()
    for entry in entries:
        try:
            fold_entry(state, entry)
        except (ValueError, KeyError, TypeError, AttributeError, BadInputError):
            report.problems.append(f"locker/custody.log: entry seq {entry.get('seq')} cannot be interpreted")
    _check_metadata(locker, entries, report)
    _check_objects(locker, state, entries, sealed_stored_hashes(locker, entries), report, deep=deep)
    _check_manifest(locker, entries, report)
    if record:
        try:
            locker.record(
                "verified",
                detail={"ok": report.ok, "problems": len(report.problems), "deep": deep, **report.checked},
            )
        except LeaklineError as exc:
            report.problems.append(f"could not record the verification: {exc}")
    return report


def _rel(locker: Locker, path: Path) -> str:
    return os.path.relpath(path, locker.case.root)


def _check_log(locker: Locker, report: VerifyReport) -> list[dict[str, Any]]:
    for problem in locker.log.verify():
        report.problems.append(str(problem).replace(str(locker.case.root) + os.sep, "", 1))
    entries: list[dict[str, Any]] = []
    if locker.log.path.exists():
        with locker.log.path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    entries.append(parsed)
    report.checked["custody_entries"] = len(entries)
    return entries


def _check_metadata(locker: Locker, entries: list[dict[str, Any]], report: VerifyReport) -> None:
    created = next((e for e in entries if e.get("action") == "created"), None)
    if created is None:
        report.problems.append("locker/custody.log: no 'created' entry (the start of the log is missing)")
        return
    detail = created.get("detail", {})
    if detail.get("key_id") != locker.meta["key"]["key_id"]:
        report.problems.append("locker/locker.json: key id differs from the one recorded at creation")
    fingerprint = keymod.public_key_fingerprint(locker.public_key())
    if (
        fingerprint != detail.get("public_key_sha256")
        or fingerprint != locker.meta["signing"]["public_key_sha256"]
    ):
        report.problems.append("locker/locker.json: public key differs from the one recorded at creation")
    pem_path = locker.root / "public_key.pem"
    if not pem_path.exists():
        report.problems.append("locker/public_key.pem: missing")
    elif pem_path.read_bytes() != locker.meta["signing"]["public_key_pem"].encode("ascii"):
        report.problems.append("locker/public_key.pem: differs from the case public key in locker.json")


def _check_objects(
    locker: Locker,
    state: LockerState,
    entries: list[dict[str, Any]],
    sealed: dict[str, str],
    report: VerifyReport,
    *,
    deep: bool,
) -> None:
    unsealed = 0
    acquired_seq = {}
    for entry in entries:
        if entry.get("action") == "acquired" and entry.get("sha256") not in acquired_seq:
            acquired_seq[entry.get("sha256")] = entry.get("seq")
    for info in state.objects.values():
        sha = info.sha256
        label = _rel(locker, locker.object_path(sha))
        path = locker.object_path(sha)
        if not path.exists():
            report.problems.append(
                f"{label}: missing (acquired at custody seq {acquired_seq.get(sha)}, never shredded)"
            )
            continue
        if deep:
            try:
                _read_through(locker, sha)
            except IntegrityError as exc:
                report.problems.append(exc.message)
                continue
        if sha in sealed and sha256_file(path) != sealed[sha]:
            report.problems.append(
                f"{label}: encrypted file differs from the stored_sha256 sealed in manifest.json (modified or replaced)"
            )
        elif sha not in sealed:
            unsealed += 1
    for sha, entry in state.shredded.items():
        if locker.object_path(sha).exists() or locker.key_path(sha).exists():
            report.problems.append(
                f"{_rel(locker, locker.object_path(sha))}: present although shredded at custody seq {entry.get('seq')}"
            )
    report.checked["unsealed_objects"] = unsealed
    known = set(state.objects) | set(state.shredded)
    objects_dir = locker.root / "objects"
    if objects_dir.is_dir():
        for path in sorted(objects_dir.rglob("*")):
            if path.is_file() and path.name not in known:
                report.problems.append(f"{_rel(locker, path)}: not recorded in the custody log (inserted)")
    report.checked["objects"] = len(state.objects)


def _check_manifest(locker: Locker, entries: list[dict[str, Any]], report: VerifyReport) -> None:
    manifest_path = locker.root / "manifest.json"
    sig_path = locker.root / "manifest.sig"
    seals = [e for e in entries if e.get("action") == "sealed"]
    if not seals:
        for path in (manifest_path, sig_path):
            if path.exists():
                report.problems.append(
                    f"{_rel(locker, path)}: present but no seal is recorded in the custody log"
                )
        report.checked["seals"] = 0
        return
    report.checked["seals"] = len(seals)
    last = seals[-1]
    expected = last.get("detail", {}).get("manifest_sha256")
    body: bytes | None = None
    if not manifest_path.exists():
        report.problems.append(f"locker/manifest.json: missing (sealed at custody seq {last.get('seq')})")
    else:
        body = manifest_path.read_bytes()
        if hashlib.sha256(body).hexdigest() != expected:
            report.problems.append(
                f"locker/manifest.json: modified (its sha256 differs from the seal at custody seq {last.get('seq')})"
            )
            body = None
    if not sig_path.exists():
        report.problems.append("locker/manifest.sig: missing")
        return
    signature = sig_path.read_bytes()
    if len(signature) != SIGNATURE_SIZE:
        report.problems.append(
            f"locker/manifest.sig: {len(signature)} bytes; an Ed25519 signature is {SIGNATURE_SIZE} bytes"
        )
        return
    if body is None:
        return
    try:
        locker.public_key().verify(signature, body)
    except InvalidSignature:
        report.problems.append(
            "locker/manifest.sig: signature does not verify against the case public key (modified)"
        )
        return
    _check_manifest_head(body, entries, report)


def _check_manifest_head(body: bytes, entries: list[dict[str, Any]], report: VerifyReport) -> None:
    manifest = json.loads(body)
    head = manifest.get("custody_log", {})
    match = next((e for e in entries if e.get("seq") == head.get("seq")), None)
    if match is None or match.get("hash") != head.get("hash"):
        report.problems.append(
            f"locker/custody.log: entry seq {head.get('seq')} differs from the head sealed in manifest.json"
        )


def _read_through(locker: Locker, sha: str) -> None:
    """Decrypt an object to its end (the reader checks every chunk and the sha256)."""
    with locker.reader(sha) as handle:
        while handle.read(1 << 20):
            pass


def sealed_stored_hashes(locker: Locker, entries: list[dict[str, Any]]) -> dict[str, str]:
    """Ciphertext sha256 per object from the latest manifest, if it is intact; else empty."""
    report = VerifyReport()
    _check_manifest(locker, entries, report)
    path = locker.root / "manifest.json"
    if report.problems or not path.exists():
        return {}
    manifest = json.loads(path.read_bytes())
    return {obj["sha256"]: obj["stored_sha256"] for obj in manifest.get("objects", [])}


def verified_manifest(locker: Locker) -> tuple[bytes, bytes]:
    """The latest manifest and signature, after checking them; ``IntegrityError`` otherwise."""
    report = VerifyReport()
    entries = _check_log(locker, report)
    _check_manifest(locker, entries, report)
    if report.problems:
        raise IntegrityError(report.problems[0], hint="run: leakline evidence verify")
    return (locker.root / "manifest.json").read_bytes(), (locker.root / "manifest.sig").read_bytes()
