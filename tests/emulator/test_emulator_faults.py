"""Fault injection: rate limits, token expiry (and simple-salesforce's re-login), 5xx, truncation."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce

from leakline.emulator import EmulatorServer, Faults, emulator_session
from leakline.emulator.sample import ATTACKER_ACCESS, ELF_ID, jwt_keys

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}


def limits(server):
    return requests.get(f"{server.url}/services/data/v62.0/limits", headers=AUTH, timeout=10)


def test_rate_limit_after_n_calls(org_dir, emu_clock):
    with EmulatorServer(org_dir, clock=emu_clock, faults=Faults(rate_limit_after=2)) as server:
        assert [limits(server).status_code for _ in range(3)] == [200, 200, 403]
        body = limits(server).json()
        assert body == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_daily_limit_is_reported_and_enforced(org_dir, emu_clock):
    with EmulatorServer(org_dir, clock=emu_clock, faults=Faults(daily_api_limit=3)) as server:
        assert limits(server).json()["DailyApiRequests"] == {"Max": 3, "Remaining": 2}
        limits(server)
        limits(server)
        assert limits(server).status_code == 403


def test_token_expiry_mid_run_and_simple_salesforce_logs_in_again(org_dir, emu_clock, ca, tmp_path):
    import ssl

    cert = ca.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with EmulatorServer(org_dir, clock=emu_clock, tls=context, faults=Faults(token_expiry_after=2)) as server:
        session = emulator_session(server.url, verify=str(ca_file))
        sf = Salesforce(username="admin@acme.test", consumer_key="DRIFT-CONSUMER-KEY",
                        privatekey=jwt_keys()[1], session=session)
        first_token = sf.session_id
        result = sf.query_all("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
        assert result["totalSize"] == 450
        assert sf.session_id != first_token


def test_server_errors_at_full_rate(org_dir, emu_clock):
    with EmulatorServer(org_dir, clock=emu_clock, faults=Faults(error_rate=1.0)) as server:
        resp = limits(server)
        assert resp.status_code == 503
        assert resp.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_truncated_download_is_detected_by_the_client(org_dir, emu_clock):
    with EmulatorServer(org_dir, clock=emu_clock, faults=Faults(truncate_downloads=True)) as server:
        url = f"{server.url}/services/data/v62.0/sobjects/EventLogFile/{ELF_ID}/LogFile"
        with pytest.raises(requests.exceptions.RequestException):
            requests.get(url, headers={**AUTH, "Accept-Encoding": "identity"}, timeout=10)


def test_latency(org_dir, emu_clock):
    import time

    with EmulatorServer(org_dir, clock=emu_clock, faults=Faults(latency=0.2)) as server:
        started = time.monotonic()
        limits(server)
        assert time.monotonic() - started >= 0.2
