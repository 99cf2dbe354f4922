"""Append-only, hash-chained JSON-lines log (custody log, containment journal).

Each line is one entry, canonical compact JSON (sorted keys) holding the caller's fields plus:

- ``seq``: 1, 2, 3, … with no gaps;
- ``prev``: the ``hash`` of the previous entry (64 zeros for the first);
- ``hash``: sha256 of the canonical JSON of the entry without ``hash``.

Changing, deleting, inserting or reordering any line breaks ``seq``/``prev``/``hash`` at a line
``verify()`` names. A truncated tail is caught through the head file (``<log>.head``), rewritten
atomically after every append with the last entry's ``seq`` and ``hash``; sealing the head
elsewhere (a signed manifest) anchors the log against someone rewriting both.

Writers take a file lock (``<log>.lock``), so several processes can append at once. An append
is one ``write`` of a whole line followed by ``fsync``; a line without its final newline can only
come from an interrupted write, was never acknowledged to a caller, is not an entry, and is cut
off by the next append.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from leakline.core.errors import IntegrityError

GENESIS = "0" * 64
RESERVED = ("seq", "prev", "hash")
_TAIL_BLOCK = 64 * 1024


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with a chained log, located at a 1-based line number."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Head:
    """The last committed entry of a log."""

    seq: int
    hash: str


def canonical(value: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes used both for hashing and for the stored line."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """sha256 (hex) of an entry's canonical JSON without its ``hash`` field."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


