"""Containment fixtures: a simulated org served by the emulator, reached through the real client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from leakline.contain.sfops import SalesforceOps
from leakline.core.clock import FixedClock
from leakline.emulator import EmulatorServer
from leakline.salesforce import SalesforceClient, SessionAuth


@pytest.fixture(scope="session")
def token_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from leakline.simulate import generate

    out = tmp_path_factory.mktemp("contain") / "org"
    generate(out, seed=21, size="small", scenarios=["stolen_integration_token"], days=3)
    return out


@dataclass
class Live:
    org: Path
    server: EmulatorServer
    ops: SalesforceOps
    creds: dict[str, Any]

    def refresh(self, token: dict[str, Any]) -> requests.Response:
        app = next(a for a in self.creds["connected_apps"] if a["name"] == token["app_name"])
        return _http().post(
            f"{self.server.url}/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": app["consumer_key"],
                "client_secret": app["consumer_secret"],
            },
            timeout=30,
        )

    def call(self, access_token: str) -> int:
        resp = _http().get(
            f"{self.server.url}/services/data/v62.0/limits",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )
        return resp.status_code

    def password_login(self, username: str, http: requests.Session | None = None) -> requests.Response:
        user = next(u for u in self.creds["users"] if u["username"] == username)
        app = next(a for a in self.creds["connected_apps"] if a["name"] == "Salesforce CLI")
        return (http or _http()).post(
            f"{self.server.url}/services/oauth2/token",
            data={
                "grant_type": "password",
                "client_id": app["consumer_key"],
                "client_secret": app["consumer_secret"],
                "username": username,
                "password": user["password"] + (user.get("security_token") or ""),
            },
            timeout=30,
        )


def _http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def connect(url: str, token: str, monkeypatch: pytest.MonkeyPatch) -> SalesforceOps:
    monkeypatch.setenv("LEAKLINE_TEST_SF_TOKEN", token)
    client = SalesforceClient(SessionAuth(url, "LEAKLINE_TEST_SF_TOKEN"), clock=FixedClock("2026-03-01T00:00:00Z"))
    return SalesforceOps(client.connect())


def start(org: Path, state: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    creds = json.loads((org / "credentials.json").read_text())
    with EmulatorServer(org, state_dir=state) as server:
        live = Live(org, server, None, creds)  # type: ignore[arg-type]
        admin = creds["users"][0]["username"]
        login = live.password_login(admin)
        assert login.status_code == 200, login.text
        live.ops = connect(server.url, login.json()["access_token"], monkeypatch)
        monkeypatch.setenv("SF_INSTANCE_URL", server.url)
        monkeypatch.setenv("SF_ACCESS_TOKEN", login.json()["access_token"])
        yield live


@pytest.fixture
def live(token_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    yield from start(token_org, tmp_path / "state", monkeypatch)
