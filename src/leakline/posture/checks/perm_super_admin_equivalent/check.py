"""Super-admin-equivalent grants (View All Data + Modify All Data + Manage Users) outside the admin profile."""

from __future__ import annotations

from leakline.posture.checklib import ALL, is_admin, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL for each non-admin holder that grants every permission in ``super_admin_permissions``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.holders:
        return not_evaluated("(profiles)", "no profiles or permission sets in the metadata")
    wanted = ctx.params["super_admin_permissions"]
    results = [
        Result.at(Status.FAIL, h.label, f"grants {' + '.join(wanted)} (super-admin equivalent)", h.where)
        for h in meta.holders
        if not is_admin(h, ctx.params["admin_profiles"]) and all(p in h.user_permissions for p in wanted)
    ]
    return results or passed(
        ALL, f"no non-admin profile or permission set of {len(meta.holders)} is super-admin equivalent"
    )
