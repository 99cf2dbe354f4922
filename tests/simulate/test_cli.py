"""CLI: simulate and exercise, with one-line errors and exit code 2 for bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("args,needle", [
    (["--scenario", "bogus"], "unknown scenario 'bogus'"),
    (["--size", "huge"], "unknown size 'huge'"),
    (["--days", "1"], "--days must be between"),
    (["--end", "yesterday"], "is not an ISO-8601 time"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_refuses_non_empty_out(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep me")
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert (tmp_path / "x").read_text() == "keep me"


def test_simulate_prints_summary(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--seed", "3", "--days", "3", "--scenario", "session_hijack",
                                 "--out", str(tmp_path / "org")])
    assert result.exit_code == 0, result.output
    assert "scenario session_hijack" in result.output
    assert (tmp_path / "org" / "ground_truth.json").exists()


def test_exercise_pack(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    result = runner.invoke(app, ["exercise", "new", "--scenario", "insider_report_export", "--days", "4",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "facilitator.md").read_text()
    assert "Expected decisions" in text and "| T+ (min) |" in text
    assert sorted(p.name for p in (out / "handouts").iterdir()) == [
        "communications.md", "incident-lead.md", "privacy-counsel.md", "salesforce-admin.md"]
    creds = (out / "org" / "credentials.json").read_text()
    password = creds.split('"password": "')[1].split('"')[0]
    assert password not in result.output and password not in text


def test_exercise_needs_a_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exercise", "new", "--out", str(tmp_path / "p")])
    assert result.exit_code == 2
