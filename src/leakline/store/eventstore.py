"""The case's event store: Parquet under ``case/events`` (derived, rebuildable) + DuckDB views.

Layout (docs/contracts.md, "Event store")::

    events/source=<s>/event_type=<t>/date=<YYYY-MM-DD>/<evidence_sha256>.parquet   events rows
    events/_objects/<Object>/<evidence_sha256>.parquet                            org snapshot rows
    events/_ingested/<evidence_sha256>.json                                       what one object gave

Ingest is keyed by the evidence sha256: ingesting the same object twice is a no-op, and a
crash mid-way leaves no marker, so the next ingest redoes that object (same file names, so
nothing is duplicated).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from leakline.core.case import Case
from leakline.core.errors import BadInputError
from leakline.store.base import RowProblem, safe_part
from leakline.store.elf import TIME_COLUMNS, normalize_elf_csv, read_header
from leakline.store.records import (
    event_source,
    export_kind,
    read_export_csv,
    read_records,
    records_to_events,
    records_to_objects,
)
from leakline.store.schema import EVENT_COLUMNS

# Locker kinds this store reads (collect writes these; anything else is skipped, not an error).
KIND_ELF = "elf_csv"
KIND_RECORDS = "sobject_records"
KIND_LOGIN_HISTORY_CSV = "login_history_csv"
KIND_AUDIT_CSV = "setup_audit_trail_csv"
INGESTIBLE_KINDS = frozenset({KIND_ELF, KIND_RECORDS, KIND_LOGIN_HISTORY_CSV, KIND_AUDIT_CSV})
# events.source values whose records are also kept as org snapshot rows (None = not an event object).
SNAPSHOT_SOURCES = frozenset({None, "auth_session", "oauth_token"})


_DICTIONARY_COLUMNS = (
    "source", "event_type", "org_id", "user_id", "username", "src_ip", "user_agent", "client",
    "connected_app_id", "app_name", "entity", "operation", "status", "status_detail", "login_type",
    "country", "evidence_sha256",
)  # fmt: skip


class _Info(Protocol):
    @property
    def sha256(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...


class LockerLike(Protocol):
    """The part of ``leakline.evidence.Locker`` the store uses."""

    def list(self) -> Sequence[_Info]: ...
    def open_object(self, sha256: str, purpose: str | None = None) -> AbstractContextManager[IO[bytes]]: ...


@dataclass
class IngestResult:
    """What one evidence object contributed."""

    sha256: str
    name: str
    kind: str
    events: int = 0
    objects: int = 0
    sobject: str | None = None
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None


def detect_kind(head: bytes, name: str) -> str | None:
    """Guess a store kind from the first bytes (for files handed over without a kind)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith(("{", "[")):
        return KIND_RECORDS
    try:
        header = read_header(head, name)
    except BadInputError:
        return None
    if any(c in header for c in TIME_COLUMNS):
        return KIND_ELF
    kind = export_kind(header)
    if kind == "login_history":
        return KIND_LOGIN_HISTORY_CSV
    if kind == "setup_audit_trail":
        return KIND_AUDIT_CSV
    return None


def normalize(
    stream: IO[bytes],
    sha256: str,
    name: str,
    kind: str,
    *,
    case: Case | None = None,
    note: str | None = None,
) -> tuple[pa.Table, pa.Table | None, str | None, list[RowProblem]]:
    """Normalise one object of a known kind → (events, snapshot rows or None, object name, problems).

    ``note`` is the evidence provenance note; for ELF bodies collected from an org it carries the
    EventLogFile record (EventType, LogFileFieldNames), used when the body itself lacks them.
    """
    zone = case.zone if case is not None else None
    if kind == KIND_ELF:
        field_names, event_type = _elf_hints(note)
        events, problems = normalize_elf_csv(
            stream, sha256, name, field_names=field_names, event_type=event_type
        )
        return events, None, None, problems
    if kind == KIND_RECORDS:
        rs = read_records(stream, name)
    elif kind in (KIND_LOGIN_HISTORY_CSV, KIND_AUDIT_CSV):
        rs = read_export_csv(stream, name)
    else:
        raise BadInputError(f"the event store cannot read objects of kind {kind!r}", path=name)
    events, problems = records_to_events(rs, sha256, name, default_zone=zone)
    # High-volume event objects live in ``events`` only; state-like objects are snapshots as well.
    source = event_source(rs.sobject)
    objects = records_to_objects(rs, sha256) if source in SNAPSHOT_SOURCES else None
    return events, objects, rs.sobject, problems


