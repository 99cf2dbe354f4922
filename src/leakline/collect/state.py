"""Collection progress under ``case/work/collect/`` (derived state: what is already in the locker).

A step is marked done only after its artefact is in the locker, and the file is replaced
atomically, so ``kill -9`` at any point loses at most the step in flight; the rerun redoes it and
the locker (content-addressed) ends up with the same objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from leakline.core.case import Case
from leakline.core.errors import UsageError


class ProgressState:
    """Done steps (key → what was stored) plus cached listings, persisted after every change."""

    def __init__(self, case: Case, name: str = "state.json") -> None:
        self.dir = case.work_dir / "collect"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / name
        self.tmp_dir = self.dir / "tmp"
        self._lock = FileLock(str(self.dir / ".lock"))
        data: dict[str, Any] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                # Written atomically, so a bad file means someone edited it: start over (the
                # locker is content-addressed, refetching only re-acquires the same objects).
                data = {}
        self.done: dict[str, dict[str, Any]] = dict(data.get("done", {}))
        self.cache: dict[str, Any] = dict(data.get("cache", {}))

    def __enter__(self) -> ProgressState:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise UsageError(
                f"another collection is running on this case ({self._lock.lock_file})",
                hint="wait for it to finish; two collectors must not write one case",
            ) from None
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def is_done(self, key: str) -> bool:
        """Whether a step already completed."""
        return key in self.done

    def mark(self, key: str, **info: Any) -> None:
        """Record a finished step and persist."""
        self.done[key] = info
        self.save()

    def remember(self, key: str, value: Any) -> None:
        """Cache a listing (e.g. EventLogFile records) so a rerun works on the same list."""
        self.cache[key] = value
        self.save()

    def save(self) -> None:
        """Atomic write (temp file + rename). No fsync on purpose: a state older than the locker only
        makes the next run re-fetch objects the locker already holds (same bytes, same objects)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"done": self.done, "cache": self.cache}, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def scratch(self, name: str) -> Path:
        """A temporary download path (removed once its object is in the locker)."""
        return self.tmp_dir / name
