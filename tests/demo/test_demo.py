"""The end-to-end demo on a small org: results must match the simulator's ground truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from leakline.demo.run import run_demo


@pytest.mark.slow
def test_demo_end_to_end_matches_ground_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAKLINE_KEY_FILE", raising=False)
    monkeypatch.setenv("LEAKLINE_PASSPHRASE", "demo test passphrase")
    monkeypatch.setenv("LEAKLINE_NOW", "2026-03-02T09:00:00Z")
    result = run_demo(tmp_path / "out", seed=7, size="small", days=3, pdf=False)
    truth = json.loads((tmp_path / "out" / "org" / "ground_truth.json").read_text())

    assert result.evaluation["session"]["recall"] == 1.0
    assert result.evaluation["event"]["recall"] == 1.0
    assert result.evaluation["session"]["precision"] >= 0.95
    assert all(t["refresh"] == 400 and t["api"] == 401 for t in result.lockout["attacker"])
    assert all(t["refresh"] == 200 for t in result.lockout["legitimate"])

    plan = json.loads((tmp_path / "out" / "work" / "plan.json").read_text())
    frozen = {s["target"]["user_id"] for s in plan["steps"] if s.get("action") == "freeze_user"}
    assert frozen == set(truth["containment"]["freeze_users"])
    case = tmp_path / "out" / "case"
    names = {p.name for p in (case / "reports").iterdir()}
    assert {f"{a}.{e}" for a in ("exec", "counsel", "regulator", "auditor", "technical") for e in ("html", "json")} <= names
    # Nothing the attacker took may appear in clear text in any report: the exposed records'
    # emails and phone numbers, and the cloud keys planted in Case text, are canaries.
    org = tmp_path / "out" / "org" / "sobjects"
    exposed = {rid for scen in truth["scenarios"] for ex in scen["exfiltrated"] for rid in ex.get("record_ids", [])}
    canaries: set[str] = set()
    for name in ("Contact", "Lead", "User", "Case"):
        for line in (org / f"{name}.jsonl").read_text().splitlines():
            record = json.loads(line)
            if record["Id"] not in exposed:
                continue
            canaries.update(v for k, v in record.items() if k in ("Email", "Phone", "MobilePhone") and v)
            canaries.update(re.findall(r"AKIA[0-9A-Z]{16}", record.get("Description") or ""))
    assert canaries
    for report in (case / "reports").iterdir():
        text = report.read_text()
        leaked = [c for c in canaries if c in text]
        assert not leaked, (report.name, leaked[:3])
