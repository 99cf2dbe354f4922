from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.core.errors import UsageError
from leakline.core.registry import UnitLoadError

runner = CliRunner()


def test_init_creates_layout_and_reloads(tmp_path: Path, fixed_clock: FixedClock) -> None:
    case = Case.init(tmp_path / "c", title="Acme", clock=fixed_clock, timezone="Europe/Berlin", case_id="acme-1")
    for sub in ("locker", "events", "reports", "work"):
        assert (case.root / sub).is_dir()
    again = Case.load(case.root)
    assert again.meta.id == "acme-1"
    assert again.meta.timezone == "Europe/Berlin"
    assert "opened_at: '2026-03-02T09:00:00Z'" in (case.root / "case.yaml").read_text()


def test_init_refuses_existing_case(tmp_path: Path, fixed_clock: FixedClock) -> None:
    Case.init(tmp_path / "c", title="A", clock=fixed_clock)
    with pytest.raises(UsageError, match="already holds a case"):
        Case.init(tmp_path / "c", title="B", clock=fixed_clock)


def test_bad_case_yaml_reports_every_field(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("id: 'bad id'\ntitle: ''\nopened_at: 2026-01-01T00:00:00\ntimezone: Mars/Base\n")
    with pytest.raises(UnitLoadError) as info:
        Case.load(tmp_path)
    assert [(p.line, p.message.split(":")[0]) for p in info.value.problems] == [
        (1, "id"),
        (2, "title"),
        (3, "opened_at"),
        (4, "timezone"),
    ]


def test_cli_init_and_show_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKLINE_NOW", "2026-03-02T09:00:00Z")
    result = runner.invoke(app, ["case", "init", str(tmp_path / "c"), "--title", "Acme", "--id", "acme"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["case", "show", "--case", str(tmp_path / "c"), "--format", "json"])
    assert shown.exit_code == 0
    assert '"id": "acme"' in shown.stdout
    assert '"opened_at": "2026-03-02T09:00:00Z"' in shown.stdout


def test_cli_user_error_is_one_line_with_exit_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["case", "show", "--case", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "is not a case folder" in result.output


def test_cli_bad_timezone_is_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["case", "init", str(tmp_path / "c"), "--title", "x", "--timezone", "Mars/Base"])
    assert result.exit_code == 2
    assert "unknown time zone" in result.output
