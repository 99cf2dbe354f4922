"""A benign simulated org and its access review (no emulator replay), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.access.review import AccessReview, review
from leakline.access.sod import load_rules
from leakline.core.clock import FixedClock
from leakline.flowmap.flows import ActorFlows, observed_flows
from leakline.flowmap.source import OrgData, load_org_dir
from leakline.simulate import generate, truth


@pytest.fixture(scope="session")
def org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("access") / "org", seed=23, size="small", scenarios=[], days=3)


@pytest.fixture(scope="session")
def org(org_dir: Path) -> OrgData:
    return load_org_dir(org_dir)


@pytest.fixture(scope="session")
def actors(org: OrgData) -> dict[str, ActorFlows]:
    return observed_flows(org)


@pytest.fixture(scope="session")
def result(org: OrgData, actors: dict[str, ActorFlows]) -> AccessReview:
    return review(org, FixedClock("2026-03-02T09:00:00Z"), sod_rules=load_rules(), replay=False, actors=actors)


@pytest.fixture(scope="session")
def gt(org_dir: Path) -> truth.GroundTruth:
    return truth.load(org_dir)
