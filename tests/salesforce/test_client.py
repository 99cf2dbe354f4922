"""SalesforceClient (unmodified simple-salesforce underneath) against the emulator over HTTP and HTTPS."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leakline.core.clock import FixedClock
from leakline.core.errors import ConfigError, RemoteError
from leakline.emulator import Faults
from leakline.salesforce import (
    ApiBudget,
    BudgetExhausted,
    ClientCredentialsAuth,
    JwtBearerAuth,
    SalesforceClient,
    Secret,
    SessionAuth,
)

WINDOW_END = "2026-03-01T00:00:00Z"

SINCE = datetime(2026, 2, 27, tzinfo=UTC)
UNTIL = datetime(2026, 3, 1, tzinfo=UTC)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def jwt_client(url: str, creds, key_file: Path, **kwargs) -> SalesforceClient:
    auth = JwtBearerAuth(url, creds.jwt_client_id, creds.username, key_file)
    kwargs.setdefault("sleep", Sleeps())
    return SalesforceClient(auth, clock=FixedClock(WINDOW_END), **kwargs).connect()


def test_jwt_over_http_query_paging_and_usage(server, creds, key_file, sim_org):
    client = jwt_client(server.url, creds, key_file)
    contacts = client.query("SELECT Id, Email FROM Contact")
    expected = len((sim_org / "sobjects" / "Contact.jsonl").read_text().splitlines())
    assert len(contacts) == expected
    assert len({c.id for c in contacts}) == expected
    assert all(c.sobject == "Contact" and len(c.id or "") == 18 for c in contacts)
    pages = list(client.query_pages("SELECT Id FROM Contact", batch_size=500))
    assert [len(p.records) for p in pages] == [500, 500, 500, expected - 1500]  # nextRecordsUrl followed
    usage = client.usage
    assert usage.calls >= 1 + len(pages) and usage.limit == 100_000 and usage.used is not None


def test_https_with_a_test_ca(tls_server, creds, key_file, ca_file):
    client = jwt_client(tls_server.url, creds, key_file, verify=ca_file)
    assert client.instance_url.startswith("https://127.0.0.1:")
    assert client.limits()["DailyApiRequests"].max == 100_000


def test_https_without_the_ca_is_refused(tls_server, creds, key_file):
    with pytest.raises(RemoteError, match="cannot reach the token endpoint"):
        jwt_client(tls_server.url, creds, key_file)


def test_existing_session_from_env(server, creds, monkeypatch):
    monkeypatch.setenv("SF_ACCESS_TOKEN", creds.access_token)
    client = SalesforceClient(SessionAuth(server.url), clock=FixedClock(WINDOW_END)).connect()
    assert client.query("SELECT Id FROM Organization")[0].sobject == "Organization"


def test_missing_session_env_is_a_config_error(server, monkeypatch):
    monkeypatch.delenv("SF_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"no access token in \$SF_ACCESS_TOKEN"):
        SalesforceClient(SessionAuth(server.url), clock=FixedClock(WINDOW_END)).connect()


def test_client_credentials(org_copy, tmp_path, emu_clock, creds, monkeypatch, serve_org):
    data = json.loads((org_copy / "credentials.json").read_text())
    app = data["connected_apps"][0]
    app["client_credentials_user"] = creds.user_id
    (org_copy / "credentials.json").write_text(json.dumps(data))
    monkeypatch.setenv("SF_CLIENT_SECRET", app["consumer_secret"])
    with serve_org(org_copy, tmp_path / "st", emu_clock) as srv:
        client = SalesforceClient(
            ClientCredentialsAuth(srv.url, app["consumer_key"]), clock=emu_clock
        ).connect()
        assert client.query("SELECT Id FROM Organization")


def test_plain_http_to_a_remote_host_is_refused(monkeypatch):
    monkeypatch.setenv("SF_ACCESS_TOKEN", "x")
    with pytest.raises(ConfigError, match="refusing plain HTTP"):
        SalesforceClient(SessionAuth("http://example.com"), clock=FixedClock(WINDOW_END)).connect()


def test_event_log_files_and_streaming_download(server, creds, key_file, sim_org, tmp_path):
    client = jwt_client(server.url, creds, key_file)
    files = client.event_log_files(SINCE, UNTIL)
    assert files and {f.interval for f in files} <= {"Daily", "Hourly"}
    first = files[0]
    assert first.name == f"elf/{first.event_type}/{first.log_date:%Y-%m-%d}/Daily/{first.id}.csv"
    got = client.download_event_log_file(first, tmp_path / "x.csv")
    index = [
        json.loads(line) for line in (sim_org / "eventlogs" / "EventLogFile.jsonl").read_text().splitlines()
    ]
    rel = next(r["path"] for r in index if r["Id"][:15] == first.id[:15])
    body = (sim_org / rel).read_bytes()
    assert got.sha256 == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "x.csv").read_bytes() == body


def test_bulk_query(server, creds, key_file, sim_org, tmp_path):
    client = jwt_client(server.url, creds, key_file)
    result = client.bulk_query("Contact", "SELECT Id, Email FROM Contact", tmp_path / "c.csv", poll=0.05)
    expected = len((sim_org / "sobjects" / "Contact.jsonl").read_text().splitlines())
    assert result.records == expected
    lines = (tmp_path / "c.csv").read_text().splitlines()
    assert lines[0] == '"Id","Email"' and len(lines) == expected + 1


def test_server_errors_are_retried_with_backoff(sim_org, tmp_path, emu_clock, creds, key_file, serve_org):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(error_rate=0.4, seed=3)) as srv:
        sleeps = Sleeps()
        client = jwt_client(srv.url, creds, key_file, sleep=sleeps)
        for _ in range(6):
            assert client.query("SELECT Id FROM Organization")
    assert client.retries > 0 and sleeps.calls
    assert all(s in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0) for s in sleeps.calls)


def test_retry_budget_is_bounded(sim_org, tmp_path, emu_clock, creds, key_file, serve_org):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(error_rate=1.0)) as srv:
        sleeps = Sleeps()
        auth = JwtBearerAuth(srv.url, creds.jwt_client_id, creds.username, key_file)
        client = SalesforceClient(auth, clock=emu_clock, sleep=sleeps, max_retries=3).connect()
        with pytest.raises(RemoteError, match=r"gave up after 4 attempts \(HTTP 503\)"):
            client.limits()
    assert sleeps.calls == [1.0, 2.0, 4.0]


def test_daily_limit_stops_at_once(sim_org, tmp_path, emu_clock, creds, key_file, serve_org):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(rate_limit_after=2)) as srv:
        sleeps = Sleeps()
        client = jwt_client(srv.url, creds, key_file, sleep=sleeps)
        with pytest.raises(BudgetExhausted, match="REQUEST_LIMIT_EXCEEDED"):
            for _ in range(5):
                client.query("SELECT Id FROM Organization")
    assert sleeps.calls == []


def test_token_expiry_mid_run_refreshes_once_per_call(
    sim_org, tmp_path, emu_clock, creds, key_file, serve_org
):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(token_expiry_after=3)) as srv:
        client = jwt_client(srv.url, creds, key_file)
        for _ in range(8):
            assert client.query("SELECT Id FROM Organization")
    assert client.refreshes >= 2


def test_expired_existing_session_fails_with_one_line(
    sim_org, tmp_path, emu_clock, creds, monkeypatch, serve_org
):
    monkeypatch.setenv("SF_ACCESS_TOKEN", creds.access_token)
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(token_expiry_after=1)) as srv:
        client = SalesforceClient(SessionAuth(srv.url), clock=emu_clock).connect()
        client.query("SELECT Id FROM Organization")
        with pytest.raises(RemoteError, match="INVALID_SESSION_ID") as err:
            client.query("SELECT Id FROM Organization")
    assert creds.access_token not in str(err.value) and creds.access_token not in (err.value.hint or "")


def test_truncated_download_is_detected(sim_org, tmp_path, emu_clock, creds, key_file, serve_org):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(truncate_downloads=True)) as srv:
        client = jwt_client(srv.url, creds, key_file, max_retries=1)
        first = client.event_log_files(SINCE, UNTIL)[0]
        with pytest.raises(RemoteError, match="gave up after 2 attempts"):
            client.download_event_log_file(first, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_max_calls_budget(server, creds, key_file):
    auth = JwtBearerAuth(server.url, creds.jwt_client_id, creds.username, key_file)
    client = SalesforceClient(auth, clock=FixedClock(WINDOW_END), budget=ApiBudget(max_calls=3)).connect()
    for _ in range(3):
        client.query("SELECT Id FROM Organization")
    with pytest.raises(BudgetExhausted, match="--max-api-calls 3"):
        client.query("SELECT Id FROM Organization")


def test_daily_share_budget(sim_org, tmp_path, emu_clock, creds, key_file, serve_org):
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(daily_api_limit=10)) as srv:
        auth = JwtBearerAuth(srv.url, creds.jwt_client_id, creds.username, key_file)
        client = SalesforceClient(auth, clock=emu_clock, budget=ApiBudget(max_fraction=0.5)).connect()
        with pytest.raises(BudgetExhausted, match="daily API requests"):
            for _ in range(10):
                client.query("SELECT Id FROM Organization")
        assert client.usage.used is not None and client.usage.used <= 6


def test_containment_calls(server, creds, key_file):
    client = jwt_client(server.url, creds, key_file)
    user = creds.user_id
    assert client.freeze_user(user).is_frozen is True
    assert client.unfreeze_user(user).is_frozen is False
    sessions = client.auth_sessions()
    assert sessions
    client.delete_auth_session(sessions[0].id or "")
    assert sessions[0].id not in {s.id for s in client.auth_sessions()}
    grants = client.oauth_grants()
    assert grants and all(g.delete_token is None or "****" in repr(g.delete_token) for g in grants)
    target = next(g for g in grants if g.delete_token is not None)
    client.revoke_token(target.delete_token)
    client.deactivate_user(user)
    assert client.query(f"SELECT IsActive FROM User WHERE Id = '{user}'")[0].get("IsActive") is False


def test_revoking_a_bad_token_never_echoes_it(server, creds, key_file):
    client = jwt_client(server.url, creds, key_file)
    canary = "CANARY-token-never-shown-0123456789"
    with pytest.raises(RemoteError) as err:
        client.revoke_token(Secret(canary))
    assert canary not in str(err.value) and "revocation refused" in str(err.value)
    assert canary not in repr(Secret(canary)) and canary not in str(Secret(canary))


def test_metadata_retrieve(server, creds, key_file, tmp_path):
    import zipfile

    client = jwt_client(server.url, creds, key_file)
    got = client.metadata_retrieve({"Profile": ["*"], "Settings": ["Security"]}, tmp_path / "m.zip", poll=0)
    with zipfile.ZipFile(got.path) as archive:
        names = archive.namelist()
    assert "package.xml" in names
    assert any(n.startswith("profiles/") for n in names)
    assert got.size == (tmp_path / "m.zip").stat().st_size


def test_generic_record_calls_and_references(server, creds, key_file):
    client = jwt_client(server.url, creds, key_file)
    assert "Account" in client.reference_fields("Contact").get("AccountId", [])
    new_id = client.create_record("Account", {"Name": "Restore test"})
    assert len(new_id) == 18
    client.update_record("Account", new_id, {"Name": "Restored"})
    assert client.query(f"SELECT Name FROM Account WHERE Id = '{new_id}'")[0].get("Name") == "Restored"
    client.delete_record("Account", new_id)
    assert client.query(f"SELECT Id FROM Account WHERE Id = '{new_id}'") == []
