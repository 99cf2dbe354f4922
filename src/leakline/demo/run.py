"""``leakline demo``: the main job end to end on embedded defaults, with no org and no network.

Every stage runs through the same CLI commands a responder would type (in-process), against a
local emulator serving a simulated org, so the demo exercises the real code paths: the
collector talks to the emulator through simple-salesforce over HTTP, containment changes the
emulator's state, and the attacker's stolen token is checked to be dead afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import typer

from leakline.core.errors import LeaklineError, UsageError

MARKER = ".leakline-demo"
DEMO_NOW = "2026-03-02T09:00:00Z"  # the morning after the simulated window: discovery time
RESPONDER_APP = "Salesforce CLI"


@dataclass
class StageResult:
    name: str
    seconds: float
    detail: str


@dataclass
class DemoResult:
    out: Path
    stages: list[StageResult] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    lockout: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)


class DemoFailed(LeaklineError):
    exit_code = 1


def cli(args: list[str]) -> None:
    """Run one leakline command in-process; raise if it fails."""
    from leakline.cli.main import app

    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="leakline", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    if code not in (None, 0):
        raise DemoFailed(f"`leakline {' '.join(args[:2])} …` exited with {code}")


def _prepare_out(out: Path) -> None:
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise UsageError(f"{out} exists and was not made by the demo", hint="pick another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by leakline demo; safe to delete\n")


def _responder_session(org: Path, url: str) -> None:
    """Log the responder (an org admin) in through the org's CLI connected app and export the
    access token as ``SF_ACCESS_TOKEN`` — the demo's stand-in for ``sf org display``."""
    creds = json.loads((org / "credentials.json").read_text())
    app = next(a for a in creds["connected_apps"] if a["name"] == RESPONDER_APP)
    admin = creds["users"][0]
    http = requests.Session()
    http.trust_env = False
    resp = http.post(
        f"{url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": app["consumer_key"],
            "client_secret": app["consumer_secret"],
            "username": admin["username"],
            "password": admin["password"] + (admin.get("security_token") or ""),
        },
        timeout=30,
    )
    if resp.status_code != 200:
        raise DemoFailed(f"responder login to the emulator failed: HTTP {resp.status_code}")
    os.environ["SF_ACCESS_TOKEN"] = resp.json()["access_token"]


def check_lockout(org: Path, url: str) -> dict[str, Any]:
    """Replay the attacker's stolen token (must fail) and a legitimate integration's (must work)."""
    creds = json.loads((org / "credentials.json").read_text())
    apps = {a["name"]: a for a in creds["connected_apps"]}
    http = requests.Session()
    http.trust_env = False
    out: dict[str, Any] = {}
    for token in creds["oauth_tokens"]:
        app = apps.get(token["app_name"], {})
        resp = http.post(
            f"{url}/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": app.get("consumer_key", ""),
                "client_secret": app.get("consumer_secret", ""),
            },
            timeout=30,
        )
        api = http.get(
            f"{url}/services/data/v62.0/limits",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=30,
        )
        who = "attacker" if token["stolen_by_attacker"] else "legitimate"
        out.setdefault(who, []).append(
            {
                "app": token["app_name"],
                "refresh": resp.status_code,
                "refresh_error": (resp.json().get("error") if resp.status_code != 200 else None),
                "api": api.status_code,
            }
        )
    return out


