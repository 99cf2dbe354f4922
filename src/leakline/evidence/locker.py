"""The evidence locker: content-addressed, encrypted, with a hash-chained custody log.

```
locker/
  locker.json               format, case id, key id and scrypt salt, sealed signing key
  custody.log(.head)        every action on the evidence (core.chainlog)
  objects/<sha[:2]>/<sha>   encrypted objects (objfmt)
  keys/<sha[:2]>/<sha>.key  each object's data key, wrapped under the case key
  tmp/                      encrypted partial writes (never plaintext)
  manifest.json, manifest.sig, public_key.pem   the latest seal (integrity.py)
```
Objects and their wrapped keys appear by atomic rename under the locker lock, then the
acquisition is logged. Nothing in the locker is rewritten; crypto-shredding is the one
removal, allowed only outside a legal hold, and it is logged.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import hashlib
import io
import json
import os
import secrets
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from filelock import FileLock

from leakline import __version__
from leakline.core.case import Case
from leakline.core.chainlog import ChainLog
from leakline.core.clock import Clock, SystemClock, iso, parse_utc
from leakline.core.errors import BadInputError, ConfigError, IntegrityError, UsageError
from leakline.evidence import keys as keymod
from leakline.evidence.models import Hold, ObjectInfo, Provenance
from leakline.evidence.objfmt import CHUNK_SIZE, PlainReader
from leakline.evidence.pipeline import DEFAULT_LEVEL, Ingested, ingest

FORMAT = 1
ACTIONS = (
    "created",
    "acquired",
    "accessed",
    "exported",
    "verified",
    "held",
    "released",
    "shredded",
    "imported",
    "sealed",
)


def operator() -> str:
    """Who is acting: ``$LEAKLINE_OPERATOR``, else the OS user."""
    env = os.environ.get("LEAKLINE_OPERATOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


@dataclass
class LockerState:
    """What the custody log says about the objects (rebuilt when the log changes)."""

    objects: dict[str, ObjectInfo] = field(default_factory=dict)
    shredded: dict[str, dict[str, Any]] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)
    entries: int = 0

    def holds_on(self, sha256: str) -> list[Hold]:
        """Active holds covering ``sha256`` (its own and locker-wide ones)."""
        return [hold for hold in self.holds.values() if hold.sha256 in (None, sha256)]


class Locker:
    """One case's evidence locker. Open it with ``Locker.open(case)``."""

    def __init__(self, case: Case, key: keymod.CaseKey, meta: dict[str, Any], clock: Clock) -> None:
        self.case = case
        self.root = case.locker_dir
        self.key = key
        self.meta = meta
        self.clock = clock
        self.log = ChainLog(self.root / "custody.log")
        self.compression_level = DEFAULT_LEVEL
        self.chunk_size = CHUNK_SIZE
        # Adaptive: blocks are compressed with spare CPU only, the rest stored raw (pipeline.py).
        self.adaptive_compression = True
        self.lock = FileLock(str(self.root / ".lock"))
        self._state: LockerState | None = None
        self._state_offset = 0
        self._state_last = b""
        self._state_guard = threading.Lock()
        self.key_notice: str | None = None
        if key.created:
            self.key_notice = (
                f"created a new evidence key for case {case.meta.id} at {key.where} (mode 0600); "
                "back it up: without it the evidence cannot be read"
            )

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, case: Case, clock: Clock | None = None) -> Locker:
        """Open the case's locker, creating it (keys, signing key pair) on first use."""
        clock = clock or SystemClock()
        root = case.locker_dir
        root.mkdir(parents=True, exist_ok=True)
        meta_path = root / "locker.json"
        if not meta_path.exists():
            with FileLock(str(root / ".lock")):
                if not meta_path.exists():
                    if (root / "custody.log").exists() or any((root / "objects").glob("*/*")):
                        # Never start a fresh locker (new keys) over existing evidence.
                        raise IntegrityError(
                            "locker/locker.json is missing but the locker holds evidence",
                            hint="restore locker.json from a backup; nothing was changed",
                        )
                    return cls._create(case, clock)
        meta = _read_meta(meta_path)
        salt = meta["key"].get("salt")
        key = keymod.load_case_key(case.meta.id, bytes.fromhex(salt) if salt else None, create=False)
        if key.key_id != meta["key"]["key_id"]:
            raise ConfigError(
                f"wrong evidence key: {key.where} gives key id {key.key_id}, "
                f"but this locker was created with key id {meta['key']['key_id']} "
                f"(from {_describe_source(meta['key']['source'])})",
                hint="set the key this case was created with; nothing was read or changed",
            )
        locker = cls(case, key, meta, clock)
        locker._clean_stale_parts()
        return locker

    @classmethod
    def _create(cls, case: Case, clock: Clock) -> Locker:
        root = case.locker_dir
        passphrase = bool(os.environ.get("LEAKLINE_PASSPHRASE")) and not os.environ.get("LEAKLINE_KEY_FILE")
        salt = keymod.new_salt() if passphrase else None
        key = keymod.load_case_key(case.meta.id, salt, create=True)
        signing = Ed25519PrivateKey.generate()
        public = signing.public_key()
        key_meta: dict[str, Any] = {"source": key.source, "key_id": key.key_id}
        if salt is not None:
            key_meta.update(
                salt=salt.hex(), kdf="scrypt", n=keymod.SCRYPT_N, r=keymod.SCRYPT_R, p=keymod.SCRYPT_P
            )
        meta: dict[str, Any] = {
            "format": FORMAT,
            "case_id": case.meta.id,
            "created_at": iso(clock.now()),
            "key": key_meta,
            "signing": {
                "algorithm": "ed25519",
                "public_key_pem": keymod.public_key_pem(public).decode("ascii"),
                "public_key_sha256": keymod.public_key_fingerprint(public),
                "private_key_sealed": base64.b64encode(key.seal_private_key(signing)).decode("ascii"),
            },
        }
        for sub in ("objects", "keys", "tmp"):
            (root / sub).mkdir(exist_ok=True)
        atomic_write(root / "public_key.pem", keymod.public_key_pem(public))
        atomic_write(root / "locker.json", (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
        locker = cls(case, key, meta, clock)
        locker._record(
            "created",
            detail={"key_id": key.key_id, "public_key_sha256": meta["signing"]["public_key_sha256"]},
        )
        if case.meta.key_id != key.key_id:
            case.meta.key_id = key.key_id
            case.save()
        return locker

    # -- adding ------------------------------------------------------------------------------

    def add_file(
        self, path: Path, *, provenance: Provenance | None = None, name: str | None = None, kind: str = "file"
    ) -> ObjectInfo:
        """Add a file (streamed). Provenance defaults to the file's path and mtime."""
        path = Path(path)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        with handle:
            if provenance is None:
                provenance = self.file_provenance(path, os.fstat(handle.fileno()).st_mtime)
            return self.add_stream(handle, provenance=provenance, name=name or path.name, kind=kind)

    @staticmethod
    def file_provenance(path: Path, mtime: float | None = None) -> Provenance:
        """Provenance of a local file: its absolute path and modification time (UTC)."""
        stamp = path.stat().st_mtime if mtime is None else mtime
        return Provenance(
            source="file",
            original_path=str(Path(path).resolve()),
            original_mtime=datetime.fromtimestamp(stamp, tz=UTC),
        )

    def add_bytes(self, data: bytes, *, provenance: Provenance, name: str, kind: str = "blob") -> ObjectInfo:
        """Add an in-memory blob."""
        return self.add_stream(io.BytesIO(data), provenance=provenance, name=name, kind=kind)

    def add_stream(
        self, fileobj: BinaryIO, *, provenance: Provenance, name: str, kind: str = "blob"
    ) -> ObjectInfo:
        """Add a binary stream, read to its end in constant memory. Same bytes → same object."""
        data_key = secrets.token_bytes(keymod.KEY_SIZE)
        part = self._new_part()
        try:
            result = ingest(
                fileobj, part, data_key, self.compression_level, self.chunk_size, self.adaptive_compression
            )
            with self.lock:
                return self._commit(part, data_key, result.sha256, result, provenance, name, kind)
        finally:
            part.unlink(missing_ok=True)

    def _commit(
        self,
        part: Path,
        data_key: bytes,
        sha: str,
        result: Ingested,
        provenance: Provenance,
        name: str,
        kind: str,
    ) -> ObjectInfo:
        state = self.state()
        existing = state.objects.get(sha)
        if existing is not None and self.object_path(sha).exists():
            self._record(
                "acquired",
                sha256=sha,
                provenance=provenance,
                detail={"name": name, "kind": kind, "size": result.size, "duplicate": True},
            )
            return existing
        key_path = self.key_path(sha)
        key_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(key_path, self.key.wrap(data_key, sha))
        obj_path = self.object_path(sha)
        obj_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, obj_path)
        _fsync_dir(obj_path.parent)
        # Stored at millisecond precision in the log; keep the returned record identical.
        acquired_at = parse_utc(iso(self.clock.now()))
        info = ObjectInfo(
            sha256=sha,
            size=result.size,
            name=name,
            kind=kind,
            acquired_at=acquired_at,
            provenance=provenance,
            stored_size=result.stored_size,
        )
        self._record(
            "acquired",
            at=acquired_at,
            sha256=sha,
            provenance=provenance,
            detail={
                "name": name,
                "kind": kind,
                "size": result.size,
                "stored_size": result.stored_size,
                "blocks": {"zstd": result.compressed_blocks, "stored": result.raw_blocks},
            },
        )
        return info

    # -- reading -----------------------------------------------------------------------------

    def has(self, sha256: str) -> bool:
        """True when the object is stored (acquired and not shredded)."""
        return sha256 in self.state().objects and self.object_path(sha256).exists()

    def info(self, sha256: str) -> ObjectInfo:
        """The object's record; ``UsageError`` when it is unknown or shredded."""
        state = self.state()
        found = state.objects.get(sha256)
        if found is None:
            if sha256 in state.shredded:
                raise UsageError(f"object {sha256[:16]}… was crypto-shredded")
            raise UsageError(
                f"no object {sha256[:16]}… in this locker", hint="list them: leakline evidence list"
            )
        return found

    def list(self) -> list[ObjectInfo]:
        """Stored objects in order of first acquisition."""
        return list(self.state().objects.values())

    @contextlib.contextmanager
    def open_object(self, sha256: str, purpose: str | None = None) -> Iterator[BinaryIO]:
        """Decrypted streaming reader; the access is logged. The sha256 is checked at the end."""
        self.info(sha256)
        self._record("accessed", sha256=sha256, detail={"purpose": purpose} if purpose else None)
        reader = self.reader(sha256)
        try:
            yield reader
        finally:
            reader.close()

    def reader(self, sha256: str) -> BinaryIO:
        """Decrypted reader without a custody entry (for verify/export, which log their own)."""
        label = f"locker/objects/{sha256[:2]}/{sha256}"
        data_key = self.data_key(sha256)
        try:
            source = self.object_path(sha256).open("rb")
        except FileNotFoundError:
            raise IntegrityError(f"{label}: object file is missing") from None
        return io.BufferedReader(PlainReader(source, data_key, sha256, label), buffer_size=CHUNK_SIZE)

    def data_key(self, sha256: str) -> bytes:
        """Unwrap the object's data key."""
        path = self.key_path(sha256)
        label = f"locker/keys/{sha256[:2]}/{sha256}.key"
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise IntegrityError(f"{label}: wrapped data key is missing") from None
        return self.key.unwrap(blob, sha256, label)

    def resolve(self, prefix: str) -> str:
        """Full sha256 from a unique prefix (8+ hex characters)."""
        prefix = prefix.strip().lower()
        if len(prefix) < 8 or any(ch not in "0123456789abcdef" for ch in prefix):
            raise UsageError(
                f"{prefix!r} is not an object id", hint="give the sha256 or its first 8+ characters"
            )
        state = self.state()
        known = set(state.objects) | set(state.shredded)
        matches = sorted(sha for sha in known if sha.startswith(prefix))
        if not matches:
            raise UsageError(f"no object {prefix}… in this locker", hint="list them: leakline evidence list")
        if len(matches) > 1:
            raise UsageError(f"{prefix}… matches {len(matches)} objects", hint="give more characters")
        return matches[0]

    # -- legal hold and shredding -----------------------------------------------------------

    def hold(
        self,
        sha256: str | None,
        *,
        reason: str,
        matter: str | None = None,
        retain_until: datetime | None = None,
    ) -> Hold:
        """Place a legal hold on one object, or on the whole locker (``sha256=None``)."""
        if sha256 is not None:
            self.info(sha256)
        if not reason.strip():
            raise UsageError("a legal hold needs a reason")
        hold_id = "hold-" + secrets.token_hex(4)
        now = self.clock.now()
        detail: dict[str, Any] = {"hold_id": hold_id, "reason": reason, "matter": matter}
        if retain_until is not None:
            detail["retain_until"] = iso(retain_until)
        self._record("held", at=now, sha256=sha256, detail=detail)
        return Hold(
            hold_id=hold_id,
            sha256=sha256,
            reason=reason,
            matter=matter,
            retain_until=retain_until,
            placed_at=now,
            placed_by=operator(),
        )

    def release(self, hold_id: str, *, reason: str) -> Hold:
        """End a legal hold (logged with who and why)."""
        hold = self.state().holds.get(hold_id)
        if hold is None:
            raise UsageError(f"no active hold {hold_id}", hint="see holds: leakline evidence list --holds")
        if not reason.strip():
            raise UsageError("releasing a hold needs a reason")
        now = self.clock.now()
        if hold.retain_until is not None and hold.retain_until > now:
            raise UsageError(
                f"hold {hold_id} retains its evidence until {iso(hold.retain_until)}",
                hint="a hold cannot be released before its retention date",
            )
        self._record("released", at=now, sha256=hold.sha256, detail={"hold_id": hold_id, "reason": reason})
        return hold

    def shred(self, sha256: str, *, reason: str) -> None:
        """Crypto-shred one object: destroy its wrapped data key and its ciphertext; logged."""
        self.info(sha256)
        if not reason.strip():
            raise UsageError("shredding needs a reason")
        with self.lock:
            holds = self.state().holds_on(sha256)
            if holds:
                ids = ", ".join(hold.hold_id for hold in holds)
                raise UsageError(
                    f"object {sha256[:16]}… is under legal hold ({ids}); it cannot be removed",
                    hint="release the hold first (leakline evidence release HOLD_ID --reason …)",
                )
            key_path = self.key_path(sha256)
            if key_path.exists():
                size = key_path.stat().st_size
                with key_path.open("r+b") as handle:
                    handle.write(secrets.token_bytes(size))
                    handle.flush()
                    os.fsync(handle.fileno())
                key_path.unlink()
            self.object_path(sha256).unlink(missing_ok=True)
            _fsync_dir(key_path.parent)
            self._record("shredded", sha256=sha256, detail={"reason": reason, "method": "data key destroyed"})

    # -- custody log -------------------------------------------------------------------------

    def record(
        self,
        action: str,
        *,
        sha256: str | None = None,
        provenance: Provenance | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append a custody entry (who, what, when, tool, provenance, hash)."""
        return self._record(action, sha256=sha256, provenance=provenance, detail=detail)

    def _record(
        self,
        action: str,
        *,
        at: datetime | None = None,
        sha256: str | None = None,
        provenance: Provenance | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        if action not in ACTIONS:
            raise ValueError(f"unknown custody action {action!r}")
        entry: dict[str, Any] = {
            "action": action,
            "at": iso(at or self.clock.now()),
            "operator": operator(),
            "host": socket.gethostname(),
            "tool": f"leakline {__version__}",
            "case_id": self.case.meta.id,
        }
        if sha256 is not None:
            entry["sha256"] = sha256
        if provenance is not None:
            entry["provenance"] = json.loads(provenance.model_dump_json(exclude_none=True))
        if detail:
            entry["detail"] = {k: v for k, v in detail.items() if v is not None}
        return self.log.append(entry)

    def state(self) -> LockerState:
        """Objects, shredded objects and holds as the custody log records them.

        Kept in memory and brought up to date by reading only the lines appended since the
        last call (a collector adding thousands of objects must not re-read the log each time).
        """
        with self._state_guard:
            return self._refresh_state()

    def _refresh_state(self) -> LockerState:
        try:
            size = self.log.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if self._state is not None and size == self._state_offset:
            return self._state
        if self._state is None or size < self._state_offset or not self._state_prefix_unchanged():
            self._state, self._state_offset, self._state_last = LockerState(), 0, b""
        state = self._state
        if size == 0:
            return state
        with self.log.path.open("rb") as handle:
            handle.seek(self._state_offset)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                try:
                    fold_entry(state, json.loads(raw))
                except (ValueError, KeyError, TypeError, AttributeError, BadInputError):
                    self._state = None
                    raise IntegrityError(
                        f"{self.log.path}:{state.entries + 1}: custody log entry cannot be read",
                        hint="run: leakline evidence verify",
                    ) from None
                self._state_offset += len(raw)
                self._state_last = raw
        return state

    def _state_prefix_unchanged(self) -> bool:
        if not self._state_last:
            return self._state_offset == 0
        with self.log.path.open("rb") as handle:
            handle.seek(self._state_offset - len(self._state_last))
            return handle.read(len(self._state_last)) == self._state_last

    # -- paths -------------------------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        """Where the encrypted object lives."""
        return self.root / "objects" / sha256[:2] / sha256

    def key_path(self, sha256: str) -> Path:
        """Where the object's wrapped data key lives."""
        return self.root / "keys" / sha256[:2] / f"{sha256}.key"

    def public_key(self) -> Ed25519PublicKey:
        """The case's Ed25519 public key (from locker.json)."""
        loaded = load_pem_public_key(self.meta["signing"]["public_key_pem"].encode("ascii"))
        if not isinstance(loaded, Ed25519PublicKey):
            raise IntegrityError("locker.json: public key is not an Ed25519 key")
        return loaded

    def signing_key(self) -> Ed25519PrivateKey:
        """The case's Ed25519 private key (decrypted with the case key)."""
        return self.key.open_private_key(base64.b64decode(self.meta["signing"]["private_key_sealed"]))

    def _new_part(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(6)}.part"

    def _clean_stale_parts(self) -> None:
        """Remove encrypted partial writes left by killed processes on this host."""
        tmp = self.root / "tmp"
        if not tmp.is_dir():
            return
        host = socket.gethostname()
        for part in tmp.glob("*.part"):
            owner, _, rest = part.name.rpartition("-")[0].rpartition("-")
            if owner != host or not rest.isdigit():
                continue
            if not _pid_alive(int(rest)):
                part.unlink(missing_ok=True)


def build_state(entries: Iterator[dict[str, Any]]) -> LockerState:
    """Fold custody entries into the current objects, shredded objects and holds."""
    state = LockerState()
    for entry in entries:
        fold_entry(state, entry)
    return state


def fold_entry(state: LockerState, entry: dict[str, Any]) -> None:
    """Apply one custody entry to ``state``."""
    state.entries += 1
    action, sha, detail = entry.get("action"), entry.get("sha256"), entry.get("detail") or {}
    if action == "acquired" and sha and sha in state.objects and not detail.get("duplicate"):
        # Stored again because the object file had gone missing: the first record stays,
        # the stored file is the new one.
        state.objects[sha] = state.objects[sha].model_copy(update={"stored_size": detail["stored_size"]})
    elif action == "acquired" and sha and not detail.get("duplicate"):
        state.objects[sha] = ObjectInfo(
            sha256=sha,
            size=detail["size"],
            name=detail["name"],
            kind=detail["kind"],
            acquired_at=parse_utc(entry["at"]),
            provenance=Provenance(**entry.get("provenance", {"source": "leakline"})),
            stored_size=detail["stored_size"],
        )
        state.shredded.pop(sha, None)
    elif action == "shredded" and sha:
        state.objects.pop(sha, None)
        state.shredded[sha] = entry
    elif action == "held":
        retain = detail.get("retain_until")
        state.holds[detail["hold_id"]] = Hold(
            hold_id=detail["hold_id"],
            sha256=sha,
            reason=detail.get("reason", ""),
            matter=detail.get("matter"),
            retain_until=parse_utc(retain) if retain else None,
            placed_at=parse_utc(entry["at"]),
            placed_by=entry.get("operator", "?"),
        )
    elif action == "released":
        state.holds.pop(detail.get("hold_id", ""), None)


def _describe_source(source: str) -> str:
    return {
        keymod.SOURCE_KEY_FILE: "LEAKLINE_KEY_FILE",
        keymod.SOURCE_PASSPHRASE: "LEAKLINE_PASSPHRASE",
        keymod.SOURCE_CASE_KEY_FILE: "the per-case key file under $LEAKLINE_HOME/keys",
    }.get(source, source)


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_bytes())
        if meta.get("format") != FORMAT:
            raise IntegrityError(f"{path}: unsupported locker format {meta.get('format')!r}")
        if not (
            isinstance(meta["key"]["key_id"], str) and isinstance(meta["signing"]["public_key_pem"], str)
        ):
            raise TypeError("key fields")
        return dict(meta)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise IntegrityError(f"{path}: locker metadata is corrupted") from None


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256_file(path: Path) -> str:
    """sha256 (hex) of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
