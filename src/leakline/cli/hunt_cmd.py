"""``leakline hunt``, ``leakline rules list|show|test`` and ``leakline eval``.

``hunt`` JSON output (stable): ``{"findings": [Finding...], "clusters": [{"id", "severity",
"first_seen", "last_seen", "findings", "rules", "entities", "timeline": [{"ts", "until",
"finding_id", "rule_id", "severity", "title"}]}], "rules": [{"rule_id", "status", "findings",
"reason", "seconds"}]}``. Findings go to ``work/findings/hunt.jsonl`` and clusters to
``work/hunt_clusters.json`` whatever the output format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leakline.cli.common import CaseOption, Format, OutputOption, emit, err_console, open_case, out_console
from leakline.core import jsonio
from leakline.core.clock import parse_utc
from leakline.core.errors import FindingsAtThreshold, LeaklineError, UsageError
from leakline.core.models import Severity

hunt_app = typer.Typer(
    name="hunt",
    help="Run the detection rules over the case's events; manage IOCs.",
    invoke_without_command=True,
    no_args_is_help=False,
)
rules_app = typer.Typer(name="rules", help="List, show and test detection rules.", no_args_is_help=True)
iocs_app = typer.Typer(name="iocs", help="Indicators of compromise used by the hunt.", no_args_is_help=True)
hunt_app.add_typer(iocs_app)


def _check_format(fmt: Format) -> None:
    if fmt not in (Format.table, Format.json):
        raise UsageError(f"--format {fmt.value} is not supported here", hint="use table or json")


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


@hunt_app.callback()
def hunt(
    ctx: typer.Context,
    case: CaseOption = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Comma-separated rule ids (default: all).")] = None,
    since: Annotated[str | None, typer.Option(help="Only events at or after this UTC time (ISO-8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Only events before this UTC time (ISO-8601).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Override a rule parameter: RULE.NAME=VALUE (repeatable).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="Exit 1 if a finding has at least this severity.")
    ] = None,
) -> None:
    """Hunt the case's events with every rule (or --rules); write findings and clusters."""
    if ctx.invoked_subcommand is not None:
        return
    from leakline.hunt.rules import load_rules, parse_param_overrides, select_rules
    from leakline.hunt.service import hunt_case

    _check_format(fmt)
    threshold = _severity(fail_on) if fail_on else None
    start = parse_utc(since, what="--since") if since else None
    end = parse_utc(until, what="--until") if until else None
    if start and end and start >= end:
        raise UsageError("--since must be before --until")
    opened = open_case(case)
    units = load_rules()
    overrides = parse_param_overrides(param or [], units)
    chosen = select_rules(units, _split(rules))
    done = hunt_case(opened, chosen, overrides=overrides, since=start, until=end)
    findings = done.result.findings
    for run in done.result.runs:
        if run.status != "ok":
            err_console.print(f"{run.rule_id}: {run.status.upper()} ({run.reason})", markup=False)
    if fmt == Format.json:
        payload = {
            "findings": [f.model_dump(mode="python") for f in findings],
            "clusters": done.clusters,
            "rules": [run.__dict__ for run in done.result.runs],
        }
        emit(jsonio.dumps(payload), output)
    else:
        table = Table("severity", "rule", "first seen", "title", "evidence rows", title="Hunt findings")
        for f in sorted(findings, key=lambda x: (-x.severity.rank, x.first_seen or x.last_seen or 0, x.id)):
            rows = sum(len(ref.rows) for ref in f.evidence)
            first = jsonio.dumps(f.first_seen).strip('"') if f.first_seen else "-"
            table.add_row(f.severity.value, f.rule_id, first, f.title, str(rows))
        out_console.print(table)
        out_console.print(
            f"{len(findings)} finding(s) in {len(done.clusters)} cluster(s); "
            f"findings: {done.findings_path}; clusters: {done.clusters_path}",
            markup=False,
        )
    if threshold is not None:
        hits = [f for f in findings if f.severity.rank >= threshold.rank]
        if hits:
            raise FindingsAtThreshold(f"{len(hits)} finding(s) at or above {threshold.value}")


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError:
        raise UsageError(
            f"unknown severity {text!r}", hint="use one of: " + ", ".join(s.value for s in Severity)
        ) from None


@iocs_app.command("import")
def iocs_import(
    file: Annotated[Path, typer.Argument(help="CSV (value[,kind,tags,campaign,source]), STIX 2.1 bundle or Tor list.")],
    case: CaseOption = None,
    kind: Annotated[str, typer.Option("--kind", help="auto, csv, stix or tor")] = "auto",
    name: Annotated[str | None, typer.Option(help="Name of the stored list (default: file stem).")] = None,
) -> None:
    """Import indicators into the case (kept under work/iocs/, used by every later hunt)."""
    from leakline.hunt.iocs import import_file

    stored, count = import_file(open_case(case), file, kind, name)
    err_console.print(f"imported {count} indicator(s) into {stored}", markup=False)


