"""Basic authentication or OAuth 1.0 in integration code."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary
from leakline.posture.results import Context, Result, Status

PATTERNS = (
    (re.compile(r"(?i)Authorization['\"]?\s*[:,=]\s*['\"`]?Basic\b"), "HTTP Basic Authorization header"),
    (re.compile(r"\bHTTPBasicAuth\s*\("), "requests HTTPBasicAuth"),
    (re.compile(r"\bOAuth1(?:Session)?\s*\("), "OAuth 1.0 client"),
    (re.compile(r"(?i)\boauth_signature_method\b"), "OAuth 1.0 signature"),
    (re.compile(r"(?i)grant_type['\"]?\s*[:=,]\s*['\"]password['\"]"), "OAuth username-password flow"),
)


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per line using Basic auth, OAuth 1.0 or the OAuth password grant."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    results = []
    for code_file in files:
        for number, line in enumerate(code_file.lines, start=1):
            for pattern, label in PATTERNS:
                if pattern.search(line):
                    results.append(
                        Result(Status.FAIL, code_file.file, f"uses {label}", code_file.file, number)
                    )
                    break
    return results or code_summary(files, "Basic auth or OAuth 1.0 use")
