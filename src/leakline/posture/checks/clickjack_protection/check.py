"""Clickjack protection disabled."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting, metadata_or_reason, not_evaluated
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """One result per clickjack setting in ``settings`` that is present; NOT_EVALUATED if none is."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    results: list[Result] = []
    for key in ctx.params["settings"]:
        found = boolean_setting(ctx, key, True, "pages can be framed by other sites (clickjacking)")
        results.extend(r for r in found if r.status != Status.NOT_EVALUATED)
    if results:
        return results
    return (
        boolean_setting(ctx, ctx.params["settings"][0], True, "")
        if meta.security is None
        else not_evaluated("SecuritySettings", "no clickjack setting in Security.settings")
    )
