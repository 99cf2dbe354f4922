"""Verify a least-privilege permission set against an integration's observed queries.

Two checks, reported separately because they prove different things:

1. **Static** (always): every object and field each observed SOQL query references is granted
   by the new permission set (object read + field readable, or a field that is always readable).
   This is the permission check itself.
2. **Replay** (org folder with ``credentials.json`` only): the distinct queries are re-run
   through ``simple-salesforce`` against the leakline emulator over HTTP as the integration's
   user. The emulator does **not** enforce profiles, permission sets or field-level security, so
   this proves the queries still parse and run against the org's schema and data, not that the
   new set is sufficient; check 1 covers that.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakline.access.permset import LeastPrivilege, not_permissionable
from leakline.flowmap.source import OrgData
from leakline.soql import SoqlError, parse

EMULATOR_LIMITATION = (
    "the emulator does not enforce profiles, permission sets or field-level security: the replay shows "
    "the queries run, the static check shows the new permission set grants what they reference"
)


@dataclass
class QueryCheck:
    query: str
    missing: list[str] = field(default_factory=list)  # "Obj" (no read) or "Obj.Field"
    replay: str | None = None  # ok | error: … | None (not replayed)


@dataclass
class ReplayResult:
    checks: list[QueryCheck]
    replayed: bool
    replay_reason: str
    emulator_enforces_permissions: bool = False

    @property
    def static_ok(self) -> bool:
        return all(not c.missing for c in self.checks)

    @property
    def replay_ok(self) -> bool | None:
        if not self.replayed:
            return None
        return all(c.replay == "ok" for c in self.checks)


_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")


def redact(query: str) -> str:
    """SOQL with every string literal replaced: filters hold e-mail addresses and other personal data."""
    return _LITERAL.sub("'***'", query)


def observed_queries(org: OrgData, users: set[str], app_id: str | None, limit: int) -> list[str]:
    """Distinct SOQL texts of the integration (by connected app id, else by user), oldest first."""
    if not users and not app_id:
        return []
    clauses, params = [], []
    if app_id:
        clauses.append("connected_app_id = ?")
        params.append(app_id)
    if users:
        clauses.append(f"user_id IN ({', '.join('?' for _ in users)})")
        params += sorted(users)
    rows = org.con.execute(
        "SELECT query, min(ts) AS first FROM events WHERE query IS NOT NULL AND event_type IN "
        f"('ApiEvent', 'API', 'BulkApiResultEventStore') AND ({' OR '.join(clauses)}) "
        "GROUP BY query ORDER BY first, query LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [str(r[0]) for r in rows]


def static_check(query: str, lp: LeastPrivilege) -> list[str]:
    """What the query references that the permission set does not grant."""
    try:
        parsed = parse(query)
    except SoqlError:
        return [f"unparsable query ({redact(query)[:60]})"]
    obj = parsed.sobject
    missing: list[str] = []
    if "read" not in lp.objects.get(obj, set()):
        missing.append(obj)
    skip = not_permissionable()
    for ref in parsed.field_refs():
        path = list(ref.path)
        if parsed.alias and len(path) > 1 and path[0] == parsed.alias:
            path = path[1:]
        if len(path) != 1:
            continue  # relationship fields: the related object's own grants apply
        name = path[0]
        if skip.contains(obj, name) or name in lp.fields_read.get(obj, set()) | lp.fields_edit.get(obj, set()):
            continue
        missing.append(f"{obj}.{name}")
    return missing


def _access_token(org_dir: Path, users: set[str], app_name: str | None) -> str | None:
    path = org_dir / "credentials.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for tok in data.get("oauth_tokens", []):
        if tok.get("user_id") in users and tok.get("valid") and not tok.get("stolen_by_attacker") and (
            app_name is None or tok.get("app_name") == app_name
        ):
            return str(tok.get("access_token")) if tok.get("access_token") else None
    return None


def verify(org: OrgData, lp: LeastPrivilege, users: set[str], app_id: str | None, app_name: str | None,
           limit: int) -> ReplayResult:
    """Static check of every observed query, plus an emulator replay when the org folder allows it."""
    checks = [QueryCheck(q, static_check(q, lp)) for q in observed_queries(org, users, app_id, limit)]
    if org.org_dir is None:
        return ReplayResult(checks, False, "replay needs an org folder (--org) the emulator can serve")
    token = _access_token(org.org_dir, users, app_name)
    if token is None:
        return ReplayResult(checks, False, "no valid access token of this integration in credentials.json")
    if not checks:
        return ReplayResult(checks, False, "no observed queries to replay")
    import requests
    from simple_salesforce.api import Salesforce
    from simple_salesforce.exceptions import SalesforceError

    from leakline.emulator import EmulatorServer, emulator_session

    with tempfile.TemporaryDirectory(prefix="leakline-replay-") as state, EmulatorServer(
        org.org_dir, state_dir=state, record_events=False
    ) as server:
        # A host that never resolves: only the emulator session's redirect can deliver the calls.
        host = "leakline-replay.invalid"
        sf = Salesforce(instance_url=f"https://{host}", session_id=token,
                        session=emulator_session(server.url, extra_hosts=[host]), version="62.0")
        for check in checks:
            try:
                sf.query(check.query)
                check.replay = "ok"
            except SalesforceError as exc:
                check.replay = f"error: {exc.status} {str(exc.content)[:120]}"
            except requests.RequestException as exc:
                check.replay = f"error: {type(exc).__name__}"
    return ReplayResult(checks, True, EMULATOR_LIMITATION)
