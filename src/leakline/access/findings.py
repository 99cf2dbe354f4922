"""Access-review results as findings (``case/work/findings/access.jsonl``)."""

from __future__ import annotations

from leakline.access.retention import RetentionResult
from leakline.access.review import AccessReview
from leakline.core.models import Finding, Severity


def to_findings(result: AccessReview, retention: list[RetentionResult] | None = None) -> list[Finding]:
    """SoD conflicts, over-privileged integrations (unused high-risk grants), dormant tokens, retention."""
    out: list[Finding] = []
    for c in result.sod_conflicts:
        out.append(Finding(
            id=Finding.make_id("access_sod_conflict", [c.rule_id, c.user_id]), rule_id="access_sod_conflict",
            severity=Severity.parse(c.severity), title=f"{c.title} ({c.username})",
            entities={"user_id": (c.user_id,)}, data={"rule": c.rule_id, "duties": c.duties, "citation": c.citation},
        ))
    for item in result.integrations:
        broad = sorted(set(item.high_risk) & {"ViewAllData", "ModifyAllData"})
        if not broad:
            continue
        entities: dict[str, tuple[str, ...]] = {"user_id": tuple(u["user_id"] for u in item.users)}
        if item.connected_app_id:
            entities["app_id"] = (item.connected_app_id,)
            entities["app"] = (item.name,)
        out.append(Finding(
            id=Finding.make_id("access_over_privileged", item.name), rule_id="access_over_privileged",
            severity=Severity.HIGH, title=f"{item.name}: holds {', '.join(broad)} but used "
            f"{len(item.exercised_objects)} object(s)", entities=entities, last_seen=item.last_activity,
            data={"high_risk": item.high_risk, "exercised": item.exercised_objects},
        ))
    for t in result.dormant_tokens:
        out.append(Finding(
            id=Finding.make_id("access_dormant_token", t.token_id), rule_id="access_dormant_token",
            severity=Severity.MEDIUM, title=f"dormant OAuth grant of {t.app}",
            entities={"token_id": (t.token_id,), **({"user_id": (t.user_id,)} if t.user_id else {})},
            last_seen=t.last_used, data={"use_count": t.use_count},
        ))
    for r in retention or []:
        if r.status == "FAIL":
            out.append(Finding(
                id=Finding.make_id("access_retention", r.object), rule_id="access_retention",
                severity=Severity.MEDIUM, title=f"{r.over_retention} {r.object} record(s) beyond {r.retain_days} days",
                entities={"object": (r.object,)}, data={"fields": r.personal_fields, "plan": r.plan},
            ))
    return out
