"""A benign simulated org (no attack scenario) and its map, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.clock import FixedClock
from leakline.flowmap.build import build_map
from leakline.flowmap.flows import ActorFlows, observed_flows
from leakline.flowmap.model import FlowMap
from leakline.flowmap.source import OrgData, load_org_dir
from leakline.simulate import generate, truth


@pytest.fixture(scope="session")
def org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("flowmap") / "org", seed=11, size="small", scenarios=[], days=3)


@pytest.fixture(scope="session")
def org(org_dir: Path) -> OrgData:
    return load_org_dir(org_dir)


@pytest.fixture(scope="session")
def actors(org: OrgData) -> dict[str, ActorFlows]:
    return observed_flows(org)


@pytest.fixture(scope="session")
def fmap(org: OrgData, actors: dict[str, ActorFlows]) -> FlowMap:
    return build_map(org, FixedClock("2026-03-02T09:00:00Z"), actors=actors)


@pytest.fixture(scope="session")
def gt(org_dir: Path) -> truth.GroundTruth:
    return truth.load(org_dir)
