"""``--case``: the same org loaded through the evidence locker and the event store gives the same map."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.evidence import Locker
from leakline.flowmap.build import build_map
from leakline.flowmap.model import FlowMap
from leakline.flowmap.source import NEEDED_EVENT_TYPES, SNAPSHOT_OBJECTS, load_case
from leakline.store import KIND_ELF, KIND_RECORDS, EventStore


def _observed(fmap: FlowMap) -> dict[str, dict[str, tuple[dict[str, int], list[str]]]]:
    return {
        s.name: {f.object: ({op: v.calls for op, v in f.operations.items() if v}, f.fields_read)
                 for f in s.flows if f.status == "observed"}
        for s in fmap.surfaces if s.kind == "connected_app"
    }


@pytest.mark.slow
def test_case_map_equals_org_map(org_dir: Path, fmap: FlowMap, tmp_case: Case) -> None:
    locker = Locker.open(tmp_case)
    for path in sorted((org_dir / "eventlogs").glob("*/*.csv")):
        if path.parent.name in NEEDED_EVENT_TYPES:
            locker.add_file(path, name=path.relative_to(org_dir).as_posix(), kind=KIND_ELF)
    for path in sorted((org_dir / "sobjects").glob("*.jsonl")):
        if path.stem in NEEDED_EVENT_TYPES or path.stem in SNAPSHOT_OBJECTS:
            locker.add_file(path, name=path.relative_to(org_dir).as_posix(), kind=KIND_RECORDS)
    results = EventStore(tmp_case).rebuild(locker)
    assert not [r for r in results if r.error]
    from_case = build_map(load_case(tmp_case, org_dir / "metadata"), FixedClock("2026-03-02T09:00:00Z"))
    assert _observed(from_case) == _observed(fmap)
