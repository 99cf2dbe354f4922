"""What was exposed: suspect data-access events → objects, fields, filters and records.

Suspect events are those the hunt findings point at: their evidence rows, and every event of
the same sessions, logins, bulk jobs, or IP + user. Each access is parsed (SOQL through
``leakline.soql``; Bulk jobs take the query logged for the same job id; report runs take their
queried entity and columns) into object, fields and filter. Record ids come from the log when
it lists them (``ApiEvent.Records``, ``ReportEvent.Records``) and are labelled ``logged``;
otherwise the query's filter is re-applied to the collected org snapshot (``estimate``); an
access with neither query nor ids counts every snapshot record of its object (``upper_bound``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from leakline.core.models import Finding
from leakline.core.sfid import to18

# Event types that read or change records (others — logins, page views — are context only).
ACCESS_TYPES = (
    "API",
    "RestApi",
    "BulkApi",
    "BulkApi2",
    "BulkApiResultEventStore",
    "ApiEvent",
    "Report",
    "ReportExport",
    "ReportEvent",
    "ListViewEvent",
    "ApexExecution",
    "VisualforceRequest",
    "Sites",
    "WaveDownload",
)
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_WRITE_OPS = ("post", "patch", "put", "insert", "update", "upsert", "create", "ingest")
_DELETE_OPS = ("delete", "harddelete", "undelete")


@dataclass
class Access:
    """One data access in scope (raw values never kept: ids and field names only)."""

    ts: datetime | None
    event_type: str
    user: str
    app: str
    object: str
    fields: frozenset[str]
    filter: str | None
    query: str | None
    rows: int | None
    record_ids: frozenset[str] | None
    basis: str  # logged | estimate | upper_bound | count_only | unparsed
    evidence: tuple[str, int] | None
    job_id: str | None = None
    note: str | None = None


@dataclass
class ObjectExposure:
    """Union over accesses for one object."""

    object: str
    fields: set[str] = field(default_factory=set)
    logged: set[str] = field(default_factory=set)
    estimated: set[str] = field(default_factory=set)
    rows_processed: int = 0
    accesses: int = 0
    users: set[str] = field(default_factory=set)
    apps: set[str] = field(default_factory=set)
    bases: set[str] = field(default_factory=set)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    evidence: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def record_ids(self) -> set[str]:
        return self.logged | self.estimated

    @property
    def estimate(self) -> bool:
        """True when any record was not named by a log (re-derived or upper bound)."""
        return bool(self.estimated - self.logged)


def finding_keys(findings: Iterable[Finding]) -> dict[str, set[Any]]:
    """The entity values and evidence rows that make an event suspect."""
    keys: dict[str, set[Any]] = defaultdict(set)
    for finding in findings:
        for kind in ("session", "login", "job", "ip", "user"):
            keys[kind].update(finding.entities.get(kind, ()))
        for ref in finding.evidence:
            keys["evidence"].update((ref.sha256, row) for row in ref.rows)
    keys["job"] = {j[:15] for j in keys["job"]}
    return keys


_COLUMNS = (
    "ts, event_type, source, coalesce(username, user_id, '') AS who, "
    "coalesce(nullif(app_name, ''), nullif(connected_app_id, ''), nullif(client, ''), '') AS app, "
    "entity, operation, query, rows, job_id, uri, session_key, login_key, src_ip, user_id, "
    "evidence_sha256, evidence_row, raw['Records'] AS records, raw['ColumnHeaders'] AS column_headers, "
    "raw['QueriedEntities'] AS queried, coalesce(raw['REPORT_ID'], raw['ReportId']) AS report_id"
)


def suspect_events(con: duckdb.DuckDBPyConnection, keys: Mapping[str, set[Any]]) -> list[dict[str, Any]]:
    """Data-access events tied to the findings (see module doc), oldest first."""
    types = ", ".join(f"'{t}'" for t in ACCESS_TYPES)
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM events WHERE (query IS NOT NULL OR event_type IN ({types})) "
        "AND (list_contains(?, session_key) OR list_contains(?, login_key) OR list_contains(?, left(job_id, 15)) "
        "OR (list_contains(?, src_ip) AND (len(?) = 0 OR list_contains(?, user_id) OR list_contains(?, username)))) "
        "ORDER BY ts, evidence_sha256, evidence_row",
        [
            sorted(keys.get("session", ())),
            sorted(keys.get("login", ())),
            sorted(keys.get("job", ())),
            sorted(keys.get("ip", ())),
            sorted(keys.get("user", ())),
            sorted(keys.get("user", ())),
            sorted(keys.get("user", ())),
        ],
    ).fetchall()
    names = [d[0] for d in con.description or ()]
    found = [_aware(dict(zip(names, r, strict=True))) for r in rows]
    evidence = keys.get("evidence", set())
    if evidence:
        seen = {(e["evidence_sha256"], e["evidence_row"]) for e in found}
        shas = sorted({sha for sha, _ in evidence})
        extra = con.execute(
            f"SELECT {_COLUMNS} FROM events WHERE list_contains(?, evidence_sha256) "
            f"AND (query IS NOT NULL OR event_type IN ({types})) ORDER BY ts, evidence_sha256, evidence_row",
            [shas],
        ).fetchall()
        for r in extra:
            event = _aware(dict(zip(names, r, strict=True)))
            key = (event["evidence_sha256"], event["evidence_row"])
            if key in evidence and key not in seen:
                found.append(event)
        found.sort(key=lambda e: (e["ts"] or _EPOCH, e["evidence_sha256"] or "", e["evidence_row"] or 0))
    return found


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """The store keeps UTC as naive TIMESTAMP; outputs need explicit UTC."""
    for key in ("ts", "first_seen", "last_seen"):
        value = row.get(key)
        if isinstance(value, datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=UTC)
    return row


def logged_record_ids(text: str | None) -> frozenset[str] | None:
    """Record ids a log lists (``{"records": ["003…"]}``, ``[{"Id": …}]`` …); None if it lists none."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        ids = {to18(t) for t in re.findall(r"\b[a-zA-Z0-9]{18}\b", text) if _ID.match(t)}
        return frozenset(ids) or None
    found: set[str] = set()

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and _ID.match(value) and key in (None, "Id", "id", "records", "Records"):
            found.add(to18(value))

    walk(data, None)
    return frozenset(found) if found or isinstance(data, (dict, list)) else None


