"""Apex callout to a hardcoded endpoint."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status

ENDPOINT = re.compile(r"setEndpoint\(\s*'((?:https?://)[^'/]*)")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per setEndpoint with a literal URL instead of ``callout:<NamedCredential>``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.apex:
        return not_evaluated("(apex)", "no Apex classes or triggers in the metadata")
    results: list[Result] = []
    for source in meta.apex:
        for number, line in enumerate(source.lines, start=1):
            match = ENDPOINT.search(line)
            if match:
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        f"setEndpoint to literal {match.group(1)} instead of a named credential",
                        source.file,
                        number,
                    )
                )
    return results or passed(ALL, f"nothing found in {len(meta.apex)} Apex file(s)")
