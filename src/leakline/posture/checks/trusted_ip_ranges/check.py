"""No org-wide trusted IP ranges configured."""

from __future__ import annotations

from leakline.posture.checklib import metadata_or_reason, not_evaluated
from leakline.posture.model import Where
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """PASS if ``networkAccess`` lists at least one ipRanges entry."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if meta.security is None:
        return not_evaluated(
            "SecuritySettings", "no Security.settings in the metadata (retrieve SecuritySettings)"
        )
    count = meta.security.values.get("networkAccess.ipRanges#count")
    if count is None:
        where = Where(meta.security.file, 2)
        return [
            Result.at(
                Status.FAIL,
                "SecuritySettings.networkAccess",
                "no trusted IP ranges (networkAccess.ipRanges) configured",
                where,
            )
        ]
    return [
        Result.at(
            Status.PASS,
            "SecuritySettings.networkAccess",
            f"{count.value} trusted IP range(s) configured",
            count.where,
        )
    ]
