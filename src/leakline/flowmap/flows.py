"""Observed data flows: which objects and fields each integration read or wrote, from the logs.

Sources (all from the ``events`` table, read by column name):

- ELF ``RestApi`` (method + URI), ``API`` (SOAP method + ``QUERY`` where logged), ``BulkApi``
  (Bulk 1.0 operation) and ``BulkApi2`` (one job = one call) give operations, calls and rows;
- ``ApiEvent`` / ``BulkApiResultEventStore`` (and the SOAP ``QUERY`` column) give the SOQL text,
  parsed with ``leakline.soql`` for the fields read (select list and filters kept apart);
- rows without a connected app id are attributed through their session (a row of the same
  session that names the app) or, failing that, an integration user's only connected app.

A REST record retrieve without ``?fields=`` returns every field the user can see: the logs say
*how many* fields (``NUMBER_FIELDS``) but not which, so such reads are counted as
``unlisted_reads`` and never turned into field names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from leakline.flowmap.source import OrgData, truthy
from leakline.soql import FieldsMacro, SoqlError, parse
from leakline.store.base import id18

MAX_EVIDENCE_ROWS = 50
DATA_EVENT_TYPES = ("RestApi", "API", "BulkApi", "BulkApi2", "ApiEvent", "BulkApiResultEventStore")
FAMILY = {"RestApi": "REST", "API": "SOAP", "BulkApi": "Bulk API", "BulkApi2": "Bulk API 2.0"}
# Salesforce call names → data operation (SOAP methods and Bulk operations share these names).
CALL_OPS: dict[str, tuple[str, ...]] = {
    "query": ("read",),
    "querymore": ("read",),
    "queryall": ("read",),
    "retrieve": ("read",),
    "search": ("read",),
    "create": ("create",),
    "insert": ("create",),
    "update": ("edit",),
    "upsert": ("create", "edit"),
    "delete": ("delete",),
    "harddelete": ("delete",),
    "undelete": ("edit",),
    "merge": ("edit", "delete"),
}
_REST = re.compile(r"^/services/data/v[0-9.]+(?P<rest>/.*)?$", re.IGNORECASE)


@dataclass
class OpStat:
    """Calls, rows and first/last time of one operation on one object."""

    calls: int = 0
    rows: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add_group(self, calls: int, group: _Group) -> None:
        """Count ``calls`` calls (a Bulk job's later states count none) with the group's rows and times."""
        self.calls += calls
        self.rows += group.rows
        if group.first is not None:
            self.first = group.first if self.first is None or group.first < self.first else self.first
        if group.last is not None:
            self.last = group.last if self.last is None or group.last > self.last else self.last


@dataclass
class ObjectFlow:
    """What one actor did to one object."""

    object: str
    ops: dict[str, OpStat] = field(default_factory=dict)
    query_ops: dict[str, OpStat] = field(default_factory=dict)  # from RTEM, used when ELF is silent
    selected: set[str] = field(default_factory=set)
    filtered: set[str] = field(default_factory=set)
    all_fields: bool = False  # FIELDS(ALL)/FIELDS(CUSTOM) seen
    unlisted_reads: int = 0
    families: set[str] = field(default_factory=set)
    evidence: dict[str, set[int]] = field(default_factory=dict)

    def cite(self, sha: str | None, row: int | None) -> None:
        if not sha or row is None:
            return
        if sum(len(v) for v in self.evidence.values()) >= MAX_EVIDENCE_ROWS:
            return
        self.evidence.setdefault(sha, set()).add(int(row))

    def effective_ops(self) -> dict[str, OpStat]:
        merged = dict(self.ops)
        for op, stat in self.query_ops.items():
            merged.setdefault(op, stat)
        return merged

    @property
    def fields_read(self) -> set[str]:
        return self.selected | self.filtered


@dataclass
class ActorFlows:
    """Everything one integration (connected app, or integration user without an app) did."""

    key: str  # app:<id> | user:<id>
    app_id: str | None
    app_name: str | None
    users: set[str] = field(default_factory=set)
    objects: dict[str, ObjectFlow] = field(default_factory=dict)
    last_seen: datetime | None = None
    first_seen: datetime | None = None
    unparsed_queries: int = 0

    def obj(self, name: str) -> ObjectFlow:
        if name not in self.objects:
            self.objects[name] = ObjectFlow(name)
        return self.objects[name]

    def seen(self, ts: datetime | None) -> None:
        if ts is None:
            return
        self.last_seen = ts if self.last_seen is None or ts > self.last_seen else self.last_seen
        self.first_seen = ts if self.first_seen is None or ts < self.first_seen else self.first_seen


def as_id18(value: Any) -> str | None:
    """18-char id of any id-like value (15-char ids converted; None for empty)."""
    return id18(str(value)) if value else None


def rest_call(method: str, uri: str) -> tuple[str | None, tuple[str, ...], set[str] | None]:
    """REST method + URI → (object or None, data operations, field list or None).

    ``/jobs/...`` (Bulk API 2.0 job management) gives no operation here: the ``BulkApi2`` log
    holds one row per job state, which is counted instead.
    """
    parts = urlsplit(uri or "")
    m = _REST.match(parts.path)
    if m is None:
        return None, (), None
    segs = [unquote(s) for s in (m.group("rest") or "").split("/") if s]
    method = method.upper()
    if not segs or segs[0] in ("jobs", "limits", "composite", "tooling", "analytics", "actions"):
        return None, (), None
    if segs[0] in ("query", "queryAll"):
        return None, ("read",), None  # the object comes from the ENTITY column / the SOQL
    if segs[0] != "sobjects" or len(segs) < 2:
        return None, (), None
    obj = segs[1]
    if len(segs) >= 3 and segs[2] in ("describe", "updated", "deleted", "listviews", "quickActions"):
        return None, (), None
    wanted = parse_qs(parts.query).get("fields")
    fields = {f.strip() for f in wanted[0].split(",") if f.strip()} if wanted else None
    if len(segs) == 2:
        return obj, (("create",) if method == "POST" else ()), None
    if len(segs) == 4:  # upsert by external id
        return obj, (("create", "edit") if method in ("PATCH", "PUT") else ("read",) if method == "GET" else ()), fields
    ops = {"GET": ("read",), "HEAD": ("read",), "PATCH": ("edit",), "PUT": ("edit",), "DELETE": ("delete",)}
    return obj, ops.get(method, ()), fields


class _Resolver:
    """Connected app for a row: its own id, its session's app, or an integration user's only app."""

    def __init__(self, org: OrgData, integration: set[str]) -> None:
        self.integration = integration
        self.app_names: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for rec in org.objects("ConnectedApplication"):
            app_id = as_id18(rec.get("Id"))
            if app_id:
                self.app_names[app_id] = str(rec.get("Name") or app_id)
                by_name[str(rec.get("Name") or "").lower()] = app_id
        self.by_name = by_name
        self.session_app: dict[str, str] = {}
        self.user_apps: dict[str, set[str]] = defaultdict(set)
        rows = org.con.execute(
            "SELECT DISTINCT session_key, user_id, connected_app_id, app_name FROM events "
            "WHERE connected_app_id IS NOT NULL OR app_name IS NOT NULL"
        ).fetchall()
        for session_key, user_id, app_id, app_name in rows:
            resolved = as_id18(app_id) or by_name.get(str(app_name or "").lower())
            if resolved is None:
                continue
            if session_key:
                self.session_app.setdefault(str(session_key), resolved)
            if user_id:
                self.user_apps[str(user_id)].add(resolved)
        for tok in org.objects("OauthToken"):
            app = by_name.get(str(tok.get("AppName") or "").lower())
            if app and tok.get("UserId"):
                self.user_apps[str(as_id18(tok.get("UserId")))].add(app)

    def app_for(self, app_id: Any, session_key: Any, user_id: Any) -> str | None:
        if app_id:
            return as_id18(app_id)
        if session_key and str(session_key) in self.session_app:
            return self.session_app[str(session_key)]
        # Only an integration user's rows fall back to "its only app": a person may use an app
        # once and the rest of their API work would be wrongly attributed to it.
        if str(user_id or "") not in self.integration:
            return None
        apps = self.user_apps.get(str(user_id or ""), set())
        return next(iter(apps)) if len(apps) == 1 else None


def integration_users(org: OrgData) -> set[str]:
    """Users that are integrations by configuration: API Only permission or an integration licence."""
    api_only_profiles = {
        str(p.get("Id"))
        for p in org.objects("Profile")
        if truthy(p.get("PermissionsApiUserOnly")) or "integration" in str(p.get("UserLicense") or "").lower()
    }
    api_only_sets = {str(p.get("Id")) for p in org.objects("PermissionSet") if truthy(p.get("PermissionsApiUserOnly"))}
    users = {str(u["Id"]) for u in org.objects("User") if str(u.get("ProfileId")) in api_only_profiles}
    users |= {
        str(a.get("AssigneeId"))
        for a in org.objects("PermissionSetAssignment")
        if str(a.get("PermissionSetId")) in api_only_sets
    }
    return users


def _relationship_target(org: OrgData, obj: str, rel: str) -> tuple[str, str] | None:
    """``Account`` on Contact → (``AccountId``, ``Account``) using schema.json referenceTo."""
    fields = (org.schema.get(obj) or {}).get("fields") or {}
    for candidate in (rel + "Id", rel[:-3] + "__c" if rel.endswith("__r") else None):
        if candidate and candidate in fields:
            targets = fields[candidate].get("referenceTo") or []
            if len(targets) == 1:
                return candidate, str(targets[0])
    return None


# Literals do not change which fields a query touches: queries that differ only in them (an
# e-mail looked up, a since-timestamp) share one parse.
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")
_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")


def shape(text: str) -> str:
    """The query with its string and datetime literals replaced by fixed ones."""
    return _DATETIME.sub("2000-01-01T00:00:00Z", _STRING.sub("'x'", text))


class _Soql:
    def __init__(self, org: OrgData) -> None:
        self.org = org
        self.cache: dict[str, Any] = {}

    def fields(self, text: str) -> tuple[str, dict[str, tuple[set[str], set[str], bool]]] | None:
        """SOQL → (main object, object → (selected, filtered, all_fields)); None if unparsable."""
        text = shape(text)
        if text in self.cache:
            return self.cache[text]  # type: ignore[no-any-return]
        try:
            query = parse(text)
        except SoqlError:
            self.cache[text] = None
            return None
        base = query.sobject
        buckets: tuple[dict[str, set[str]], dict[str, set[str]]] = ({base: set()}, {base: set()})
        selected = {tuple(r.path) for r in query.selected_fields()}
        every = {tuple(r.path) for r in query.field_refs()}
        macro = any(isinstance(item, FieldsMacro) for item in query.select)
        for path in every:
            kind = buckets[0] if path in selected else buckets[1]
            if query.alias and len(path) > 1 and path[0] == query.alias:
                path = path[1:]
            if len(path) == 1:
                kind.setdefault(base, set()).add(path[0])
                continue
            hop = _relationship_target(self.org, base, path[0]) if len(path) == 2 else None
            if hop is None:
                kind.setdefault(base, set()).add(".".join(path))
                continue
            lookup, target = hop
            kind.setdefault(base, set()).add(lookup)
            kind.setdefault(target, set()).add(path[1])
        out = {
            obj: (buckets[0].get(obj, set()), buckets[1].get(obj, set()), macro and obj == base)
            for obj in sorted(set(buckets[0]) | set(buckets[1]))
        }
        result = (base, out)
        self.cache[text] = result
        return result


# Rows that differ only in literals, record ids in a REST path, time, size and evidence row are
# one group: the per-row work (URI and SOQL analysis) runs once per group, not once per row.
_GROUPED_SQL = """
SELECT event_type, user_id, connected_app_id, session_key, operation, entity,
       regexp_replace(regexp_replace(query, ?, ?, 'g'), ?, ?, 'g') AS q,
       CASE WHEN event_type = 'RestApi' THEN regexp_replace(uri, ?, ?) END AS u,
       CASE WHEN event_type = 'BulkApi2' THEN job_id END AS job,
       status, raw['ApiType'] AS api_type,
       count(*) AS n, sum(coalesce(rows, 0)) AS total, min(ts) AS first, max(ts) AS last,
       list(struct_pack(s := evidence_sha256, r := evidence_row) ORDER BY ts, evidence_sha256, evidence_row)
FROM events WHERE event_type IN ({placeholders})
GROUP BY ALL
ORDER BY first, last, event_type, user_id, connected_app_id, session_key, operation, entity, q, u, job, status
"""
_RECORD_ID_IN_PATH = (r"(/sobjects/[^/]+/)[A-Za-z0-9]{15}([A-Za-z0-9]{3})?(/|[?]|$)", r"\1{id}\3")


def _utc(ts: Any) -> datetime | None:
    if isinstance(ts, datetime):
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts  # the store keeps UTC as naive timestamps
    return None


@dataclass
class _Group:
    """Identical calls: how many, their rows, first/last time and their first evidence rows."""

    calls: int
    rows: int
    first: datetime | None
    last: datetime | None
    evidence: list[tuple[str | None, int | None]]


def observed_flows(org: OrgData) -> dict[str, ActorFlows]:
    """Actor key → flows, over every data-access row in the events table."""
    integ = integration_users(org)
    resolver = _Resolver(org, integ)
    soql = _Soql(org)
    actors: dict[str, ActorFlows] = {}
    placeholders = ", ".join("?" for _ in DATA_EVENT_TYPES)
    cur = org.con.execute(
        _GROUPED_SQL.format(placeholders=placeholders),
        [_STRING.pattern, "'x'", _DATETIME.pattern, "2000-01-01T00:00:00Z", *_RECORD_ID_IN_PATH,
         *DATA_EVENT_TYPES],
    )
    seen_jobs: set[tuple[str, str]] = set()
    while batch := cur.fetchmany(10_000):
        for (etype, user_id, app_id, session_key, operation, entity, query, uri, job_id, status, api_type,
             n, total, first, last, evidence) in batch:
            app = resolver.app_for(app_id, session_key, user_id)
            if app is None and str(user_id) not in integ:
                continue
            key = f"app:{app}" if app else f"user:{user_id}"
            actor = actors.get(key)
            if actor is None:
                actor = ActorFlows(key, app, resolver.app_names.get(app, app) if app else None)
                actors[key] = actor
            if user_id:
                actor.users.add(str(user_id))
            group = _Group(int(n), int(total or 0), _utc(first), _utc(last),
                           [(e["s"], e["r"]) for e in (evidence or [])[:MAX_EVIDENCE_ROWS]])
            actor.seen(group.first)
            actor.seen(group.last)
            if status == "failure":
                continue
            _apply(actor, soql, etype, str(operation or ""), entity, query, uri, job_id, api_type, group, seen_jobs)
    return actors


def _cite(flow: ObjectFlow, group: _Group) -> None:
    for sha, row in group.evidence:
        flow.cite(sha, row)


def _apply(actor: ActorFlows, soql: _Soql, etype: str, operation: str, entity: Any, query: Any, uri: Any,
           job_id: Any, api_type: Any, group: _Group, seen_jobs: set[tuple[str, str]]) -> None:
    parsed = soql.fields(str(query)) if query else None
    if query and parsed is None:
        actor.unparsed_queries += group.calls
    if etype in ("ApiEvent", "BulkApiResultEventStore"):
        if parsed is None:
            return
        base, per_object = parsed
        for name, (sel, fil, macro) in per_object.items():
            flow = actor.obj(name)
            flow.selected |= sel
            flow.filtered |= fil
            flow.all_fields |= macro
            _cite(flow, group)
            if api_type:
                flow.families.add(str(api_type))
        if etype == "ApiEvent":
            actor.obj(base).query_ops.setdefault("read", OpStat()).add_group(group.calls, group)
        return
    family = FAMILY[etype]
    fields: set[str] | None = None
    record_get = False
    calls = group.calls
    if etype == "RestApi":
        obj, ops, fields = rest_call(operation, str(uri or ""))
        record_get = obj is not None and "read" in ops
        obj = obj or (str(entity) if entity and ops else None)
    elif etype == "BulkApi2":
        # One row per job state: the job is one call, its rows are on the completing state.
        if job_id:
            calls = 0 if (actor.key, str(job_id)) in seen_jobs else 1
            seen_jobs.add((actor.key, str(job_id)))
        obj, ops = (str(entity) if entity else None), CALL_OPS.get(operation.lower(), ())
    else:
        obj, ops = (str(entity) if entity else None), CALL_OPS.get(operation.lower(), ())
    if parsed is not None:
        base, per_object = parsed
        obj = obj or base
        for name, (sel, fil, macro) in per_object.items():
            flow = actor.obj(name)
            flow.selected |= sel
            flow.filtered |= fil
            flow.all_fields |= macro
            _cite(flow, group)
    if obj is None or not ops:
        return
    flow = actor.obj(obj)
    flow.families.add(family)
    _cite(flow, group)
    for op in ops:
        flow.ops.setdefault(op, OpStat()).add_group(calls, group)
    if record_get:
        if fields:
            flow.selected |= fields
        else:
            flow.unlisted_reads += group.calls
