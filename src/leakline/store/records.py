"""Salesforce records (API JSON, JSON lines, UI CSV exports) → ``events`` and org snapshot tables.

Record sets arrive as a SOQL response (``{"records": [...]}``), a JSON list, or JSON lines (one
record per line, as the org folder and ``leakline collect`` write them). The object name comes
from each record's ``attributes.type``, else from the evidence name (``…/LoginHistory.jsonl``).

Event-like objects (LoginHistory, SetupAuditTrail, AuthSession, OauthToken and the real-time
storage objects such as ApiEvent or BulkApiResultEventStore) become ``events`` rows; every
object also becomes an org snapshot row (``sf_<Object>`` view) for later stages. Token values
(OauthToken.AccessToken/DeleteToken/RequestToken) are masked before they reach the store:
containment re-reads them live instead.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import IO, Any

import pyarrow as pa

from leakline.core.errors import BadInputError
from leakline.core.masking import mask_secret
from leakline.store.base import EVENTS_ARROW_SCHEMA, RowProblem, id18, parse_sf_time, to_text

SECRET_FIELDS = frozenset({"AccessToken", "DeleteToken", "RequestToken", "RefreshToken", "Password"})

# object → events.source; objects not listed here are events only if they are RTEM objects.
_SOURCES = {
    "LoginHistory": "login_history",
    "SetupAuditTrail": "setup_audit_trail",
    "AuthSession": "auth_session",
    "OauthToken": "oauth_token",
}
_RTEM = re.compile(r"^[A-Za-z]+(Event|EventStore)$")

# schema column → record fields, first non-empty wins.
_FIELDS: dict[str, tuple[str, ...]] = {
    "ts": ("EventDate", "LoginTime", "CreatedDate", "LastUsedDate"),
    "org_id": ("OrganizationId",),
    "user_id": ("UserId", "UsersId", "CreatedById"),
    "username": ("Username", "CreatedBy.Username", "User.Username", "Users.Username"),
    "session_key": ("SessionKey",),
    "login_key": ("LoginKey",),
    "request_id": ("RequestIdentifier",),
    "src_ip": ("SourceIp", "CurrentIp"),
    "user_agent": ("UserAgent", "CurrentUserAgent", "Browser"),
    "client": ("Client", "ClientVersion"),
    "connected_app_id": ("ConnectedAppId",),
    "app_name": ("Application", "AppName"),
    "entity": ("QueriedEntities", "Section", "EntityName"),
    "operation": ("Operation", "Action", "SessionType", "FileAction", "LoginSubType"),
    "query": ("Query", "SoqlCommands"),
    "rows": ("RowsProcessed", "RowsReturned", "NumberOfRecords"),
    "bytes": ("ContentSize",),
    "status_detail": ("Status", "PolicyOutcome", "OperationStatus"),
    "login_type": ("LoginType",),
    "job_id": ("JobId",),
    "uri": ("Uri", "PageUrl", "LoginUrl", "TargetUrl"),
    "country": ("CountryIso",),
}
_ID_COLUMNS = ("user_id", "connected_app_id")
_INT_COLUMNS = ("rows", "bytes")


@dataclass(frozen=True)
class RecordSet:
    """Records of one object read from one evidence object (fields flattened, secrets masked)."""

    sobject: str
    records: list[dict[str, str | None]]
    lines: list[int | None]
    problems: list[RowProblem] = field(default_factory=list)


def event_source(sobject: str) -> str | None:
    """``events.source`` for an object, or None if the object is snapshot-only."""
    if sobject in _SOURCES:
        return _SOURCES[sobject]
    if _RTEM.match(sobject):
        return "rtem"
    return None


def _flatten(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict) and "records" not in value:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _clean(record: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in _flatten(record):
        text = to_text(value)
        if text is not None and key.rsplit(".", 1)[-1] in SECRET_FIELDS:
            text = mask_secret(text)
        out[key] = text
    return out


def _object_from_name(name: str) -> str | None:
    stem = re.split(r"[\\/]", name)[-1]
    stem = re.sub(r"\.(jsonl|json|csv)$", "", stem, flags=re.IGNORECASE)
    if re.fullmatch(r"[A-Z][A-Za-z0-9_]*", stem):
        return stem
    parts = [p for p in re.split(r"[\\/]", name) if re.fullmatch(r"[A-Z][A-Za-z0-9_]*", p)]
    return parts[-1] if parts else None


def _json_lines(text: str) -> list[tuple[dict[str, Any], int | None]] | None:
    """Records of a JSON-lines text, or None if any non-empty line is not one JSON object."""
    out: list[tuple[dict[str, Any], int | None]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            return None
        if not isinstance(rec, dict):
            return None
        out.append((rec, lineno))
    return out


def read_records(stream: IO[bytes], name: str) -> RecordSet:
    """Parse a JSON / JSON-lines record set. Raises BadInputError if it holds no records."""
    data = stream.read()
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if not stripped:
        raise BadInputError("empty file: no records", path=name, line=1)
    raw = _json_lines(text)
    if raw is None or (len(raw) == 1 and isinstance(raw[0][0].get("records"), list)):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"not JSON: {exc.msg}", path=name, line=exc.lineno) from None
        if isinstance(doc, list):
            raw = [(r, None) for r in doc if isinstance(r, dict)]
        elif isinstance(doc, dict) and isinstance(doc.get("records"), list):
            raw = [(r, None) for r in doc["records"] if isinstance(r, dict)]
        else:
            keys = ", ".join(sorted(doc)[:5]) if isinstance(doc, dict) else type(doc).__name__
            raise BadInputError(
                f"not a record set: JSON object without a 'records' list (keys: {keys})", path=name
            )
    types = {r.get("attributes", {}).get("type") for r, _ in raw if isinstance(r.get("attributes"), dict)}
    types.discard(None)
    if len(types) > 1:
        raise BadInputError(
            f"record set mixes objects: {', '.join(sorted(t for t in types if t))}", path=name
        )
    sobject = next(iter(types)) if types else _object_from_name(name)
    if not sobject:
        raise BadInputError("cannot tell which object these records are (no attributes.type)", path=name)
    return RecordSet(sobject=str(sobject), records=[_clean(r) for r, _ in raw], lines=[ln for _, ln in raw])


def _first(record: dict[str, str | None], fields: Sequence[str]) -> str | None:
    for name in fields:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _status(sobject: str, record: dict[str, str | None]) -> str | None:
    status = record.get("Status")
    if sobject in ("LoginHistory", "LoginEvent") and status:
        return "success" if status.strip().lower() == "success" else "failure"
    outcome = record.get("PolicyOutcome")
    if outcome:
        return "failure" if outcome.lower() in ("block", "blocked", "error", "failed") else None
    return None


def records_to_events(
    rs: RecordSet, evidence_sha256: str, name: str, *, default_zone: tzinfo | None = None
) -> tuple[pa.Table, list[RowProblem]]:
    """Event rows for an event-like object (empty table for snapshot-only objects)."""
    source = event_source(rs.sobject)
    columns: dict[str, list[Any]] = {col: [] for col in EVENTS_ARROW_SCHEMA.names}
    problems: list[RowProblem] = list(rs.problems)
    if source is None:
        return EVENTS_ARROW_SCHEMA.empty_table(), problems
    for index, (record, line) in enumerate(zip(rs.records, rs.lines, strict=True), start=1):
        where = line if line is not None else index
        try:
            ts = parse_sf_time(_first(record, _FIELDS["ts"]), default_zone)
        except ValueError as exc:
            problems.append(RowProblem(name, where, str(exc)))
            continue
        if ts is None:
            problems.append(RowProblem(name, where, f"{rs.sobject} record without a usable time"))
            continue
        row: dict[str, Any] = {col: _first(record, fields) for col, fields in _FIELDS.items()}
        row["ts"] = ts
        for col in _ID_COLUMNS:
            row[col] = id18(row[col])
        for col in _INT_COLUMNS:
            row[col] = _to_int(row[col])
        rec_id = id18(record.get("Id"))
        ident = record.get("EventIdentifier") or rec_id
        row.update(
            source=source,
            event_type=rs.sobject,
            status=_status(rs.sobject, record),
            record_id=rec_id,
            event_key=f"{rs.sobject}|{ident}" if ident else None,
            evidence_sha256=evidence_sha256,
            evidence_row=index,
            raw=[(k, v) for k, v in record.items() if v is not None],
        )
        for col in EVENTS_ARROW_SCHEMA.names:
            columns[col].append(row.get(col))
    return pa.table(columns, schema=EVENTS_ARROW_SCHEMA), problems


def _to_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def records_to_objects(rs: RecordSet, evidence_sha256: str) -> pa.Table:
    """Snapshot rows: one column per field (text), plus ``_evidence_sha256`` / ``_evidence_row``."""
    fields: dict[str, None] = {}
    for record in rs.records:
        fields.update(dict.fromkeys(record))
    names = list(fields)
    cols: dict[str, list[str | None]] = {n: [r.get(n) for r in rs.records] for n in names}
    if "Id" in cols:
        cols["Id"] = [id18(v) for v in cols["Id"]]
    arrays = [pa.array(cols[n], pa.string()) for n in names]
    arrays.append(pa.array([evidence_sha256] * len(rs.records), pa.string()))
    arrays.append(pa.array(range(1, len(rs.records) + 1), pa.int64()))
    return pa.table(arrays, names=[*names, "_evidence_sha256", "_evidence_row"])


# --- UI CSV exports -----------------------------------------------------------------------------


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# normalised export header → API field name
_LOGIN_HISTORY_HEADERS = {
    "logintime": "LoginTime", "username": "Username", "userid": "UserId", "sourceip": "SourceIp",
    "logintype": "LoginType", "loginsubtype": "LoginSubType", "status": "Status",
    "browser": "Browser", "platform": "Platform", "application": "Application",
    "clientversion": "ClientVersion", "apitype": "ApiType", "apiversion": "ApiVersion",
    "loginurl": "LoginUrl", "countrycode": "CountryIso", "countryiso": "CountryIso",
    "country": "Country", "city": "City", "subdivision": "Subdivision", "tlsprotocol": "TlsProtocol",
    "ciphersuite": "CipherSuite", "httploginmethod": "HttpMethod", "id": "Id",
    "authenticationservice": "AuthenticationServiceId", "authenticationmethodreference": "AuthMethodReference",
    "forwardedforip": "ForwardedForIp",
}  # fmt: skip
_AUDIT_HEADERS = {
    "date": "CreatedDate", "createddate": "CreatedDate", "user": "CreatedBy.Username",
    "createdbyusername": "CreatedBy.Username", "createdbyid": "CreatedById",
    "sourcenamespaceprefix": "ResponsibleNamespacePrefix",
    "responsiblenamespaceprefix": "ResponsibleNamespacePrefix", "action": "Action",
    "section": "Section", "delegateuser": "DelegateUser", "display": "Display", "id": "Id",
}  # fmt: skip


def export_kind(header: Sequence[str]) -> str | None:
    """``login_history`` / ``setup_audit_trail`` if a CSV header is one of those exports."""
    norm = {_norm(h) for h in header}
    if "logintime" in norm and ({"sourceip", "status"} & norm):
        return "login_history"
    if {"action", "section"} <= norm and ({"date", "createddate"} & norm):
        return "setup_audit_trail"
    return None


def read_export_csv(stream: IO[bytes], name: str) -> RecordSet:
    """A LoginHistory or SetupAuditTrail CSV export (as downloaded from Setup) → records."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    header = next(reader, None)
    if not header:
        raise BadInputError("empty file", path=name, line=1)
    kind = export_kind(header)
    if kind is None:
        raise BadInputError(
            "not a LoginHistory or SetupAuditTrail export (no Login Time / Date+Action+Section columns)",
            path=name,
            line=1,
        )
    mapping = _LOGIN_HISTORY_HEADERS if kind == "login_history" else _AUDIT_HEADERS
    fields = [mapping.get(_norm(h), h.strip()) for h in header]
    records: list[dict[str, str | None]] = []
    lines: list[int | None] = []
    problems: list[RowProblem] = []
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(fields):
            problems.append(RowProblem(name, start, f"expected {len(fields)} fields, found {len(row)}"))
            continue
        records.append({f: (v if v != "" else None) for f, v in zip(fields, row, strict=True)})
        lines.append(start)
    text.detach()
    sobject = "LoginHistory" if kind == "login_history" else "SetupAuditTrail"
    return RecordSet(sobject=sobject, records=records, lines=lines, problems=problems)
