"""Access review of integrations: granted vs exercised, dormant users/tokens, SoD conflicts,
least-privilege permission sets with a migration plan, standing admin access."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leakline.access.grants import HIGH_RISK, Grants, effective_grants
from leakline.access.permset import AllowList, LeastPrivilege, least_privilege
from leakline.access.replay import redact, verify
from leakline.access.sod import SodRule, evaluate
from leakline.core.clock import Clock, parse_utc
from leakline.core.errors import LeaklineError
from leakline.core.masking import mask_email
from leakline.core.registry import Unit, UnitLoadError, UnitProblem, validate_file
from leakline.flowmap.flows import ActorFlows, as_id18, integration_users, observed_flows
from leakline.flowmap.source import OrgData, truthy

PARAMS_FILE = Path(__file__).with_name("review.yaml")
BROAD = ("ViewAllData", "ModifyAllData")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Params(_Model):
    reviewed: str
    dormant_days: int = Field(ge=1)
    replay_max_queries: int = Field(ge=1)
    jit_max_hours: float = Field(gt=0)


@cache
def load_params(path: Path = PARAMS_FILE) -> Params:
    data, problems = validate_file(path, Params)
    if problems or data is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty")])
    return data


class TokenInfo(_Model):
    token_id: str
    app: str | None
    user_id: str | None
    last_used: datetime | None
    use_count: int | None
    dormant: bool


class PermsetOut(_Model):
    api_name: str
    file: str
    objects: dict[str, list[str]]
    fields_read: dict[str, list[str]]
    fields_edit: dict[str, list[str]]
    user_permissions: list[str]
    reasons: dict[str, str]
    undetermined: list[str]
    xml: str


class ReplayOut(_Model):
    queries: int
    static_ok: bool
    missing: dict[str, list[str]] = Field(description="query → ungranted object/fields")
    replayed: bool
    replay_ok: bool | None
    replay_errors: dict[str, str] = Field(default_factory=dict)
    note: str
    emulator_enforces_permissions: bool


class IntegrationReview(_Model):
    name: str
    kind: str  # connected_app | integration_user
    connected_app_id: str | None
    users: list[dict[str, Any]]
    granted_objects: dict[str, list[str]]
    exercised_objects: dict[str, list[str]]
    exercised_fields: dict[str, list[str]]
    unused_objects: dict[str, list[str]] = Field(description="granted object ops never exercised")
    unused_fields: dict[str, list[str]] = Field(description="fields readable by field permissions, never read")
    high_risk: dict[str, list[str]] = Field(description="permission → granted via")
    api_families: list[str]
    last_activity: datetime | None
    dormant: bool
    tokens: list[TokenInfo]
    permission_set: PermsetOut | None
    verification: ReplayOut | None
    migration_plan: list[str]


class SodOut(_Model):
    rule_id: str
    title: str
    severity: str
    citation: str
    user_id: str
    username: str
    duties: dict[str, list[str]]


class AccessReview(_Model):
    format_version: int = 1
    source: str
    window_start: datetime | None
    window_end: datetime | None
    generated_at: datetime
    metadata_known: bool
    integrations: list[IntegrationReview]
    dormant_integration_users: list[dict[str, Any]]
    dormant_tokens: list[TokenInfo]
    sod_conflicts: list[SodOut]
    standing_admin: list[dict[str, Any]]
    notes: list[str]


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return parse_utc(str(value))
    except LeaklineError:
        return None  # an unparsable date is unknown, never fatal


def _granted(grants: list[Grants], objects: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for obj in sorted(objects):
        ops = sorted({op for g in grants for op in g.object_ops(obj) if op in ("read", "create", "edit", "delete")})
        if ops:
            out[obj] = ops
    return out


def _plan(name: str, lp: LeastPrivilege, grants: list[Grants], verified: ReplayOut | None, mask: Any) -> list[str]:
    steps = [
        f"Review and complete the allow-list for '{name}' ({len(lp.undetermined)} open item(s)), regenerate.",
        f"Deploy permission set {lp.api_name} (sf project deploy start --source-dir <out>/permissionsets).",
    ]
    steps += [f"Assign {lp.api_name} to {mask(g.username)} ({g.user_id})." for g in grants]
    if verified is not None:
        status = "passed" if verified.static_ok else "FAILED: add the missing grants first"
        replay = "ok" if verified.replay_ok else "not run" if verified.replay_ok is None else "errors"
        steps.append(f"Check: static query check {status}; emulator replay {replay}.")
    for g in grants:
        for h in g.holders:
            risky = sorted(h.user_permissions & set(HIGH_RISK))
            if h.kind == "permission_set" and risky:
                steps.append(f"Remove permission set '{h.label}' from {mask(g.username)} (grants {', '.join(risky)}).")
            elif h.kind == "profile" and (h.user_permissions & set(BROAD) or len(h.objects) > len(lp.objects)):
                steps.append(f"Move {mask(g.username)} from profile '{h.label}' to a minimum-access API-only "
                             "profile (objects come from the new permission set).")
    steps.append("Run the integration's next sync in a sandbox or watch for INSUFFICIENT_ACCESS errors; "
                 "roll back by re-assigning the removed permission sets.")
    return [f"{i}. {step}" for i, step in enumerate(steps, start=1)]


def review(
    org: OrgData,
    clock: Clock,
    *,
    sod_rules: list[Unit[SodRule]],
    allow: AllowList | None = None,
    reveal: bool = False,
    replay: bool = True,
    actors: dict[str, ActorFlows] | None = None,
) -> AccessReview:
    """Review every integration (connected app with users, or integration user) of the org."""
    params = load_params()
    allow = allow or AllowList()
    now = org.window_end or clock.now()
    grants = effective_grants(org, now)
    actors = actors if actors is not None else observed_flows(org)
    integ = integration_users(org)
    mask = (lambda s: s) if reveal else mask_email
    cutoff = now - timedelta(days=params.dormant_days)
    tokens = []
    for t in org.objects("OauthToken"):
        last = _ts(t.get("LastUsedDate"))
        tokens.append(TokenInfo(token_id=str(as_id18(t.get("Id"))), app=t.get("AppName"),
                                user_id=as_id18(t.get("UserId")), last_used=last,
                                use_count=int(t["UseCount"]) if t.get("UseCount") not in (None, "") else None,
                                dormant=last is None or last < cutoff))
    users = {str(u["Id"]): u for u in org.objects("User")}
    out: list[IntegrationReview] = []
    covered: set[str] = set()
    for key in sorted(actors, key=lambda k: (actors[k].app_name or k)):
        actor = actors[key]
        name = actor.app_name or mask(str(users.get(next(iter(actor.users), ""), {}).get("Username") or key))
        actor_users = sorted(actor.users)
        covered |= actor.users
        out.append(_one(org, actor, name, [grants[u] for u in actor_users if u in grants], tokens, allow,
                        params, cutoff, replay, mask, integ))
    for uid in sorted(integ - covered):
        actor = ActorFlows(f"user:{uid}", None, None, users={uid})
        name = mask(str(users.get(uid, {}).get("Username") or uid))
        out.append(_one(org, actor, name, [grants[uid]] if uid in grants else [], tokens, allow, params, cutoff,
                        replay, mask, integ))
    dormant_users = []
    for uid in sorted(integ):
        u = users.get(uid, {})
        last = _ts(u.get("LastLoginDate"))
        active_in_window = any(uid in a.users for a in actors.values())
        if truthy(u.get("IsActive")) and not active_in_window and (last is None or last < cutoff):
            dormant_users.append({"user_id": uid, "username": mask(str(u.get("Username") or uid)),
                                  "last_login": last})
    conflicts = [
        SodOut(rule_id=c.rule_id, title=c.rule.title, severity=c.rule.severity, citation=c.rule.citation,
               user_id=c.user_id, username=mask(c.username), duties=c.duties)
        for c in evaluate(sod_rules, grants)
    ]
    admins = []
    for uid, g in sorted(grants.items()):
        risky = {p: v for p, v in g.high_risk().items() if p in ("ModifyAllData", "ViewAllData", "ManageUsers",
                                                                 "AuthorApex", "ModifyMetadata")}
        if g.active and risky:
            admins.append({"user_id": uid, "username": mask(g.username), "integration_user": uid in integ,
                           "permissions": risky, "expiring": {k: v for k, v in g.expiring.items()}})
    notes = [f"dormant = no use for {params.dormant_days} days before {now.date()} (access/review.yaml)"]
    if org.metadata is None:
        notes.append("no metadata folder: object, field and custom permissions unknown (NOT_EVALUATED); "
                     "SoD rules and granted-vs-exercised need it")
    return AccessReview(
        source=org.label,
        window_start=org.window_start,
        window_end=org.window_end,
        generated_at=clock.now(),
        metadata_known=org.metadata is not None,
        integrations=out,
        dormant_integration_users=dormant_users,
        dormant_tokens=[t for t in tokens if t.dormant],
        sod_conflicts=conflicts if org.metadata is not None else [],
        standing_admin=admins,
        notes=notes,
    )


def _one(org: OrgData, actor: ActorFlows, name: str, grants: list[Grants], tokens: list[TokenInfo],
         allow: AllowList, params: Params, cutoff: datetime, replay: bool, mask: Any,
         integ: set[str]) -> IntegrationReview:
    exercised = {
        obj: sorted(op for op, s in f.effective_ops().items() if s.calls or s.rows)
        for obj, f in sorted(actor.objects.items())
    }
    exercised = {k: v for k, v in exercised.items() if v}
    objects = set(org.schema) | {o for g in grants for o in g.objects()} | set(exercised)
    granted = _granted(grants, objects)
    unused = {o: [op for op in ops if op not in exercised.get(o, [])] for o, ops in granted.items()}
    unused = {k: v for k, v in unused.items() if v}
    read_fields = {o: f.fields_read for o, f in actor.objects.items()}
    unused_fields: dict[str, list[str]] = {}
    for qualified in sorted({q for g in grants for q in g.fields() if g.field_access(q)}):
        obj, _, fname = qualified.partition(".")
        if fname not in read_fields.get(obj, set()):
            unused_fields.setdefault(obj, []).append(fname)
    risky: dict[str, list[str]] = {}
    for g in grants:
        for perm, via in g.high_risk().items():
            risky.setdefault(perm, []).extend(via)
    my_tokens = [t for t in tokens if (actor.app_name and t.app == actor.app_name) or
                 (not actor.app_name and t.user_id in actor.users)]
    lp: LeastPrivilege | None = None
    permset: PermsetOut | None = None
    verified: ReplayOut | None = None
    if actor.objects:
        lp = least_privilege(actor, name, allow.for_name(actor.app_name, name))
        xml = lp.to_xml(f"Generated by leakline from observed use of {name}; review before deploying.")
        permset = PermsetOut(
            api_name=lp.api_name, file=f"permissionsets/{lp.api_name}.permissionset-meta.xml",
            objects={k: sorted(v) for k, v in sorted(lp.objects.items())},
            fields_read={k: sorted(v) for k, v in sorted(lp.fields_read.items())},
            fields_edit={k: sorted(v) for k, v in sorted(lp.fields_edit.items())},
            user_permissions=sorted(lp.user_permissions), reasons=dict(sorted(lp.reasons.items())),
            undetermined=lp.undetermined, xml=xml,
        )
        result = verify(org, lp, actor.users, actor.app_id, actor.app_name, params.replay_max_queries) \
            if replay else None
        if result is not None:
            verified = ReplayOut(
                queries=len(result.checks), static_ok=result.static_ok,
                missing={redact(c.query): c.missing for c in result.checks if c.missing},
                replayed=result.replayed, replay_ok=result.replay_ok,
                replay_errors={redact(c.query): c.replay for c in result.checks if c.replay and c.replay != "ok"},
                note=result.replay_reason, emulator_enforces_permissions=result.emulator_enforces_permissions,
            )
    families = sorted({fam for f in actor.objects.values() for fam in f.families})
    return IntegrationReview(
        name=name,
        kind="connected_app" if actor.app_id else "integration_user",
        connected_app_id=actor.app_id,
        users=[{"user_id": g.user_id, "username": mask(g.username), "profile": g.profile,
                "permission_sets": [h.label for h in g.holders if h.kind == "permission_set"],
                "integration_user": g.user_id in integ} for g in grants],
        granted_objects=granted,
        exercised_objects=exercised,
        exercised_fields={o: sorted(f.fields_read) for o, f in sorted(actor.objects.items()) if f.fields_read},
        unused_objects=unused,
        unused_fields=unused_fields,
        high_risk={k: sorted(set(v)) for k, v in sorted(risky.items())},
        api_families=families,
        last_activity=actor.last_seen,
        dormant=actor.last_seen is None or actor.last_seen < cutoff,
        tokens=my_tokens,
        permission_set=permset,
        verification=verified,
        migration_plan=_plan(name, lp, grants, verified, mask) if lp is not None else [],
    )
