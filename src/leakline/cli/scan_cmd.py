"""``leakline scan TARGET``: classify the data elements in files, folders and databases.

TARGET: a CSV/TSV/Parquet/JSON/JSONL file, a folder of them, an org folder or case folder
(collected Salesforce records), ``sqlite:///FILE`` or ``postgresql://USER@HOST:PORT/DB``
(password through ``PGPASSWORD``/``.pgpass`` rather than the URL).

JSON output (stable): ``{"source", "summary": {element: rows}, "problems": [...], "tables":
[{"name", "rows", "columns": [{"name", "nonempty", "elements": [{"element", "confidence",
"rows", "hits", "signals", "samples"}]}]}]}``. Samples are masked; raw values never appear.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from leakline.cli.common import Format, OutputOption, emit, err_console, out_console
from leakline.core import jsonio
from leakline.core.errors import UsageError
from leakline.pii.scan import ScanReport, scan_source
from leakline.pii.sources import open_source


def _rows(report: ScanReport, min_confidence: float) -> list[tuple[str, str, str, str, str, str, str]]:
    rows = []
    for table in report.tables:
        for column in table.columns:
            for element in column.elements:
                if element.confidence < min_confidence:
                    continue
                rows.append(
                    (
                        table.name,
                        column.name,
                        element.element,
                        f"{element.confidence:.2f}",
                        str(element.rows),
                        ", ".join(element.signals),
                        ", ".join(element.samples),
                    )
                )
    return rows


_HEADERS = ("table", "column", "element", "confidence", "rows", "signals", "masked samples")


def _markdown(report: ScanReport, min_confidence: float) -> str:
    lines = [f"# Data elements in {report.source}", "", "| " + " | ".join(_HEADERS) + " |"]
    lines.append("|" + "---|" * len(_HEADERS))
    for row in _rows(report, min_confidence):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", "| element | rows |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in report.element_rows(min_confidence).items()]
    return "\n".join(lines)


def scan(
    target: Annotated[str, typer.Argument(help="File, folder, sqlite:///FILE or postgresql://… to scan.")],
    fmt: Annotated[Format, typer.Option("--format", help="table, json or md")] = Format.table,
    output: OutputOption = None,
    min_confidence: Annotated[
        float, typer.Option(help="Hide elements below this confidence in table/md output (JSON keeps all).")
    ] = 0.5,
) -> None:
    """Find personal data and secrets: element ids, confidence, row counts and masked samples."""
    if fmt not in (Format.table, Format.json, Format.md):
        raise UsageError(f"--format {fmt.value} is not supported here", hint="use table, json or md")
    report = scan_source(open_source(target))
    for problem in report.problems:
        err_console.print(f"warning: {problem}", markup=False, highlight=False)
    if fmt == Format.json:
        emit(jsonio.dumps(report.to_dict()), output)
    elif fmt == Format.md or output is not None:
        emit(_markdown(report, min_confidence), output)
    else:
        table = RichTable(*_HEADERS, title=f"Data elements in {report.source}")
        for row in _rows(report, min_confidence):
            table.add_row(*row)
        out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
