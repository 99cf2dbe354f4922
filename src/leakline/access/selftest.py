"""Embedded examples of the segregation-of-duties rules (``leakline selftest``)."""

from __future__ import annotations

from collections.abc import Iterable

from leakline.access.sod import load_rules, run_examples
from leakline.core.selftest import SelfTestResult


def selftest() -> Iterable[SelfTestResult]:
    """One result per SoD rule: every embedded example gives its expected verdict."""
    by_rule: dict[str, list[str]] = {}
    for rule_id, name, ok in run_examples(load_rules()):
        failures = by_rule.setdefault(rule_id, [])
        if not ok:
            failures.append(name)
    for rule_id, failures in sorted(by_rule.items()):
        yield SelfTestResult("sod_rule", rule_id, not failures, "; ".join(f"wrong verdict: {n}" for n in failures))
