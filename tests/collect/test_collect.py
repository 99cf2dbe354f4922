"""``leakline collect``: live against the emulator (resume, budget, kill -9) and offline from folders."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.emulator import Faults
from leakline.evidence import Locker
from leakline.store import EventStore

WINDOW = ["--since", "2026-02-26T00:00:00Z", "--until", "2026-03-01T00:00:00Z"]
ONE_DAY = ["--since", "2026-02-28T00:00:00Z", "--until", "2026-03-01T00:00:00Z"]
SMALL = ["--sources", "elf,login_history,permissions", *ONE_DAY]


def new_case(root: Path, name: str) -> Case:
    return Case.init(root / name, title=name, clock=FixedClock("2026-03-02T09:00:00Z"), case_id=name)


def live_args(case: Case, url: str, creds, key_file: Path, *extra: str) -> list[str]:
    return [
        "collect", "--case", str(case.root), "--instance-url", url, "--client-id", creds.jwt_client_id,
        "--jwt-key-file", str(key_file), "--username", creds.username, *WINDOW, *extra,
    ]  # fmt: skip


def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


def shas(case: Case) -> list[str]:
    return sorted(o.sha256 for o in Locker.open(case).list())


def names(case: Case) -> set[str]:
    return {o.name for o in Locker.open(case).list()}


def event_counts(case: Case) -> dict[tuple[str, str], int]:
    con = EventStore(case).connect()
    try:
        rows = con.execute("SELECT source, event_type, count(*) FROM events GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {(s, t): n for s, t, n in rows}


def org_counts(org: Path) -> dict[str, dict[str, int]]:
    return json.loads((org / "org.json").read_text())["counts"]


@pytest.mark.slow
def test_live_collect_everything_then_rerun_fetches_nothing(
    tmp_path, passphrase_env, server, creds, key_file, sim_org
):
    case = new_case(tmp_path, "live")
    first = invoke(live_args(case, server.url, creds, key_file))
    assert first.exit_code == 0, first.output
    stored = names(case)
    index = [
        json.loads(line) for line in (sim_org / "eventlogs" / "EventLogFile.jsonl").read_text().splitlines()
    ]
    for rec in index:
        assert any(
            n.startswith(f"elf/{rec['EventType']}/{rec['LogDate'][:10]}/") and rec["Id"] in n for n in stored
        )
    assert "sobjects/LoginHistory/2026-02-26.jsonl" in stored and "sobjects/User.jsonl" in stored
    counts = event_counts(case)
    expected = org_counts(sim_org)
    for event_type, n in expected["events"].items():
        assert counts[("elf", event_type)] == n
    assert counts[("login_history", "LoginHistory")] == expected["records"]["LoginHistory"]
    assert counts[("rtem", "ApiEvent")] == expected["records"]["ApiEvent"]
    again = invoke(live_args(case, server.url, creds, key_file))
    assert again.exit_code == 0, again.output
    assert "collected 0 new artefact(s)" in again.output
    assert names(case) == stored


@pytest.mark.slow
def test_budget_stop_is_clean_and_resumable(tmp_path, passphrase_env, server, creds, key_file):
    full = new_case(tmp_path, "full")
    assert invoke(live_args(full, server.url, creds, key_file, *SMALL)).exit_code == 0
    part = new_case(tmp_path, "part")
    stopped = invoke(live_args(part, server.url, creds, key_file, *SMALL, "--max-api-calls", "12"))
    assert stopped.exit_code == 4
    assert "stopped at the API budget: 12 calls" in stopped.output and "rerun" in stopped.output
    assert 0 < len(shas(part)) < len(shas(full))
    resumed = invoke(live_args(part, server.url, creds, key_file, *SMALL))
    assert resumed.exit_code == 0, resumed.output
    assert shas(part) == shas(full)
    assert event_counts(part) == event_counts(full)


def test_rate_limit_mid_run_stops_then_resumes(
    tmp_path, passphrase_env, sim_org, emu_clock, creds, key_file, serve_org
):
    case = new_case(tmp_path, "rl")
    with serve_org(sim_org, tmp_path / "st1", emu_clock, faults=Faults(rate_limit_after=15)) as srv:
        stopped = invoke(live_args(case, srv.url, creds, key_file, *SMALL))
    assert stopped.exit_code == 4 and "REQUEST_LIMIT_EXCEEDED" in stopped.output
    with serve_org(sim_org, tmp_path / "st2", emu_clock) as srv:
        resumed = invoke(live_args(case, srv.url, creds, key_file, *SMALL))
        assert resumed.exit_code == 0, resumed.output
        full = new_case(tmp_path, "full")
        assert invoke(live_args(full, srv.url, creds, key_file, *SMALL)).exit_code == 0
    assert shas(case) == shas(full)


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_gives_the_same_locker(
    tmp_path, passphrase_env, sim_org, emu_clock, creds, key_file, serve_org
):
    leakline = Path(sys.executable).parent / "leakline"
    with serve_org(sim_org, tmp_path / "st", emu_clock, faults=Faults(latency=0.02)) as srv:
        killed = new_case(tmp_path, "killed")
        args = live_args(killed, srv.url, creds, key_file, "--sources", "elf,login_history,setup_audit_trail")
        proc = subprocess.Popen([str(leakline), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state = killed.work_dir / "collect" / "state.json"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            done = json.loads(state.read_text())["done"] if state.is_file() else {}
            if sum(1 for k in done if k.startswith("elf:0AT")) >= 5:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the collector finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = len(shas(killed))
        rerun = invoke(args)
        assert rerun.exit_code == 0, rerun.output
        clean = new_case(tmp_path, "clean")
        clean_args = live_args(
            clean, srv.url, creds, key_file, "--sources", "elf,login_history,setup_audit_trail"
        )
        assert invoke(clean_args).exit_code == 0
    assert 0 < partial < len(shas(clean))
    assert shas(killed) == shas(clean)
    assert event_counts(killed) == event_counts(clean)
    assert not any((killed.work_dir / "collect" / "tmp").iterdir())


def test_offline_org_folder(tmp_path, passphrase_env, sim_org):
    case = new_case(tmp_path, "off")
    first = invoke(["collect", "--case", str(case.root), "--from-dir", str(sim_org)])
    assert first.exit_code == 0, first.output
    stored = names(case)
    assert not any(n.endswith(("credentials.json", "ground_truth.json", "org.json")) for n in stored)
    assert any(n.startswith("metadata/") for n in stored)
    counts = event_counts(case)
    expected = org_counts(sim_org)
    assert {t: counts[("elf", t)] for t in expected["events"]} == expected["events"]
    assert counts[("setup_audit_trail", "SetupAuditTrail")] == expected["records"]["SetupAuditTrail"]
    again = invoke(["collect", "--case", str(case.root), "--from-dir", str(sim_org)])
    assert "collected 0 new artefact(s)" in again.output


def test_offline_customer_files_detected_by_header(tmp_path, passphrase_env, real_fixtures):
    handed = tmp_path / "handed"
    (handed / "logs").mkdir(parents=True)
    elf = real_fixtures / "logstash-input-sfdc_elf" / "spec" / "fixtures" / "queue_util"
    shutil.copy(elf / "sample_data3.csv", handed / "logs" / "export-1.csv")
    shutil.copy(elf / "create_event_sampledata2.csv", handed / "logs" / "odd.csv")
    (handed / "LoginHistory.csv").write_text(
        "Login Time,Username,Source IP,Status\n3/1/2026 9:00:00 AM UTC,a@example.com,198.51.100.7,Success\n"
    )
    (handed / "notes.txt").write_text("call notes")
    case = new_case(tmp_path, "cust")
    result = invoke(["collect", "--case", str(case.root), "--from-dir", str(handed)])
    assert result.exit_code == 0, result.output
    kinds = {o.name: o.kind for o in Locker.open(case).list()}
    assert kinds == {
        "files/LoginHistory.csv": "login_history_csv",
        "files/logs/export-1.csv": "elf_csv",
        "files/logs/odd.csv": "file",
        "files/notes.txt": "file",
    }
    assert event_counts(case) == {("elf", "Login"): 1466, ("login_history", "LoginHistory"): 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-01-01T00:00:00Z"], "no org given"),
        (["--instance-url", "http://127.0.0.1:9", "--from-dir", "."], "--from-dir collects offline"),
        (["--from-dir", ".", "--sources", "elf,bogus"], "unknown source(s) bogus"),
        (["--instance-url", "https://x.my.salesforce.com"], "no credentials given"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, passphrase_env, monkeypatch, args, message):
    monkeypatch.delenv("SF_INSTANCE_URL", raising=False)
    monkeypatch.delenv("SF_ACCESS_TOKEN", raising=False)
    case = new_case(tmp_path, "u")
    result = invoke(["collect", "--case", str(case.root), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_bad_session_token_never_appears_in_output(tmp_path, passphrase_env, server, monkeypatch):
    canary = "00DCANARY!token.never.printed.0123456789abcdef"
    monkeypatch.setenv("SF_ACCESS_TOKEN", canary)
    case = new_case(tmp_path, "canary")
    result = invoke(["collect", "--case", str(case.root), "--instance-url", server.url, *WINDOW])
    assert result.exit_code == 4
    assert "INVALID_SESSION_ID" in result.output and canary not in result.output
    assert not any(
        canary in p.read_text(errors="ignore")
        for p in case.root.rglob("*")
        if p.is_file() and p.suffix in (".json", ".log", ".yaml")
    )
