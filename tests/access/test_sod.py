"""Segregation-of-duties rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.access.review import AccessReview
from leakline.access.sod import load_rules, run_examples
from leakline.core.registry import UnitLoadError
from leakline.simulate import truth


def test_flags_the_planted_user_and_no_other(result: AccessReview, gt: truth.GroundTruth) -> None:
    assert gt.sod_violations
    assert {(c.rule_id, c.user_id) for c in result.sod_conflicts} == {
        ("vendor_payment_fraud", v.user_id) for v in gt.sod_violations
    }


def test_conflict_names_the_grants_behind_each_duty(result: AccessReview, gt: truth.GroundTruth) -> None:
    [conflict] = result.sod_conflicts
    [planted] = gt.sod_violations
    assert set(conflict.duties) == set(planted.duties)
    via = {v.split(" ", 1)[1].split(" (")[0] for grants in conflict.duties.values() for v in grants}
    assert via == set(planted.via)
    assert planted.username not in conflict.username  # masked by default


def test_embedded_examples_pass() -> None:
    results = run_examples(load_rules())
    assert results and all(ok for _, _, ok in results)


def test_user_rules_extend_and_bad_rules_report_location(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "title: t\nseverity: high\nrationale: r\ncitation: c\nreviewed: '2026-01-01'\n"
        "duties:\n  a:\n    - [{object: Account}]\n  b:\n    - [{user_permission: X}]\nexamples: []\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitLoadError) as info:
        load_rules(extra=tmp_path)
    assert any(p.path.endswith("broken.yaml") and p.line == 8 for p in info.value.problems)


def test_selftest_provider() -> None:
    from leakline.access.selftest import selftest

    results = list(selftest())
    assert results and all(r.ok for r in results)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 31])
def test_planted_user_on_other_seeds(seed: int, tmp_path: Path) -> None:
    from leakline.access.grants import effective_grants
    from leakline.access.sod import evaluate
    from leakline.flowmap.source import load_org_dir
    from leakline.simulate import generate

    org_dir = generate(tmp_path / "org", seed=seed, size="small", scenarios=["insider_report_export"], days=3)
    planted = {v.user_id for v in truth.load(org_dir).sod_violations}
    org = load_org_dir(org_dir, event_types=frozenset())
    assert {c.user_id for c in evaluate(load_rules(), effective_grants(org))} == planted
