from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from leakline.core.registry import UnitLoadError, load_units


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    severity: int
    tags: list[str] = []


def test_loads_valid_units_with_stem_ids(tmp_path: Path) -> None:
    (tmp_path / "b_rule.yaml").write_text("title: B\nseverity: 2\n")
    (tmp_path / "a_rule.yaml").write_text("title: A\nseverity: 1\n")
    units = load_units(tmp_path, Rule)
    assert [u.id for u in units] == ["a_rule", "b_rule"]
    assert units[0].model.title == "A"


def test_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("title: ok\nseverity: high\ntags:\n  - x\n  - [1]\nbogus: 1\n")
    (tmp_path / "broken.yaml").write_text("title: [unclosed\n")
    with pytest.raises(UnitLoadError) as info:
        load_units(tmp_path, Rule)
    lines = [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems]
    assert lines == [
        "bad.yaml:2: severity: Input should be a valid integer, unable to parse string as an integer",
        "bad.yaml:5: tags.1: Input should be a valid string",
        "bad.yaml:6: bogus: Extra inputs are not permitted",
        "broken.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'",
    ]


def test_non_mapping_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(UnitLoadError, match="must be a YAML mapping"):
        load_units(tmp_path, Rule)
