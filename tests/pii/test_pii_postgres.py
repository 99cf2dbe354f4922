"""A real PostgreSQL server, started by the test in a throwaway folder on a free 127.0.0.1 port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.pii.scan import scan_source
from leakline.pii.sources import open_source

CANARY_SSN = "536-22-8813"
CANARY_IBAN = "DE89370400440532013000"


def _bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").is_file() and Path(candidate, "pg_ctl").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql package")
    root = Path(tempfile.mkdtemp(prefix="leakline-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        # The server refuses to run as root: hand the folder to the unprivileged postgres user.
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else "nobody"
        shutil.chown(root, user=user)
        prefix = ["runuser", "-u", user, "--"]
    data, port = root / "data", _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "leakline", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        env=env,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    try:
        yield f"postgresql://leakline@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            env=env,
        )
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.mark.postgres
@pytest.mark.slow
def test_scan_real_postgres_tables(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("CREATE SCHEMA sync")
        con.execute(
            "CREATE TABLE sync.vendor (id serial, vendor_name text, iban text, tax_id text, notes text, "
            "created date)"
        )
        con.execute(
            "INSERT INTO sync.vendor (vendor_name, iban, tax_id, notes, created) VALUES "
            "(%s, %s, %s, %s, '2026-03-01'), ('Globex', 'GB82WEST12345698765432', '04-2103594', '', '2026-03-02')",
            ("Acme GmbH", CANARY_IBAN, "04-2103594", f"owner ssn {CANARY_SSN}"),
        )
        con.execute("CREATE TABLE public.empty_table (x int)")
    report = scan_source(open_source(postgres_url))
    assert report.source == postgres_url
    by_table = {
        t.name: {c.name: {e.element for e in c.elements if e.confidence >= 0.5} for c in t.columns}
        for t in report.tables
    }
    assert by_table == {
        "empty_table": {},
        "sync.vendor": {
            "vendor_name": {"name"},
            "iban": {"financial_account"},
            "tax_id": {"tax_id"},
            "notes": {"ssn"},
        },
    }
    result = CliRunner().invoke(app, ["scan", postgres_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert CANARY_SSN not in result.output and CANARY_IBAN not in result.output


@pytest.mark.postgres
@pytest.mark.slow
def test_unreachable_postgres_is_a_one_line_remote_error() -> None:
    url = f"postgresql://nobody:hunter2secret@127.0.0.1:{_free_port()}/db"
    result = CliRunner().invoke(app, ["scan", url])
    assert result.exit_code == 4
    assert "cannot connect to postgresql://nobody@127.0.0.1:" in result.output
    assert "hunter2secret" not in result.output
