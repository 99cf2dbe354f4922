"""Restore of the corrupted_sync scenario through simple-salesforce against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakline.contain.restore import SYSTEM_FIELDS, apply_restore, plan_restore
from leakline.contain.snapshot import load_snapshot

from .conftest import start


@pytest.fixture(scope="module")
def sync_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from leakline.simulate import generate

    out = tmp_path_factory.mktemp("restore") / "org"
    generate(out, seed=5, size="small", scenarios=["corrupted_sync"], days=3)
    return out


def _comparable(row: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in row.items() if k not in SYSTEM_FIELDS}


@pytest.mark.slow
def test_restore_returns_pre_incident_records_without_dangling_references(
    sync_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = start(sync_org, tmp_path / "state", monkeypatch)
    live = next(gen)
    try:
        truth = json.loads((sync_org / "ground_truth.json").read_text())
        damaged = {c["id"] for c in truth["scenarios"][0]["changed_records"]}
        objects = sorted({c["object"] for c in truth["scenarios"][0]["changed_records"]})
        snapshot = load_snapshot(sync_org / "snapshots" / "pre_incident", objects)
        references = live.ops.references(objects)
        current = {o: live.ops.records(o) for o in objects}
        plan = plan_restore(snapshot, current, references)
        assert {op.record_id for op in plan.ops} == damaged
        result = apply_restore(plan, live.ops, references)
        assert result.dangling == []
        after = {o: {r["Id"]: r for r in live.ops.records(o)} for o in objects}
        for sobject, rows in snapshot.items():
            for row in rows:
                new_id = result.id_map.get(str(row["Id"]), str(row["Id"]))
                got = after[sobject][new_id]
                want = _comparable(row)
                assert {k: got.get(k) for k in want} == {
                    k: result.id_map.get(v, v) if isinstance(v, str) else v for k, v in want.items()
                }, (sobject, row["Id"])
        assert plan_restore(
            {o: [{**r, "Id": result.id_map.get(str(r["Id"]), r["Id"])} for r in rows] for o, rows in snapshot.items()},
            {o: live.ops.records(o) for o in objects},
            references,
        ).ops == []
    finally:
        gen.close()
