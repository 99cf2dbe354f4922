"""Live collection from an org (or the emulator) through ``leakline.salesforce``.

Steps, each stored in the locker before it is marked done (see ``state.py``):

- ``elf``: the EventLogFile listing for the window (itself evidence), then every file (hourly and
  daily) streamed to disk and added as ``elf/<EventType>/<LogDate>/<Interval>/<Id>.csv``;
- ``login_history`` / ``setup_audit_trail`` / ``rtem``: one query per object per UTC day;
- ``sessions`` / ``tokens`` / ``permissions`` / ``metadata`` / ``records``: one snapshot query per object.

Query results are stored as JSON lines in API shape, sorted by time and Id so the same org state
always gives the same bytes (and therefore the same evidence object).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from simple_salesforce.format import format_soql

from leakline.collect.common import (
    EXTRA_FIELDS,
    KIND_METADATA_ZIP,
    POSTURE_METADATA,
    RTEM_OBJECTS,
    SNAPSHOTS,
    WINDOWED,
    CollectReport,
    Progress,
    Window,
    no_progress,
)
from leakline.collect.state import ProgressState
from leakline.core.case import Case
from leakline.core.clock import iso
from leakline.core.errors import LeaklineError, RemoteError
from leakline.evidence import Locker, Provenance
from leakline.salesforce import (
    EventLogFileInfo,
    NotFound,
    Record,
    SalesforceClient,
    sf_datetime,
    soql_datetime,
)
from leakline.salesforce.client import elf_info, window_days
from leakline.store import KIND_ELF, KIND_RECORDS

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")


def records_jsonl(records: Iterable[Record], time_field: str | None = None) -> bytes:
    """Canonical JSON lines of records (sorted by time field then Id) — same state, same bytes."""

    def key(r: Record) -> tuple[str, str]:
        return (
            str(r.get(time_field) or "") if time_field else "",
            r.id or json.dumps(r.to_json(), sort_keys=True),
        )

    lines = [
        json.dumps(r.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for r in sorted(records, key=key)
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _elf_to_json(info: EventLogFileInfo) -> dict[str, Any]:
    data = asdict(info)
    data["log_date"] = iso(info.log_date)
    data["created_date"] = iso(info.created_date) if info.created_date else None
    return data


def _elf_from_json(data: dict[str, Any]) -> EventLogFileInfo:
    return EventLogFileInfo(
        **{
            **data,
            "log_date": sf_datetime(data["log_date"]),
            "created_date": sf_datetime(data["created_date"]),
            "field_names": tuple(data["field_names"]),
            "field_types": tuple(data["field_types"]),
        }
    )


class LiveCollector:
    """Collect from an org into the case's locker, resumably."""

    def __init__(
        self,
        case: Case,
        locker: Locker,
        client: SalesforceClient,
        window: Window,
        sources: Sequence[str],
        record_objects: Sequence[str],
        progress: Progress = no_progress,
    ) -> None:
        self.case = case
        self.locker = locker
        self.client = client
        self.window = window
        self.sources = tuple(sources)
        self.record_objects = tuple(record_objects)
        self.progress = progress
        self._fields: dict[str, list[str]] = {}

    def run(self) -> CollectReport:
        """Collect everything not yet collected; a budget stop or API failure is reported, not raised."""
        report = CollectReport()
        with ProgressState(self.case) as state:
            try:
                self._run(state, report)
            except LeaklineError as exc:
                report.stopped = exc.message
                report.error = exc
        usage = self.client.usage
        report.api_calls = usage.calls
        if usage.used is not None:
            report.api_usage = f"{usage.used}/{usage.limit}"
        return report

    # --- planning -----------------------------------------------------------------------------
    def _run(self, state: ProgressState, report: CollectReport) -> None:
        self.progress("connecting", 0, 1)
        self.client.limits()
        present = self.client.sobject_names()
        steps: list[tuple[str, str, Any]] = []
        if "elf" in self.sources:
            steps.extend(self._elf_steps(state))
        days = window_days(self.window.since, self.window.until)
        for source, objects in WINDOWED.items():
            if source in self.sources:
                for sobject, time_field in objects.items():
                    steps.extend(self._day_steps(sobject, time_field, days, present, report))
        if "rtem" in self.sources:
            for sobject in RTEM_OBJECTS:
                if sobject in present:
                    steps.extend(self._day_steps(sobject, "EventDate", days, present, report))
        for source, snapshot_objects in SNAPSHOTS.items():
            if source in self.sources:
                steps.extend(self._snapshot_steps(snapshot_objects, present, report))
        if "records" in self.sources:
            steps.extend(self._snapshot_steps(self.record_objects, present, report))
        if "metadata" in self.sources:
            steps.append(("metadata:retrieve", "Metadata API retrieve", self._metadata_step))
        total = len(steps)
        for index, (key, label, action) in enumerate(steps):
            self.progress(label, index, total)
            if state.is_done(key):
                report.already += 1
                continue
            stored = action(state, key)
            if stored:
                report.stored.append(stored)
        self.progress("done", total, total)

    def _elf_steps(self, state: ProgressState) -> list[tuple[str, str, Any]]:
        since, until = iso(self.window.since), iso(self.window.until)
        list_key = f"elf:list:{since}:{until}"
        if not state.is_done(list_key):
            records = self.client.event_log_file_records(self.window.since, self.window.until)
            infos = sorted(
                (i for i in (elf_info(r) for r in records) if i is not None),
                key=lambda i: (i.log_date, i.event_type, i.id),
            )
            name = f"elf/EventLogFile_{self.window.since:%Y%m%dT%H%M}_{self.window.until:%Y%m%dT%H%M}.jsonl"
            sha = None
            if records:
                sha = self._store(
                    records_jsonl(records, "LogDate"), name, "query EventLogFile", None, len(records)
                )
            state.remember(list_key, [_elf_to_json(i) for i in infos])
            state.mark(list_key, sha256=sha, name=name)
        infos = [_elf_from_json(d) for d in state.cache.get(list_key, [])]
        return [
            (f"elf:{i.id}", f"ELF {i.event_type} {i.log_date:%Y-%m-%d}", self._elf_action(i)) for i in infos
        ]

    def _elf_action(self, info: EventLogFileInfo) -> Any:
        def run(state: ProgressState, key: str) -> str:
            tmp = state.scratch(f"{info.id}.csv")
            download = self.client.download_event_log_file(info, tmp)
            note = {
                "Id": info.id,
                "EventType": info.event_type,
                "LogDate": iso(info.log_date),
                "Interval": info.interval,
                "Sequence": info.sequence,
                "LogFileLength": info.length,
                "CreatedDate": iso(info.created_date) if info.created_date else None,
                "LogFileFieldNames": ",".join(info.field_names),
            }
            obj = self.locker.add_file(
                tmp,
                provenance=Provenance(
                    source="api",
                    endpoint=f"/services/data/v{self.client.api_version}{download.endpoint}",
                    request_id=download.request_id,
                    note=json.dumps(note, sort_keys=True),
                ),
                name=info.name,
                kind=KIND_ELF,
            )
            tmp.unlink(missing_ok=True)
            state.mark(key, sha256=obj.sha256, name=info.name)
            return info.name

        return run

    def _metadata_step(self, state: ProgressState, key: str) -> str:
        tmp = state.scratch("metadata.zip")
        download = self.client.metadata_retrieve(POSTURE_METADATA, tmp)
        name = "metadata/retrieve.zip"
        obj = self.locker.add_file(
            tmp,
            provenance=Provenance(
                source="api",
                endpoint=download.endpoint,
                request_id=download.request_id,
                note="retrieve " + ", ".join(f"{t}:{'|'.join(m)}" for t, m in POSTURE_METADATA.items()),
            ),
            name=name,
            kind=KIND_METADATA_ZIP,
        )
        tmp.unlink(missing_ok=True)
        state.mark(key, sha256=obj.sha256, name=name)
        return name

    def _fields_of(self, sobject: str) -> list[str]:
        if sobject not in self._fields:
            described = self.client.describe_fields(sobject)
            fields = [n for n, t in described if t != "base64" and _IDENT.match(n)]
            fields += [f for f in EXTRA_FIELDS.get(sobject, ()) if f not in fields]
            self._fields[sobject] = fields or ["Id"]
        return self._fields[sobject]

    def _day_steps(
        self,
        sobject: str,
        time_field: str,
        days: list[tuple[datetime, datetime]],
        present: set[str],
        report: CollectReport,
    ) -> list[tuple[str, str, Any]]:
        if sobject not in present:
            report.skipped.append(f"{sobject}: not in this org (or not visible to this user)")
            return []
        steps = []
        for start, end in days:
            key = f"{sobject}:{iso(start)}:{iso(end)}"
            name = f"sobjects/{sobject}/{start:%Y-%m-%d}.jsonl"
            if start.hour or start.minute or end.hour or end.minute:
                name = f"sobjects/{sobject}/{start:%Y-%m-%dT%H%M}_{end:%Y-%m-%dT%H%M}.jsonl"

            def run(
                state: ProgressState, key: str, s: datetime = start, e: datetime = end, n: str = name
            ) -> str | None:
                soql = format_soql(
                    f"SELECT {', '.join(self._fields_of(sobject))} FROM {sobject} "
                    f"WHERE {time_field} >= {{:literal}} AND {time_field} < {{:literal}}",
                    soql_datetime(s),
                    soql_datetime(e),
                )
                return self._query_step(state, key, soql, n, time_field)

            steps.append((key, f"{sobject} {start:%Y-%m-%d}", run))
        return steps

    def _snapshot_steps(
        self, objects: Iterable[str], present: set[str], report: CollectReport
    ) -> list[tuple[str, str, Any]]:
        steps = []
        for sobject in objects:
            if not _IDENT.match(sobject):
                report.skipped.append(f"{sobject}: not an object name")
                continue
            if sobject not in present:
                report.skipped.append(f"{sobject}: not in this org (or not visible to this user)")
                continue
            name = f"sobjects/{sobject}.jsonl"

            def run(state: ProgressState, key: str, obj: str = sobject, n: str = name) -> str | None:
                soql = f"SELECT {', '.join(self._fields_of(obj))} FROM {obj}"
                return self._query_step(state, key, soql, n, None)

            steps.append((f"snapshot:{sobject}", f"{sobject}", run))
        return steps

    def _query_step(
        self, state: ProgressState, key: str, soql: str, name: str, time_field: str | None
    ) -> str | None:
        records: list[Record] = []
        request_ids: list[str] = []
        try:
            for page in self.client.query_pages(soql):
                records.extend(page.records)
                request_ids.append(page.request_id)
        except NotFound as exc:
            state.mark(key, sha256=None, name=name, note=exc.message)
            return None
        if not records:
            state.mark(key, sha256=None, name=name, records=0)
            return None
        sha = self._store(records_jsonl(records, time_field), name, soql, request_ids, len(records))
        state.mark(key, sha256=sha, name=name, records=len(records))
        return name

    def _store(self, data: bytes, name: str, soql: str, request_ids: list[str] | None, count: int) -> str:
        rid = request_ids[0] if request_ids else None
        note = f"{count} records; SOQL: {soql}"
        if request_ids and len(request_ids) > 1:
            note += f"; {len(request_ids)} pages, request ids {','.join(request_ids)}"
        info = self.locker.add_bytes(
            data,
            provenance=Provenance(
                source="api",
                endpoint=f"/services/data/v{self.client.api_version}/query",
                request_id=rid,
                note=note,
            ),
            name=name,
            kind=KIND_RECORDS,
        )
        return info.sha256


def check_remote(report: CollectReport) -> None:
    """Raise the error that stopped a run (after the caller has shown the summary)."""
    if report.error is not None:
        raise report.error
    if report.stopped:
        raise RemoteError(report.stopped)
