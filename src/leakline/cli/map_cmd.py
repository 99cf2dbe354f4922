"""``leakline map``: inventory of integration surfaces and where their data flows."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leakline.cli.common import CaseOption, OutputOption, clock, emit, err_console, open_case
from leakline.core import jsonio
from leakline.core.errors import FindingsAtThreshold, UsageError
from leakline.core.findings import write_findings
from leakline.core.models import Severity

if TYPE_CHECKING:
    from leakline.flowmap.source import OrgData


class MapFormat(StrEnum):
    json = "json"
    md = "md"
    svg = "svg"
    html = "html"


OrgDirOption = Annotated[
    Path | None,
    typer.Option("--org", help="Org folder (simulator output / offline collection) instead of a case.",
                 show_default=False),
]
MetadataOption = Annotated[
    Path | None,
    typer.Option("--metadata", help="Salesforce metadata folder (default: <org>/metadata).", show_default=False),
]
RevealOption = Annotated[bool, typer.Option("--reveal", help="Show usernames unmasked (journalled in a case).")]


def open_org(case: Path | None, org: Path | None, metadata: Path | None) -> OrgData:
    """The org named by ``--case`` or ``--org`` (exactly one)."""
    # DuckDB, Arrow and the normalizers load only when a map/review command runs.
    from leakline.flowmap.source import load_case, load_org_dir

    if case is not None and org is not None:
        raise UsageError("--case and --org are alternatives", hint="give one of them")
    if org is not None:
        return load_org_dir(org, metadata)
    return load_case(open_case(case), metadata)


def journal_reveal(data: OrgData, command: str) -> None:
    """``--reveal`` on a case is recorded in its journal (who showed unmasked values, when)."""
    if data.case is None:
        return
    from leakline import __version__
    from leakline.contain.engine import operator
    from leakline.core.chainlog import ChainLog
    from leakline.core.clock import iso

    ChainLog(data.case.journal_path).append(
        {"ts": iso(clock().now()), "actor": operator(), "event": "reveal", "command": command,
         "tool": f"leakline {__version__}"}
    )


def map_command(
    case: CaseOption = None,
    org: OrgDirOption = None,
    metadata: MetadataOption = None,
    destinations: Annotated[
        Path | None,
        typer.Option("--destinations", help="Registry of known destinations (YAML: host, country, mechanism).",
                     show_default=False),
    ] = None,
    fmt: Annotated[MapFormat, typer.Option("--format", help="json, md, svg or html")] = MapFormat.md,
    output: OutputOption = None,
    reveal: RevealOption = False,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 if a failed flag at or above this severity exists (e.g. high)."),
    ] = None,
) -> None:
    """Map every integration surface, the objects/fields it reads and writes, and where the data goes."""
    from leakline.flowmap.build import build_map
    from leakline.flowmap.config import load_registry
    from leakline.flowmap.findings import to_findings
    from leakline.flowmap.render import render

    threshold = _severity(fail_on)
    registry = load_registry(destinations)
    data = open_org(case, org, metadata)
    if reveal:
        journal_reveal(data, "map")
    fmap = build_map(data, clock(), registry, reveal=reveal)
    if data.case is not None:
        path = data.case.work_dir / "map.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        jsonio.write(path, fmap.model_dump(mode="json"))
        found = write_findings(data.case, "map", to_findings(fmap))
        err_console.print(f"wrote {path} and {found}")
    failed = sum(1 for _, f in fmap.flags() if f.status == "FAIL")
    err_console.print(f"{len(fmap.surfaces)} surface(s), {failed} flag(s) failed")
    emit(render(fmap, fmt.value), output)
    if threshold is not None:
        worst = [f for _, f in fmap.flags() if f.status == "FAIL" and Severity.parse(f.severity).rank >= threshold.rank]
        if worst:
            raise FindingsAtThreshold(f"{len(worst)} failed map flag(s) at or above {threshold.value}")


def _severity(text: str | None) -> Severity | None:
    if text is None:
        return None
    try:
        return Severity.parse(text)
    except ValueError:
        raise UsageError(f"unknown --fail-on {text!r}", hint="info, low, medium, high or critical") from None


def register(app: typer.Typer) -> None:
    """Add ``leakline map``."""
    app.command("map")(map_command)
