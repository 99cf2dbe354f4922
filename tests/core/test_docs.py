"""The README and the CLI reference stay true to the program."""

from pathlib import Path

from leakline.cli.clidoc import render
from leakline.cli.main import app

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == render(app), "regenerate: python -m leakline.cli.clidoc > docs/cli.md"


def test_readme_gives_the_two_commands() -> None:
    text = (REPO / "README.md").read_text()
    assert "make demo" in text and "make test" in text
