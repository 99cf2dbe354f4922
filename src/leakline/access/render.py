"""Markdown view of an access review."""

from __future__ import annotations

from leakline.access.retention import RetentionResult
from leakline.access.review import AccessReview
from leakline.core.clock import iso


def _ops(d: dict[str, list[str]]) -> str:
    return "; ".join(f"{k}: {'/'.join(v)}" for k, v in d.items()) or "-"


def to_markdown(result: AccessReview, retention: list[RetentionResult] | None = None) -> str:
    """Integrations, SoD conflicts, dormant access, standing admins, retention."""
    out = ["# Access review", "", f"Source: {result.source} · generated {iso(result.generated_at)}", ""]
    for item in result.integrations:
        out += [f"## {item.name} ({item.kind})", ""]
        users = ", ".join(f"{u['username']} [{u['profile']}; {', '.join(u['permission_sets']) or '-'}]"
                          for u in item.users) or "-"
        out += [f"- users: {users}",
                f"- last activity: {iso(item.last_activity) if item.last_activity else 'none in window'}"
                f"{' (dormant)' if item.dormant else ''}",
                f"- high-risk permissions: {_ops(item.high_risk)}",
                f"- exercised: {_ops(item.exercised_objects)}",
                f"- granted but unused: {len(item.unused_objects)} object(s), "
                f"{sum(len(v) for v in item.unused_fields.values())} field(s)",
                f"- API families: {', '.join(item.api_families) or '-'}"]
        if item.permission_set is not None:
            ps = item.permission_set
            out += [f"- least-privilege set `{ps.api_name}`: objects {_ops(ps.objects)}; "
                    f"{sum(len(v) for v in ps.fields_read.values())} readable field(s)"]
            out += [f"  - open: {u}" for u in ps.undetermined]
        if item.verification is not None:
            v = item.verification
            out.append(f"- verification: {v.queries} observed quer(ies); static check "
                       f"{'ok' if v.static_ok else 'MISSING GRANTS'}; replay "
                       f"{'ok' if v.replay_ok else 'not run' if v.replay_ok is None else 'errors'} ({v.note})")
        if item.migration_plan:
            out += ["", "Migration plan:", ""] + [f"    {s}" for s in item.migration_plan]
        out.append("")
    out += ["## Segregation of duties", ""]
    out += [f"- **{c.rule_id}** {c.username} ({c.user_id}): " + "; ".join(f"{d} via {', '.join(v)}"
            for d, v in c.duties.items()) for c in result.sod_conflicts] or ["- no conflicts"]
    out += ["", "## Dormant access", ""]
    out += [f"- token {t.token_id} ({t.app}) last used {iso(t.last_used) if t.last_used else 'never'}"
            for t in result.dormant_tokens] or ["- no dormant tokens"]
    out += [f"- integration user {u['username']} last login {u['last_login']}" for u in result.dormant_integration_users]
    out += ["", "## Standing admin access", ""]
    out += [f"- {a['username']}: {', '.join(a['permissions'])}" for a in result.standing_admin] or ["- none"]
    if retention is not None:
        out += ["", "## Retention", ""]
        out += [f"- {r.status} {r.object}: {r.over_retention}/{r.records} beyond {r.retain_days} days — {r.plan}"
                for r in retention]
    out += ["", "## Notes", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(out) + "\n"
