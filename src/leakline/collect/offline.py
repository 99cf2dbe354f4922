"""Offline collection: an org folder (contracts format) or a folder of files a customer handed over.

Every file goes into the locker as it is, with its original path and mtime as provenance. Kinds:

- org folder: ``sobjects/*.jsonl`` → records; ``eventlogs/EventLogFile.jsonl`` → records, each CSV
  body it points to → ``elf/<EventType>/<LogDate>/<Interval>/<Id>.csv``; ``metadata/**`` → metadata;
  ``schema.json`` → describe; ``snapshots/**`` → backups. ``credentials.json`` (secrets),
  ``ground_truth.json`` (evaluation), ``org.json`` (simulator settings) and emulator ``state/`` are
  never collected.
- customer folder: each file is recognised by its content (ELF header, LoginHistory / SetupAuditTrail
  export header, JSON records); anything else is kept as a plain file (kind ``file``): what a
  customer hands over is evidence, all of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leakline.collect.common import (
    KIND_BACKUP,
    KIND_DESCRIBE,
    KIND_METADATA,
    KIND_OTHER,
    CollectReport,
    Progress,
    Window,
    no_progress,
)
from leakline.collect.state import ProgressState
from leakline.core.case import Case
from leakline.core.clock import iso
from leakline.core.errors import BadInputError, UsageError
from leakline.evidence import Locker
from leakline.salesforce import Record
from leakline.salesforce.client import elf_info
from leakline.store import KIND_ELF, KIND_RECORDS, detect_kind

NEVER_COLLECT = ("credentials.json", "ground_truth.json", "org.json")


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


class OfflineCollector:
    """Add a folder's files to the locker, resumably."""

    def __init__(
        self,
        case: Case,
        locker: Locker,
        source: Path,
        window: Window | None,
        progress: Progress = no_progress,
    ) -> None:
        if not source.is_dir():
            raise UsageError(f"{source} is not a folder", hint="--from-dir takes a folder of files")
        self.case = case
        self.locker = locker
        self.source = source.resolve()
        self.window = window
        self.progress = progress

    def run(self) -> CollectReport:
        """Collect every file not yet collected."""
        report = CollectReport()
        org_folder = (self.source / "org.json").is_file()
        items = self._org_items(report) if org_folder else self._customer_items()
        with ProgressState(self.case) as state:
            total = len(items)
            for index, (path, name, kind, note) in enumerate(items):
                self.progress(name, index, total)
                key = f"file:{path.relative_to(self.source).as_posix()}:{_fingerprint(path)}"
                if state.is_done(key):
                    report.already += 1
                    continue
                prov = Locker.file_provenance(path)
                if note:
                    prov = prov.model_copy(update={"note": note})
                info = self.locker.add_file(path, provenance=prov, name=name, kind=kind)
                state.mark(key, sha256=info.sha256, name=name)
                report.stored.append(name)
            self.progress("done", total, total)
        return report

    # --- org folder ---------------------------------------------------------------------------
    def _org_items(self, report: CollectReport) -> list[tuple[Path, str, str, str | None]]:
        root = self.source
        items: list[tuple[Path, str, str, str | None]] = []
        for path in sorted((root / "sobjects").glob("*.jsonl")):
            if path.name in NEVER_COLLECT:
                continue
            items.append((path, f"sobjects/{path.name}", KIND_RECORDS, None))
        index = root / "eventlogs" / "EventLogFile.jsonl"
        if index.is_file():
            items.append((index, "elf/EventLogFile.jsonl", KIND_RECORDS, None))
            items.extend(self._elf_items(index, report))
        schema = root / "schema.json"
        if schema.is_file():
            items.append((schema, "org/schema.json", KIND_DESCRIBE, None))
        for path in sorted((root / "metadata").rglob("*")):
            if path.is_file():
                items.append(
                    (path, f"metadata/{path.relative_to(root / 'metadata').as_posix()}", KIND_METADATA, None)
                )
        for path in sorted((root / "snapshots").rglob("*")):
            if path.is_file():
                items.append(
                    (path, f"snapshots/{path.relative_to(root / 'snapshots').as_posix()}", KIND_BACKUP, None)
                )
        return items

    def _elf_items(self, index: Path, report: CollectReport) -> list[tuple[Path, str, str, str | None]]:
        items: list[tuple[Path, str, str, str | None]] = []
        base = index.parent
        for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"not JSON: {exc.msg}", path=index, line=number) from None
            info = elf_info(Record.from_api(data, "EventLogFile"))
            rel = data.get("path")
            if info is None or not isinstance(rel, str):
                raise BadInputError("EventLogFile record needs Id, LogDate and path", path=index, line=number)
            if self.window and not self._overlaps(info.log_date, info.interval):
                continue
            # "path" is relative to the org folder; older writers made it relative to eventlogs/.
            body = next((p for p in (self.source / rel, base / rel) if p.is_file()), None)
            if body is None:
                report.skipped.append(f"{info.name}: body {rel} not found")
                continue
            note = json.dumps(
                {
                    "Id": info.id,
                    "EventType": info.event_type,
                    "LogDate": iso(info.log_date),
                    "Interval": info.interval,
                    "Sequence": info.sequence,
                    "LogFileLength": info.length,
                    "LogFileFieldNames": ",".join(info.field_names),
                },
                sort_keys=True,
            )
            items.append((body, info.name, KIND_ELF, note))
        return items

    def _overlaps(self, log_date: datetime, interval: str) -> bool:
        assert self.window is not None
        span = 3600 if interval == "Hourly" else 86400
        start = log_date.astimezone(UTC)
        return start.timestamp() + span > self.window.since.timestamp() and start < self.window.until

    # --- customer folder ----------------------------------------------------------------------
    def _customer_items(self) -> list[tuple[Path, str, str, str | None]]:
        items: list[tuple[Path, str, str, str | None]] = []
        for path in sorted(self.source.rglob("*")):
            rel = path.relative_to(self.source)
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            with path.open("rb") as handle:
                head = handle.read(65536)
            kind = detect_kind(head, rel.as_posix()) or KIND_OTHER
            items.append((path, f"files/{rel.as_posix()}", kind, None))
        return items
