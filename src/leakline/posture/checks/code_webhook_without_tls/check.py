"""Webhook or callback endpoint without TLS."""

from __future__ import annotations

import re

from leakline.posture.checklib import code_lines, code_summary, scan_lines
from leakline.posture.results import Context, Result, Status

URL = re.compile(r"""http://(?P<host>[A-Za-z0-9.\-_]+)[^\s"'<>)]*""")


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per http:// URL on a line about a webhook or callback (hosts in ``ignore_hosts`` excepted)."""
    files, reason = code_lines(ctx)
    if files is None:
        return reason
    hints = tuple(ctx.params["webhook_hints"])
    ignore = tuple(h.lower() for h in ctx.params["ignore_hosts"])
    results = []
    for code_file, number, match in scan_lines(files, URL):
        if match.group("host").lower() in ignore:
            continue
        if any(h in code_file.lines[number - 1].lower() for h in hints):
            results.append(
                Result(
                    Status.FAIL,
                    code_file.file,
                    f"webhook/callback over plain HTTP to {match.group('host')}",
                    code_file.file,
                    number,
                )
            )
    return results or code_summary(files, "webhook over plain HTTP")
