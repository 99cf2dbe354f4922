"""Connected app that issues refresh tokens."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per app with the RefreshToken scope."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    apps = [a for a in meta.connected_apps if a.has_oauth]
    if not apps:
        return not_evaluated("(connected apps)", "no connected app with OAuth settings in the metadata")
    results: list[Result] = []
    for app in apps:
        if "RefreshToken" in app.scopes:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ConnectedApp {app.name}",
                    "OAuth scopes include RefreshToken (offline access)",
                    app.scopes_where,
                )
            )
    return results or passed(ALL, f"none of {len(apps)} connected app(s) affected")
