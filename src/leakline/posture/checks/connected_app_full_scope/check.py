"""Connected app with the Full OAuth scope."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per app whose scopes include one of ``risky_scopes``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    apps = [a for a in meta.connected_apps if a.has_oauth]
    if not apps:
        return not_evaluated("(connected apps)", "no connected app with OAuth settings in the metadata")
    results: list[Result] = []
    for app in apps:
        risky = [s for s in app.scopes if s in ctx.params["risky_scopes"]]
        if risky:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ConnectedApp {app.name}",
                    f"OAuth scopes include {', '.join(risky)}",
                    app.scopes_where,
                )
            )
    return results or passed(ALL, f"none of {len(apps)} connected app(s) affected")
