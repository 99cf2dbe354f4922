"""Shared fixtures: a small simulated org served by the emulator, and credentials for it (all FAKE)."""

from __future__ import annotations

import json
import os
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from leakline.core.clock import FixedClock
from leakline.emulator import EmulatorServer, Faults

WINDOW_END = "2026-03-01T00:00:00Z"


@pytest.fixture(scope="session")
def sim_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated org (2 days, one attack), generated once per session."""
    from leakline.simulate import generate

    out = tmp_path_factory.mktemp("simorg") / "org"
    generate(out, seed=11, size="small", scenarios=["stolen_integration_token"], days=3)
    _both_path_conventions(out)
    return out


def _both_path_conventions(org: Path) -> None:
    # EventLogFile.jsonl "path" is relative to the org folder (simulator); an emulator reading it
    # relative to eventlogs/ finds the same files through this link (test data only).
    link = org / "eventlogs" / "eventlogs"
    if not link.exists():
        os.symlink(".", link)


@dataclass(frozen=True)
class Creds:
    jwt_client_id: str
    jwt_key: str
    username: str
    access_token: str
    refresh_token: str
    user_id: str


@pytest.fixture(scope="session")
def creds(sim_org: Path) -> Creds:
    data = json.loads((sim_org / "credentials.json").read_text())
    app = next(a for a in data["connected_apps"] if a.get("jwt_private_key_pem"))
    admin = data["users"][0]
    token = next(t for t in data["oauth_tokens"] if str(t.get("valid")) == "True")
    return Creds(
        jwt_client_id=app["consumer_key"],
        jwt_key=app["jwt_private_key_pem"],
        username=admin["username"],
        access_token=token["access_token"],
        refresh_token=token["refresh_token"],
        user_id=token["user_id"],
    )


@pytest.fixture
def key_file(creds: Creds, tmp_path: Path) -> Path:
    path = tmp_path / "jwt.key"
    path.write_text(creds.jwt_key)
    return path


@pytest.fixture
def emu_clock() -> FixedClock:
    return FixedClock(WINDOW_END)


def serve(
    org: Path, state: Path, clock: FixedClock, faults: Faults | None = None, tls: ssl.SSLContext | None = None
):
    return EmulatorServer(org, clock=clock, faults=faults, state_dir=state, tls=tls, record_events=False)


@pytest.fixture
def serve_org():
    """``serve_org(org, state_dir, clock, faults=…)`` → an EmulatorServer context manager."""
    return serve


@pytest.fixture
def server(sim_org: Path, tmp_path: Path, emu_clock: FixedClock) -> Iterator[EmulatorServer]:
    with serve(sim_org, tmp_path / "emu-state", emu_clock) as srv:
        yield srv


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(
    sim_org: Path, tmp_path: Path, emu_clock: FixedClock, ca: trustme.CA
) -> Iterator[EmulatorServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with serve(sim_org, tmp_path / "emu-state", emu_clock, tls=context) as srv:
        yield srv


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def org_copy(sim_org: Path, tmp_path: Path) -> Path:
    """A private copy (for tests that edit credentials)."""
    target = tmp_path / "org"
    shutil.copytree(sim_org, target, symlinks=True)
    return target
