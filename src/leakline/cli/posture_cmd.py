"""``leakline posture``: audit org metadata and integration code for leak-causing misconfigurations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
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
from leakline.core.case import CASE_FILE
from leakline.core.errors import FindingsAtThreshold, UsageError
from leakline.core.findings import write_findings
from leakline.core.models import Severity
from leakline.posture.codescan import load_code
from leakline.posture.engine import run_audit, to_findings
from leakline.posture.live import read_org
from leakline.posture.loader import load_metadata
from leakline.posture.model import OrgMetadata
from leakline.posture.output import rows, to_json, to_markdown, to_sarif
from leakline.posture.registry import load_checks
from leakline.posture.results import Context, LiveData

_STATUS_STYLE = {"FAIL": "red", "PASS": "green", "MANUAL": "yellow", "NOT_EVALUATED": "dim"}


def _overrides(params: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in params:
        key, sep, raw = item.partition("=")
        check, dot, name = key.partition(".")
        if not sep or not dot or not check or not name:
            raise UsageError(
                f"bad --param {item!r}", hint="use --param CHECK_ID.PARAMETER=VALUE (VALUE is YAML)"
            )
        try:
            out.setdefault(check, {})[name] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise UsageError(f"bad --param value in {item!r} (not YAML)") from None
    return out


def posture(
    metadata: Annotated[
        Path | None,
        typer.Option("--metadata", help="Salesforce metadata folder (DX source or metadata-API format)."),
    ] = None,
    code: Annotated[Path | None, typer.Option("--code", help="Integration code folder to scan.")] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org", help="Live mode: the org's instance URL (https://<MyDomain>.my.salesforce.com)."
        ),
    ] = None,
    session_id_env: Annotated[
        str, typer.Option(help="Live mode: environment variable holding an access token.")
    ] = "SF_ACCESS_TOKEN",
    client_id: Annotated[
        str | None,
        typer.Option(
            help="Live mode: consumer key for the client-credentials flow (secret in $SF_CLIENT_SECRET)."
        ),
    ] = None,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(help="Live mode: CA certificates to trust for the org's TLS.", show_default=False),
    ] = None,
    case: CaseOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json, md or sarif")] = Format.table,
    output: OutputOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 if a FAIL at or above this severity exists (e.g. high)."),
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only these check ids (repeatable).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Override a check parameter: CHECK.NAME=YAML (repeatable)."),
    ] = None,
) -> None:
    """Audit profiles, permission sets, connected apps, security settings, Apex and code."""
    if fmt not in (Format.table, Format.json, Format.md, Format.sarif):
        raise UsageError(f"--format {fmt.value} is not supported here", hint="use table, json, md or sarif")
    threshold = None
    if fail_on is not None:
        try:
            threshold = Severity.parse(fail_on)
        except ValueError:
            raise UsageError(
                f"unknown --fail-on {fail_on!r}", hint="info, low, medium, high or critical"
            ) from None
    # Findings go to the case when one is given or resolvable; without one, posture still runs (e.g. in CI).
    case_known = case is not None or os.environ.get("LEAKLINE_CASE") or (Path.cwd() / CASE_FILE).is_file()
    opened = open_case(case) if case_known else None
    if metadata is None and code is None and org is None:
        raise UsageError("nothing to audit", hint="give --metadata DIR, --code DIR and/or --org URL")
    if metadata is not None and org is not None:
        raise UsageError(
            "--metadata and --org are alternatives", hint="audit the retrieved folder or the live org"
        )
    checks = load_checks()
    if check:
        known = {c.id for c in checks}
        unknown = sorted(set(check) - known)
        if unknown:
            raise UsageError(
                f"unknown check id(s): {', '.join(unknown)}", hint="see the folders under posture/checks"
            )
        checks = tuple(c for c in checks if c.id in set(check))
    org_meta: OrgMetadata | None = load_metadata(metadata) if metadata is not None else None
    live = LiveData(False, "no --org given")
    if org is not None:
        org_meta, live = read_org(_connect(org, session_id_env, client_id, ca_bundle), org)
    ctx = Context(
        metadata=org_meta,
        code=load_code(code) if code is not None else None,
        params={},
        live=live,
        metadata_reason="no --metadata folder or --org given",
    )
    audit = run_audit(ctx, checks, _overrides(param or []))
    roots = {name: folder for name, folder in (("metadata", metadata), ("code", code)) if folder is not None}
    if opened is not None:
        path = write_findings(opened, "posture", to_findings(audit, roots))
        err_console.print(f"wrote {len(audit.failures())} finding(s) to {path}")
    if fmt == Format.json:
        emit(to_json(audit), output)
    elif fmt == Format.md:
        emit(to_markdown(audit), output)
    elif fmt == Format.sarif:
        emit(to_sarif(audit, roots), output)
    elif output is not None:
        emit(to_markdown(audit), output)
    else:
        _table(audit)
    worst = audit.worst_failure()
    if threshold is not None and worst is not None and worst.rank >= threshold.rank:
        raise FindingsAtThreshold(f"posture FAIL at {worst.value} severity (--fail-on {threshold.value})")


def _connect(instance_url: str, session_id_env: str, client_id: str | None, ca_bundle: Path | None) -> Any:
    """A connected ``SalesforceClient``; credentials come only from the environment."""
    from leakline.salesforce import ClientCredentialsAuth, SalesforceClient, SessionAuth
    from leakline.salesforce.auth import Auth

    auth: Auth = (
        ClientCredentialsAuth(instance_url, client_id)
        if client_id
        else SessionAuth(instance_url, session_id_env)
    )
    client = SalesforceClient(auth, clock=clock(), verify=str(ca_bundle) if ca_bundle else True)
    return client.connect()


def _table(audit: Any) -> None:
    table = Table("status", "severity", "check", "resource", "where", "detail")
    for row in rows(audit):
        style = _STATUS_STYLE[row["status"]]
        where = f"{row['file']}:{row['line']}" if row.get("file") else ""
        table.add_row(
            f"[{style}]{row['status']}[/]",
            row["severity"],
            row["check"],
            row["resource"],
            where,
            row["message"],
        )
    out_console.print(table)
    score = audit.score
    text = f"{score.value}/100 ({score.band})" if score.value is not None else score.band
    out_console.print(f"score: {text}")


def register(app: typer.Typer) -> None:
    app.command("posture")(posture)
