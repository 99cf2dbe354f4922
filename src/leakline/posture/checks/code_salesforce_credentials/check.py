"""Salesforce credentials hardcoded in integration code."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary, masked
from leakline.posture.results import Context, Result, Status

# key = "literal" where the key names a Salesforce credential; values that are clearly
# references (env lookups, ${VAR}, <placeholder>) are not literals and are skipped.
ASSIGN = re.compile(
    r"""(?ix)(?P<key>\b[\w.-]*(?:sf|sfdc|salesforce|force)[\w.-]*(?:user(?:name)?|pass(?:word|wd)?|token|secret|key)\b
    |\b[\w.-]*security[_.-]?token\b|\b[\w.-]*consumer[_.-]?(?:secret|key)\b)
    ["']?\s*[:=]\s*["']?(?P<value>[^\s"',;)]{6,})"""
)
KWARG = re.compile(
    r"""(?i)\b(?P<key>username|password|security_token|consumer_secret|client_secret)\s*=\s*["'](?P<value>[^"']{6,})["']"""
)
SESSION_ID = re.compile(r"\b00D[0-9A-Za-z]{12,15}![0-9A-Za-z._]{20,}")
PLACEHOLDER = re.compile(
    r"(?i)^(\$\{|<|%|\{\{|os\.|process\.env|env\(|getenv|System\.getenv|changeme|xxx|\*+$)"
)


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per literal Salesforce username, password, security token, consumer secret or session id."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    results = []
    for code_file in files:
        salesforce_file = any(
            "salesforce" in line.lower() or "simple_salesforce" in line for line in code_file.lines[:400]
        )
        for number, line in enumerate(code_file.lines, start=1):
            found = None
            match = ASSIGN.search(line)
            if match is None and salesforce_file:
                match = KWARG.search(line)
            if match is not None and not PLACEHOLDER.match(match.group("value")):
                found = f"{match.group('key')} = {masked(match.group('value'))}"
            session = SESSION_ID.search(line)
            if session is not None:
                found = f"Salesforce session id / access token {masked(session.group(0))}"
            if found:
                results.append(
                    Result(Status.FAIL, code_file.file, f"hardcoded {found}", code_file.file, number)
                )
    return results or code_summary(files, "hardcoded Salesforce credential")