@iocs_app.command("list")
def iocs_list(
    case: CaseOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Shipped and imported indicators."""
    from leakline.hunt.iocs import all_iocs

    _check_format(fmt)
    entries = all_iocs(open_case(case))
    if fmt == Format.json:
        emit(jsonio.dumps([e.model_dump(mode="json") for e in entries]), output)
        return
    table = Table("kind", "value", "tags", "campaign", "reviewed", "source")
    for e in entries:
        table.add_row(e.kind, e.value, ",".join(e.tags), e.campaign or "-", str(e.reviewed or "-"), e.source)
    out_console.print(table)


@rules_app.command("list")
def rules_list(
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Every rule with severity, MITRE techniques and the event types it needs."""
    from leakline.hunt.rules import load_rules

    _check_format(fmt)
    units = load_rules()
    if fmt == Format.json:
        emit(
            jsonio.dumps(
                [
                    {
                        "id": u.id,
                        "title": u.model.title,
                        "severity": u.model.severity.value,
                        "mitre": u.model.mitre,
                        "event_types": u.model.event_types,
                    }
                    for u in units
                ]
            ),
            output,
        )
        return
    table = Table("id", "severity", "mitre", "title")
    for u in units:
        table.add_row(u.id, u.model.severity.value, ",".join(u.model.mitre), u.model.title)
    out_console.print(table)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id (file stem).")],
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
) -> None:
    """One rule in full: metadata, parameters with reasons, SQL."""
    from leakline.hunt.rules import load_rules, select_rules

    _check_format(fmt)
    unit = select_rules(load_rules(), [rule_id])[0]
    rule = unit.model
    if fmt == Format.json:
        emit(jsonio.dumps({"id": unit.id, **rule.model_dump(mode="json", exclude={"examples"})}), output)
        return
    lines = [
        f"{unit.id}: {rule.title}",
        f"severity: {rule.severity.value}   mitre: {', '.join(rule.mitre)}",
        f"sources: {', '.join(rule.sources)}   event types: {', '.join(rule.event_types)}",
        "",
        rule.description,
        "",
        "parameters:",
        *[f"  {name} = {p.default!r}  ({p.reason})" for name, p in rule.parameters.items()],
        "",
        "sql:",
        rule.sql,
        f"examples: {len(rule.examples)} (run: leakline rules test {unit.id})",
    ]
    emit("\n".join(lines), output)


class RuleTestFailed(LeaklineError):
    """A rule's examples did not give the expected findings (exit 1)."""

    exit_code = 1


@rules_app.command("test")
def rules_test(rule_id: Annotated[str | None, typer.Argument(help="Rule id (default: all).")] = None) -> None:
    """Run rules' embedded examples and compare the findings exactly."""
    from leakline.hunt.examples import check_rule
    from leakline.hunt.rules import load_rules, select_rules

    units = select_rules(load_rules(), [rule_id] if rule_id else None)
    failed = 0
    total = 0
    for unit in units:
        for result in check_rule(unit.id, unit.model):
            total += 1
            if not result.ok:
                failed += 1
                out_console.print(f"FAIL {unit.id} / {result.example}: {result.detail}", markup=False)
    out_console.print(f"{total - failed} example(s) passed, {failed} failed", markup=False)
    if failed:
        raise RuleTestFailed(f"{failed} rule example(s) failed")


def eval_cmd(
    truth: Annotated[Path, typer.Option("--truth", help="ground_truth.json of the simulated org.")],
    case: CaseOption = None,
    min_severity: Annotated[str, typer.Option(help="Ignore findings below this severity.")] = "info",
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Precision and recall of the case's hunt findings against a simulator's ground truth."""
    from leakline.core.findings import read_findings
    from leakline.hunt.evaluate import evaluate
    from leakline.hunt.service import open_events
    from leakline.simulate.truth import load as load_truth

    _check_format(fmt)
    opened = open_case(case)
    if truth.name == "ground_truth.json":
        gt = load_truth(truth.parent)
    else:
        raise UsageError("--truth must name a ground_truth.json file")
    findings = read_findings(opened, "hunt")
    con = open_events(opened)
    try:
        report = evaluate(con, findings, gt, _severity(min_severity))
    finally:
        con.close()
    if fmt == Format.json:
        emit(jsonio.dumps(report), output)
        return
    table = Table("level", "flagged", "malicious", "true positives", "precision", "recall")
    for level in ("event", "session"):
        m = report[level]
        table.add_row(level, str(m["flagged"]), str(m["malicious"]), str(m["true_positives"]),
                      str(m["precision"]), str(m["recall"]))
    out_console.print(table)
    per = Table("scenario", "event recall", "session recall", "missed sessions")
    for sc in report["scenarios"]:
        per.add_row(sc["scenario"], str(sc["event_recall"]), str(sc["session_recall"]), str(len(sc["missed_sessions"])))
    out_console.print(per)


def register(app: typer.Typer) -> None:
    app.add_typer(hunt_app)
    app.add_typer(rules_app)
    app.command("eval")(eval_cmd)