def operation_kind(event_type: str, operation: str | None, query: str | None) -> str:
    """``read`` | ``write`` | ``delete`` from the logged method/operation."""
    op = (operation or "").strip().lower()
    if any(op.startswith(d) for d in _DELETE_OPS):
        return "delete"
    if query or event_type in (
        "Report",
        "ReportExport",
        "ReportEvent",
        "BulkApiResultEventStore",
        "ApiEvent",
    ):
        return "read"
    if any(op.startswith(w) for w in _WRITE_OPS):
        return "write"
    return "read"


@dataclass
class Snapshot:
    """The collected org snapshot: records per object (dicts of field → text) and schema."""

    records: Mapping[str, Mapping[str, dict[str, Any]]]
    schema: Mapping[str, Any] = field(default_factory=dict)

    def of(self, obj: str) -> Mapping[str, dict[str, Any]]:
        """Id → record for one object (empty if not collected)."""
        return self.records.get(obj, {})

    def field_names(self, obj: str) -> list[str]:
        fields = (self.schema.get(obj) or {}).get("fields") or {}
        if fields:
            return list(fields)
        names: dict[str, None] = {}
        for record in self.of(obj).values():
            names.update(dict.fromkeys(record))
        return [n for n in names if not n.startswith("_")]


def _fields_of(parsed: Any, obj: str, snapshot: Snapshot) -> frozenset[str]:
    """Fields of ``obj`` a query returns; ``FIELDS(...)`` expands to the snapshot's fields."""
    from leakline.soql import FieldsMacro

    fields: set[str] = set()
    if any(isinstance(item, FieldsMacro) for item in parsed.select):
        fields.update(snapshot.field_names(obj))
    for ref in parsed.selected_fields():
        path: tuple[str, ...] = tuple(ref.path)
        if len(path) == 1:
            fields.add(path[0])
    return frozenset(fields)


