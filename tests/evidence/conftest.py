"""Fixtures for the evidence locker tests."""

from __future__ import annotations

import pytest

from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.evidence import Locker


@pytest.fixture
def locker(tmp_case: Case, fixed_clock: FixedClock) -> Locker:
    return Locker.open(tmp_case, clock=fixed_clock)
