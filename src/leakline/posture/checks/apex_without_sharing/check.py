"""Apex classes declared without sharing."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status

WITHOUT = re.compile(r"(?i)\bwithout\s+sharing\b")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per class declaration with ``without sharing``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.apex:
        return not_evaluated("(apex)", "no Apex classes or triggers in the metadata")
    results: list[Result] = []
    for source in meta.apex:
        for number, line in enumerate(source.lines, start=1):
            if WITHOUT.search(line):
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        "declared without sharing: runs with access to every record",
                        source.file,
                        number,
                    )
                )
    return results or passed(ALL, f"nothing found in {len(meta.apex)} Apex file(s)")