class Resolver:
    """Turns suspect events into ``Access`` objects (caches parsed queries and estimates)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._estimates: dict[str, tuple[frozenset[str] | None, str | None]] = {}

    def _estimate(
        self, query: str, obj: str, now: datetime | None
    ) -> tuple[frozenset[str] | None, str | None]:
        from leakline.core.errors import LeaklineError
        from leakline.soql import evaluate

        cached = self._estimates.get(query)
        if cached is not None:
            return cached
        records = list(self.snapshot.of(obj).values())
        if not records:
            result: tuple[frozenset[str] | None, str | None] = (None, f"{obj} not in the collected snapshot")
        else:
            try:
                evaluated = evaluate(query, records, now=now)
                result = (frozenset(to18(str(r.get("Id"))) for r in evaluated.sources if r.get("Id")), None)
            except LeaklineError as exc:
                result = (None, f"filter not re-applied: {exc.message}")
        self._estimates[query] = result
        return result

    def _username(self, who: str) -> str:
        """ELF rows carry user ids, real-time events usernames: name users one way (Username)."""
        if who.startswith("005") and _ID.match(who):
            record = self.snapshot.of("User").get(to18(who))
            if record and record.get("Username"):
                return str(record["Username"])
        return who

    def resolve(
        self,
        event: Mapping[str, Any],
        job_queries: Mapping[str, str],
        reports: Mapping[str, tuple[str, str]] | None = None,
    ) -> Access:
        """One event → one Access (object, fields, filter, records and how they were found)."""
        from leakline.core.errors import LeaklineError
        from leakline.soql import parse, to_soql

        query = event.get("query") or (job_queries.get(str(event.get("job_id") or "")[:15]) or None)
        obj = str(event.get("entity") or event.get("queried") or "")
        report = (reports or {}).get(str(event.get("report_id") or "")[:15])
        if not obj and report is not None:
            obj = report[0]
        fields: frozenset[str] = frozenset()
        where: str | None = None
        basis = "unparsed"
        note = None
        ids = logged_record_ids(event.get("records"))
        if query:
            try:
                parsed = parse(query)
            except LeaklineError as exc:
                parsed, note = None, f"query not parsed: {exc.message}"
            if parsed is not None:
                obj = parsed.sobject
                fields = _fields_of(parsed, obj, self.snapshot)
                where = _where_text(to_soql(parsed)) if parsed.where is not None else None
                if parsed.is_count:
                    basis, ids = "count_only", frozenset()
                elif ids is not None:
                    basis = "logged"
                else:
                    ids, note = self._estimate(query, obj, event.get("ts"))
                    basis = "estimate" if ids is not None else "unparsed"
        elif ids is not None:
            basis = "logged"
        if not query and obj and ids is None and self.snapshot.of(obj):
            ids = frozenset(self.snapshot.of(obj))
            basis, note = "upper_bound", "no query logged: every collected record of the object counted"
        if not fields and obj and basis in ("logged", "upper_bound"):
            headers = str(event.get("column_headers") or (report[1] if report else "") or "")
            fields = _report_fields(headers, obj, self.snapshot) or frozenset(self.snapshot.field_names(obj))
        sha, row = event.get("evidence_sha256"), event.get("evidence_row")
        return Access(
            ts=event.get("ts"),
            event_type=str(event.get("event_type") or ""),
            user=self._username(str(event.get("who") or "")),
            app=str(event.get("app") or ""),
            object=obj,
            fields=fields,
            filter=where,
            query=query,
            rows=int(event["rows"]) if event.get("rows") is not None else None,
            record_ids=ids,
            basis=basis,
            evidence=(str(sha), int(row)) if sha and row is not None else None,
            job_id=str(event.get("job_id"))[:15] if event.get("job_id") else None,
            note=note,
        )


_CLAUSE_END = re.compile(r" (?:GROUP BY|ORDER BY|LIMIT|OFFSET|FOR|WITH|USING SCOPE|ALL ROWS)\b")
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")


def _where_text(soql: str) -> str:
    tail = soql.split(" WHERE ", 1)[1] if " WHERE " in soql else ""
    return _CLAUSE_END.split(tail, 1)[0]


def mask_literals(text: str | None) -> str | None:
    """String literals of a filter masked (``Email = 's***@example.com'``): filters can hold PII."""
    if not text:
        return text
    from leakline.core.masking import mask_email, mask_value

    def repl(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        return "'" + (mask_email(inner) if "@" in inner else mask_value(inner)) + "'"

    return _LITERAL.sub(repl, text)


def _report_fields(headers: str, obj: str, snapshot: Snapshot) -> frozenset[str]:
    """Report column headers (labels or API names) → field names of ``obj`` via the schema."""
    if not headers:
        return frozenset()
    schema_fields = (snapshot.schema.get(obj) or {}).get("fields") or {}
    by_label = {str((meta or {}).get("label", "")).lower(): name for name, meta in schema_fields.items()}
    found = set()
    for header in re.split(r"[,;|]", headers.strip("[]")):
        text = header.strip().strip("\"'")
        if text in schema_fields:
            found.add(text)
        elif text.lower() in by_label:
            found.add(by_label[text.lower()])
    return frozenset(found)


def job_queries(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Bulk job id (15 chars) → query text, from any event that logs both."""
    rows = con.execute(
        "SELECT left(coalesce(job_id, raw['JobId']), 15) AS j, any_value(query) FROM events "
        "WHERE query IS NOT NULL AND coalesce(job_id, raw['JobId']) IS NOT NULL GROUP BY 1"
    ).fetchall()
    return {str(j): str(q) for j, q in rows if j}


