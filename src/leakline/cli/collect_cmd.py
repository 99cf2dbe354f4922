"""``leakline collect``: evidence from an org (live) or from files (offline) into the case."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leakline.cli.common import CaseOption, clock, err_console, open_case
from leakline.cli.orgconn import connect_client
from leakline.core.clock import parse_utc
from leakline.core.errors import UsageError


def collect_command(
    case: CaseOption = None,
    instance_url: Annotated[
        str | None,
        typer.Option(
            help="Org My Domain URL (https://…my.salesforce.com); default $SF_INSTANCE_URL.",
            show_default=False,
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            help="Connected app consumer key (JWT bearer or client credentials).", show_default=False
        ),
    ] = None,
    jwt_key_file: Annotated[
        Path | None, typer.Option(help="Private key (PEM) for the JWT bearer flow.", show_default=False)
    ] = None,
    username: Annotated[
        str | None, typer.Option(help="User to log in as (JWT bearer).", show_default=False)
    ] = None,
    login_url: Annotated[
        str | None, typer.Option(help="Token endpoint host (default: the instance URL).", show_default=False)
    ] = None,
    audience: Annotated[
        str, typer.Option(help="JWT audience (https://test.salesforce.com for sandboxes).")
    ] = "https://login.salesforce.com",
    client_secret_env: Annotated[
        str, typer.Option(help="Environment variable holding the consumer secret (client credentials).")
    ] = "SF_CLIENT_SECRET",
    session_id_env: Annotated[
        str | None,
        typer.Option(
            help="Use an existing session: environment variable holding the access token.", show_default=False
        ),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            help="Collect offline from an org folder or a folder of exported files.", show_default=False
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Window start, UTC (default: 30 days before --until).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Window end, UTC, exclusive (default: now).")] = None,
    sources: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated: elf,login_history,setup_audit_trail,sessions,tokens,permissions,metadata,rtem,records "
            "(default: all).",
            show_default=False,
        ),
    ] = None,
    record_objects: Annotated[
        str, typer.Option(help="CRM objects collected by the 'records' source.")
    ] = "Account,Contact,Lead,Case,Opportunity,Order",
    max_api_calls: Annotated[
        int | None, typer.Option(help="Stop (resumably) after this many API calls.", show_default=False)
    ] = None,
    api_budget_pct: Annotated[
        float, typer.Option(help="Stop (resumably) when the org has used this % of DailyApiRequests.")
    ] = 50.0,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(help="CA certificates to trust for the org's TLS (e.g. a test CA).", show_default=False),
    ] = None,
    api_version: Annotated[str, typer.Option(help="REST API version.")] = "62.0",
) -> None:
    """Collect evidence into the locker (resumable: rerun to continue), then load it into the event store."""
    from leakline.collect import DEFAULT_RECORD_OBJECTS, Window, collect, parse_sources
    from leakline.evidence import Locker

    opened = open_case(case)
    chosen = parse_sources(sources)
    objects = tuple(o.strip() for o in record_objects.split(",") if o.strip()) or DEFAULT_RECORD_OBJECTS
    now = clock().now()
    until_dt = parse_utc(until, what="--until") if until else None
    since_dt = parse_utc(since, what="--since") if since else None
    live = from_dir is None
    if live:
        until_dt = until_dt or now
        since_dt = since_dt or until_dt - timedelta(days=30)
    window = None
    if since_dt is not None or until_dt is not None:
        if since_dt is not None and until_dt is not None and since_dt >= until_dt:
            raise UsageError("--since must be before --until")
        window = Window(since=since_dt or parse_utc("1970-01-01"), until=until_dt or parse_utc("9999-12-31"))
    if not 0 < api_budget_pct <= 100:
        raise UsageError("--api-budget-pct must be in (0, 100]")

    client = None
    if live:
        client = connect_client(
            instance_url or os.environ.get("SF_INSTANCE_URL"),
            client_id,
            jwt_key_file,
            username,
            login_url,
            audience,
            client_secret_env,
            session_id_env,
            max_api_calls,
            api_budget_pct,
            ca_bundle,
            api_version,
        )
    elif any(v is not None for v in (instance_url, client_id, jwt_key_file, username, session_id_env)):
        raise UsageError("--from-dir collects offline; drop the org connection options")

    locker = Locker.open(opened)
    if locker.key_notice:
        err_console.print(locker.key_notice)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("collecting", total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"collect {label[:60]}", completed=done, total=total)

        report = collect(
            opened,
            locker,
            client=client,
            from_dir=from_dir,
            window=window,
            sources=chosen,
            record_objects=objects,
            progress=progress,
        )
    summary = f"collected {len(report.stored)} new artefact(s)"
    if report.already:
        summary += f", {report.already} already in the locker"
    if report.api_calls is not None:
        summary += f"; {report.api_calls} API calls"
        if report.api_usage:
            summary += f" (org daily use {report.api_usage})"
    summary += f"; {report.events_loaded:,} events loaded into the store"
    err_console.print(summary)
    for skipped in report.skipped:
        err_console.print(f"[dim]not collected:[/] {skipped}", soft_wrap=True)
    if report.ingest_problems:
        err_console.print(
            f"[yellow]{len(report.ingest_problems)} input problem(s)[/]; first: {report.ingest_problems[0]}",
            soft_wrap=True,
        )
    if report.error is not None:
        raise report.error


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)
