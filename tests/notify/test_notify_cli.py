"""``leakline obligations`` and ``leakline notices`` through the real CLI, plus the notice linter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.errors import BadInputError
from leakline.notify.notices import lint_file, lint_text

runner = CliRunner()
CSV = "residence,elements,encrypted,key_compromised,count\nUS-CA,name;ssn,false,false,501\nDE,email,false,false,4\n"
AT = ["--discovered-at", "2026-03-02T09:00:00Z"]


@pytest.fixture
def subjects(tmp_path: Path) -> Path:
    path = tmp_path / "subjects.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_json_output(subjects: Path) -> None:
    result = runner.invoke(
        app, ["obligations", "--subjects", str(subjects), *AT, "--format", "json", "--turnover", "2e9"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    first = doc["obligations"][0]
    assert (first["regime"], first["audience"], first["status"], first["deadline_utc"]) == (
        "US-CA",
        "individuals",
        "required",
        "2026-04-01T09:00:00Z",
    )
    gdpr = {line["item"]: line for line in doc["exposure"]["lines"]}["gdpr_art_83_4"]
    assert gdpr["high"] == "40000000"
    ccpa = {line["item"]: line for line in doc["exposure"]["lines"]}["ccpa_statutory_damages"]
    assert (ccpa["low"], ccpa["high"]) == ("50100", "375750")
    assert "not legal advice" in doc["exposure"]["label"]


def test_ics_output_to_file(subjects: Path, tmp_path: Path) -> None:
    out = tmp_path / "deadlines.ics"
    result = runner.invoke(
        app, ["obligations", "--subjects", str(subjects), *AT, "--format", "ics", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "BEGIN:VEVENT" in out.read_text(encoding="utf-8")


def test_table_output(subjects: Path) -> None:
    result = runner.invoke(
        app, ["obligations", "--subjects", str(subjects), *AT, "--timezone", "Europe/Berlin"]
    )
    assert result.exit_code == 0, result.output
    assert "US-CA" in result.stdout and "Countdown" in result.stdout


def test_bad_csv_line_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(CSV + "US-CA,name;ssn,false,false,many\n", encoding="utf-8")
    result = runner.invoke(app, ["obligations", "--subjects", str(path), *AT])
    assert result.exit_code == 3
    assert "s.csv:4: count must be a whole number" in result.stderr
    assert "Traceback" not in result.output


def test_missing_discovery_time(subjects: Path) -> None:
    result = runner.invoke(app, ["obligations", "--subjects", str(subjects)])
    assert result.exit_code == 2
    assert "--discovered-at" in result.stderr


def test_case_without_scope_names_the_command(tmp_case: Case) -> None:
    result = runner.invoke(app, ["obligations", "--case", str(tmp_case.root), *AT])
    assert result.exit_code == 2
    assert "leakline scope" in result.stderr


def test_case_with_scope_writes_obligations_json(tmp_case: Case) -> None:
    scope = tmp_case.root / "work" / "scope"
    scope.mkdir(parents=True)
    (scope / "subjects_by_jurisdiction.csv").write_text(CSV, encoding="utf-8")
    result = runner.invoke(app, ["obligations", "--case", str(tmp_case.root), *AT, "--format", "json"])
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_case.root / "work" / "obligations.json").read_text(encoding="utf-8"))
    assert saved["obligations"][0]["regime"] == "US-CA"


def test_drafts_are_written_and_lint_clean(subjects: Path, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = runner.invoke(app, ["notices", "draft", "--subjects", str(subjects), *AT, "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert {
        "US-CA__individuals.md",
        "US-CA__regulator.md",
        "EU-GDPR__regulator.md",
        "holding_statement.md",
    } <= set(names)
    ca = (out / "US-CA__individuals.md").read_text(encoding="utf-8")
    for heading in (
        "# Notice of Data Breach",
        "## What Happened",
        "## What Information Was Involved",
        "## What We Are Doing",
        "## What You Can Do",
        "## For More Information",
    ):
        assert heading in ca
    gdpr = (out / "EU-GDPR__regulator.md").read_text(encoding="utf-8")
    assert "## Nature of the Breach" in gdpr and "Approximate number of data subjects concerned: 4." in gdpr
    lint = runner.invoke(app, ["notices", "lint", *[str(p) for p in sorted(out.iterdir())]])
    assert lint.exit_code == 0, lint.output
    assert "warning" in lint.stderr


def _ca_draft(tmp_path: Path) -> Path:
    out = tmp_path / "d"
    subjects = tmp_path / "s.csv"
    subjects.write_text(CSV, encoding="utf-8")
    runner.invoke(app, ["notices", "draft", "--subjects", str(subjects), *AT, "--out", str(out)])
    return out / "US-CA__individuals.md"


@pytest.mark.parametrize(
    "phrase",
    ["We failed to patch the server.", "This was due to our negligence.", "It could have been prevented."],
)
def test_lint_flags_admission_phrases(tmp_path: Path, phrase: str) -> None:
    path = _ca_draft(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + phrase + "\n", encoding="utf-8")
    errors = [p for p in lint_file(path) if p.severity == "error"]
    assert len(errors) == 1 and "admission phrase" in errors[0].message
    assert errors[0].line == len(path.read_text(encoding="utf-8").splitlines())
    result = runner.invoke(app, ["notices", "lint", str(path)])
    assert result.exit_code == 1


def test_lint_flags_missing_california_heading(tmp_path: Path) -> None:
    path = _ca_draft(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("## What You Can Do", "## Next steps"), encoding="utf-8"
    )
    errors = [str(p) for p in lint_file(path) if p.severity == "error"]
    assert errors == [f"{path}:1: error: missing required heading 'What You Can Do'"]


def test_lint_rejects_non_draft(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not a leakline draft"):
        lint_text("# hello\n", tmp_path / "x.md")
