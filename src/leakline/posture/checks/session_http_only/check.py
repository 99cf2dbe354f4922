"""Session cookies readable by scripts (HttpOnly not required)."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``sessionSettings.requireHttpOnly`` is true in Security.settings."""
    return boolean_setting(
        ctx,
        "sessionSettings.requireHttpOnly",
        True,
        "scripts (e.g. injected XSS) can read the session cookie",
    )
