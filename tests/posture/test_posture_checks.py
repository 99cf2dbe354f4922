"""Every check loads, is well-formed, and its embedded examples give exactly the expected results."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.registry import UnitLoadError
from leakline.posture.registry import CHECKS_DIR, load_checks
from leakline.posture.selftest import example_results, selftest

CHECKS = load_checks()


def test_at_least_forty_checks() -> None:
    assert len(CHECKS) >= 40


def test_every_check_maps_to_soc2_and_iso() -> None:
    for check in CHECKS:
        assert check.meta.mappings.soc2 and check.meta.mappings.iso27001, check.id
        assert all(a.startswith("A.") for a in check.meta.mappings.iso27001), check.id
        assert all(s.startswith("SBS-") for s in check.meta.mappings.sbs), check.id


def test_every_parameter_has_a_reason() -> None:
    for check in CHECKS:
        for name, parameter in check.meta.parameters.items():
            assert len(parameter.reason) >= 5, f"{check.id}.{name}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_examples(check) -> None:  # type: ignore[no-untyped-def]
    statuses = set()
    for example in check.meta.examples:
        expected = [e.model_dump(mode="json", exclude_none=True) for e in example.expect]
        assert example_results(check, example) == expected, example.name
        statuses |= {e["status"] for e in expected}
    assert ({"MANUAL"} if check.meta.manual_only else {"PASS", "FAIL"}) <= statuses


def test_selftest_provider_all_ok() -> None:
    results = list(selftest())
    assert len(results) == len(CHECKS)
    assert [r.unit_id for r in results if not r.ok] == []


def test_bad_meta_yaml_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "broken_check"
    folder.mkdir()
    (folder / "check.py").write_text("def evaluate(ctx):\n    return []\n")
    (folder / "meta.yaml").write_text("title: Broken check\nseverity: extreme\n")
    load_checks.cache_clear()
    try:
        with pytest.raises(UnitLoadError) as info:
            load_checks(tmp_path)
    finally:
        load_checks.cache_clear()
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{folder / 'meta.yaml'}:2: severity") for m in messages)


def test_check_folders_are_complete() -> None:
    folders = sorted(p.name for p in CHECKS_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert folders == [c.id for c in CHECKS]
