"""Guest user profile with risky user permissions."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per guest profile that enables any of ``risky_permissions``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    guests = [h for h in meta.holders if h.is_guest]
    if not guests:
        return not_evaluated("(guest profiles)", "no guest user profile in the metadata")
    results = []
    for holder in guests:
        held = [p for p in ctx.params["risky_permissions"] if p in holder.user_permissions]
        if held:
            first = min((holder.user_permissions[p] for p in held), key=lambda w: w.line or 0)
            results.append(Result.at(Status.FAIL, holder.label, f"guest users get {', '.join(held)}", first))
    return results or passed(ALL, f"{len(guests)} guest profile(s) enable none of the risky permissions")
