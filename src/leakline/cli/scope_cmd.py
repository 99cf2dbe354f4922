"""``leakline scope --case DIR``: what was exposed, whose data, where they live."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leakline.cli.common import CaseOption, Format, OutputOption, emit, err_console, open_case, out_console
from leakline.core import jsonio
from leakline.core.errors import UsageError
from leakline.core.models import Severity
from leakline.scope.service import ScopeResult, load_org_snapshot, run_scope

_HEADERS = ("object", "fields", "records", "logged", "estimated", "basis", "users", "apps")


def _rows(result: ScopeResult) -> list[tuple[str, ...]]:
    return [
        (
            e.object,
            str(len(e.fields)),
            str(len(e.record_ids)),
            str(len(e.logged)),
            str(len(e.estimated)),
            ", ".join(sorted(e.bases)),
            str(len(e.users)),
            ", ".join(sorted(e.apps)),
        )
        for _, e in sorted(result.exposures.items())
    ]


def _summary(result: ScopeResult) -> dict[str, object]:
    return {
        "exposure": [dict(zip(_HEADERS, row, strict=True)) for row in _rows(result)],
        "subjects": [
            {"residence": r, "elements": ";".join(el), "count": c}
            for (r, el), c in result.subjects.groups().items()
        ],
        "unattributed_records": result.subjects.unattributed_records,
        "outputs": str(result.folder),
    }


def scope(
    case: CaseOption = None,
    org: Annotated[
        Path | None,
        typer.Option(help="Org folder to use as the snapshot (default: records collected into the case)."),
    ] = None,
    min_severity: Annotated[
        str, typer.Option(help="Only hunt findings at or above this severity make events suspect.")
    ] = "low",
    fmt: Annotated[Format, typer.Option("--format", help="table, json or md")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Exposed objects, fields and records per hunt findings; subjects by jurisdiction × element."""
    if fmt not in (Format.table, Format.json, Format.md):
        raise UsageError(f"--format {fmt.value} is not supported here", hint="use table, json or md")
    try:
        threshold = Severity.parse(min_severity)
    except ValueError:
        raise UsageError(
            f"unknown severity {min_severity!r}", hint="info, low, medium, high or critical"
        ) from None
    opened = open_case(case)
    snapshot = load_org_snapshot(org) if org is not None else None
    result = run_scope(opened, snapshot, min_severity=threshold)
    err_console.print(f"wrote scope tables, subject counts and the encrypted subject list to {result.folder}")
    if fmt == Format.json:
        emit(jsonio.dumps(_summary(result)), output)
        return
    if fmt == Format.md or output is not None:
        lines = ["| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)]
        lines += ["| " + " | ".join(row) + " |" for row in _rows(result)]
        lines += ["", "| residence | elements | count |", "|---|---|---|"]
        lines += [f"| {r} | {';'.join(el)} | {c} |" for (r, el), c in result.subjects.groups().items()]
        emit("\n".join(lines), output)
        return
    table = Table(*_HEADERS, title="Exposure (estimated = re-derived from the query filter on the snapshot)")
    for row in _rows(result):
        table.add_row(*row)
    out_console.print(table)
    subjects = Table("residence", "elements", "count", title="Affected subjects")
    for (residence, elements), count in result.subjects.groups().items():
        subjects.add_row(residence, ";".join(elements), str(count))
    out_console.print(subjects)


def register(app: typer.Typer) -> None:
    app.command("scope")(scope)
