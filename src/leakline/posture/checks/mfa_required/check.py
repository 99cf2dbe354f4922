"""MFA not required for UI and API logins."""

from __future__ import annotations

from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """From live Health Check risks when available; otherwise MANUAL (not in retrievable metadata)."""
    key = ctx.params["health_check_setting"]
    if ctx.live.available and key in ctx.live.health_check_risks:
        risk = ctx.live.health_check_risks[key]
        if risk == "MEETS_STANDARD":
            return [Result(Status.PASS, key, f"Health Check reports {key} as {risk}")]
        return [Result(Status.FAIL, key, f"Health Check reports {key} as {risk}")]
    why = ctx.live.reason if not ctx.live.available else f"Health Check did not report {key}"
    return [
        Result(
            Status.MANUAL,
            "(org MFA setting)",
            f"MFA enforcement is not in retrievable metadata ({why}); confirm in Setup that MFA is required for UI and API logins",
        )
    ]