def run_demo(
    out: Path,
    *,
    seed: int = 7,
    size: str = "small",
    days: int = 14,
    pdf: bool = True,
    step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole flow into ``out`` (org/, case/) and return what happened."""
    from leakline.emulator import EmulatorServer

    os.environ.setdefault("LEAKLINE_NOW", DEMO_NOW)
    if not (os.environ.get("LEAKLINE_PASSPHRASE") or os.environ.get("LEAKLINE_KEY_FILE")):
        os.environ["LEAKLINE_PASSPHRASE"] = "leakline demo passphrase (not for real cases)"
    os.environ.setdefault("LEAKLINE_OPERATOR", "demo-responder")
    _prepare_out(out)
    org, case, work = out / "org", out / "case", out / "work"
    work.mkdir()
    result = DemoResult(out)

    def stage(name: str, args: list[str] | None, detail: str | Callable[[], str]) -> None:
        """Run one CLI command (if any), then describe the outcome."""
        if step:
            step(name)
        started = time.perf_counter()
        if args is not None:
            cli(args)
        text = detail() if callable(detail) else detail
        result.stages.append(StageResult(name, time.perf_counter() - started, text))

    stage(
        "simulate",
        ["simulate", "--seed", str(seed), "--size", size, "--scenario", "stolen_integration_token", "--days", str(days), "--out", str(org)],
        f"seed {seed}, {size}, stolen_integration_token + benign noise",
    )
    window = json.loads((org / "org.json").read_text())["window"]
    server = EmulatorServer(org, state_dir=work / "emulator-state").start()
    try:
        url = server.url
        _responder_session(org, url)
        conn = ["--instance-url", url, "--session-id-env", "SF_ACCESS_TOKEN"]
        c = ["--case", str(case)]
        stage(
            "case",
            ["case", "init", str(case), "--title", "Demo: stolen support-chat integration token", "--timezone", "America/New_York", "--id", "demo-case", "--discovered-at", DEMO_NOW],
            "case demo-case",
        )
        stage("collect", ["collect", *c, *conn, "--since", window["start"], "--until", window["end"]], f"through simple-salesforce from {url}")
        stage("evidence", ["evidence", "verify", *c], "locker verified")
        stage("hunt", ["hunt", *c, "--format", "json", "-o", str(work / "hunt.json")], lambda: _count_findings(case, "hunt"))

        def evaluation() -> str:
            result.evaluation = json.loads((work / "eval.json").read_text())
            return _eval_line(result.evaluation)

        stage(
            "eval",
            ["eval", *c, "--truth", str(org / "ground_truth.json"), "--min-severity", "medium", "--format", "json", "-o", str(work / "eval.json")],
            evaluation,
        )
        stage("scope", ["scope", *c, "--org", str(org), "--format", "json", "-o", str(work / "scope.json")], "exposure + subjects by jurisdiction")
        stage("obligations", ["obligations", *c, "--format", "json", "-o", str(work / "obligations.json")], lambda: _obligation_line(case))
        stage(
            "posture",
            ["posture", "--metadata", str(org / "metadata"), *c, "--format", "json", "-o", str(work / "posture.json")],
            lambda: _count_findings(case, "posture"),
        )
        stage("map", ["map", *c, "--format", "json", "-o", str(work / "map.json")], "integration data flows")
        stage("contain plan", ["contain", "plan", *c, *conn, "--format", "json", "-o", str(work / "plan.json")], "from findings and the org's current state")
        stage("approve", ["contain", "approve", *c, "--step", "all", "--by", "Incident commander (demo)"], "first approver")
        stage("approve", ["contain", "approve", *c, "--step", "all", "--by", "Salesforce admin (demo)"], "second approver")
        stage("contain apply", ["contain", "apply", *c, *conn], "applied and verified against the emulator")

        def lockout() -> str:
            result.lockout = check_lockout(org, url)
            attacker_ok = all(t["refresh"] != 200 and t["api"] == 401 for t in result.lockout.get("attacker", []))
            legit_ok = all(t["refresh"] == 200 for t in result.lockout.get("legitimate", []))
            if not attacker_ok:
                raise DemoFailed("the attacker's token still works after containment")
            return f"attacker locked out: {attacker_ok}; legitimate integrations still work: {legit_ok}"

        stage("verify lockout", None, lockout)
    finally:
        server.stop()

    stage("report", ["report", *c], "html + json for every audience")
    if pdf:
        stage("report pdf", ["report", *c, "-a", "exec", "-f", "pdf"], "executive report as PDF")
    result.reports = sorted((case / "reports").glob("*"))
    return result


def _count_findings(case: Path, stage: str) -> str:
    path = case / "work" / "findings" / f"{stage}.jsonl"
    n = sum(1 for line in path.read_text().splitlines() if line.strip()) if path.exists() else 0
    return f"{n} finding(s)"


def _eval_line(data: dict[str, Any]) -> str:
    parts = []
    for level in ("session", "event"):
        d = data.get(level) or {}
        if "precision" in d:
            parts.append(f"{level}: precision {d['precision']:.2f}, recall {d['recall']:.2f}")
    return ("findings >= medium vs ground truth: " + "; ".join(parts)) if parts else "evaluated"


def _obligation_line(case: Path) -> str:
    path = case / "work" / "obligations.json"
    if not path.exists():
        return "computed"
    data = json.loads(path.read_text())
    required = [o for o in data.get("obligations", []) if o.get("status") == "required"]
    return f"{len(required)} required notification(s)"
