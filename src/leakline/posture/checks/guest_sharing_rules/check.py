"""Guest user sharing rules, worst when their criteria match every record."""

from __future__ import annotations

from leakline.core.models import Severity
from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.model import SharingRule
from leakline.posture.results import Context, Result, Status


def matches_everything(rule: SharingRule) -> bool:
    """No criteria, or a single ``<field> notEqual <empty>`` (true for every record with the field set)."""
    if not rule.criteria:
        return True
    if rule.boolean_filter:
        return False
    return any(c.operation == "notEqual" and not c.value for c in rule.criteria) and len(rule.criteria) == 1


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per guest sharing rule (baseline: zero); high severity when it matches every record."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.sharing_rules:
        return not_evaluated("(sharing rules)", "no sharing rules in the metadata")
    results = []
    for rule in meta.sharing_rules:
        if rule.kind != "guest":
            continue
        target = ", ".join(value for _kind, value in rule.shared_to) or "guest user"
        if matches_everything(rule):
            crit = (
                "; ".join(f"{c.field} {c.operation} {c.value or '<empty>'}" for c in rule.criteria)
                or "no criteria"
            )
            results.append(
                Result.at(
                    Status.FAIL,
                    f"{rule.object}.{rule.name}",
                    f"shares every {rule.object} record ({crit}) with guest user {target} at {rule.access_level} access",
                    rule.where,
                    severity=Severity.HIGH,
                )
            )
        else:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"{rule.object}.{rule.name}",
                    f"shares {rule.object} records with guest user {target} at {rule.access_level} access; review the criteria",
                    rule.where,
                )
            )
    return results or passed(ALL, f"no guest sharing rule among {len(meta.sharing_rules)} sharing rule(s)")
