"""``leakline evidence …`` through the real Typer app."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case

CSV = b'"EVENT_TYPE","USER_ID"\n"ReportExport","0051x000000AbCd"\n'


@pytest.fixture
def run(tmp_case: Case, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LEAKLINE_NOW", "2026-03-02T10:00:00Z")
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["evidence", *args, "--case", str(tmp_case.root)])

    return invoke


def _add(run, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    source = tmp_path / "ReportExport.csv"
    source.write_bytes(CSV)
    result = run("add", str(source), "--kind", "elf_csv", "--format", "json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)[0]["sha256"])


def test_add_list_show_cat(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sha = _add(run, tmp_path)
    listed = json.loads(run("list", "--format", "json").stdout)
    assert [(o["sha256"], o["name"], o["kind"], o["acquired_at"]) for o in listed] == [
        (sha, "ReportExport.csv", "elf_csv", "2026-03-02T10:00:00Z")
    ]
    shown = json.loads(run("show", sha[:10], "--format", "json").stdout)
    assert shown["object"]["provenance"]["original_path"].endswith("ReportExport.csv")
    assert [e["action"] for e in shown["custody"]] == ["acquired"]
    cat = run("cat", sha[:12])
    assert cat.exit_code == 0
    assert cat.stdout_bytes == CSV
    out = tmp_path / "copy.csv"
    assert run("cat", sha, "--output", str(out)).exit_code == 0
    assert out.read_bytes() == CSV
    shown = json.loads(run("show", sha, "--format", "json").stdout)
    assert [e["action"] for e in shown["custody"]] == ["acquired", "accessed", "accessed"]
    assert shown["custody"][1]["detail"] == {"purpose": "cat to stdout"}


def test_verify_seal_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _add(run, tmp_path)
    seal = run("seal")
    assert seal.exit_code == 0 and "sealed 1 object(s)" in seal.output
    verify = run("verify", "--format", "json")
    assert verify.exit_code == 0
    assert json.loads(verify.stdout)["ok"] is True
    bundle = tmp_path / "out.tar"
    keys = tmp_path / "keys.json"
    result = run("export", "--output", str(bundle), "--keys-output", str(keys))
    assert result.exit_code == 0, result.output
    assert "send them through a different channel" in result.output
    with tarfile.open(bundle) as tar:
        names = sorted(name.split("/", 1)[1] for name in tar.getnames() if "/" in name)
    assert "SHA256SUMS" in names and "VERIFY.md" in names and "manifest.sig" in names


def test_import_cli(run, tmp_path: Path, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    _add(run, tmp_path)
    bundle = tmp_path / "out.tar"
    assert run("export", "--output", str(bundle), "--decrypt").exit_code == 0
    other = Case.init(tmp_path / "other", title="o", clock=fixed_clock)
    result = CliRunner().invoke(app, ["evidence", "import", str(bundle), "--case", str(other.root)])
    assert result.exit_code == 0, result.output
    assert "imported 4 object(s) from case test-case" in result.output


def test_hold_release_shred(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sha = _add(run, tmp_path)
    held = run("hold", sha, "--reason", "litigation", "--matter", "M-1")
    assert held.exit_code == 0
    hold_id = held.output.split()[3]
    shred = run("shred", sha, "--reason", "cleanup", "--yes")
    assert shred.exit_code == 2
    assert "under legal hold" in shred.output
    holds = json.loads(run("list", "--holds", "--format", "json").stdout)
    assert [h["hold_id"] for h in holds] == [hold_id]
    assert run("release", hold_id, "--reason", "closed").exit_code == 0
    assert run("shred", sha, "--reason", "cleanup").exit_code == 2
    assert run("shred", sha, "--reason", "cleanup", "--yes").exit_code == 0
    assert json.loads(run("list", "--format", "json").stdout) == []


def test_wrong_key_exit_2_one_line(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _add(run, tmp_path)
    monkeypatch.setenv("LEAKLINE_PASSPHRASE", "wrong")
    result = run("list")
    assert result.exit_code == 2
    assert "error: wrong evidence key: LEAKLINE_PASSPHRASE gives key id" in result.output
    assert "Traceback" not in result.output


def test_user_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("cat", "zz").exit_code == 2
    missing = run("add", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "is not a file" in missing.output
    assert run("hold", "--reason", "x").exit_code == 2
