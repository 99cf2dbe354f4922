"""Connected app relaxes IP restrictions."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per app whose ipRelaxation is not in ``compliant``; NOT_EVALUATED where no policy is in the metadata."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    apps = [a for a in meta.connected_apps if a.has_oauth]
    if not apps:
        return not_evaluated("(connected apps)", "no connected app with OAuth settings in the metadata")
    results: list[Result] = []
    for app in apps:
        if app.ip_relaxation is None:
            results.append(
                Result.at(
                    Status.NOT_EVALUATED,
                    f"ConnectedApp {app.name}",
                    "no oauthPolicy.ipRelaxation in the metadata",
                    app.where,
                )
            )
        elif app.ip_relaxation not in ctx.params["compliant"]:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ConnectedApp {app.name}",
                    f"ipRelaxation is {app.ip_relaxation}: tokens work from any address",
                    app.ip_relaxation_where,
                )
            )
    return results or passed(ALL, f"none of {len(apps)} connected app(s) affected")
