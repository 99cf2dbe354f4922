"""Plain-HTTP endpoints in integration code."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary, scan_lines
from leakline.posture.results import Context, Result, Status

URL = re.compile(r"""http://(?P<host>[A-Za-z0-9.\-_]+)[^\s"'<>)]*""")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per http:// URL to a host not in ``ignore_hosts`` (webhooks: code_webhook_without_tls)."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    ignore = tuple(h.lower() for h in ctx.params["ignore_hosts"])
    hints = tuple(ctx.params["webhook_hints"])
    results = []
    for code_file, number, match in scan_lines(files, URL):
        host = match.group("host").lower()
        if host in ignore or host.endswith(tuple("." + h for h in ignore)):
            continue
        if any(h in code_file.lines[number - 1].lower() for h in hints):
            continue
        results.append(
            Result(Status.FAIL, code_file.file, f"plain-HTTP endpoint http://{host}", code_file.file, number)
        )
    return results or code_summary(files, "plain-HTTP endpoint")
