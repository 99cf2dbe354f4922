"""Cloud keys and other secrets hardcoded in code or config."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary, masked
from leakline.posture.results import Context, Result, Status

AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
# a 40-character AWS-style secret in quotes, accepted only with "secret" nearby (same or previous 2 lines)
AWS_SECRET = re.compile(r"""["'](?P<value>[A-Za-z0-9/+]{40})["']""")
PRIVATE_KEY = re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")
GENERIC = re.compile(
    r"""(?i)\b(?:api[_-]?key|client[_-]?secret|secret[_-]?key|access[_-]?token|auth[_-]?token)["']?\s*[:=]\s*["'](?P<value>[A-Za-z0-9_\-./+=]{16,})["']"""
)


def _mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per AWS key id, AWS-style secret, private key block or generic key/secret literal."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    results = []
    for code_file in files:
        for number, line in enumerate(code_file.lines, start=1):
            context = " ".join(code_file.lines[max(0, number - 3) : number]).lower()
            if (match := AWS_KEY_ID.search(line)) is not None:
                results.append(
                    Result(
                        Status.FAIL,
                        code_file.file,
                        f"AWS access key id {masked(match.group(0))}",
                        code_file.file,
                        number,
                    )
                )
            elif (
                (match := AWS_SECRET.search(line)) is not None
                and "secret" in context
                and _mixed(match.group("value"))
            ):
                results.append(
                    Result(
                        Status.FAIL,
                        code_file.file,
                        f"AWS-style secret key {masked(match.group('value'))}",
                        code_file.file,
                        number,
                    )
                )
            elif PRIVATE_KEY.search(line):
                results.append(
                    Result(Status.FAIL, code_file.file, "private key block", code_file.file, number)
                )
            elif (match := GENERIC.search(line)) is not None:
                results.append(
                    Result(
                        Status.FAIL,
                        code_file.file,
                        f"secret literal {masked(match.group('value'))}",
                        code_file.file,
                        number,
                    )
                )
    return results or code_summary(files, "hardcoded secret")