def _elf_hints(note: str | None) -> tuple[list[str] | None, str | None]:
    if not note or not note.startswith("{"):
        return None, None
    try:
        data = json.loads(note)
    except json.JSONDecodeError:
        return None, None
    names = data.get("LogFileFieldNames")
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    event_type = data.get("EventType")
    return (names if isinstance(names, list) and names else None), (
        event_type if isinstance(event_type, str) and event_type else None
    )


class EventStore:
    """Parquet + DuckDB views for one case."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.root = case.events_dir
        self._marks = self.root / "_ingested"
        self._objects = self.root / "_objects"

    # --- ingest -------------------------------------------------------------------------------
    def is_ingested(self, sha256: str) -> bool:
        """Whether this evidence object is already in the store."""
        return (self._marks / f"{sha256}.json").is_file()

    def ingest(self, locker: LockerLike, sha256: str) -> IngestResult:
        """Normalise one evidence object into the store (no-op if already there)."""
        mark = self._marks / f"{sha256}.json"
        if mark.is_file():
            return IngestResult(**json.loads(mark.read_text(encoding="utf-8")))
        info = next((i for i in locker.list() if i.sha256 == sha256), None)
        if info is None:
            raise BadInputError(f"evidence object {sha256[:12]}… is not in the locker")
        return self._ingest_info(locker, info)

    def ingest_all(self, locker: LockerLike) -> Iterator[IngestResult]:
        """Ingest every object of the locker not yet in the store (ingestible kinds only)."""
        for info in sorted(locker.list(), key=lambda i: (i.name, i.sha256)):
            if self.is_ingested(info.sha256):
                continue
            yield self._ingest_info(locker, info)

    def rebuild(self, locker: LockerLike) -> list[IngestResult]:
        """Throw away every derived file and ingest the whole locker again."""
        for sub in self.root.glob("source=*"):
            shutil.rmtree(sub)
        for sub in (self._marks, self._objects):
            if sub.exists():
                shutil.rmtree(sub)
        return list(self.ingest_all(locker))

    def _ingest_info(self, locker: LockerLike, info: _Info) -> IngestResult:
        result = IngestResult(sha256=info.sha256, name=info.name, kind=info.kind)
        kind = info.kind
        if kind not in INGESTIBLE_KINDS:
            result.skipped = f"kind {kind!r} holds no events"
        else:
            try:
                with locker.open_object(info.sha256, purpose="event store ingest") as stream:
                    provenance = getattr(info, "provenance", None)
                    events, objects, sobject, problems = normalize(
                        stream,
                        info.sha256,
                        info.name,
                        kind,
                        case=self.case,
                        note=getattr(provenance, "note", None),
                    )
            except BadInputError as exc:
                result.error = exc.message
            else:
                self._write_events(events, info.sha256)
                if objects is not None and sobject is not None and objects.num_rows:
                    self._write_table(objects, self._objects / safe_part(sobject) / f"{info.sha256}.parquet")
                    result.objects = objects.num_rows
                result.events = events.num_rows
                result.sobject = sobject
                result.problems.extend(str(p) for p in problems)
        self._marks.mkdir(parents=True, exist_ok=True)
        tmp = self._marks / f"{info.sha256}.json.tmp"
        tmp.write_text(json.dumps(asdict(result), sort_keys=True), encoding="utf-8")
        tmp.replace(self._marks / f"{info.sha256}.json")
        return result

    def _write_events(self, table: pa.Table, sha256: str) -> None:
        if table.num_rows == 0:
            return
        keyed = table.append_column("__date", pc.cast(table.column("ts"), pa.date32()))
        groups = keyed.group_by(["source", "event_type", "__date"]).aggregate([]).to_pylist()
        for group in groups:
            part = (
                keyed
                if len(groups) == 1
                else keyed.filter(
                    pc.and_(
                        pc.and_(
                            pc.equal(keyed.column("source"), group["source"]),
                            pc.equal(keyed.column("event_type"), group["event_type"]),
                        ),
                        pc.equal(keyed.column("__date"), group["__date"]),
                    )
                )
            )
            path = (
                self.root
                / f"source={safe_part(group['source'])}"
                / f"event_type={safe_part(group['event_type'])}"
                / f"date={group['__date'].isoformat()}"
                / f"{sha256}.parquet"
            )
            self._write_table(part.drop_columns(["__date"]), path)

    @staticmethod
    def _write_table(table: pa.Table, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        # Statistics on the raw MAP are never used for pruning and cost a third of the write time.
        # Dictionary pages only where values repeat (measured: dictionary on every column is slower).
        stats = [n for n in table.column_names if n != "raw"]
        dictionary = [n for n in _DICTIONARY_COLUMNS if n in table.column_names]
        if "raw" in table.column_names:
            dictionary.append("raw.key_value.key")
        pq.write_table(table, tmp, compression="snappy", write_statistics=stats, use_dictionary=dictionary)
        os.replace(tmp, path)

    # --- query --------------------------------------------------------------------------------
    def results(self) -> list[IngestResult]:
        """Every ingest record (one per evidence object seen by the store)."""
        if not self._marks.is_dir():
            return []
        return [
            IngestResult(**json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(self._marks.glob("*.json"))
        ]

    def objects(self) -> list[str]:
        """Names of the org snapshot objects in the store (each is a view ``sf_<Object>``)."""
        if not self._objects.is_dir():
            return []
        return sorted(p.name for p in self._objects.iterdir() if p.is_dir() and any(p.glob("*.parquet")))

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection on ``case.duckdb`` with views ``events``, ``events_all``, ``sf_<Object>``.

        ``events_all`` holds every row; ``events`` drops rows re-delivered in another evidence
        object (same ``event_key``), keeping those of the first object by sha256. Both exist
        (empty) when nothing is loaded.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.case.db_path), read_only=read_only)
        temp = "TEMP " if read_only else ""
        _drop(con, "events", read_only)
        _drop(con, "events_all", read_only)
        cols = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t, _ in EVENT_COLUMNS)
        if any(self.root.glob("source=*/event_type=*/date=*/*.parquet")):
            glob = _sql_str(str(self.root / "source=*" / "event_type=*" / "date=*" / "*.parquet"))
            src = f"read_parquet({glob}, union_by_name = true, hive_partitioning = false)"
            con.execute(f"CREATE {temp}VIEW events_all AS SELECT {cols} FROM {src}")
        else:
            nulls = ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t, _ in EVENT_COLUMNS)
            con.execute(f"CREATE {temp}VIEW events_all AS SELECT {nulls} WHERE false")
        con.execute(
            f"CREATE {temp}VIEW events AS SELECT * EXCLUDE (__keep) FROM ("
            "SELECT *, CASE WHEN event_key IS NULL THEN 1 ELSE "
            "dense_rank() OVER (PARTITION BY source, event_key ORDER BY evidence_sha256) END AS __keep "
            "FROM events_all) WHERE __keep = 1"
        )
        for sobject in self.objects():
            view = "sf_" + re.sub(r"[^A-Za-z0-9_]", "_", sobject)
            _drop(con, view, read_only)
            glob = _sql_str(str(self._objects / sobject / "*.parquet"))
            con.execute(
                f"CREATE {temp}VIEW {view} AS SELECT * FROM read_parquet({glob}, union_by_name = true)"
            )
        return con

    def stats(self) -> StoreStats:
        """Counts for ``leakline store stats``."""
        con = self.connect()
        try:
            rows = con.execute(
                "SELECT source, event_type, count(*), min(ts), max(ts) FROM events "
                "GROUP BY ALL ORDER BY source, event_type"
            ).fetchall()
            total_all = con.execute("SELECT count(*) FROM events_all").fetchone()
            objects = {
                o: (con.execute(f'SELECT count(*) FROM "sf_{o}"').fetchone() or (0,))[0]
                for o in self.objects()
            }
        finally:
            con.close()
        results = self.results()
        total = sum(r[2] for r in rows)
        return StoreStats(
            events=[
                {"source": s, "event_type": t, "rows": n, "first": _utc(lo), "last": _utc(hi)}
                for s, t, n, lo, hi in rows
            ],
            events_total=total,
            duplicates_dropped=(total_all[0] if total_all else 0) - total,
            objects=objects,
            evidence_ingested=sum(1 for r in results if not r.skipped and not r.error),
            evidence_not_events=sum(1 for r in results if r.skipped),
            evidence_failed=[{"name": r.name, "error": r.error or ""} for r in results if r.error],
            problems=[p for r in results for p in r.problems],
        )


@dataclass
class StoreStats:
    """What ``leakline store stats`` shows (JSON form: ``dataclasses.asdict``)."""

    events: list[dict[str, Any]]
    events_total: int
    duplicates_dropped: int
    objects: dict[str, int]
    evidence_ingested: int
    evidence_not_events: int
    evidence_failed: list[dict[str, str]]
    problems: list[str]


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _drop(con: duckdb.DuckDBPyConnection, name: str, read_only: bool) -> None:
    """Drop a view/table of that name so it can be recreated (only temporary ones when read-only)."""
    found = con.execute(
        "SELECT 'VIEW', temporary FROM duckdb_views() WHERE view_name = ? "
        "UNION ALL SELECT 'TABLE', temporary FROM duckdb_tables() WHERE table_name = ?",
        [name, name],
    ).fetchall()
    for kind, temporary in found:
        if read_only and not temporary:
            continue
        qualified = f'temp."{name}"' if temporary else f'"{name}"'
        con.execute(f"DROP {kind} {qualified}")


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
