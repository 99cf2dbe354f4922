"""CLI: hunt over a real event store (Parquet + EventStore view), rules, iocs, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.findings import read_findings
from tests.hunt.helpers import write_store

ATTACK = [
    {"ts": "2026-03-02T10:00:00Z", "event_type": "BulkApi2", "source": "elf", "job_id": "750J", "status_detail": "JobComplete",
     "user_id": "005U1", "session_key": "S1", "src_ip": "185.220.101.33", "evidence_row": 1, "request_id": "R1"},
    {"ts": "2026-03-02T10:05:00Z", "event_type": "BulkApi2", "source": "elf", "job_id": "750J", "status_detail": "Deleted",
     "user_id": "005U1", "session_key": "S1", "src_ip": "185.220.101.33", "evidence_row": 2, "request_id": "R2"},
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_hunt_writes_findings_and_clusters_and_fails_on_high(runner: CliRunner, tmp_case: Case) -> None:
    write_store(tmp_case, ATTACK)
    code, out, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--format", "json", "--fail-on", "high")
    assert code == 1, err
    payload = json.loads(out)
    rules = sorted({f["rule_id"] for f in payload["findings"]})
    assert rules == ["anonymizer_ip_access", "bulk_job_deleted_after_complete", "ioc_ip_match"]
    assert len(payload["clusters"]) == 1
    assert payload["clusters"][0]["entities"]["session"] == ["S1"]
    assert "finding(s) at or above high" in err
    assert sorted(f.rule_id for f in read_findings(tmp_case, "hunt")) == sorted(f["rule_id"] for f in payload["findings"])
    clusters = json.loads((tmp_case.work_dir / "hunt_clusters.json").read_text(encoding="utf-8"))
    assert clusters["clusters"][0]["rules"] == rules


def test_hunt_selected_rules_and_window(runner: CliRunner, tmp_case: Case) -> None:
    write_store(tmp_case, ATTACK)
    code, out, err = _invoke(
        runner, "hunt", "--case", str(tmp_case.root), "--rules", "bulk_job_deleted_after_complete",
        "--since", "2026-03-03T00:00:00Z", "--format", "json", "--fail-on", "low",
    )
    assert code == 0, err
    assert json.loads(out)["findings"] == []


def test_hunt_bad_options_are_one_line_usage_errors(runner: CliRunner, tmp_case: Case) -> None:
    code, _, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--rules", "nope")
    assert code == 2 and "unknown rule id(s): nope" in err and "Traceback" not in err
    code, _, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--param", "bulk_job_deleted_after_complete.x=1")
    assert code == 2 and "has no parameter 'x'" in err
    code, _, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--fail-on", "urgent")
    assert code == 2 and "unknown severity" in err
    code, _, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--since", "yesterday")
    assert code == 3 and "is not an ISO-8601 time" in err


def test_rules_list_show_test(runner: CliRunner) -> None:
    code, out, _ = _invoke(runner, "rules", "list", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert len(listed) >= 25 and {"id", "title", "severity", "mitre", "event_types"} == set(listed[0])
    code, out, _ = _invoke(runner, "rules", "show", "bulk_job_deleted_after_complete")
    assert code == 0 and "max_minutes = 60" in out and "FROM events" in out
    code, out, _ = _invoke(runner, "rules", "test", "bulk_job_deleted_after_complete")
    assert code == 0 and "2 example(s) passed, 0 failed" in out
    code, _, err = _invoke(runner, "rules", "show", "nope")
    assert code == 2 and "unknown rule id" in err


def test_iocs_import_then_list(runner: CliRunner, tmp_case: Case, tmp_path: Path) -> None:
    path = tmp_path / "intel.csv"
    path.write_text("value,tags\n192.0.2.99,user\n", encoding="utf-8")
    code, _, err = _invoke(runner, "hunt", "iocs", "import", str(path), "--case", str(tmp_case.root))
    assert code == 0 and "imported 1 indicator(s)" in err
    code, out, _ = _invoke(runner, "hunt", "iocs", "list", "--case", str(tmp_case.root), "--format", "json")
    assert "192.0.2.99" in [e["value"] for e in json.loads(out)]
    bad = tmp_path / "bad.csv"
    bad.write_text("value\n\n300.1.1.1\n", encoding="utf-8")
    code, _, err = _invoke(runner, "hunt", "iocs", "import", str(bad), "--case", str(tmp_case.root))
    assert code == 3 and "bad.csv:3:" in err


def test_eval_event_and_session_precision_recall(runner: CliRunner, tmp_case: Case, tmp_path: Path) -> None:
    benign = {"ts": "2026-03-02T09:00:00Z", "event_type": "RestApi", "source": "elf", "user_id": "005U2",
              "session_key": "S2", "src_ip": "185.220.101.33", "evidence_row": 3, "request_id": "R3", "status": "success"}
    write_store(tmp_case, [*ATTACK, benign])
    code, _, err = _invoke(runner, "hunt", "--case", str(tmp_case.root), "--rules", "bulk_job_deleted_after_complete,ioc_ip_match")
    assert code == 0, err
    truth = {
        "org_id": "00D000000000001AAA", "seed": 1, "size": "small",
        "window": {"start": "2026-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z"},
        "scenarios": [{"name": "stolen_integration_token", "summary": "s", "start": "2026-03-02T10:00:00Z",
                       "end": "2026-03-02T11:00:00Z", "session_keys": ["S1"], "malicious_events": [
                           {"request_id": r, "event_type": "BulkApi2", "file": "f.csv", "row": i, "step": "x",
                            "scenario": "stolen_integration_token"} for i, r in ((1, "R1"), (2, "R2"))]}],
        "malicious_events": [{"request_id": r, "event_type": "BulkApi2", "file": "f.csv", "row": i, "step": "x",
                              "scenario": "stolen_integration_token"} for i, r in ((1, "R1"), (2, "R2"))],
    }
    org = tmp_path / "org"
    org.mkdir()
    (org / "ground_truth.json").write_text(json.dumps(truth), encoding="utf-8")
    code, out, err = _invoke(runner, "eval", "--case", str(tmp_case.root), "--truth", str(org / "ground_truth.json"), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["event"] == {"flagged": 3, "malicious": 2, "true_positives": 2, "precision": 0.6667, "recall": 1.0}
    assert report["session"] == {"flagged": 2, "malicious": 1, "true_positives": 1, "precision": 0.5, "recall": 1.0}
    assert report["scenarios"][0]["session_recall"] == 1.0
