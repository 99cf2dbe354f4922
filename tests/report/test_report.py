import json
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.core.findings import write_findings
from leakline.core.models import EvidenceRef, Finding, Severity
from leakline.report.build import AUDIENCES, SECTIONS, build_report
from leakline.report.render import render_html, render_md

CANARY_EMAIL = "canary.person.7731@example.org"
CANARY_SSN = "078-05-1120"
CANARY_KEY = "AKIAZZCANARY7731ABCD"
SHA = "a" * 64


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if tag == "section" and d.get("id"):
            self.ids.append(str(d["id"]))
        for key in ("src", "href"):
            if d.get(key):
                self.external.append(str(d[key]))


@pytest.fixture
def populated(tmp_case: Case) -> Case:
    t0 = datetime(2026, 2, 20, 3, 0, tzinfo=UTC)
    findings = [
        Finding(
            id="hunt:1",
            rule_id="bulk_job_deleted_after_completion",
            severity=Severity.HIGH,
            title="Bulk API 2.0 job deleted minutes after it completed",
            entities={"username": (CANARY_EMAIL,), "app": ("Support Chat",), "ip": ("185.220.101.33",)},
            first_seen=t0,
            last_seen=datetime(2026, 2, 20, 3, 40, tzinfo=UTC),
            evidence=(EvidenceRef(sha256=SHA, rows=(4, 5)),),
            data={"query": f"SELECT Id FROM Case WHERE Description LIKE '%{CANARY_KEY}%' -- {CANARY_SSN}"},
        ),
        Finding(id="hunt:2", rule_id="recon", severity=Severity.MEDIUM, title="Recon", first_seen=t0),
    ]
    write_findings(tmp_case, "hunt", findings)
    scope = tmp_case.work_dir / "scope"
    scope.mkdir(parents=True)
    (scope / "subjects_by_jurisdiction.csv").write_text(
        "residence,elements,encrypted,key_compromised,count\nUS-CA,name;email,false,false,1200\nDE,name;email,false,false,300\n"
    )
    (tmp_case.work_dir / "obligations.json").write_text(
        json.dumps(
            {
                "obligations": [
                    {
                        "regime": "EU-GDPR",
                        "audience": "regulator",
                        "status": "required",
                        "deadline_utc": "2026-03-05T09:00:00Z",
                        "deadline_text": "72 hours",
                        "affected": 300,
                        "citation": "GDPR Art. 33(1)",
                    }
                ]
            }
        )
    )
    return tmp_case


def test_every_audience_renders_its_sections_offline(populated: Case) -> None:
    clock = FixedClock("2026-03-02T09:00:00Z")
    for audience in AUDIENCES:
        html = render_html(build_report(populated, audience, clock))
        parser = _Sections()
        parser.feed(html)
        assert parser.ids == list(SECTIONS[audience])
        assert parser.external == []


def test_summary_counts_people_and_deadlines(populated: Case) -> None:
    report = build_report(populated, "exec", FixedClock("2026-03-02T09:00:00Z"))
    assert report.summary["affected_people"] == 1500
    assert report.summary["next_deadlines"] == [
        {"regime": "EU-GDPR", "audience": "regulator", "deadline_utc": "2026-03-05T09:00:00Z", "hours_left": 72.0, "status": "required"}
    ]
    assert report.summary["first_activity"] == "2026-02-20T03:00:00Z"


def test_canaries_never_appear_in_any_output(populated: Case) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--case", str(populated.root), "-f", "html", "-f", "json", "-f", "md"])
    assert result.exit_code == 0, result.output
    outputs = list(populated.reports_dir.glob("*"))
    assert len(outputs) == 15
    for path in outputs:
        text = path.read_text()
        for canary in (CANARY_EMAIL, CANARY_SSN, CANARY_KEY):
            assert canary not in text, (path.name, canary)
    assert "c***@example.org" in (populated.reports_dir / "technical.html").read_text()


def test_reveal_is_explicit(populated: Case) -> None:
    report = build_report(populated, "technical", FixedClock("2026-03-02T09:00:00Z"), reveal=True)
    assert CANARY_EMAIL in render_md(report)


@pytest.mark.slow
def test_pdf_converts_to_pages(populated: Case, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: scripts/system-deps.sh installs poppler-utils")
    runner = CliRunner()
    pdf = tmp_path / "exec.pdf"
    result = runner.invoke(app, ["report", "--case", str(populated.root), "-a", "exec", "-f", "pdf", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page*.png"))
