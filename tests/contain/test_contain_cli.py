"""`contain plan --input`: plan inputs from the command line, bad ones are one-line usage errors."""

from __future__ import annotations

from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case


def test_bad_plan_input_is_a_usage_error(tmp_case: Case) -> None:
    result = CliRunner().invoke(app, ["contain", "plan", "--case", str(tmp_case.root), "--offline", "--input", "egress_ranges"])
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_input_is_accepted_offline(tmp_case: Case) -> None:
    result = CliRunner().invoke(
        app, ["contain", "plan", "--case", str(tmp_case.root), "--offline", "--input", "egress_ranges=203.0.113.0/24", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
