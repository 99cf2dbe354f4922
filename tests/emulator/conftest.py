"""Fixtures: a tiny org folder (leakline.emulator.sample) and running emulator servers."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from leakline.core.clock import FixedClock
from leakline.emulator import EmulatorServer
from leakline.emulator.sample import build_org


@pytest.fixture(scope="session")
def _org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_org(tmp_path_factory.mktemp("orgtemplate"))


@pytest.fixture
def org_dir(_org_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "org"
    shutil.copytree(_org_template, target)
    return target


@pytest.fixture
def emu_clock() -> FixedClock:
    return FixedClock("2026-03-10T00:00:00Z")


@pytest.fixture
def server(org_dir: Path, emu_clock: FixedClock) -> Iterator[EmulatorServer]:
    with EmulatorServer(org_dir, clock=emu_clock) as srv:
        yield srv


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(
    org_dir: Path, emu_clock: FixedClock, ca: trustme.CA, tmp_path: Path
) -> Iterator[EmulatorServer]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    with EmulatorServer(org_dir, clock=emu_clock, tls=context) as srv:
        yield srv


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)
