"""A small simulated org with every scenario, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.simulate import SCENARIOS, generate


@pytest.fixture(scope="session")
def org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("sim") / "org", seed=11, size="small", scenarios=SCENARIOS, days=14)
