"""Scope against the simulator's ground truth (a real simulated org, ingested through the store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.core.findings import write_findings
from leakline.core.models import Finding, Severity
from leakline.evidence import Locker
from leakline.scope.service import load_store_snapshot, run_scope
from leakline.store import EventStore

simulate = pytest.importorskip("leakline.simulate.generate")


@pytest.mark.slow
def test_scope_matches_simulated_exfiltration(tmp_path: Path, tmp_case: Case) -> None:
    org = simulate.generate(tmp_path / "org", seed=11, size="small", scenarios=["stolen_integration_token"])
    truth = json.loads((org / "ground_truth.json").read_text())
    (scenario,) = truth["scenarios"]
    locker = Locker.open(tmp_case)
    for path in sorted((org / "sobjects").glob("*.jsonl")):
        locker.add_file(path, name=f"sobjects/{path.name}", kind="sobject_records")
    for path in sorted((org / "eventlogs").glob("BulkApi2/*.csv")):
        locker.add_file(path, name=str(path.relative_to(org)), kind="elf_csv")
    list(EventStore(tmp_case).ingest_all(locker))
    # What a perfect hunt would report: the attacker's sessions and addresses.
    finding = Finding(
        id="truth:1",
        rule_id="truth",
        severity=Severity.HIGH,
        title="attacker sessions",
        entities={"session": tuple(scenario["session_keys"]), "ip": tuple(i["ip"] for i in scenario["ips"])},
    )
    write_findings(tmp_case, "hunt", [finding])
    result = run_scope(tmp_case, load_store_snapshot(tmp_case))

    for exfil in scenario["exfiltrated"]:
        exposure = result.exposures[exfil["object"]]
        assert exposure.record_ids == set(exfil["record_ids"]), exfil["object"]
        assert set(exfil["fields"]) <= exposure.fields, exfil["object"]
    assert set(result.exposures) == {e["object"] for e in scenario["exfiltrated"]}

    want = {(g["jurisdiction"], tuple(g["elements"])): g["count"] for g in scenario["subjects"]}
    got = result.subjects.groups()
    # People with no address or phone (some users) resolve to their locale's country only:
    # "US" where the simulator knows the state. Everything else must be a true jurisdiction.
    truth_residences = {r for r, _ in want}
    assert {r for r, _ in got} - truth_residences <= {r.split("-")[0] for r in truth_residences}
    total_want, total_got = sum(want.values()), sum(got.values())
    assert abs(total_got - total_want) <= 0.02 * total_want
    by_residence_want: dict[str, int] = {}
    by_residence_got: dict[str, int] = {}
    for (residence, _), count in want.items():
        by_residence_want[residence] = by_residence_want.get(residence, 0) + count
    for (residence, _), count in got.items():
        by_residence_got[residence] = by_residence_got.get(residence, 0) + count
    off = {
        r: (by_residence_want.get(r, 0), by_residence_got.get(r, 0))
        for r in by_residence_want
        if abs(by_residence_want.get(r, 0) - by_residence_got.get(r, 0)) > max(6, 0.05 * by_residence_want[r])
    }
    assert off == {}
