"""Every rule loads, validates (fields and SQL) and gives exactly its examples' expected findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.registry import Unit, UnitLoadError
from leakline.hunt.examples import check_rule
from leakline.hunt.rules import RULES_DIR, Rule, load_rules

RULE_IDS = sorted(p.stem for p in RULES_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def units() -> list[Unit[Rule]]:
    return load_rules()


def test_every_rule_loads_through_the_registry(units: list[Unit[Rule]]) -> None:
    assert [u.id for u in units] == RULE_IDS
    assert len(units) >= 25


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_examples_give_the_exact_findings(rule_id: str, units: list[Unit[Rule]]) -> None:
    unit = next(u for u in units if u.id == rule_id)
    results = check_rule(unit.id, unit.model)
    assert [r.detail for r in results if not r.ok] == []


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (RULES_DIR / "bulk_job_deleted_after_complete.yaml").read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_bad_field_is_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, "bad_severity", "severity: high", "severity: urgent")
    with pytest.raises(UnitLoadError) as err:
        load_rules(folder)
    problem = err.value.problems[0]
    assert (Path(problem.path).name, problem.line) == ("bad_severity.yaml", 6)
    assert problem.message.startswith("severity:")


def test_sql_that_does_not_bind_is_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, "bad_sql", "FROM events WHERE event_type = 'BulkApi2'", "FROM events WHERE no_such_col = 1")
    with pytest.raises(UnitLoadError) as err:
        load_rules(folder)
    problem = err.value.problems[0]
    assert Path(problem.path).name == "bad_sql.yaml"
    sql_line = 1 + (folder / "bad_sql.yaml").read_text(encoding="utf-8").splitlines().index("sql: |")
    assert problem.line == sql_line
    assert "does not parse/bind" in problem.message and "no_such_col" in problem.message


def test_undeclared_parameter_is_reported(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, "bad_param", "$max_minutes * 60", "$max_mins * 60")
    with pytest.raises(UnitLoadError) as err:
        load_rules(folder)
    messages = " ".join(p.message for p in err.value.problems)
    assert "undeclared parameter(s) ['max_mins']" in messages


def test_all_problems_of_all_files_are_collected(tmp_path: Path) -> None:
    _copy_with(tmp_path, "a_bad", "severity: high", "severity: urgent")
    folder = _copy_with(tmp_path, "b_bad", "mitre: [T1070, T1567]", "mitre: [XYZ]")
    with pytest.raises(UnitLoadError) as err:
        load_rules(folder)
    assert sorted(Path(p.path).name for p in err.value.problems) == ["a_bad.yaml", "b_bad.yaml"]


@pytest.mark.slow
def test_selftest_provider_reports_every_rule_ok() -> None:
    from leakline.hunt.selftest import selftest

    results = list(selftest())
    assert len(results) == len(RULE_IDS)
    assert [r.unit_id for r in results if not r.ok] == []
