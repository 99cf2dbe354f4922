"""Dynamic SOQL built from input (SOQL injection)."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status

QUERY_CALL = re.compile(r"(?i)\b(Database\.(query|countQuery|getQueryLocator)|Search\.query)\s*\(")
CONCAT = re.compile(r"'\s*\+\s*[A-Za-z_]\w*")
QUERY_WORDS = re.compile(r"(?i)'\s*(SELECT|FIND)\b.*\bWHERE\b")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per Database.query/countQuery/Search.query whose string is concatenated without escaping or binding."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.apex:
        return not_evaluated("(apex)", "no Apex classes or triggers in the metadata")
    results: list[Result] = []
    for source in meta.apex:
        for number, line in enumerate(source.lines, start=1):
            if QUERY_CALL.search(line) and "+" in line and "escapeSingleQuotes" not in line:
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        "dynamic query concatenates a value without escaping",
                        source.file,
                        number,
                    )
                )
            elif CONCAT.search(line) and "escapeSingleQuotes" not in line and QUERY_WORDS.search(line):
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        "query string built by concatenating a value without escaping",
                        source.file,
                        number,
                    )
                )
    return results or passed(ALL, f"nothing found in {len(meta.apex)} Apex file(s)")
