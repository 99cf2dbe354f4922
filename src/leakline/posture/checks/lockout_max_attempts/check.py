"""Too many invalid login attempts allowed."""

from __future__ import annotations

from leakline.posture.checklib import enum_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """Compare ``passwordPolicies.maxLoginAttempts`` with the baseline's compliant and critical values (parameters)."""
    return enum_setting(ctx, "passwordPolicies.maxLoginAttempts")
