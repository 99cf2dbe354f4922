"""Sessions not locked to the IP address they started from."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``sessionSettings.lockSessionsToIp`` is true in Security.settings."""
    return boolean_setting(
        ctx, "sessionSettings.lockSessionsToIp", True, "a stolen session id works from another address"
    )
