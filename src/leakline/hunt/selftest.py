"""Self-test provider: every hunt rule's embedded examples (used by ``leakline selftest``)."""

from __future__ import annotations

from collections.abc import Iterable

from leakline.core.selftest import SelfTestResult
from leakline.hunt.examples import check_rule
from leakline.hunt.rules import load_rules


def selftest() -> Iterable[SelfTestResult]:
    """One result per rule: ok only if every example gives exactly the expected findings."""
    for unit in load_rules():
        results = check_rule(unit.id, unit.model)
        failed = [r for r in results if not r.ok]
        detail = "; ".join(f"{r.example}: {r.detail}" for r in failed)
        yield SelfTestResult("hunt_rule", unit.id, not failed, detail or f"{len(results)} example(s)")
