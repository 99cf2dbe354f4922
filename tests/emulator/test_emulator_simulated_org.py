"""Contract check: the emulator serves a real simulator org folder (leakline.simulate.generate)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
import requests

from leakline.emulator import EmulatorServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim_org(tmp_path_factory):
    generate = pytest.importorskip("leakline.simulate.generate").generate
    return generate(tmp_path_factory.mktemp("sim") / "org", seed=7, size="small",
                    scenarios=["stolen_integration_token"])


def test_simulated_credentials_work_and_containment_applies(sim_org, tmp_path):
    import shutil

    org = tmp_path / "org"
    shutil.copytree(sim_org, org)
    creds = json.loads((org / "credentials.json").read_text())
    stolen = next(t for t in creds["oauth_tokens"] if t["stolen_by_attacker"])
    app = next(a for a in creds["connected_apps"] if a["id"] == stolen["connected_app_id"])
    with EmulatorServer(org) as server:  # default clock: the window end
        token = requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
            "grant_type": "refresh_token", "client_id": app["consumer_key"],
            "refresh_token": stolen["refresh_token"]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        logins = requests.get(f"{server.url}/services/data/v62.0/query", headers=headers, timeout=30, params={
            "q": "SELECT COUNT() FROM LoginEvent WHERE SourceIp = '127.0.0.1' AND LoginSubType = 'OauthRefreshToken'"
        }).json()
        assert logins["totalSize"] == 1
        files = requests.get(f"{server.url}/services/data/v62.0/query", headers=headers, timeout=30, params={
            "q": "SELECT Id, EventType, LogDate FROM EventLogFile WHERE Interval = 'Daily' ORDER BY LogDate LIMIT 1"
        }).json()["records"]
        assert len(files) == 1
        body = requests.get(f"{server.url}/services/data/v62.0/sobjects/EventLogFile/{files[0]['Id']}/LogFile",
                            headers={**headers, "Accept-Encoding": "identity"}, timeout=30).content
        index = [json.loads(line) for line in (org / "eventlogs" / "EventLogFile.jsonl").read_text().splitlines()]
        path = next(r["path"] for r in index if r["Id"] == files[0]["Id"])
        assert body == (org / path).read_bytes()
        for session in creds["sessions"]:
            check = requests.get(f"{server.url}/services/data/v62.0/limits", timeout=10,
                                 headers={"Authorization": f"Bearer {session['access_token']}"})
            assert check.status_code == 200
        jwt_app = next((a for a in creds["connected_apps"] if a["jwt_cert_pem"]), None)
        if jwt_app is not None:
            user = next(t["username"] for t in creds["oauth_tokens"] if t["connected_app_id"] == jwt_app["id"])
            assertion = jwt.encode({"iss": jwt_app["consumer_key"], "sub": user, "aud": "https://login.salesforce.com",
                                    "exp": int(time.time()) + 300}, jwt_app["jwt_private_key_pem"], algorithm="RS256")
            login = requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
            assert login.status_code == 200
        revoke = requests.post(f"{server.url}/services/oauth2/revoke", data={"token": stolen["delete_token"]},
                               timeout=10)
        assert revoke.status_code == 200
        again = requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
            "grant_type": "refresh_token", "client_id": app["consumer_key"], "refresh_token": stolen["refresh_token"]})
        assert again.json()["error"] == "invalid_grant"
        assert requests.get(f"{server.url}/services/data/v62.0/limits", headers=headers, timeout=10).status_code == 401
