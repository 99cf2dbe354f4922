"""``leakline demo``: the whole job end to end on a simulated org and a local emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leakline.cli.common import err_console, out_console


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the org, the case and the reports.")] = Path("demo-out"),
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 7,
    size: Annotated[str, typer.Option(help="small, medium or large.")] = "small",
    days: Annotated[int, typer.Option(help="Days of simulated activity.")] = 14,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render the executive report as PDF.")] = True,
) -> None:
    """Simulate a stolen integration token, then collect, hunt, scope, obligate, contain and report."""
    from leakline.demo.run import run_demo

    with err_console.status("starting") as status:
        result = run_demo(out, seed=seed, size=size, days=days, pdf=pdf, step=lambda name: status.update(f"[bold]{name}[/] …"))
    table = Table("stage", "seconds", "result", title="leakline demo")
    for s in result.stages:
        table.add_row(s.name, f"{s.seconds:.1f}", s.detail)
    out_console.print(table)
    reports = Table("report", title="reports")
    for path in result.reports:
        reports.add_row(str(path))
    out_console.print(reports)
    total = sum(s.seconds for s in result.stages)
    err_console.print(f"done in {total:.0f} s — open {out / 'case' / 'reports' / 'technical.html'}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
