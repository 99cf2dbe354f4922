"""Export bundle for a third party, and import of such a bundle into another case.

A bundle is one tar archive holding a folder ``<case-id>-evidence/`` with:
``manifest.json`` + ``manifest.sig`` + ``public_key.pem`` (a fresh seal), ``custody.log`` (up to
and including that seal), ``objects/<sha256>`` (decrypted) or ``objects/<sha256>.llobj``
(encrypted; the data keys go to a separate keys file), ``bundle.json``, ``VERIFY.md``,
``verify_bundle.py`` and ``SHA256SUMS`` (accepted by ``sha256sum -c``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import socket
import string
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from leakline import __version__
from leakline.core.chainlog import GENESIS, entry_hash
from leakline.core.clock import iso
from leakline.core.errors import BadInputError, IntegrityError, UsageError
from leakline.evidence import keys as keymod
from leakline.evidence.integrity import seal, verified_manifest
from leakline.evidence.locker import Locker, operator, sha256_file
from leakline.evidence.models import ObjectInfo, Provenance
from leakline.evidence.objfmt import PlainReader

KEYS_FORMAT = "leakline-evidence-keys/1"
BUNDLE_FORMAT = "leakline-evidence-bundle/1"
ENCRYPTED_SUFFIX = ".llobj"


@dataclass(frozen=True)
class ExportResult:
    """What ``export_bundle`` wrote."""

    path: Path
    sha256: str
    objects: list[str]
    decrypted: bool
    keys_path: Path | None


@dataclass(frozen=True)
class ImportResult:
    """What ``import_bundle`` added."""

    source_case: str
    bundle_sha256: str
    objects: list[ObjectInfo]


class _Hashing(io.RawIOBase):
    """Passes reads through while hashing them."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(target))
        count = len(data)
        target[:count] = data
        self.digest.update(data)
        return count


def export_bundle(
    locker: Locker,
    output: Path,
    *,
    decrypt: bool,
    objects: Iterable[str] | None = None,
    keys_output: Path | None = None,
) -> ExportResult:
    """Seal, then write one archive for a third party; the export itself is logged."""
    if decrypt and keys_output is not None:
        raise UsageError("--keys-output is for encrypted exports; a decrypted bundle needs no keys")
    if output.exists():
        raise UsageError(f"{output} already exists", hint="choose a new file name")
    with locker.lock:
        sealed = seal(locker)
        manifest, signature = verified_manifest(locker)
        stored = {obj["sha256"]: obj["stored_sha256"] for obj in json.loads(manifest)["objects"]}
        custody = _custody_prefix(locker, sealed["seq"])
        state = locker.state()
        chosen = (
            sorted(state.objects) if objects is None else sorted({locker.resolve(sha) for sha in objects})
        )
        for sha in chosen:
            if sha not in state.objects:
                raise UsageError(f"object {sha[:16]}… was shredded; it cannot be exported")
    exported_at = locker.clock.now()
    top = f"{locker.case.meta.id}-evidence"
    public_pem = locker.meta["signing"]["public_key_pem"].encode("ascii")
    info = {
        "format": BUNDLE_FORMAT,
        "case_id": locker.case.meta.id,
        "exported_at": iso(exported_at),
        "operator": operator(),
        "host": socket.gethostname(),
        "tool": f"leakline {__version__}",
        "decrypted": decrypt,
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "objects": [
            {"sha256": sha, "name": state.objects[sha].name, "file": _object_file(sha, decrypt)}
            for sha in chosen
        ],
    }
    script = resources.files("leakline.evidence").joinpath("standalone_verify.py").read_bytes()
    guide = string.Template(resources.files("leakline.evidence").joinpath("VERIFY.md").read_text("utf-8"))
    readme = guide.substitute(
        case_id=locker.case.meta.id,
        exported_at=iso(exported_at),
        operator=info["operator"],
        host=info["host"],
        tool=info["tool"],
        object_count=len(chosen),
        mode="decrypted" if decrypt else "encrypted; data keys handed over separately",
        public_key_sha256=locker.meta["signing"]["public_key_sha256"],
        script=script.decode("utf-8").rstrip("\n"),
    ).encode("utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{secrets.token_hex(4)}.part")
    sums: list[tuple[str, str]] = []
    mtime = int(exported_at.timestamp())
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            fixed: list[tuple[str, bytes]] = [
                ("manifest.json", manifest),
                ("manifest.sig", signature),
                ("public_key.pem", public_pem),
                ("custody.log", custody),
                ("bundle.json", (json.dumps(info, indent=2, sort_keys=True) + "\n").encode("utf-8")),
                ("VERIFY.md", readme),
                ("verify_bundle.py", script),
            ]
            for name, data in fixed:
                _add(tar, f"{top}/{name}", io.BytesIO(data), len(data), mtime)
                sums.append((hashlib.sha256(data).hexdigest(), name))
            for sha in chosen:
                name = _object_file(sha, decrypt)
                expected = sha if decrypt else stored[sha]
                sums.append((_add_object(locker, tar, f"{top}/{name}", sha, decrypt, expected, mtime), name))
            text = "".join(f"{digest}  {name}\n" for digest, name in sums).encode("utf-8")
            _add(tar, f"{top}/SHA256SUMS", io.BytesIO(text), len(text), mtime)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    keys_path = None
    if not decrypt and keys_output is not None:
        keys_path = _write_keys(locker, keys_output, chosen)
    bundle_sha = sha256_file(output)
    locker.record(
        "exported",
        detail={
            "bundle": output.name,
            "bundle_sha256": bundle_sha,
            "objects": chosen,
            "decrypted": decrypt,
            "keys_handed_separately": keys_path is not None,
            "manifest_sha256": info["manifest_sha256"],
        },
    )
    return ExportResult(output, bundle_sha, chosen, decrypt, keys_path)


