"""Verify a least-privilege permission set against an integration's observed queries.

Two checks, reported separately because they prove different things:

1. **Static** (always): every object and field each observed SOQL query references is granted
   by the new permission set (object read + field readable, or a field that is always readable).
   This is the permission check itself.
2. **Replay** (org folder with ``credentials.json`` only): the distinct queries are re-run
   through ``simple-salesforce`` against the leakline emulator over HTTP as the integration's
   user holding **only** the new permission set: a throw-away state overlay gives the user a
   profile that grants nothing but API Enabled and assigns the new set (the org folder is not
   touched). The emulator enforces object read and field-level read security for that user
   (:mod:`leakline.emulator.permissions`), so a replay without errors shows the set is sufficient
   for the observed queries; a missing grant fails as in Salesforce (``INVALID_TYPE`` /
   ``INVALID_FIELD``).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakline.access.permset import LeastPrivilege, not_permissionable
from leakline.core.sfid import to18
from leakline.flowmap.source import OrgData
from leakline.soql import SoqlError, parse

REPLAY_NOTE = (
    "replayed as the integration user holding only the new permission set (profile: API Enabled only); "
    "the emulator enforces object read and field-level read security, not sharing or write permissions"
)
REPLAY_PROFILE = "LL Replay API Only"
_PROFILE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
    <userPermissions>
        <enabled>true</enabled>
        <name>ApiEnabled</name>
    </userPermissions>
</Profile>
"""


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
        if skip.contains(obj, name) or name in lp.fields_read.get(obj, set()) | lp.fields_edit.get(
            obj, set()
        ):
            continue
        missing.append(f"{obj}.{name}")
    return missing


def _access_token(org_dir: Path, users: set[str], app_name: str | None) -> str | None:
    path = org_dir / "credentials.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for tok in data.get("oauth_tokens", []):
        if (
            tok.get("user_id") in users
            and tok.get("valid")
            and not tok.get("stolen_by_attacker")
            and (app_name is None or tok.get("app_name") == app_name)
        ):
            return str(tok.get("access_token")) if tok.get("access_token") else None
    return None


def verify(
    org: OrgData, lp: LeastPrivilege, users: set[str], app_id: str | None, app_name: str | None, limit: int
) -> ReplayResult:
    """Static check of every observed query, plus an emulator replay when the org folder allows it."""
    checks = [QueryCheck(q, static_check(q, lp)) for q in observed_queries(org, users, app_id, limit)]
    if org.org_dir is None:
        return ReplayResult(checks, False, "replay needs an org folder (--org) the emulator can serve")
    token = _access_token(org.org_dir, users, app_name)
    if token is None:
        return ReplayResult(checks, False, "no valid access token of this integration in credentials.json")
    if not checks:
        return ReplayResult(checks, False, "no observed queries to replay")
    with tempfile.TemporaryDirectory(prefix="leakline-replay-") as state:
        _overlay(Path(state), lp, users)
        _replay(org.org_dir, Path(state), token, checks)
    return ReplayResult(checks, True, REPLAY_NOTE, emulator_enforces_permissions=True)


def _overlay(state: Path, lp: LeastPrivilege, users: set[str]) -> None:
    """Emulator state in which ``users`` hold only ``lp`` (plus a profile granting API Enabled)."""
    sets = state / "metadata" / "permissionsets"
    profiles = state / "metadata" / "profiles"
    sets.mkdir(parents=True)
    profiles.mkdir(parents=True)
    (sets / f"{lp.api_name}.permissionset-meta.xml").write_text(
        lp.to_xml("replay of observed queries"), encoding="utf-8"
    )
    (profiles / f"{REPLAY_PROFILE}.profile-meta.xml").write_text(_PROFILE_XML, encoding="utf-8")
    declared = {
        to18(uid): {"profile": REPLAY_PROFILE, "permission_sets": [lp.api_name]} for uid in sorted(users)
    }
    (state / "permissions.json").write_text(json.dumps({"users": declared}, indent=1), encoding="utf-8")


def _error_text(content: Any) -> str:
    """``ERROR_CODE: message`` of a Salesforce error body (code first: messages are long)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return "; ".join(f"{e.get('errorCode')}: {e.get('message')}" for e in content if isinstance(e, dict))[
            :240
        ]
    return str(content)[:240]


def _replay(org_dir: Path, state: Path, token: str, checks: list[QueryCheck]) -> None:
    import requests
    from simple_salesforce.api import Salesforce
    from simple_salesforce.exceptions import SalesforceError

    from leakline.emulator import EmulatorServer, emulator_session

    with EmulatorServer(org_dir, state_dir=state, record_events=False) as server:
        # A host that never resolves: only the emulator session's redirect can deliver the calls.
        host = "leakline-replay.invalid"
        sf = Salesforce(
            instance_url=f"https://{host}",
            session_id=token,
            session=emulator_session(server.url, extra_hosts=[host]),
            version="62.0",
        )
        for check in checks:
            try:
                sf.query(check.query)
                check.replay = "ok"
            except SalesforceError as exc:
                check.replay = f"error: {exc.status} {_error_text(exc.content)}"
            except requests.RequestException as exc:
                check.replay = f"error: {type(exc).__name__}"
