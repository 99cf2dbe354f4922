"""Administrators can log in as any user."""

from __future__ import annotations

from leakline.posture.checklib import boolean_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``enableAdminLoginAsAnyUser`` is false in Security.settings."""
    return boolean_setting(
        ctx, "enableAdminLoginAsAnyUser", False, "admins can impersonate users without their consent"
    )
