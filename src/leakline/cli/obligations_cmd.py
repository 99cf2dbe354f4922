"""``leakline obligations`` and ``leakline notices draft|lint``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.table import Table

from leakline.cli.common import (
    CaseOption,
    Format,
    OutputOption,
    clock,
    emit,
    err_console,
    open_case,
    out_console,
)
from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.clock import parse_utc
from leakline.core.errors import FindingsAtThreshold, UsageError
from leakline.notify.engine import (
    NOT_LEGAL_ADVICE,
    Context,
    ObligationResult,
    countdown,
    evaluate,
    to_document,
)
from leakline.notify.exposure import estimate
from leakline.notify.ics import to_ics
from leakline.notify.notices import draft_notices, lint_file
from leakline.notify.subjects import SubjectRow, read_subjects

SCOPE_CSV = Path("work/scope/subjects_by_jurisdiction.csv")

SubjectsOption = Annotated[
    Path | None,
    typer.Option(
        "--subjects", help="CSV: residence,elements,encrypted,key_compromised,count.", show_default=False
    ),
]
DiscoveredOption = Annotated[
    str | None,
    typer.Option(
        "--discovered-at", help="When the breach was discovered (ISO-8601, UTC).", show_default=False
    ),
]
EstablishmentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--establishment", help="Where the organisation is established (EU, UK, US, DE …); repeatable."
    ),
]
SectorOption = Annotated[
    list[str] | None,
    typer.Option("--sector", help="health | financial | public-company | critical-entity; repeatable."),
]
TimezoneOption = Annotated[
    str | None, typer.Option("--timezone", help="IANA zone for local times (default: the case's, else UTC).")
]


@dataclass
class _Inputs:
    rows: list[SubjectRow]
    ctx: Context
    case: Case | None


def _inputs(
    case_opt: Path | None,
    subjects: Path | None,
    discovered_at: str | None,
    establishment: list[str] | None,
    sectors: list[str] | None,
    timezone: str | None,
) -> _Inputs:
    case: Case | None = None
    if subjects is None or case_opt is not None:
        case = open_case(case_opt)
    if subjects is None:
        assert case is not None  # open_case raises when no case resolves
        subjects = case.root / SCOPE_CSV
        if not subjects.is_file():
            raise UsageError(
                f"no subject counts at {subjects}",
                hint="run `leakline scope` for this case first (it writes work/scope/subjects_by_jurisdiction.csv), "
                "or pass --subjects FILE.csv",
            )
    when = discovered_at
    if when is None and case is not None and case.meta.discovered_at is not None:
        found = parse_utc(case.meta.discovered_at.isoformat())
    elif when is None:
        raise UsageError("the discovery time is unknown", hint="pass --discovered-at 2026-03-02T09:00:00Z")
    else:
        found = parse_utc(when, what="--discovered-at")
    zone_name = timezone or (case.meta.timezone if case is not None else "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {zone_name!r}", hint="use an IANA name such as Europe/Berlin"
        ) from None
    ctx = Context(found, frozenset(establishment or ()), frozenset(sectors or ()), zone)
    return _Inputs(read_subjects(subjects), ctx, case)


def _turnover(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise UsageError(f"--turnover {value!r} is not a number (EUR)") from None
    if amount < 0:
        raise UsageError("--turnover must not be negative")
    return amount


def _table(
    results: list[ObligationResult], exposure: dict[str, object], now_rows: list[dict[str, str]]
) -> None:
    table = Table(title="Notification obligations", show_lines=False)
    for column in (
        "status",
        "regime",
        "audience",
        "step",
        "deadline (UTC)",
        "local",
        "affected",
        "why / question",
    ):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(
            r.status,
            r.regime,
            r.audience,
            r.step,
            r.deadline_utc.strftime("%Y-%m-%d %H:%M") if r.deadline_utc else r.deadline_text[:40],
            r.deadline_local or "",
            str(r.affected),
            r.question or r.reason,
        )
    out_console.print(table)
    clock_table = Table(title="Countdown")
    for column in ("regime", "step", "status", "deadline (UTC)", "remaining"):
        clock_table.add_column(column, overflow="fold")
    for row in now_rows:
        clock_table.add_row(row["regime"], row["step"], row["status"], row["deadline_utc"], row["remaining"])
    out_console.print(clock_table)
    exp = Table(title=str(exposure["label"]))
    for column in ("provision", "citation", "low", "high", "basis"):
        exp.add_column(column, overflow="fold")
    lines = exposure["lines"]
    assert isinstance(lines, list)  # built by estimate()
    for line in lines:
        exp.add_row(
            line["label"],
            line["citation"],
            f"{line['currency']} {line['low']}",
            f"{line['currency']} {line['high']}",
            line["basis"],
        )
    out_console.print(exp)
    err_console.print(NOT_LEGAL_ADVICE)


def obligations(
    case: CaseOption = None,
    subjects: SubjectsOption = None,
    discovered_at: DiscoveredOption = None,
    establishment: EstablishmentOption = None,
    sector: SectorOption = None,
    timezone: TimezoneOption = None,
    turnover: Annotated[
        str | None, typer.Option("--turnover", help="Worldwide annual turnover in EUR (GDPR maxima).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or ics")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Who must be told what, by when (counts from the case's scope, or from --subjects)."""
    if fmt not in (Format.table, Format.json, Format.ics):
        raise UsageError(f"--format {fmt.value} is not supported here", hint="use table, json or ics")
    inputs = _inputs(case, subjects, discovered_at, establishment, sector, timezone)
    results = evaluate(inputs.rows, inputs.ctx)
    exposure = estimate(inputs.rows, _turnover(turnover))
    document = to_document(results, inputs.ctx) | {"exposure": exposure}
    if inputs.case is not None:
        jsonio.write(inputs.case.work_dir / "obligations.json", document)
    now = clock().now()
    if fmt == Format.json:
        emit(jsonio.dumps(document), output)
    elif fmt == Format.ics:
        emit(to_ics(results, now, inputs.case.meta.id if inputs.case else "leakline"), output)
    else:
        _table(results, exposure, countdown(results, now))