def _object_file(sha: str, decrypt: bool) -> str:
    return f"objects/{sha}" if decrypt else f"objects/{sha}{ENCRYPTED_SUFFIX}"


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes], size: int, mtime: int) -> None:
    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = size, mtime, 0o644
    tar.addfile(member, data)


def _add_object(
    locker: Locker, tar: tarfile.TarFile, name: str, sha: str, decrypt: bool, expected: str, mtime: int
) -> str:
    info = locker.info(sha)
    source: IO[bytes] = locker.reader(sha) if decrypt else locker.object_path(sha).open("rb")
    with source:
        hashing = _Hashing(source)
        _add(tar, name, cast(IO[bytes], hashing), info.size if decrypt else info.stored_size, mtime)
        # Reading past the end makes the decrypting reader check the object's sha256.
        if source.read(1):
            raise IntegrityError(f"locker/objects/{sha[:2]}/{sha}: longer than recorded")
    digest = hashing.digest.hexdigest()
    if digest != expected:
        raise IntegrityError(
            f"locker/objects/{sha[:2]}/{sha}: content differs from the record; export stopped"
        )
    return digest


def _write_keys(locker: Locker, path: Path, shas: list[str]) -> Path:
    data = {
        "format": KEYS_FORMAT,
        "case_id": locker.case.meta.id,
        "objects": {sha: locker.data_key(sha).hex() for sha in shas},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def _custody_prefix(locker: Locker, last_seq: int) -> bytes:
    lines = []
    with locker.log.path.open("rb") as handle:
        for raw in handle:
            lines.append(raw)
            if len(lines) == last_seq:
                break
    return b"".join(lines)


# -- import ---------------------------------------------------------------------------------


def import_bundle(locker: Locker, bundle: Path, *, keys_file: Path | None = None) -> ImportResult:
    """Check a bundle completely, then add its objects (and its seal) to this locker."""
    if not bundle.is_file():
        raise UsageError(f"{bundle} is not a file")
    try:
        tar = tarfile.open(bundle, "r:*")
    except tarfile.TarError as exc:
        raise BadInputError(f"not a leakline evidence bundle ({exc})", path=bundle) from None
    with tar:
        members = _members(tar, bundle)
        small = {
            name: _read(tar, members[name])
            for name in (
                "SHA256SUMS",
                "manifest.json",
                "manifest.sig",
                "public_key.pem",
                "custody.log",
                "bundle.json",
            )
            if name in members
        }
        _check_bundle(tar, members, small, bundle)
        manifest = json.loads(small["manifest.json"])
        info = json.loads(small["bundle.json"])
        keys = _load_keys(keys_file) if keys_file else {}
        object_members = sorted(name for name in members if name.startswith("objects/"))
        for name in object_members:
            sha = name.removeprefix("objects/").removesuffix(ENCRYPTED_SUFFIX)
            if name.endswith(ENCRYPTED_SUFFIX) and sha not in keys:
                raise UsageError(
                    f"{bundle}: {name} is encrypted and no data key was given for it",
                    hint="pass the keys file that came with the bundle: --keys FILE",
                )
        bundle_sha = sha256_file(bundle)
        note = f"imported from bundle {bundle.name} (sha256 {bundle_sha}) of case {manifest['case_id']}"
        added: list[ObjectInfo] = []
        listed = {obj["sha256"]: obj for obj in manifest["objects"]}
        for name in object_members:
            sha = name.removeprefix("objects/").removesuffix(ENCRYPTED_SUFFIX)
            record = listed[sha]
            extracted = tar.extractfile(members[name])
            if extracted is None:
                raise BadInputError(f"{name} is not a regular file", path=bundle)
            stream: BinaryIO = cast(BinaryIO, extracted)
            if name.endswith(ENCRYPTED_SUFFIX):
                stream = io.BufferedReader(
                    PlainReader(extracted, bytes.fromhex(keys[sha]), sha, f"{bundle}:{name}")
                )
            provenance = Provenance(source="file", original_path=f"{bundle.resolve()}!{name}", note=note)
            added.append(
                locker.add_stream(stream, provenance=provenance, name=record["name"], kind=record["kind"])
            )
            if added[-1].sha256 != sha:
                raise IntegrityError(f"{bundle}: {name} does not hash to its name")
        for name, kind in (
            ("manifest.json", "bundle_manifest"),
            ("manifest.sig", "bundle_signature"),
            ("custody.log", "bundle_custody_log"),
        ):
            provenance = Provenance(source="file", original_path=f"{bundle.resolve()}!{name}", note=note)
            added.append(locker.add_bytes(small[name], provenance=provenance, name=name, kind=kind))
    locker.record(
        "imported",
        detail={
            "bundle": bundle.name,
            "bundle_sha256": bundle_sha,
            "source_case_id": manifest["case_id"],
            "source_public_key_sha256": manifest["public_key_sha256"],
            "exported_at": info.get("exported_at"),
            "objects": [item.sha256 for item in added],
        },
    )
    return ImportResult(manifest["case_id"], bundle_sha, added)


def _members(tar: tarfile.TarFile, bundle: Path) -> dict[str, tarfile.TarInfo]:
    found: dict[str, tarfile.TarInfo] = {}
    tops = set()
    for member in tar.getmembers():
        if member.isdir():
            continue
        parts = member.name.split("/")
        if not member.isfile() or member.name.startswith("/") or ".." in parts or len(parts) < 2:
            raise BadInputError(
                f"unexpected member {member.name!r} (not a leakline evidence bundle)", path=bundle
            )
        tops.add(parts[0])
        found["/".join(parts[1:])] = member
    if len(tops) != 1:
        raise BadInputError("a bundle holds exactly one top-level folder", path=bundle)
    return found


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise BadInputError(f"{member.name} is not a regular file")
    with handle:
        return handle.read()


def _check_bundle(
    tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], small: dict[str, bytes], bundle: Path
) -> None:
    for required in (
        "SHA256SUMS",
        "manifest.json",
        "manifest.sig",
        "public_key.pem",
        "custody.log",
        "bundle.json",
    ):
        if required not in small:
            raise IntegrityError(f"{bundle}: {required} is missing from the bundle")
    sums: dict[str, str] = {}
    for number, line in enumerate(small["SHA256SUMS"].decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise IntegrityError(f"{bundle}: SHA256SUMS line {number} is malformed")
        sums[name] = digest
    for name in members:
        if name != "SHA256SUMS" and name not in sums:
            raise IntegrityError(f"{bundle}: {name} is not listed in SHA256SUMS (inserted)")
    for name, digest in sums.items():
        if name not in members:
            raise IntegrityError(f"{bundle}: {name} is listed in SHA256SUMS but missing")
        handle = tar.extractfile(members[name])
        actual = hashlib.sha256()
        if handle is not None:
            with handle:
                while block := handle.read(1 << 20):
                    actual.update(block)
        if actual.hexdigest() != digest:
            raise IntegrityError(f"{bundle}: {name} differs from its SHA256SUMS line (modified)")
    public = load_pem_public_key(small["public_key.pem"])
    if not isinstance(public, Ed25519PublicKey):
        raise IntegrityError(f"{bundle}: public_key.pem is not an Ed25519 key")
    try:
        public.verify(small["manifest.sig"], small["manifest.json"])
    except InvalidSignature:
        raise IntegrityError(f"{bundle}: manifest.sig does not verify against public_key.pem") from None
    manifest = json.loads(small["manifest.json"])
    if manifest.get("public_key_sha256") != keymod.public_key_fingerprint(public):
        raise IntegrityError(f"{bundle}: public_key.pem is not the key named in manifest.json")
    _check_custody(small["custody.log"], manifest, bundle)
    listed = {obj["sha256"] for obj in manifest["objects"]}
    for name in members:
        if name.startswith("objects/"):
            sha = name.removeprefix("objects/").removesuffix(ENCRYPTED_SUFFIX)
            if sha not in listed:
                raise IntegrityError(f"{bundle}: {name} is not in the signed manifest")


def _check_custody(data: bytes, manifest: dict[str, Any], bundle: Path) -> None:
    prev, hashes = GENESIS, {}
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            entry = json.loads(raw)
            ok = entry_hash(entry) == entry["hash"] and entry["prev"] == prev and entry["seq"] == number
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise IntegrityError(f"{bundle}: custody.log line {number} breaks the hash chain")
        prev, hashes[entry["seq"]] = entry["hash"], entry
    head = manifest.get("custody_log", {})
    if hashes.get(head.get("seq"), {}).get("hash") != head.get("hash"):
        raise IntegrityError(f"{bundle}: custody.log does not contain the head signed in manifest.json")


def _load_keys(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != KEYS_FORMAT:
            raise ValueError("format")
        return {str(k): str(v) for k, v in data["objects"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        raise BadInputError("not a leakline evidence keys file", path=path) from None
