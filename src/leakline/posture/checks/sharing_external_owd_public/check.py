"""Objects whose external (portal/guest) org-wide default is not private."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per object whose externalSharingModel is not in ``private_models``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    objects = [o for o in meta.objects if o.external_sharing_model is not None]
    if not objects:
        return not_evaluated("(objects)", "no object with an externalSharingModel in the metadata")
    results = [
        Result.at(
            Status.FAIL,
            o.name,
            f"external org-wide default is {o.external_sharing_model}",
            o.external_sharing_where,
        )
        for o in objects
        if o.external_sharing_model not in ctx.params["private_models"]
    ]
    return results or passed(
        ALL, f"{len(objects)} object(s) keep external access private or controlled by parent"
    )
