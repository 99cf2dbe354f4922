"""Just-in-time admin access against the emulator, journalled through the containment engine."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from leakline.access.jit import JitAccess
from leakline.contain.sfops import SalesforceOps
from leakline.core.case import Case
from leakline.core.chainlog import ChainLog
from leakline.core.clock import FixedClock
from leakline.core.errors import UsageError
from leakline.emulator import EmulatorServer
from leakline.salesforce import SalesforceClient
from leakline.salesforce.auth import SessionAuth


def _records(org_dir: Path, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(x) for x in (org_dir / "sobjects" / f"{name}.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_request_approve_grant_expire(org_dir: Path, tmp_case: Case, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    creds = json.loads((org_dir / "credentials.json").read_text())
    admins = {u["Id"] for u in _records(org_dir, "User") if u["Title"] == "Salesforce Administrator"}
    token = next(t for t in creds["oauth_tokens"] if t["user_id"] in admins and t["valid"])
    monkeypatch.setenv("LL_TEST_TOKEN", token["access_token"])
    ps = next(p for p in _records(org_dir, "PermissionSet") if p["Name"] == "Report_Export")
    holders = {a["AssigneeId"] for a in _records(org_dir, "PermissionSetAssignment") if a["PermissionSetId"] == ps["Id"]}
    user = next(u["Id"] for u in _records(org_dir, "User") if u["Id"] not in holders and u["IsActive"])
    clock = FixedClock("2026-03-02T09:00:00Z")
    jit = JitAccess(tmp_case, clock)
    with pytest.raises(UsageError):
        jit.request(user, ps["Id"], 9, "too long", "alice")
    jid = jit.request(user, ps["Id"], 2, "INC-42: export evidence", "alice")
    with pytest.raises(UsageError, match="requester cannot approve"):
        jit.approve(jid, "alice")
    jit.approve(jid, "bob")
    with EmulatorServer(org_dir, state_dir=tmp_path / "state", record_events=False) as server:
        client = SalesforceClient(SessionAuth(server.url, "LL_TEST_TOKEN"), clock=clock).connect()
        ops = SalesforceOps(client)
        granted = jit.grant(ops, jid)
        assert granted["verified"] is True
        assert any(a.permission_set_id == ps["Id"] for a in ops.assignments(user))
        with pytest.raises(UsageError):
            jit.grant(ops, jid)  # never twice
        assert jit.expire(ops) == []
        clock.advance(timedelta(hours=2, minutes=1))
        [expired] = jit.expire(ops)
        assert expired["verified"] is True
        assert not any(a.permission_set_id == ps["Id"] for a in ops.assignments(user))
    state = jit.requests()[jid]
    assert state["state"] == "expired" and state["approved_by"] == "bob"
    events = [e["event"] for e in ChainLog(tmp_case.journal_path).entries() if e["event"].startswith("jit_")]
    assert events == ["jit_requested", "jit_approved", "jit_granted", "jit_expired"]


def test_cli_request_and_status(tmp_case: Case) -> None:
    from typer.testing import CliRunner

    from leakline.cli.main import app

    runner = CliRunner()
    base = ["--case", str(tmp_case.root)]
    made = runner.invoke(app, ["jit", "request", *base, "--user-id", "005000000000001AAA", "--permission-set-id",
                               "0PS000000000001AAA", "--hours", "1", "--reason", "INC-1", "--by", "alice"])
    assert made.exit_code == 0, made.output
    jid = made.stdout.strip()
    same = runner.invoke(app, ["jit", "approve", *base, "--id", jid, "--by", "alice"])
    assert same.exit_code == 2 and "requester cannot approve" in same.output
    status = runner.invoke(app, ["jit", "status", *base])
    assert status.exit_code == 0
    assert json.loads(status.stdout)[0]["state"] == "requested"
