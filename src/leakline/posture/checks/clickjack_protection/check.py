"""Clickjack protection disabled."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting, metadata_or_reason, not_evaluated
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """One result per clickjack setting in ``settings`` that is present; NOT_EVALUATED if none is."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if meta.security is None:
        return not_evaluated(
            "SecuritySettings", "no Security.settings in the metadata (retrieve SecuritySettings)"
        )
    results: list[Result] = []
    for key in ctx.params["settings"]:
        found = boolean_setting(ctx, key, True, "pages can be framed by other sites (clickjacking)")
        results.extend(r for r in found if r.status != Status.NOT_EVALUATED)
    return results or not_evaluated("SecuritySettings", "no clickjack setting in Security.settings")