notices_app = typer.Typer(help="Draft notices for counsel and lint them.", no_args_is_help=True)


@notices_app.command("draft")
def draft(
    out: Annotated[Path, typer.Option("--out", help="Folder for the drafts.")],
    case: CaseOption = None,
    subjects: SubjectsOption = None,
    discovered_at: DiscoveredOption = None,
    establishment: EstablishmentOption = None,
    sector: SectorOption = None,
    timezone: TimezoneOption = None,
) -> None:
    """Write Markdown drafts (individual notices, regulator/AG letters, holding statement)."""
    inputs = _inputs(case, subjects, discovered_at, establishment, sector, timezone)
    results = evaluate(inputs.rows, inputs.ctx)
    written = draft_notices(results, inputs.rows, inputs.ctx, out)
    err_console.print(f"wrote {len(written)} draft(s) to {out} — placeholders [[COUNSEL: …]] need counsel")


@notices_app.command("lint")
def lint(files: Annotated[list[Path], typer.Argument(help="Draft files to check.")]) -> None:
    """Check drafts for required headings and admission phrases (exit 1 on any error)."""
    errors = 0
    for path in files:
        for problem in lint_file(path):
            errors += problem.severity == "error"
            err_console.print(str(problem), markup=False, soft_wrap=True)
    if errors:
        raise FindingsAtThreshold(f"{errors} error(s) in {len(files)} draft(s)")
    err_console.print(f"{len(files)} draft(s): no errors")


def register(app: typer.Typer) -> None:
    """Add ``obligations`` and ``notices`` to the main app."""
    app.command("obligations")(obligations)
    app.add_typer(notices_app, name="notices")
