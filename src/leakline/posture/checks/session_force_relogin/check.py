"""No re-login after Login-As."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``sessionSettings.forceRelogin`` is true in Security.settings."""
    return boolean_setting(
        ctx, "sessionSettings.forceRelogin", True, "admins keep the impersonated user's session"
    )
