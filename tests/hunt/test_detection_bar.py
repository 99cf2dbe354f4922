"""The hunt bar, end to end: simulate → collect offline → hunt → eval against ground truth.

Bar (hunt issue): on every simulator scenario, alone and combined, over several seeds, recall of
malicious sessions is 1.0 and precision is at least 0.95 (findings of medium severity and up);
on a benign-only org no finding is above low severity. The full grid (each scenario alone, three
seeds) is run by hand for the issue note; here the combined org on two seeds and a benign org.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakline.demo.run import cli
from leakline.simulate.scenarios.base import scenario_names

WINDOW = ["--since", "2026-02-20T00:00:00Z", "--until", "2026-03-01T00:00:00Z"]


def _hunt(tmp: Path, seed: int, scenarios: tuple[str, ...]) -> tuple[dict, list[dict]]:
    org, case = tmp / "org", tmp / "case"
    cli(["simulate", "--seed", str(seed), "--size", "small", "--days", "7", *[a for s in scenarios for a in ("--scenario", s)], "--out", str(org)])
    cli(["case", "init", str(case), "--title", "bar", "--timezone", "UTC", "--id", f"bar-{seed}"])
    cli(["collect", "--case", str(case), "--from-dir", str(org), *WINDOW])
    cli(["hunt", "--case", str(case), "--format", "json", "-o", str(tmp / "hunt.json")])
    cli(["eval", "--case", str(case), "--truth", str(org / "ground_truth.json"), "--min-severity", "medium",
         "--format", "json", "-o", str(tmp / "eval.json")])
    findings = json.loads((tmp / "hunt.json").read_text())["findings"]
    return json.loads((tmp / "eval.json").read_text()), findings


@pytest.fixture
def hunt_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAKLINE_KEY_FILE", raising=False)
    monkeypatch.setenv("LEAKLINE_PASSPHRASE", "detection bar passphrase")
    monkeypatch.setenv("LEAKLINE_NOW", "2026-03-01T12:00:00Z")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_all_scenarios_combined_meet_the_bar(tmp_path: Path, hunt_env: None, seed: int) -> None:
    evaluation, _ = _hunt(tmp_path, seed, scenario_names())
    assert evaluation["session"]["recall"] == 1.0, evaluation["scenarios"]
    assert evaluation["session"]["precision"] >= 0.95, evaluation["rules"]
    for scenario in evaluation["scenarios"]:
        assert scenario["session_recall"] in (1.0, None), scenario


@pytest.mark.slow
def test_benign_org_has_nothing_above_low(tmp_path: Path, hunt_env: None) -> None:
    _, findings = _hunt(tmp_path, 13, ())
    assert [f["rule_id"] for f in findings if f["severity"] not in ("info", "low")] == []
