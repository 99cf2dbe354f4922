"""View All / Modify All records on objects granted outside the admin profile."""

from __future__ import annotations

from leakline.posture.checklib import (
    ALL,
    holder_detail_or_reason,
    is_admin,
    metadata_or_reason,
    not_evaluated,
    passed,
)
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """One FAIL per non-admin, non-guest holder with viewAllRecords or modifyAllRecords (guests: guest_object_access)."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if missing := holder_detail_or_reason(meta):
        return missing
    if not meta.holders:
        return not_evaluated("(profiles)", "no profiles or permission sets in the metadata")
    results = []
    for holder in meta.holders:
        if holder.is_guest or is_admin(holder, ctx.params["admin_profiles"]):
            continue
        broad = [op for op in holder.object_permissions if op.view_all or op.modify_all]
        if broad:
            parts = [f"{op.object} ({'modify all' if op.modify_all else 'view all'})" for op in broad]
            results.append(
                Result.at(
                    Status.FAIL,
                    holder.label,
                    f"bypasses sharing on {len(broad)} object(s): {', '.join(parts)}",
                    broad[0].where,
                )
            )
    return results or passed(
        ALL,
        f"no non-admin profile or permission set of {len(meta.holders)} grants View All or Modify All records",
    )
