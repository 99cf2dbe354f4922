"""``leakline selftest``: run every unit's embedded positive and negative examples."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leakline.cli.common import Format, emit, out_console
from leakline.core import jsonio, selftest
from leakline.core.errors import LeaklineError


class SelfTestFailed(LeaklineError):
    exit_code = 1


def run(fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table) -> None:
    """Run all rules', checks', detectors' and jurisdictions' embedded examples."""
    results = selftest.run()
    failed = [r for r in results if not r.ok]
    if fmt == Format.json:
        emit(jsonio.dumps([r.__dict__ for r in results]), None)
    else:
        table = Table("kind", "unit", "result", "detail")
        for r in results:
            if not r.ok:
                table.add_row(r.kind, r.unit_id, "[red]FAIL[/]", r.detail)
        out_console.print(table if failed else "")
        out_console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise SelfTestFailed(f"{len(failed)} unit example(s) failed")


def register(app: typer.Typer) -> None:
    app.command("selftest")(run)
