"""Data retention for personal data (not in retrievable metadata: a manual check with evidence)."""

from __future__ import annotations

from leakline.posture.checklib import metadata_or_reason, pii_elements
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """MANUAL, naming the objects whose fields look like sensitive data and so need a retention rule."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    objects = sorted(
        {f.object for f in meta.fields if pii_elements(f.name, f.description, sensitive_only=True)}
    )
    scope = (
        f"{len(objects)} object(s) with sensitive fields: {', '.join(objects)}"
        if objects
        else "no sensitive custom field found"
    )
    return [
        Result(
            Status.MANUAL,
            "(data retention)",
            f"retention settings are not in retrievable metadata ({scope}); confirm a retention and deletion "
            f"rule exists for personal data and that event logs are kept at least {ctx.params['min_log_retention_days']} days",
        )
    ]
