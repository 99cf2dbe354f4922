"""Permissions that change code, configuration or security held outside the admin profile."""

from __future__ import annotations

from leakline.posture.checklib import ALL, is_admin, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """One FAIL per non-admin holder, listing which of ``permissions`` it grants."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.holders:
        return not_evaluated("(profiles)", "no profiles or permission sets in the metadata")
    results = []
    for holder in meta.holders:
        if is_admin(holder, ctx.params["admin_profiles"]):
            continue
        held = [p for p in ctx.params["permissions"] if p in holder.user_permissions]
        if held:
            first = min((holder.user_permissions[p] for p in held), key=lambda w: w.line or 0)
            results.append(Result.at(Status.FAIL, holder.label, f"grants {', '.join(held)}", first))
    return results or passed(
        ALL, f"no non-admin profile or permission set of {len(meta.holders)} grants these permissions"
    )
