"""Sites that allow framing by any site."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per active site whose clickjackProtectionLevel is in ``insecure_levels``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.sites:
        return not_evaluated("(sites)", "no sites in the metadata")
    results = [
        Result.at(
            Status.FAIL,
            f"CustomSite {s.name}",
            f"clickjackProtectionLevel is {s.clickjack_level}",
            s.clickjack_where,
        )
        for s in meta.sites
        if s.active is not False and s.clickjack_level in ctx.params["insecure_levels"]
    ]
    return results or passed(ALL, f"{len(meta.sites)} site(s) restrict framing")
