"""``leakline contain plan|approve|confirm|apply|status|undo`` and ``leakline restore``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from leakline.core.errors import UsageError
from leakline.core.findings import read_findings

if TYPE_CHECKING:
    from leakline.contain.sfops import SalesforceOps

contain_app = typer.Typer(help="Containment playbooks: plan, approve, apply, status, undo (journalled).", no_args_is_help=True)

InstanceUrl = Annotated[str | None, typer.Option("--instance-url", help="Org URL (default $SF_INSTANCE_URL).", show_default=False)]
SessionEnv = Annotated[
    str | None, typer.Option("--session-id-env", help="Env var holding an access token (default SF_ACCESS_TOKEN).", show_default=False)
]
ClientId = Annotated[str | None, typer.Option("--client-id", help="Connected app consumer key (JWT).", show_default=False)]
JwtKey = Annotated[Path | None, typer.Option("--jwt-key-file", help="Private key for the JWT bearer flow.", show_default=False)]
Username = Annotated[str | None, typer.Option("--username", help="User for the JWT bearer flow.", show_default=False)]
CaBundle = Annotated[Path | None, typer.Option("--ca-bundle", help="CA certificates to trust (test CA).", show_default=False)]


def org_ops(
    instance_url: str | None,
    session_id_env: str | None,
    client_id: str | None,
    jwt_key_file: Path | None,
    username: str | None,
    ca_bundle: Path | None,
) -> SalesforceOps:
    from leakline.cli.orgconn import connect_client
    from leakline.contain.sfops import SalesforceOps

    client = connect_client(
        instance_url or os.environ.get("SF_INSTANCE_URL"),
        client_id,
        jwt_key_file,
        username,
        None,
        "https://login.salesforce.com",
        "SF_CLIENT_SECRET",
        session_id_env,
        None,
        90.0,
        ca_bundle,
        "62.0",
    )
    return SalesforceOps(client)


def _snapshotter(case: Case) -> Any:
    from leakline.evidence import Locker, Provenance

    locker = Locker.open(case)

    def snapshot(name: str, state: dict[str, Any]) -> str:
        info = locker.add_bytes(
            jsonio.dumps(state).encode("utf-8"),
            provenance=Provenance(source="leakline", note="containment snapshot"),
            name=f"contain/{name}.json",
            kind="containment_snapshot",
        )
        return str(info.sha256)

    return snapshot


@contain_app.command("plan")
def plan(
    case: CaseOption = None,
    playbook: Annotated[list[str] | None, typer.Option("--playbook", help="Use this playbook (repeatable; default: chosen from findings).")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Plan without reading the org's current state.")] = False,
    instance_url: InstanceUrl = None,
    session_id_env: SessionEnv = None,
    client_id: ClientId = None,
    jwt_key_file: JwtKey = None,
    username: Username = None,
    ca_bundle: CaBundle = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    output: OutputOption = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="User id, app or IP never to act on (repeatable).")
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            help="Plan input NAME=VALUE for playbook steps that need one, e.g. "
            "egress_ranges=203.0.113.0/24 (repeatable; also read from work/contain/inputs.json).",
        ),
    ] = None,
) -> None:
    """Build a concrete containment plan from the case's findings (and the org's current state)."""
    from leakline.contain.engine import Containment

    given: dict[str, str] = {}
    for item in inputs or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--input {item!r}: expected NAME=VALUE, e.g. egress_ranges=203.0.113.0/24")
        given[name.strip()] = value.strip()
    opened = open_case(case)
    findings = read_findings(opened)
    ops = None if offline else org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    result = Containment(opened, clock()).plan(findings, ops, playbook, frozenset(exclude or ()), inputs=given)
    if fmt == Format.json:
        emit(jsonio.dumps(result), output)
        return
    table = Table("step", "type", "role", "due (UTC)", "approvals", "what")
    for s in result["steps"]:
        what = s["summary"] if s["type"] == "action" else (s.get("instructions") or s.get("question") or "")
        if s.get("noop"):
            what += " [already in place]"
        table.add_row(s["key"], s["type"], s["role"], s["due"], str(s["approvals_required"]), what)
    out_console.print(table)
    err_console.print(f"plan {result['plan_id']}: {len(result['steps'])} step(s) from {', '.join(result['playbooks']) or 'no playbook'}")


@contain_app.command("approve")
def approve(
    by: Annotated[str, typer.Option("--by", help="Name (and role) of the approving person.")],
    step: Annotated[list[str], typer.Option("--step", help="Step key (repeatable) or 'all'.")],
    role: Annotated[str | None, typer.Option("--role", help="Approver's role.")] = None,
    case: CaseOption = None,
) -> None:
    """Approve steps. Destructive steps need two different approvers."""
    from leakline.contain.engine import Containment

    done = Containment(open_case(case), clock()).approve(step, by, role)
    err_console.print(f"{len(done)} step(s) approved by {by}")


@contain_app.command("confirm")
def confirm(
    step: Annotated[str, typer.Argument(help="Manual or decision step key.")],
    by: Annotated[str, typer.Option("--by", help="Who did it / decided.")],
    option: Annotated[str | None, typer.Option("--option", help="The decision taken (decision steps).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free-text note for the journal.")] = None,
    case: CaseOption = None,
) -> None:
    """Confirm a manual checklist step or record a decision (journalled)."""
    from leakline.contain.engine import Containment

    Containment(open_case(case), clock()).confirm(step, by, note, option)
    err_console.print(f"recorded {step}")


@contain_app.command("apply")
def apply(
    case: CaseOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")] = False,
    instance_url: InstanceUrl = None,
    session_id_env: SessionEnv = None,
    client_id: ClientId = None,
    jwt_key_file: JwtKey = None,
    username: Username = None,
    ca_bundle: CaBundle = None,
) -> None:
    """Apply approved steps in order; safe to rerun (resumes, never does a step twice)."""
    from leakline.contain.engine import Containment

    opened = open_case(case)
    ops = org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    engine = Containment(opened, clock())
    snapshot = None if dry_run else _snapshotter(opened)
    outcomes = engine.apply(ops, dry_run=dry_run, snapshot=snapshot, on_step=lambda k, t: err_console.print(f"→ {t} [dim]{k}[/]"))
    table = Table("step", "outcome", "detail")
    for o in outcomes:
        table.add_row(o["step"], o["outcome"], str(o.get("summary") or o.get("result") or o.get("error") or ""))
    out_console.print(table)
    failed = [o for o in outcomes if o["outcome"] in ("failed", "verify_failed")]
    if failed:
        raise UsageError(f"step {failed[0]['step']} failed: {failed[0].get('error', 'verification failed')}", hint="fix the cause, then rerun apply (done steps are skipped)")


@contain_app.command("status")
def status(
    case: CaseOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Each step's state (from the journal), approvals and due time."""
    from leakline.contain.engine import Containment

    rows = Containment(open_case(case), clock()).status()
    if fmt == Format.json:
        emit(json.dumps(rows, indent=2), None)
        return
    table = Table("step", "state", "approvals", "due (UTC)", "title")
    for r in rows:
        table.add_row(r["key"], r["state"], r["approvals"], r["due"], r["title"])
    out_console.print(table)


