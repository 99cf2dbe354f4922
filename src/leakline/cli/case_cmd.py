"""``leakline case init|show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leakline.cli.common import CaseOption, Format, clock, emit, err_console, open_case, out_console
from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.clock import iso, parse_utc

case_app = typer.Typer(help="Create and inspect case folders.", no_args_is_help=True)


@case_app.command("init")
def init(
    directory: Annotated[Path, typer.Argument(help="New (or empty) folder for the case.")],
    title: Annotated[str, typer.Option(help="Short case title.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone for local-time display.")] = "UTC",
    case_id: Annotated[str | None, typer.Option("--id", help="Case id (default: folder name + random).")] = None,
    legal_entity: Annotated[str | None, typer.Option(help="Legal entity responsible for the data.")] = None,
    discovered_at: Annotated[
        str | None,
        typer.Option(help="When the organisation became aware of the incident (UTC); starts most notice clocks."),
    ] = None,
) -> None:
    """Create a new case folder with case.yaml, locker/, events/ and reports/."""
    case = Case.init(
        directory,
        title=title,
        clock=clock(),
        timezone=timezone,
        case_id=case_id,
        legal_entity=legal_entity,
        discovered_at=parse_utc(discovered_at, what="--discovered-at") if discovered_at else None,
    )
    err_console.print(f"created case [bold]{case.meta.id}[/] in {directory}")


@case_app.command("show")
def show(
    case: CaseOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Show the case's metadata."""
    opened = open_case(case)
    data = opened.meta.model_dump(mode="json", exclude_none=True)
    if fmt == Format.json:
        emit(jsonio.dumps(data), None)
        return
    table = Table(show_header=False, box=None)
    for key, value in data.items():
        if key == "opened_at":
            value = iso(opened.meta.opened_at)
        table.add_row(f"[bold]{key}[/]", str(value))
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
