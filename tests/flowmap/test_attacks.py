"""On an attacked org, what the attacker read through an app's token shows up as that app's flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.clock import FixedClock
from leakline.flowmap.build import build_map
from leakline.flowmap.source import load_org_dir
from leakline.simulate import generate, truth


@pytest.mark.slow
def test_exfiltration_through_app_tokens_is_observed(tmp_path: Path) -> None:
    org_dir = generate(tmp_path / "org", seed=7, size="small",
                       scenarios=["stolen_integration_token", "vishing_rogue_dataloader"], days=4)
    gt = truth.load(org_dir)
    fmap = build_map(load_org_dir(org_dir), FixedClock("2026-03-02T09:00:00Z"))
    checked = 0
    for scenario in gt.scenarios:
        for token in scenario.tokens:
            surface = next(s for s in fmap.surfaces if s.details.get("connected_app_id") == token.connected_app_id)
            flows = {f.object: f for f in surface.flows if f.status == "observed"}
            for exf in scenario.exfiltrated:
                assert exf.object in flows, (scenario.name, exf.object)
                assert set(exf.fields) <= set(flows[exf.object].fields_read), (scenario.name, exf.object)
                checked += 1
    assert checked >= 8