@contain_app.command("undo")
def undo(
    step: Annotated[str, typer.Argument(help="Applied, reversible step key.")],
    by: Annotated[str, typer.Option("--by", help="Who undoes it.")],
    case: CaseOption = None,
    instance_url: InstanceUrl = None,
    session_id_env: SessionEnv = None,
    client_id: ClientId = None,
    jwt_key_file: JwtKey = None,
    username: Username = None,
    ca_bundle: CaBundle = None,
) -> None:
    """Undo one applied step where Salesforce allows it (journalled)."""
    from leakline.contain.engine import Containment

    ops = org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    result = Containment(open_case(case), clock()).undo(ops, step, by)
    err_console.print(f"undone {step}: {result}")




def restore(
    snapshot: Annotated[Path, typer.Option("--snapshot", help="Folder of <Object>.jsonl/.csv/.parquet from before the incident.")],
    objects: Annotated[str, typer.Option("--objects", help="Comma-separated objects to restore, e.g. Account,Contact,Vendor__c.")],
    case: CaseOption = None,
    since: Annotated[str | None, typer.Option("--since", help="Incident start (UTC): later edits by others are kept.")] = None,
    actor: Annotated[list[str] | None, typer.Option("--actor", help="User id whose changes are damage (repeatable).")] = None,
    do_apply: Annotated[bool, typer.Option("--apply", help="Apply the plan (default: show it only).")] = False,
    instance_url: InstanceUrl = None,
    session_id_env: SessionEnv = None,
    client_id: ClientId = None,
    jwt_key_file: JwtKey = None,
    username: Username = None,
    ca_bundle: CaBundle = None,
) -> None:
    """Compare a snapshot with the org, plan a parents-first restore, and apply it with --apply."""
    from leakline.contain.restore import apply_restore, plan_restore
    from leakline.contain.snapshot import load_snapshot
    from leakline.core.clock import parse_utc

    opened = open_case(case)
    names = [o.strip() for o in objects.split(",") if o.strip()]
    ops = org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    before = load_snapshot(snapshot, names)
    current = {o: ops.records(o) for o in names}
    references = ops.references(names)
    plan = plan_restore(
        before, current, references, damaging_actors=actor or (), since=parse_utc(since) if since else None
    )
    table = Table("object.operation", "records")
    for key, count in sorted(plan.counts().items()):
        table.add_row(key, str(count))
    out_console.print(table)
    for c in plan.conflicts:
        err_console.print(f"[yellow]kept later edit[/] {c.sobject} {c.record_id}.{c.field} by {c.changed_by}")
    path = opened.work_dir / "restore_plan.json"
    jsonio.write(path, {"counts": plan.counts(), "order": plan.order, "conflicts": len(plan.conflicts)})
    if not do_apply:
        err_console.print("dry run: nothing changed (add --apply)")
        return
    result = apply_restore(plan, ops, references)
    from leakline.contain.engine import Containment

    Containment(opened, clock()).log(
        "restored", objects=names, applied=result.applied, recreated=len(result.id_map), dangling=len(result.dangling)
    )
    err_console.print(f"restored {result.applied} record(s); {len(result.dangling)} dangling reference(s)")
    if result.dangling:
        raise UsageError(f"{len(result.dangling)} dangling reference(s) after restore", hint="see the journal")


def register(app: typer.Typer) -> None:
    app.add_typer(contain_app, name="contain")
    app.command("restore")(restore)
