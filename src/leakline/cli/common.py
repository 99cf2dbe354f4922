"""Shared CLI pieces: console, common options, output writing, case resolution."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leakline.core.case import Case
from leakline.core.clock import Clock, SystemClock

# Messages, progress and tables go to stderr; machine output (--format json …) goes to stdout.
err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False, soft_wrap=True)

CaseOption = Annotated[
    Path | None,
    typer.Option(
        "--case",
        help="Case folder (default: $LEAKLINE_CASE, else the current folder if it holds case.yaml).",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.", show_default=False)
]


class Format(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"
    sarif = "sarif"
    ics = "ics"
    csv = "csv"


def clock() -> Clock:
    """The CLI's clock (``LEAKLINE_NOW`` pins it for reproducible runs)."""
    return SystemClock()


def open_case(option: Path | None) -> Case:
    """Resolve and open the case named by ``--case`` / env / cwd."""
    return Case.resolve(option)


def emit(text: str, output: Path | None) -> None:
    """Write machine output to ``output`` or stdout."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        err_console.print(f"wrote {output}")
