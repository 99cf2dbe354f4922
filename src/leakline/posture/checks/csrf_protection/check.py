"""CSRF protection disabled."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting, metadata_or_reason
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """One result per CSRF setting (GET and POST)."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    results: list[Result] = []
    for key in ctx.params["settings"]:
        results.extend(boolean_setting(ctx, key, True, "cross-site request forgery protection is off"))
    return list(dict.fromkeys(results))  # one NOT_EVALUATED when the whole file is missing