class ChainLog:
    """A hash-chained JSONL file. ``append`` is safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._lock = FileLock(str(self.path.with_name(self.path.name + ".lock")))

    # -- writing -----------------------------------------------------------------------------

    def append(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Append ``entry`` (JSON-serialisable, without seq/prev/hash); return the stored entry."""
        clash = [key for key in RESERVED if key in entry]
        if clash:
            raise ValueError(f"entry may not set {', '.join(clash)}: the log assigns them")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                last, committed = self._last_committed(fd)
                self._refuse_if_behind_head(last)
                if committed != os.fstat(fd).st_size:
                    # An interrupted write left a partial line that no caller ever saw: cut it.
                    os.ftruncate(fd, committed)
                    os.fsync(fd)
                stored: dict[str, Any] = dict(entry)
                stored["seq"] = last.seq + 1 if last else 1
                stored["prev"] = last.hash if last else GENESIS
                stored["hash"] = entry_hash(stored)
                line = canonical(stored) + b"\n"
                os.lseek(fd, 0, os.SEEK_END)
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"short write to {self.path} ({written} of {len(line)} bytes)")
                os.fsync(fd)
            finally:
                os.close(fd)
            self._write_head(Head(stored["seq"], stored["hash"]))
            return stored

    def _last_committed(self, fd: int) -> tuple[Head | None, int]:
        """The last complete line's seq and hash, and where the complete lines end."""
        size = os.fstat(fd).st_size
        committed = _rfind_newline(fd, size) + 1
        if committed == 0:
            return None, 0
        start = _rfind_newline(fd, committed - 1) + 1
        last_line = os.pread(fd, committed - 1 - start, start)
        try:
            parsed = json.loads(last_line)
            return Head(int(parsed["seq"]), str(parsed["hash"])), committed
        except (ValueError, KeyError, TypeError):
            raise IntegrityError(
                f"{self.path}: last line is not a valid log entry; refusing to append",
                hint="verify the log to see what is wrong",
            ) from None

    def _refuse_if_behind_head(self, last: Head | None) -> None:
        """Appending to a log cut below its recorded head would hide the cut: refuse."""
        try:
            head = self.head()
        except (ValueError, KeyError, TypeError):
            raise IntegrityError(f"{self.head_path}: head file is corrupted; refusing to append") from None
        if head is None:
            return
        last_seq = last.seq if last else 0
        if head.seq > last_seq or (head.seq == last_seq and last is not None and head.hash != last.hash):
            raise IntegrityError(
                f"{self.path}: log ends at seq {last_seq} but its head records seq {head.seq}; refusing to append",
                hint="the log was truncated or rewritten: verify it",
            )

    def _write_head(self, head: Head) -> None:
        tmp = self.head_path.with_name(f"{self.head_path.name}.{os.getpid()}.tmp")
        data = canonical({"seq": head.seq, "hash": head.hash}) + b"\n"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.head_path)

    # -- reading -----------------------------------------------------------------------------

    def entries(self) -> Iterator[dict[str, Any]]:
        """Committed entries in order (no checks; use ``verify`` for that)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return
                yield json.loads(raw)

    def head(self) -> Head | None:
        """The recorded head (``<log>.head``), or None when the log is empty."""
        if not self.head_path.exists():
            return None
        data = json.loads(self.head_path.read_bytes())
        return Head(int(data["seq"]), str(data["hash"]))

    def verify(self) -> list[ChainProblem]:
        """Every break in the chain, each with the exact line; empty when the log is intact."""
        problems: list[ChainProblem] = []
        if not self.path.exists():
            if self.head_path.exists():
                problems.append(ChainProblem(self.path, None, "log is missing but its head file exists"))
            return problems
        prev_hash = GENESIS
        expected_seq = 1
        hashes: dict[int, str] = {}
        with self.path.open("rb") as handle:
            for lineno, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break
                problem = self._check_line(lineno, raw, expected_seq, prev_hash)
                if problem is not None:
                    problems.append(problem)
                try:
                    parsed = json.loads(raw)
                    seq, this_hash = int(parsed["seq"]), str(parsed["hash"])
                except (ValueError, KeyError, TypeError):
                    prev_hash, expected_seq = "?", expected_seq + 1
                    continue
                hashes[seq] = this_hash
                prev_hash, expected_seq = this_hash, seq + 1
        problems.extend(self._check_head(hashes, expected_seq - 1))
        return problems

    def _check_line(self, lineno: int, raw: bytes, expected_seq: int, prev_hash: str) -> ChainProblem | None:
        try:
            parsed = json.loads(raw)
        except ValueError:
            return ChainProblem(self.path, lineno, "not valid JSON (line modified or corrupted)")
        if not isinstance(parsed, dict) or any(key not in parsed for key in RESERVED):
            return ChainProblem(self.path, lineno, "not a log entry (seq/prev/hash missing)")
        if entry_hash(parsed) != parsed["hash"]:
            return ChainProblem(self.path, lineno, f"entry seq {parsed['seq']} was modified (hash mismatch)")
        if parsed["seq"] != expected_seq:
            if isinstance(parsed["seq"], int) and parsed["seq"] < expected_seq:
                why = "repeats or goes back: an entry was inserted before this line, or lines were moved"
            else:
                why = "skips ahead: an entry before this line was deleted, or lines were moved"
            return ChainProblem(
                self.path, lineno, f"seq {parsed['seq']} where seq {expected_seq} was expected ({why})"
            )
        if prev_hash != "?" and parsed["prev"] != prev_hash:
            return ChainProblem(
                self.path,
                lineno,
                f"entry seq {parsed['seq']} does not chain to the line before it (prev mismatch)",
            )
        return None

    def _check_head(self, hashes: dict[int, str], last_seq: int) -> list[ChainProblem]:
        try:
            head = self.head()
        except (ValueError, KeyError, TypeError):
            return [ChainProblem(self.head_path, None, "head file is corrupted")]
        if head is None:
            if hashes:
                return [ChainProblem(self.head_path, None, "head file is missing")]
            return []
        if head.seq not in hashes:
            return [
                ChainProblem(
                    self.path,
                    None,
                    f"log truncated: head records entry seq {head.seq} but the log ends at seq {last_seq}",
                )
            ]
        if hashes[head.seq] != head.hash:
            return [
                ChainProblem(
                    self.path, None, f"entry seq {head.seq} does not match the hash in the head file"
                )
            ]
        return []

    def require_intact(self) -> None:
        """Raise ``IntegrityError`` naming the first problem, if any."""
        problems = self.verify()
        if problems:
            raise IntegrityError(str(problems[0]), hint=f"{len(problems)} problem(s) in total")


def _rfind_newline(fd: int, end: int) -> int:
    """Offset of the last newline before ``end`` in ``fd``, or -1."""
    while end > 0:
        start = max(0, end - _TAIL_BLOCK)
        block = os.pread(fd, end - start, start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return start + cut
        end = start
    return -1
