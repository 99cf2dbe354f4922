"""Salesforce credentials hardcoded in integration code."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary, masked, tokens
from leakline.posture.results import Context, Result, Status

# ``key = value`` where the key names a Salesforce credential. In code files only quoted literals
# count (``password = settings.PASSWORD`` is a reference); in config files (.env, .properties, YAML…)
# unquoted values are literals too. Obvious references (${VAR}, <placeholder>, env lookups) are skipped.
ASSIGN = re.compile(r"(?P<key>[A-Za-z_][\w.-]*)[\"']?\s*[:=]\s*(?P<quote>[\"']?)(?P<value>[^\s\"',;)]{6,})")
KWARG = re.compile(
    r"(?i)\b(?P<key>username|password|security_token|consumer_secret|client_secret)\s*=\s*[\"'](?P<value>[^\"']{6,})[\"']"
)
SESSION_ID = re.compile(r"\b00D[0-9A-Za-z]{12,15}![0-9A-Za-z._]{20,}")
PLACEHOLDER = re.compile(
    r"(?i)^(\$\{|<|%|\{\{|os\.|process\.env|env\(|getenv|System\.getenv|changeme|xxx|\*+$)"
)
# Cheap first pass: a line can only hold a finding if it mentions one of these.
HINT = re.compile(r"(?i)sf|salesforce|force|token|secret|consumer|user|pass|00D")
CONFIG_SUFFIXES = frozenset({".env", ".properties", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".toml"})
ORG_WORDS = frozenset({"sf", "sfdc", "salesforce", "force"})
SECRET_WORDS = ("user", "pass", "token", "secret", "key")


def _salesforce_key(key: str) -> bool:
    parts = tokens(key.replace(".", "_").replace("-", "_"))
    if any(p in ORG_WORDS for p in parts) and any(p.startswith(SECRET_WORDS) for p in parts):
        return True
    joined = "_".join(parts)
    return "security_token" in joined or "consumer_secret" in joined or "consumer_key" in joined


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per literal Salesforce username, password, security token, consumer secret or session id."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    results = []
    for code_file in files:
        config = code_file.suffix in CONFIG_SUFFIXES
        salesforce_file = any("salesforce" in line.lower() for line in code_file.lines[:400])
        for number, line in enumerate(code_file.lines, start=1):
            if not HINT.search(line):
                continue
            found = None
            for match in ASSIGN.finditer(line):
                literal = config or bool(match.group("quote"))
                if (
                    literal
                    and _salesforce_key(match.group("key"))
                    and not PLACEHOLDER.match(match.group("value"))
                ):
                    found = f"{match.group('key')} = {masked(match.group('value'))}"
                    break
            if found is None and salesforce_file and (kwarg := KWARG.search(line)) is not None:
                if not PLACEHOLDER.match(kwarg.group("value")):
                    found = f"{kwarg.group('key')} = {masked(kwarg.group('value'))}"
            session = SESSION_ID.search(line)
            if session is not None:
                found = f"Salesforce session id / access token {masked(session.group(0))}"
            if found:
                results.append(
                    Result(Status.FAIL, code_file.file, f"hardcoded {found}", code_file.file, number)
                )
    return results or code_summary(files, "hardcoded Salesforce credential")
