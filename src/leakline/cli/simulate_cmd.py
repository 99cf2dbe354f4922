"""``leakline simulate``: build a seeded synthetic org with attack scenarios and ground truth."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from leakline.cli.common import err_console
from leakline.core.clock import parse_utc
from leakline.core.errors import BadInputError, UsageError
from leakline.simulate import SCENARIOS, SIZES, generate
from leakline.simulate.truth import load

CRM_OBJECTS = ("Account", "Contact", "Lead", "Case", "Opportunity", "Order", "Vendor__c", "Payment__c")


def _end(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value, what="--end")
    except BadInputError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None


def run_simulation(out: Path, seed: int, size: str, scenario: list[str], days: int, end: str | None,
                   noise: float) -> Path:
    """Generate with a Rich progress display and print the summary table (shared with ``exercise``)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as progress:
        task = progress.add_task("simulating", total=None)
        generate(out, seed=seed, size=size, scenarios=scenario, days=days, end=_end(end), noise=noise,
                 progress=lambda msg: progress.update(task, description=msg))
    summary(out)
    return out


def summary(out: Path) -> None:
    """Print what was generated (counts and per-scenario truth), never secrets or PII."""
    meta = json.loads((out / "org.json").read_text(encoding="utf-8"))
    truth = load(out)
    table = Table(title=f"{meta['name']} ({meta['org_id']}) — {meta['window']['start']} → {meta['window']['end']}")
    table.add_column("item")
    table.add_column("count", justify="right")
    records = meta["counts"]["records"]
    events = meta["counts"]["events"]
    crm = sum(records.get(k, 0) for k in CRM_OBJECTS)
    table.add_row("CRM records", f"{crm:,}")
    table.add_row("users", f"{records.get('User', 0):,}")
    table.add_row("ELF events", f"{sum(events.values()):,}")
    table.add_row("ELF files", f"{records.get('EventLogFile', 0):,}")
    for st in truth.scenarios:
        subjects = sum(g.count for g in st.subjects)
        table.add_row(f"scenario {st.name}", f"{len(st.malicious_events):,} malicious rows, {subjects:,} subjects")
    err_console.print(table)
    err_console.print(f"wrote {out}")


def simulate(
    out: Annotated[Path, typer.Option("--out", help="New folder for the simulated org.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed + options = identical files).")] = 1,
    size: Annotated[str, typer.Option(help="small (≈5k records) | medium (≈100k) | large (≈1M).")] = "small",
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Attack scenario (repeatable): "
                                                       + ", ".join(SCENARIOS))] = None,
    days: Annotated[int, typer.Option(help="Days of activity before --end.")] = 14,
    end: Annotated[str | None, typer.Option(help="Window end, UTC (default 2026-03-01T00:00:00Z).")] = None,
    noise: Annotated[float, typer.Option(help="Benign look-alike volume (0 = none, 1 = default).")] = 1.0,
) -> None:
    """Build a seeded synthetic org folder (data, event logs, metadata, ground truth)."""
    if size not in SIZES:
        raise UsageError(f"unknown size {size!r}", hint="use one of: " + ", ".join(SIZES))
    run_simulation(out, seed, size, scenario or [], days, end, noise)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the main app."""
    app.command("simulate")(simulate)
