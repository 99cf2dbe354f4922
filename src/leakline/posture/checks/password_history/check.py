"""Too few old passwords remembered."""

from __future__ import annotations

from leakline.posture.checklib import number_setting
from leakline.posture.results import Context, Result


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``passwordPolicies.historyRestriction`` is at least ``minimum``."""
    return number_setting(ctx, "passwordPolicies.historyRestriction", int(ctx.params["minimum"]))
