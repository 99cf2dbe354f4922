"""Connected app refresh tokens never expire."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per app whose refresh token policy is absent (default: valid until revoked) or in ``never_expiring``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    apps = [a for a in meta.connected_apps if a.has_oauth]
    if not apps:
        return not_evaluated("(connected apps)", "no connected app with OAuth settings in the metadata")
    results: list[Result] = []
    for app in apps:
        if "RefreshToken" not in app.scopes and "Full" not in app.scopes:
            continue
        policy = app.refresh_token_policy
        if policy is None:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ConnectedApp {app.name}",
                    "no refreshTokenPolicy: the default keeps refresh tokens valid until revoked",
                    app.where,
                )
            )
        elif policy in ctx.params["never_expiring"]:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ConnectedApp {app.name}",
                    f"refreshTokenPolicy is {policy} (valid until revoked)",
                    app.refresh_token_where,
                )
            )
    return results or passed(ALL, f"none of {len(apps)} connected app(s) affected")
