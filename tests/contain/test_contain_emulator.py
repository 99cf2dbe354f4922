"""Containment against the emulator through simple-salesforce (the issue's bars)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from leakline.contain.engine import Containment
from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.core.models import Finding, Severity
from leakline.simulate.truth import load as load_truth

from .conftest import Live


def truth_findings(org: Path) -> list[Finding]:
    """Findings as the hunt rules emit them for this org's attack (entity keys per the contract)."""
    truth = load_truth(org)
    scen = truth.scenarios[0]
    app_ids = tuple(scen.connected_app_ids)
    user_ids = tuple(a.user_id for a in scen.actors)
    findings = []
    for ip in scen.ips:
        findings.append(
            Finding(
                id=Finding.make_id("ioc_ip_match", ip.ip),
                rule_id="ioc_ip_match",
                severity=Severity.HIGH,
                title=f"events from listed address {ip.ip}",
                entities={"user": user_ids, "app": app_ids, "ip": (ip.ip,)},
                first_seen=datetime.fromisoformat("2026-02-28T10:00:00+00:00"),
            )
        )
    # A volume anomaly on a legitimate integration: must not be contained automatically.
    findings.append(
        Finding(
            id="export_volume_app_baseline:noise",
            rule_id="export_volume_app_baseline",
            severity=Severity.HIGH,
            title="volume",
            entities={"user": ("005000000000000AAA",), "app": ("Snowfall Warehouse Sync",)},
        )
    )
    return findings


def make_case(tmp_path: Path) -> Case:
    return Case.init(tmp_path / "case", title="t", clock=FixedClock("2026-03-02T09:00:00Z"), case_id="t")


def approve_all(engine: Containment) -> None:
    engine.approve(["all"], "Incident commander")
    engine.approve(["all"], "Salesforce admin")


@pytest.mark.slow
def test_attacker_locked_out_legitimate_integrations_keep_working(live: Live, tmp_path: Path, passphrase_env: str) -> None:
    case = make_case(tmp_path)
    engine = Containment(case, FixedClock("2026-03-02T09:00:00Z"))
    plan = engine.plan(truth_findings(live.org), live.ops)
    actions = sorted((s["action"], tuple(sorted(s["target"].items()))) for s in plan["steps"] if s["type"] == "action")
    truth = load_truth(live.org)
    attacker_user = truth.scenarios[0].actors[0].user_id
    assert ("freeze_user", (("user_id", attacker_user),)) in actions
    assert not any("Snowfall" in str(t) or "005000000000000AAA" in str(t) for _, t in actions)

    assert all(o["outcome"] == "awaiting_approval" for o in engine.apply(live.ops))
    engine.approve(["all"], "Incident commander")
    pending = engine.apply(live.ops)
    # Non-destructive steps (freeze, remove access) need one approver; destructive ones two.
    assert {o["outcome"] for o in pending} >= {"awaiting_approval"}
    engine.approve(["all"], "Salesforce admin")
    engine.apply(live.ops)
    states = {row["key"]: row["state"] for row in engine.status() if row["type"] == "action"}
    assert set(states.values()) <= {"verified", "noop"}, states

    for token in live.creds["oauth_tokens"]:
        refreshed = live.refresh(token)
        if token["stolen_by_attacker"]:
            assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
            assert live.call(token["access_token"]) == 401
        elif token["valid"] and token["username"] != truth.scenarios[0].actors[0].username:
            assert refreshed.status_code == 200, token["app_name"]
    frozen_login = live.password_login(truth.scenarios[0].actors[0].username)
    assert frozen_login.status_code == 400

    # The rotated integration password is handed over in a 0600 file and nowhere else.
    handover = case.work_dir / "contain" / "handover" / f"{attacker_user}.secret"
    assert handover.stat().st_mode & 0o777 == 0o600
    secret = handover.read_text().strip()
    assert len(secret) >= 20
    assert secret not in case.journal_path.read_text()

    # Applying again changes nothing: every step is already done.
    assert engine.apply(live.ops) == []
    events = [e["event"] for e in engine.journal.entries()]
    assert events.count("applied") == len([s for s in states.values() if s == "verified"])
    assert engine.journal.verify() == []


@pytest.mark.slow
def test_kill_during_apply_then_rerun_does_nothing_twice(
    token_org: Path, tmp_path: Path, passphrase_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import start

    gen = start(token_org, tmp_path / "state", monkeypatch)
    live = next(gen)
    try:
        case = make_case(tmp_path)
        engine = Containment(case, FixedClock("2026-03-02T09:00:00Z"))
        engine.plan(truth_findings(live.org), live.ops)
        approve_all(engine)
        env = {**os.environ, "LEAKLINE_NOW": "2026-03-02T09:00:00Z"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "leakline.cli.main", "contain", "apply", "--case", str(case.root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(e["event"] == "applied" for e in engine.journal.entries()):
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        engine.apply(live.ops)
        entries = list(engine.journal.entries())
        applied_steps = [e["step"] for e in entries if e["event"] == "applied"]
        changed = [
            e["step"]
            for e in entries
            if e["event"] == "applied" and any(v for k, v in e["result"].items() if k in ("changed", "ended", "revoked", "removed"))
        ]
        assert len(changed) == len(set(changed)), "an action took effect twice"
        assert len(set(applied_steps)) >= 1
        assert engine.journal.verify() == []
        assert {r["state"] for r in engine.status() if r["type"] == "action"} <= {"verified", "noop"}
    finally:
        gen.close()


def test_truth_helpers_load(token_org: Path) -> None:
    truth = json.loads((token_org / "ground_truth.json").read_text())
    assert truth["containment"]["freeze_users"]
