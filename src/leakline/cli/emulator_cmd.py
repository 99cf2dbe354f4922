"""``leakline emulator serve|reset``: run a local Salesforce-compatible API over an org folder."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from leakline.cli.common import err_console
from leakline.core.clock import Clock, FixedClock, SystemClock, parse_utc
from leakline.core.errors import UsageError

emulator_app = typer.Typer(help="Local Salesforce API emulator over a simulated org.", no_args_is_help=True)

OrgOption = Annotated[
    Path,
    typer.Option(
        "--org", help="Org folder (simulator output).", exists=True, file_okay=False, resolve_path=True
    ),
]


def _self_signed(directory: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (kept in the state folder, reused on restart)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    if cert_path.is_file() and key_path.is_file():
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leakline emulator")])
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    # TLS clients check validity against their own wall clock: keep a wide margin either side.
    start = SystemClock().now() - timedelta(days=3650)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=7300))
        .add_extension(x509.SubjectAlternativeName([alt, x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


@emulator_app.command("serve")
def serve(
    org: OrgOption,
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free port).")] = 8443,
    tls: Annotated[
        bool, typer.Option("--tls", help="Serve HTTPS (self-signed unless --cert/--key).")
    ] = False,
    cert: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM).", exists=True, dir_okay=False)
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="TLS private key (PEM).", exists=True, dir_okay=False)
    ] = None,
    state: Annotated[
        Path | None, typer.Option(help="Overlay folder for changes (default ORG/state).")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(help="Pin the emulator's clock (ISO-8601); default: the org window end, running."),
    ] = None,
    latency: Annotated[float, typer.Option(help="Fault: seconds added to every response.")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Fault: share of API calls answered 503.")] = 0.0,
    rate_limit_after: Annotated[
        int | None, typer.Option(help="Fault: 403 REQUEST_LIMIT_EXCEEDED after N calls.")
    ] = None,
    token_expiry_after: Annotated[
        int | None, typer.Option(help="Fault: tokens expire after N calls each.")
    ] = None,
    truncate_downloads: Annotated[bool, typer.Option(help="Fault: cut log/bulk downloads in half.")] = False,
    daily_api_limit: Annotated[int, typer.Option(help="DailyApiRequests maximum.")] = 100_000,
    event_log: Annotated[bool, typer.Option(help="Log the emulator's own traffic as EventLogFiles.")] = True,
    enforce_permissions: Annotated[
        bool,
        typer.Option(
            help="Enforce object read and field-level security for every user from the org's profiles and "
            "permission sets (default: only users declared in STATE/permissions.json)."
        ),
    ] = False,
) -> None:
    """Serve ORG as a Salesforce API (OAuth, REST, Bulk 2.0, EventLogFile) until Ctrl-C."""
    from leakline.emulator import EmulatorServer, Faults

    if (cert is None) != (key is None):
        raise UsageError("give both --cert and --key, or neither")
    if not 0.0 <= error_rate <= 1.0:
        raise UsageError("--error-rate must be between 0 and 1")
    tls_spec: tuple[Path, Path] | None = None
    if cert is not None and key is not None:
        tls_spec = (cert, key)
    elif tls:
        tls_spec = _self_signed((state or org / "state") / "tls", host)
    clock: Clock | None = FixedClock(parse_utc(now, what="--now")) if now else None
    faults = Faults(
        latency=latency,
        error_rate=error_rate,
        rate_limit_after=rate_limit_after,
        token_expiry_after=token_expiry_after,
        truncate_downloads=truncate_downloads,
        daily_api_limit=daily_api_limit,
    )
    server = EmulatorServer(
        org,
        host=host,
        port=port,
        tls=tls_spec,
        clock=clock,
        faults=faults,
        state_dir=state,
        record_events=event_log,
        enforce_permissions=enforce_permissions,
    )
    err_console.print(
        f"emulating org [bold]{server.emulator.org.org.get('name', org.name)}[/] at {server.url}"
    )
    if tls_spec is not None and cert is None:
        err_console.print(
            f"self-signed certificate: {tls_spec[0]} (clients must trust it, e.g. REQUESTS_CA_BUNDLE)"
        )
    err_console.print("press Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err_console.print("stopped")
    finally:
        server.stop()


@emulator_app.command("reset")
def reset(
    org: OrgOption,
    state: Annotated[Path | None, typer.Option(help="Overlay folder (default ORG/state).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget every change made through the emulator (containment, tokens, its own logs)."""
    target = state or org / "state"
    if not target.exists():
        err_console.print("nothing to reset")
        return
    if (
        not (target / "changes.jsonl").exists()
        and not (target / "auth.json").exists()
        and not any(target.iterdir())
    ):
        err_console.print("nothing to reset")
        return
    if not yes and not typer.confirm(f"delete {target}?"):
        raise typer.Exit(1)
    shutil.rmtree(target)
    err_console.print(f"reset {org.name}: removed {target}")


def register(app: typer.Typer) -> None:
    app.add_typer(emulator_app, name="emulator")
