"""Guest user profile with broad object access."""

from __future__ import annotations

from leakline.posture.checklib import ALL, holder_detail_or_reason, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per guest objectPermission granting any of view all, modify all, create, edit or delete."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if missing := holder_detail_or_reason(meta):
        return missing
    guests = [h for h in meta.holders if h.is_guest]
    if not guests:
        return not_evaluated("(guest profiles)", "no guest user profile in the metadata")
    results = []
    for holder in guests:
        for op in holder.object_permissions:
            granted = [
                name
                for name, on in (
                    ("view all", op.view_all),
                    ("modify all", op.modify_all),
                    ("create", op.create),
                    ("edit", op.edit),
                    ("delete", op.delete),
                )
                if on
            ]
            if granted:
                results.append(
                    Result.at(
                        Status.FAIL,
                        f"{holder.label} / {op.object}",
                        f"guest users get {', '.join(granted)} on {op.object}",
                        op.where,
                    )
                )
    return results or passed(
        ALL, f"{len(guests)} guest profile(s) grant read-only object access without view all"
    )
