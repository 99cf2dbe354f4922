"""Sessions not locked to the domain they started in."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``sessionSettings.lockSessionsToDomain`` is true in Security.settings."""
    return boolean_setting(
        ctx, "sessionSettings.lockSessionsToDomain", True, "session cookies can be reused across domains"
    )
