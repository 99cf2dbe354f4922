"""Failed map flags as findings (``case/work/findings/map.jsonl``) so reports can read them."""

from __future__ import annotations

from leakline.core.models import EvidenceRef, Finding, Severity
from leakline.flowmap.model import FlowMap


def to_findings(fmap: FlowMap) -> list[Finding]:
    """One finding per FAIL flag, with the evidence rows of the surface's observed flows."""
    out: list[Finding] = []
    for surface, flag in fmap.flags():
        if flag.status != "FAIL":
            continue
        rule_id = f"map_{flag.id}"
        entities: dict[str, tuple[str, ...]] = {}
        if surface.kind == "connected_app":
            entities["app"] = (surface.name,)
            app_id = surface.details.get("connected_app_id")
            if app_id:
                entities["app_id"] = (str(app_id),)
        if surface.users:
            entities["user_id"] = tuple(u.user_id for u in surface.users)
        objects = sorted({f.object for f in surface.flows if f.status == "observed"})
        if objects:
            entities["object"] = tuple(objects)
        evidence: dict[str, set[int]] = {}
        for flow in surface.flows:
            for ev in flow.evidence:
                evidence.setdefault(ev.sha256, set()).update(ev.rows)
        out.append(
            Finding(
                id=Finding.make_id(rule_id, [surface.id, flag.title]),
                rule_id=rule_id,
                severity=Severity.parse(flag.severity),
                title=f"{surface.name}: {flag.title}",
                entities=entities,
                first_seen=surface.first_seen,
                last_seen=surface.last_seen,
                evidence=tuple(EvidenceRef(sha256=s, rows=tuple(sorted(r))) for s, r in sorted(evidence.items())),
                data={"surface": surface.id, "detail": flag.detail, "citation": flag.citation, **flag.data},
            )
        )
    return out
