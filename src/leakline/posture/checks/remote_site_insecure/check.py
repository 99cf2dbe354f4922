"""Remote sites over plain HTTP."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per active remote site with an http:// URL or protocol security disabled."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.remote_sites:
        return not_evaluated("(remote sites)", "no remote site settings in the metadata")
    results = []
    for site in meta.remote_sites:
        if not site.is_active:
            continue
        if re.match(r"(?i)http://", site.url):
            results.append(
                Result.at(
                    Status.FAIL,
                    f"RemoteSiteSetting {site.name}",
                    f"callouts go to {site.url} over plain HTTP",
                    site.where,
                )
            )
        elif site.disable_protocol_security:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"RemoteSiteSetting {site.name}",
                    "disableProtocolSecurity is true (HTTP allowed)",
                    site.where,
                )
            )
    return results or passed(ALL, f"{len(meta.remote_sites)} remote site(s) require HTTPS")
