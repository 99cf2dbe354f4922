"""``leakline report``: reports for each audience as HTML, PDF, JSON or Markdown."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leakline.cli.common import CaseOption, clock, err_console, open_case
from leakline.core.case import Case
from leakline.core.errors import UsageError
from leakline.report.build import AUDIENCES, CaseView, build_report, load_view
from leakline.report.render import render_html, render_json, render_md, render_pdf


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"
    md = "md"


def write_report(
    case: Case, audience: str, fmt: str, output: Path | None, *, reveal: bool = False, view: CaseView | None = None
) -> Path:
    """Build and write one report; returns its path (default: case/reports/<audience>.<fmt>)."""
    if audience not in AUDIENCES:
        raise UsageError(f"unknown audience {audience!r}", hint=f"one of: {', '.join(AUDIENCES)}")
    report = build_report(case, audience, clock(), reveal=reveal, view=view)
    path = output or case.reports_dir / f"{audience}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        render_pdf(report, path, reveal=reveal)
        return path
    text = {"html": render_html(report, reveal=reveal), "json": render_json(report), "md": render_md(report)}[fmt]
    path.write_text(text, encoding="utf-8")
    return path


def report(
    case: CaseOption = None,
    audience: Annotated[
        list[str] | None, typer.Option("--audience", "-a", help="exec, counsel, regulator, auditor, technical (repeatable; default all).")
    ] = None,
    fmt: Annotated[list[ReportFormat] | None, typer.Option("--format", "-f", help="html, pdf, json, md (repeatable; default html+json).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (only with one audience and one format).")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show unmasked values (journalled). Avoid for shared reports.")] = False,
) -> None:
    """Write reports into the case's reports/ folder (masked values only unless --reveal)."""
    opened = open_case(case)
    audiences = audience or list(AUDIENCES)
    formats = [f.value for f in fmt] if fmt else ["html", "json"]
    if output is not None and (len(audiences) != 1 or len(formats) != 1):
        raise UsageError("--output needs exactly one --audience and one --format")
    for name in audiences:
        if name not in AUDIENCES:
            raise UsageError(f"unknown audience {name!r}", hint=f"one of: {', '.join(AUDIENCES)}")
    view = load_view(opened)
    for name in audiences:
        for kind in formats:
            path = write_report(opened, name, kind, output, reveal=reveal, view=view)
            err_console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
