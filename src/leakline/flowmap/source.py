"""Where the map and the access review read an org from: an org folder or a case.

Both give the same :class:`OrgData`: snapshot records (User, PermissionSet, ConnectedApplication …),
the ``schema.json`` describe data when present, the metadata folder (Salesforce DX source or
metadata-API format, read by ``leakline.posture.loader``) and a DuckDB connection with an
``events`` table in the store schema. An org folder is normalised in memory by the store's own
normalizers, so the evidence pointers (sha256 + row) are the sha256 of the org folder's files.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from leakline.core.case import Case
from leakline.core.clock import parse_utc
from leakline.core.errors import BadInputError, UsageError
from leakline.posture.loader import load_metadata
from leakline.posture.model import OrgMetadata
from leakline.store import KIND_ELF, KIND_RECORDS, EventStore, normalize
from leakline.store.base import EVENTS_ARROW_SCHEMA
from leakline.store.records import event_source

# Snapshot objects the map and the review read (others are loaded only if asked for).
SNAPSHOT_OBJECTS = (
    "Organization",
    "User",
    "UserLogin",
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "ConnectedApplication",
    "SetupEntityAccess",
    "OauthToken",
)
# Event types the map and the review read; loading only these keeps an org folder quick to open
# (UI page views, logins and reports are most of an org's log volume and say nothing here).
NEEDED_EVENT_TYPES = frozenset({
    "RestApi", "API", "BulkApi", "BulkApi2", "ApexCallout", "NamedCredential", "ExternalCustomApexCallout",
    "ApiEvent", "BulkApiResultEventStore", "LoginEvent", "LoginHistory",
})


@dataclass
class OrgData:
    """One org as the map and the access review see it."""

    label: str
    con: duckdb.DuckDBPyConnection
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    record_files: dict[str, str] = field(default_factory=dict)  # object → sha256 of its snapshot
    schema: dict[str, Any] = field(default_factory=dict)
    metadata: OrgMetadata | None = None
    metadata_dir: Path | None = None
    org_id: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    org_dir: Path | None = None
    case: Case | None = None
    problems: list[str] = field(default_factory=list)

    def objects(self, name: str) -> list[dict[str, Any]]:
        """Records of one snapshot object (empty if not collected)."""
        return self.records.get(name, [])

    def has(self, name: str) -> bool:
        """True if the snapshot object was collected (even with zero records)."""
        return name in self.records

    def load_object(self, name: str) -> list[dict[str, Any]]:
        """Records of any object, loading it on first use (CRM objects for subject regions, retention)."""
        if name in self.records:
            return self.records[name]
        rows: list[dict[str, Any]] = []
        if self.org_dir is not None:
            path = self.org_dir / "sobjects" / f"{name}.jsonl"
            if path.is_file():
                rows, sha = _read_jsonl(path)
                self.record_files[name] = sha
                self.records[name] = rows
        elif self.case is not None:
            rows = _case_object(self.con, name)
            if rows:
                self.records[name] = rows
        return rows


def _read_jsonl(path: Path) -> tuple[list[dict[str, Any]], str]:
    data = path.read_bytes()
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"invalid JSON: {exc.msg}", path=path, line=number) from None
        if not isinstance(value, dict):
            raise BadInputError("each line must be a JSON object", path=path, line=number)
        value.pop("attributes", None)
        rows.append(value)
    return rows, hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_org_dir(
    org_dir: Path, metadata_dir: Path | None = None, event_types: frozenset[str] | None = NEEDED_EVENT_TYPES
) -> OrgData:
    """Read an org folder (simulator output, emulator input, offline collection).

    ``event_types`` limits the events loaded (None = every file).
    """
    if not (org_dir / "sobjects").is_dir() and not (org_dir / "eventlogs").is_dir():
        raise UsageError(f"{org_dir} is not an org folder (no sobjects/ or eventlogs/)")
    info: dict[str, Any] = {}
    if (org_dir / "org.json").is_file():
        try:
            info = json.loads((org_dir / "org.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BadInputError(f"invalid JSON: {exc.msg}", path=org_dir / "org.json", line=exc.lineno) from None
    schema: dict[str, Any] = {}
    if (org_dir / "schema.json").is_file():
        try:
            schema = json.loads((org_dir / "schema.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BadInputError(f"invalid JSON: {exc.msg}", path=org_dir / "schema.json", line=exc.lineno) from None
    tables: list[pa.Table] = []
    problems: list[str] = []
    for path in sorted((org_dir / "eventlogs").glob("*/*.csv")):
        if event_types is not None and path.parent.name not in event_types:
            continue
        with path.open("rb") as handle:
            events, _, _, found = normalize(handle, _sha256_file(path), path.relative_to(org_dir).as_posix(), KIND_ELF)
        tables.append(events)
        problems.extend(str(p) for p in found[:3])
    records: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, str] = {}
    for path in sorted((org_dir / "sobjects").glob("*.jsonl")):
        name = path.stem
        if event_source(name) is not None and (event_types is None or name in event_types):
            with path.open("rb") as handle:
                events, _, _, found = normalize(
                    handle, _sha256_file(path), path.relative_to(org_dir).as_posix(), KIND_RECORDS
                )
            tables.append(events)
            problems.extend(str(p) for p in found[:3])
        if name in SNAPSHOT_OBJECTS:
            records[name], files[name] = _read_jsonl(path)
    con = duckdb.connect()
    table = pa.concat_tables(tables) if tables else EVENTS_ARROW_SCHEMA.empty_table()
    con.register("_loaded", table)
    con.execute("CREATE TABLE events AS SELECT * FROM _loaded")
    con.unregister("_loaded")
    window = info.get("window") or {}
    meta_dir = metadata_dir or (org_dir / "metadata" if (org_dir / "metadata").is_dir() else None)
    return OrgData(
        label=str(org_dir),
        con=con,
        records=records,
        record_files=files,
        schema=schema,
        metadata=load_metadata(meta_dir) if meta_dir is not None else None,
        metadata_dir=meta_dir,
        org_id=info.get("org_id"),
        window_start=parse_utc(window["start"], "window.start") if window.get("start") else None,
        window_end=parse_utc(window["end"], "window.end") if window.get("end") else None,
        org_dir=org_dir,
        problems=problems,
    )


def _case_object(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    view = "sf_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [view]
    ).fetchone()
    if not exists or not exists[0]:
        return []
    cur = con.execute(f'SELECT * FROM "{view}"')
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def load_case(case: Case, metadata_dir: Path | None = None) -> OrgData:
    """Read a case: events and org snapshots from its store, metadata from ``metadata_dir``."""
    con = EventStore(case).connect()
    records: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, str] = {}
    for name in SNAPSHOT_OBJECTS:
        rows = _case_object(con, name)
        if rows:
            records[name] = rows
            sha = rows[0].get("_evidence_sha256")
            if sha:
                files[name] = str(sha)
    bounds = con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    start, end = (bounds or (None, None))
    org_id = case.meta.orgs[0].org_id if case.meta.orgs else None
    return OrgData(
        label=f"case {case.meta.id}",
        con=con,
        records=records,
        record_files=files,
        metadata=load_metadata(metadata_dir) if metadata_dir is not None else None,
        metadata_dir=metadata_dir,
        org_id=org_id,
        window_start=_aware(start),
        window_end=_aware(end),
        case=case,
    )


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return None


def truthy(value: Any) -> bool:
    """Salesforce booleans arrive as JSON booleans (org folder) or text (case snapshots)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