def report_objects(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Report id (15 chars) → (queried object, column headers), from events that log both.

    ELF ``Report`` rows name only the report id; ``ReportEvent`` names its object and columns.
    """
    rows = con.execute(
        "SELECT left(coalesce(raw['ReportId'], raw['REPORT_ID']), 15) AS r, "
        "any_value(coalesce(nullif(entity, ''), raw['QueriedEntities'])), any_value(raw['ColumnHeaders']) "
        "FROM events WHERE coalesce(raw['ReportId'], raw['REPORT_ID']) IS NOT NULL "
        "AND coalesce(nullif(entity, ''), raw['QueriedEntities']) IS NOT NULL GROUP BY 1"
    ).fetchall()
    return {str(r): (str(o), str(h or "")) for r, o, h in rows if r and o}


def summarise(accesses: Iterable[Access]) -> dict[str, ObjectExposure]:
    """Union of accesses per object (record ids never double-counted across logs)."""
    out: dict[str, ObjectExposure] = {}
    for access in accesses:
        if not access.object or access.basis == "count_only":
            continue
        exposure = out.setdefault(access.object, ObjectExposure(access.object))
        exposure.fields |= access.fields
        if access.record_ids is not None:
            target = exposure.logged if access.basis == "logged" else exposure.estimated
            target |= access.record_ids
        exposure.rows_processed += access.rows or 0
        exposure.accesses += 1
        if access.user:
            exposure.users.add(access.user)
        if access.app:
            exposure.apps.add(access.app)
        exposure.bases.add(access.basis)
        if access.ts is not None:
            exposure.first_seen = min(filter(None, [exposure.first_seen, access.ts]))
            exposure.last_seen = max(filter(None, [exposure.last_seen, access.ts]))
        if access.evidence is not None:
            exposure.evidence[access.evidence[0]].add(access.evidence[1])
    for exposure in out.values():
        exposure.estimated -= exposure.logged
    return out


def lineage(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per app × user × object × operation: when, how often, how many rows (all access events)."""
    types = ", ".join(f"'{t}'" for t in ACCESS_TYPES)
    rows = con.execute(
        f"""
        SELECT coalesce(nullif(app_name, ''), nullif(connected_app_id, ''), nullif(client, ''), '(no app)') AS app,
               coalesce(nullif(username, ''), user_id, '(unknown)') AS user_name,
               coalesce(nullif(entity, ''), regexp_extract(query, '(?i)\\bFROM\\s+(\\w+)', 1), '(unknown)') AS object,
               CASE WHEN lower(coalesce(operation, '')) LIKE '%delete%' THEN 'delete'
                    WHEN query IS NOT NULL THEN 'read'
                    WHEN lower(coalesce(operation, '')) SIMILAR TO '(post|patch|put|insert|update|upsert|create).*'
                         THEN 'write'
                    ELSE 'read' END AS operation,
               min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS events, sum(rows) AS rows
        FROM events WHERE (query IS NOT NULL OR event_type IN ({types}))
        GROUP BY ALL ORDER BY app, user_name, object, operation
        """
    ).fetchall()
    keys = ("app", "user", "object", "operation", "first_seen", "last_seen", "events", "rows")
    return [_aware(dict(zip(keys, r, strict=True))) for r in rows]
