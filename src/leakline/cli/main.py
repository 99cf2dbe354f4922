"""Entry point: the ``leakline`` command.

Every stage lives in ``leakline.cli.<stage>`` and exposes ``register(app)``. Errors raised as
``LeaklineError`` are rendered here as one line plus a hint, with the documented exit code;
``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from leakline import __version__
from leakline.cli.common import err_console
from leakline.core.errors import LeaklineError
from leakline.core.registry import UnitLoadError

STAGES = (
    "case",
    "simulate",
    "exercise",
    "emulator",
    "collect",
    "evidence",
    "store",
    "hunt",
    "scope",
    "scan",
    "obligations",
    "posture",
    "contain",
    "report",
    "map",
    "access",
    "demo",
    "selftest",
)

_state = {"debug": False}


class LeaklineGroup(TyperGroup):
    """Top-level group: turns LeaklineError from any sub-command into a one-line message."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LeaklineError as exc:
            if _state["debug"]:
                err_console.print(traceback.format_exc(), markup=False)
            render_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted: partial work is kept; rerun the same command to resume")
            raise typer.Exit(130) from None


def render_error(exc: LeaklineError) -> None:
    """One line (plus hint) for the user; never a traceback unless --debug."""
    err_console.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False, soft_wrap=True)
    if isinstance(exc, UnitLoadError) and len(exc.problems) > 1:
        for problem in exc.problems[1:]:
            err_console.print(f"       {problem}", markup=False, soft_wrap=True)
    if exc.hint:
        err_console.print(f"[dim]hint:[/] {exc.hint}", soft_wrap=True)


app = typer.Typer(
    cls=LeaklineGroup,
    name="leakline",
    help="Incident response for data leaks through Salesforce CRM integrations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leakline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """leakline: from the first alert to the regulator's notice."""
    _state["debug"] = debug


def _register_stages() -> None:
    for stage in STAGES:
        name = f"leakline.cli.{stage}_cmd"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A stage whose CLI module has not landed yet is simply absent.
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_stages()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
