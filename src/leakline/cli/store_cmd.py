"""``leakline store rebuild|stats``: the derived event store of a case."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from leakline.cli.common import CaseOption, Format, OutputOption, emit, err_console, open_case, out_console
from leakline.core import jsonio
from leakline.core.clock import iso

store_app = typer.Typer(help="Normalised events (Parquet + DuckDB) derived from the evidence locker.")


def _locker(case: Any) -> Any:
    from leakline.evidence import Locker

    return Locker.open(case)


@store_app.command("rebuild")
def rebuild(case: CaseOption = None) -> None:
    """Delete events/ and re-normalise every object in the locker."""
    from leakline.store import EventStore

    opened = open_case(case)
    store = EventStore(opened)
    results = store.rebuild(_locker(opened))
    events = sum(r.events for r in results)
    failed = [r for r in results if r.error]
    problems = sum(len(r.problems) for r in results)
    err_console.print(
        f"rebuilt the event store: {events:,} events from {len(results) - len(failed)} evidence objects"
        + (f", {problems} bad rows (see: leakline store stats)" if problems else "")
    )
    for r in failed:
        err_console.print(f"[yellow]not loaded:[/] {r.error}", markup=True, soft_wrap=True)


@store_app.command("stats")
def stats(
    case: CaseOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Events per source and type, snapshot objects, and every row that could not be loaded."""
    from leakline.store import EventStore

    data = EventStore(open_case(case)).stats()
    if fmt == Format.json:
        emit(jsonio.dumps(asdict(data)), output)
        return
    table = Table(title="events")
    for col in ("source", "event_type", "rows", "first", "last"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    for row in data.events:
        table.add_row(
            row["source"], row["event_type"], f"{row['rows']:,}", _when(row["first"]), _when(row["last"])
        )
    out_console.print(table)
    out_console.print(
        f"{data.events_total:,} events ({data.duplicates_dropped:,} re-delivered duplicates dropped); "
        f"{data.evidence_ingested} evidence objects loaded"
    )
    if data.objects:
        out_console.print("snapshot objects: " + ", ".join(f"{k} {v:,}" for k, v in data.objects.items()))
    for failed in data.evidence_failed:
        out_console.print(f"not loaded: {failed['error']}", markup=False, soft_wrap=True)
    for problem in data.problems:
        out_console.print(f"bad row: {problem}", markup=False, soft_wrap=True)


def _when(value: datetime | None) -> str:
    return iso(value) if value is not None else ""


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
