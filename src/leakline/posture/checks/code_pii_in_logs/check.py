"""Personal data fields written to logs."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary
from leakline.posture.results import Context, Result, Status

LOG_CALL = re.compile(
    r"(?i)\b(?:log(?:ger)?\.(?:debug|info|warn|warning|error|exception|critical|trace|fatal)|console\.(?:log|info|warn|error|debug)"
    r"|System\.debug|print|println|printf|logging\.(?:debug|info|warning|error|exception|critical))\s*\("
)
FIELD_REF = re.compile(
    r"""\.(?P<a>[A-Za-z_]\w*)|\[\s*['"](?P<b>[A-Za-z_]\w*)['"]\s*\]|\b(?P<c>[A-Za-z_]\w*__c)\b"""
)


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per log call whose arguments read a field matched to one of ``log_elements``."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    from leakline.posture.checklib import pii_elements

    wanted = set(ctx.params["log_elements"])
    results = []
    for code_file in files:
        for number, line in enumerate(code_file.lines, start=1):
            call = LOG_CALL.search(line)
            if call is None:
                continue
            hits = []
            for ref in FIELD_REF.finditer(line, call.end()):
                name = ref.group("a") or ref.group("b") or ref.group("c")
                found = [e for e in pii_elements(name, None, sensitive_only=False) if e in wanted]
                if found and name not in hits:
                    hits.append(name)
            if hits:
                results.append(
                    Result(
                        Status.FAIL,
                        code_file.file,
                        f"logs personal data field(s) {', '.join(hits)}",
                        code_file.file,
                        number,
                    )
                )
    return results or code_summary(files, "personal data written to logs")
