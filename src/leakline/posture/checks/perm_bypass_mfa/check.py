"""Bypass MFA for UI logins granted."""

from __future__ import annotations

from leakline.posture.checklib import permission_check
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """FAIL for each non-admin profile or permission set granting BypassMFAForUiLogins."""
    return permission_check(ctx, "BypassMFAForUiLogins")
