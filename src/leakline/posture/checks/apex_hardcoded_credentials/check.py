"""Credentials hardcoded in Apex."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status

AUTH_HEADER = re.compile(r"(?i)setHeader\(\s*'Authorization'\s*,\s*'(Basic|Bearer)\b")
SECRET_LITERAL = re.compile(r"(?i)\b\w*(password|passwd|secret|token|api_?key)\w*\s*=\s*'[^']{6,}'")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per line that sets an Authorization header or a password/secret/token from a string literal."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.apex:
        return not_evaluated("(apex)", "no Apex classes or triggers in the metadata")
    results: list[Result] = []
    for source in meta.apex:
        for number, line in enumerate(source.lines, start=1):
            if AUTH_HEADER.search(line) or SECRET_LITERAL.search(line):
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        "credential in a string literal (value not shown)",
                        source.file,
                        number,
                    )
                )
    return results or passed(ALL, f"nothing found in {len(meta.apex)} Apex file(s)")
