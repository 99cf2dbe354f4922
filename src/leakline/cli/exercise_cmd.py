"""``leakline exercise new``: a tabletop exercise pack built on a simulated org."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leakline.cli.common import err_console
from leakline.cli.simulate_cmd import _end
from leakline.simulate import SCENARIOS
from leakline.simulate.exercise import new_pack

exercise_app = typer.Typer(help="Tabletop exercise packs.", no_args_is_help=True)


@exercise_app.command("new")
def new(
    out: Annotated[Path, typer.Option("--out", help="New folder for the pack.")],
    scenario: Annotated[list[str], typer.Option("--scenario", help="Scenario (repeatable): " + ", ".join(SCENARIOS))],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    size: Annotated[str, typer.Option(help="small | medium | large.")] = "small",
    days: Annotated[int, typer.Option(help="Days of activity.")] = 14,
    end: Annotated[str | None, typer.Option(help="Window end, UTC.")] = None,
) -> None:
    """Create the simulated org, a facilitator sheet (timed injects, expected decisions) and handouts."""
    with err_console.status("building exercise pack"):
        new_pack(out, scenarios=scenario, seed=seed, size=size, days=days, end=_end(end))
    err_console.print(f"wrote {out}/facilitator.md, {out}/handouts/ and {out}/org/")


def register(app: typer.Typer) -> None:
    """Add ``exercise`` to the main app."""
    app.add_typer(exercise_app, name="exercise")
