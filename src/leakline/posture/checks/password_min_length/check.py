"""Minimum password length below baseline."""

from __future__ import annotations

from leakline.posture.checklib import number_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``passwordPolicies.minimumPasswordLength`` is at least ``minimum``."""
    return number_setting(ctx, "passwordPolicies.minimumPasswordLength", int(ctx.params["minimum"]))
