"""TLS certificate verification turned off."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary
from leakline.posture.results import Context, Result, Status

PATTERNS = (
    re.compile(r"\bverify\s*=\s*False\b"),
    re.compile(r"(?i)\brejectUnauthorized['\"]?\s*:\s*false\b"),
    re.compile(r"NODE_TLS_REJECT_UNAUTHORIZED['\"]?\s*[=:]\s*['\"]?0"),
    re.compile(r"\bInsecureSkipVerify\s*:\s*true\b"),
    re.compile(r"\b(?:ssl\.)?CERT_NONE\b"),
    re.compile(r"\b_create_unverified_context\b"),
    re.compile(r"ALLOW_ALL_HOSTNAME_VERIFIER|NoopHostnameVerifier|TrustAllCerts|trustAllCerts"),
    re.compile(
        r"(?i)\b(?:ssl[_-]?verify|verify[_-]?ssl|tls[_-]?verify)['\"]?\s*[:=]\s*['\"]?(?:false|0|no)\b"
    ),
)
# One pass per line: the patterns joined, each keeping its own case-insensitivity.
ANY = re.compile(
    "|".join(
        f"(?i:{p.pattern[4:]})" if p.pattern.startswith("(?i)") else f"(?:{p.pattern})" for p in PATTERNS
    )
)


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per line that disables certificate or hostname verification."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    results = []
    for code_file in files:
        for number, line in enumerate(code_file.lines, start=1):
            if ANY.search(line):
                results.append(
                    Result(
                        Status.FAIL,
                        code_file.file,
                        "TLS certificate verification disabled",
                        code_file.file,
                        number,
                    )
                )
    return results or code_summary(files, "disabled TLS verification")
