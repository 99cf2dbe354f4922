"""``leakline access-review``: integration permissions granted vs used, SoD, least-privilege sets, retention."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from leakline.cli.common import CaseOption, OutputOption, clock, emit, err_console, open_case
from leakline.cli.map_cmd import MetadataOption, OrgDirOption, RevealOption, journal_reveal, open_org
from leakline.core import jsonio
from leakline.core.findings import write_findings


class ReviewFormat(StrEnum):
    json = "json"
    md = "md"


def access_review(
    case: CaseOption = None,
    org: OrgDirOption = None,
    metadata: MetadataOption = None,
    sod_rules: Annotated[
        Path | None, typer.Option("--sod-rules", help="Folder of extra SoD rule files (same format).",
                                  show_default=False)
    ] = None,
    allow_list: Annotated[
        Path | None, typer.Option("--allow-list", help="YAML of grants to keep beyond what was observed.",
                                  show_default=False)
    ] = None,
    retention: Annotated[
        Path | None, typer.Option("--retention", help="Retention policy YAML (per object).", show_default=False)
    ] = None,
    permsets_dir: Annotated[
        Path | None,
        typer.Option("--permsets-dir", help="Write the generated *.permissionset-meta.xml here "
                     "(default with --case: <case>/reports/access/).", show_default=False),
    ] = None,
    replay: Annotated[bool, typer.Option(help="Replay observed queries against the emulator (--org only).")] = True,
    fmt: Annotated[ReviewFormat, typer.Option("--format", help="json or md")] = ReviewFormat.md,
    output: OutputOption = None,
    reveal: RevealOption = False,
) -> None:
    """Per integration: permissions granted vs exercised, dormant users/tokens, SoD conflicts,
    a least-privilege permission set (DX source) with a migration plan; retention counts."""
    from leakline.access.findings import to_findings
    from leakline.access.permset import load_allow_list
    from leakline.access.render import to_markdown
    from leakline.access.retention import evaluate_retention, load_policy
    from leakline.access.review import review
    from leakline.access.sod import load_rules

    rules = load_rules(extra=sod_rules)
    allow = load_allow_list(allow_list)
    policy = load_policy(retention) if retention is not None else None
    data = open_org(case, org, metadata)
    if reveal:
        journal_reveal(data, "access-review")
    result = review(data, clock(), sod_rules=rules, allow=allow, reveal=reveal, replay=replay)
    kept = evaluate_retention(data, policy, data.window_end or clock().now()) if policy is not None else None
    payload = result.model_dump(mode="json")
    payload["retention"] = [r.model_dump(mode="json") for r in kept] if kept is not None else None
    target = permsets_dir or (data.case.reports_dir / "access" if data.case is not None else None)
    if target is not None:
        folder = target / "permissionsets"
        folder.mkdir(parents=True, exist_ok=True)
        for item in result.integrations:
            if item.permission_set is not None:
                (folder / f"{item.permission_set.api_name}.permissionset-meta.xml").write_text(
                    item.permission_set.xml, encoding="utf-8")
        err_console.print(f"wrote permission sets to {folder}")
    if data.case is not None:
        path = data.case.work_dir / "access.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        jsonio.write(path, payload)
        found = write_findings(data.case, "access", to_findings(result, kept))
        err_console.print(f"wrote {path} and {found}")
    err_console.print(
        f"{len(result.integrations)} integration(s), {len(result.sod_conflicts)} SoD conflict(s), "
        f"{len(result.dormant_tokens)} dormant token(s)"
    )
    emit(jsonio.dumps(payload) if fmt == ReviewFormat.json else to_markdown(result, kept), output)


jit_app = typer.Typer(
    help="Just-in-time admin access: request, approve, grant, expire (journalled, through containment).",
    no_args_is_help=True,
)
ByOption = Annotated[str, typer.Option("--by", help="Name of the person acting.")]
# Same connection options as `leakline contain apply` (declared here so this module imports alone).
InstanceUrl = Annotated[str | None, typer.Option("--instance-url", help="Org URL (default $SF_INSTANCE_URL).",
                                                 show_default=False)]
SessionEnv = Annotated[str | None, typer.Option("--session-id-env", help="Env var holding an access token "
                                                "(default SF_ACCESS_TOKEN).", show_default=False)]
ClientId = Annotated[str | None, typer.Option("--client-id", help="Connected app consumer key (JWT).",
                                              show_default=False)]
JwtKey = Annotated[Path | None, typer.Option("--jwt-key-file", help="Private key for the JWT bearer flow.",
                                             show_default=False)]
Username = Annotated[str | None, typer.Option("--username", help="User for the JWT bearer flow.", show_default=False)]
CaBundle = Annotated[Path | None, typer.Option("--ca-bundle", help="CA certificates to trust (test CA).",
                                               show_default=False)]
IdOption = Annotated[str, typer.Option("--id", help="JIT request id (see: leakline jit status).")]


def _org_ops(instance_url: str | None, session_id_env: str | None, client_id: str | None,
             jwt_key_file: Path | None, username: str | None, ca_bundle: Path | None) -> Any:
    # The same connection options and client as `leakline contain apply`.
    from leakline.cli.contain_cmd import org_ops

    return org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)


@jit_app.command("request")
def jit_request(
    user_id: Annotated[str, typer.Option("--user-id", help="User who needs the access.")],
    permission_set_id: Annotated[str, typer.Option("--permission-set-id", help="Permission set to assign.")],
    hours: Annotated[float, typer.Option("--hours", help="How long (capped by jit_max_hours).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (ticket, incident step).")],
    by: ByOption,
    case: CaseOption = None,
) -> None:
    """Request a time-bound permission-set assignment."""
    from leakline.access.jit import JitAccess

    jid = JitAccess(open_case(case), clock()).request(user_id, permission_set_id, hours, reason, by)
    emit(jid, None)


@jit_app.command("approve")
def jit_approve(jid: IdOption, by: ByOption, case: CaseOption = None) -> None:
    """Approve a request (a different person than the requester)."""
    from leakline.access.jit import JitAccess

    JitAccess(open_case(case), clock()).approve(jid, by)
    err_console.print(f"approved {jid}")


@jit_app.command("deny")
def jit_deny(jid: IdOption, by: ByOption, note: Annotated[str | None, typer.Option("--note")] = None,
             case: CaseOption = None) -> None:
    """Refuse a pending request."""
    from leakline.access.jit import JitAccess

    JitAccess(open_case(case), clock()).deny(jid, by, note)
    err_console.print(f"denied {jid}")


@jit_app.command("grant")
def jit_grant(jid: IdOption, case: CaseOption = None, instance_url: InstanceUrl = None,
              session_id_env: SessionEnv = None, client_id: ClientId = None, jwt_key_file: JwtKey = None,
              username: Username = None, ca_bundle: CaBundle = None) -> None:
    """Create the assignment of an approved request in the org and verify it."""
    from leakline.access.jit import JitAccess

    ops = _org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    result = JitAccess(open_case(case), clock()).grant(ops, jid)
    emit(jsonio.dumps(result), None)


@jit_app.command("expire")
def jit_expire(case: CaseOption = None, instance_url: InstanceUrl = None, session_id_env: SessionEnv = None,
               client_id: ClientId = None, jwt_key_file: JwtKey = None, username: Username = None,
               ca_bundle: CaBundle = None) -> None:
    """Remove every grant whose time is up (run on a schedule)."""
    from leakline.access.jit import JitAccess

    ops = _org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    emit(jsonio.dumps(JitAccess(open_case(case), clock()).expire(ops)), None)


@jit_app.command("revoke")
def jit_revoke(jid: IdOption, by: ByOption, case: CaseOption = None, instance_url: InstanceUrl = None,
               session_id_env: SessionEnv = None, client_id: ClientId = None, jwt_key_file: JwtKey = None,
               username: Username = None, ca_bundle: CaBundle = None) -> None:
    """End a grant before its expiry."""
    from leakline.access.jit import JitAccess

    ops = _org_ops(instance_url, session_id_env, client_id, jwt_key_file, username, ca_bundle)
    emit(jsonio.dumps(JitAccess(open_case(case), clock()).revoke(ops, jid, by)), None)


@jit_app.command("status")
def jit_status(case: CaseOption = None) -> None:
    """Every JIT request and its state (JSON)."""
    from leakline.access.jit import JitAccess

    emit(jsonio.dumps(list(JitAccess(open_case(case), clock()).requests().values())), None)


def register(app: typer.Typer) -> None:
    """Add ``leakline access-review`` and ``leakline jit``."""
    app.command("access-review")(access_review)
    app.add_typer(jit_app, name="jit")
