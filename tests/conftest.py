"""Shared test fixtures (see docs/contracts.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.core.clock import FixedClock

REPO = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    env = os.environ.get("LEAKLINE_SHARED")
    if env:
        return Path(env)
    return REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = _shared()
    if not path.is_dir():
        pytest.fail(f"shared folder not found at {path} (set LEAKLINE_SHARED)")
    return path


@pytest.fixture(scope="session")
def real_fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "real"


@pytest.fixture
def fixed_clock() -> FixedClock:
    return FixedClock("2026-03-02T09:00:00Z")


@pytest.fixture
def passphrase_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    value = "test passphrase: not a real secret"
    monkeypatch.setenv("LEAKLINE_PASSPHRASE", value)
    monkeypatch.delenv("LEAKLINE_KEY_FILE", raising=False)
    yield value


@pytest.fixture
def tmp_case(tmp_path: Path, fixed_clock: FixedClock, passphrase_env: str) -> Case:
    return Case.init(tmp_path / "case", title="Test case", clock=fixed_clock, case_id="test-case")
