"""Rule files, the subjects CSV, deadline arithmetic and the .ics export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leakline.core.clock import parse_utc
from leakline.core.errors import BadInputError
from leakline.core.registry import UnitLoadError
from leakline.notify.deadlines import add_business_days, add_months
from leakline.notify.engine import Context, evaluate
from leakline.notify.ics import to_ics
from leakline.notify.models import Holidays
from leakline.notify.rules import JURISDICTIONS_DIR, load_dir, load_jurisdictions, validate_dir
from leakline.notify.selftest import selftest
from leakline.notify.subjects import read_subjects

HEADER = "residence,elements,encrypted,key_compromised,count\n"
US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI"
).split()
OTHERS = (
    "US-HIPAA US-GLBA US-SEC-8K US-NYDFS EU-GDPR UK-GDPR EU-NIS2 CA-PIPEDA AU-NDB BR-LGPD SG-PDPA IN-DPDP JP-APPI "
    "KR-PIPA CH-FADP NZ-PRIVACY"
).split()


def test_every_jurisdiction_file_is_valid() -> None:
    problems = validate_dir()
    assert not problems, "\n" + "\n".join(str(p) for p in problems)


def test_every_required_regime_has_a_file() -> None:
    have = set(load_jurisdictions())
    want = {f"US-{s}" for s in US_STATES} | set(OTHERS)
    assert want - have == set()


def test_unverified_fact_groups_carry_a_note() -> None:
    for rid, rule in load_jurisdictions().items():
        for group in (rule.covered_data, rule.safe_harbor, rule.risk_of_harm, *rule.obligations):
            assert group.verified or group.note, rid
            assert not group.verified or group.sources, rid


BROKEN = """name: Broken
kind: us_state
citation: X
link: https://example.org
effective: 2020-01-01
reviewed: 2026-01-01
timezone: Mars/Olympus
holidays: {country: US, subdivision: CA}
scope: {residence: [US-XX]}
covered_data:
  description: d
  any_of:
    - [name, no_such_element]
  verified: true
safe_harbor: {encryption: true, key_compromise_exception: true, text: t, verified: false, note: n}
risk_of_harm: {exception: true, text: t, verified: false, note: n}
obligations:
  - id: individuals
    audience: individuals
    recipient: r
    deadline: {text: soon, amount: 3, clock_start: discovery}
    verified: false
    note: n
"""


def test_broken_file_reports_every_problem_with_line(tmp_path: Path) -> None:
    (tmp_path / "US-XX.yaml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(UnitLoadError) as info:
        load_dir(tmp_path)
    report = info.value.report()
    assert "US-XX.yaml:10: covered_data: verified: true needs at least one entry in sources" in report
    assert "risk_of_harm: a risk-of-harm exception needs the question" in report
    assert "US-XX.yaml:21:" in report and "amount and unit go together" in report


def test_unknown_element_and_zone_located(tmp_path: Path) -> None:
    fixed = BROKEN.replace("  verified: true\n", "  verified: false\n  note: n\n", 1)
    fixed = fixed.replace("risk_of_harm: {exception: true", "risk_of_harm: {exception: false")
    fixed = fixed.replace("amount: 3, ", "")
    (tmp_path / "US-XX.yaml").write_text(fixed, encoding="utf-8")
    with pytest.raises(UnitLoadError) as info:
        load_dir(tmp_path)
    report = info.value.report()
    assert "US-XX.yaml:13: covered_data.any_of.0.1: unknown element id 'no_such_element'" in report
    assert "US-XX.yaml:7: timezone: unknown time zone 'Mars/Olympus'" in report


def test_selftest_all_ok() -> None:
    results = list(selftest())
    assert [r for r in results if not r.ok] == []
    assert len(results) == len(list(JURISDICTIONS_DIR.glob("*.yaml"))) + 2


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        pytest.param(
            "US-CA,name;ssn,false,false,1\nCALIFORNIA,name,false,false,1\n",
            3,
            "not an ISO 3166 code",
            id="bad-residence",
        ),
        pytest.param(
            "US-CA,name;shoe_size,false,false,1\n", 2, "unknown element id(s) shoe_size", id="unknown-element"
        ),
        pytest.param("US-CA,name;ssn,maybe,false,1\n", 2, "encrypted must be true or false", id="bad-bool"),
        pytest.param(
            "US-CA,name;ssn,false,false,-4\n", 2, "count must be a whole number", id="negative-count"
        ),
        pytest.param("US-CA,,false,false,1\n", 2, "elements is empty", id="empty-elements"),
        pytest.param(
            "US-CA,name;ssn,false,false,1,extra\n", 2, "more fields than the header", id="extra-field"
        ),
    ],
)
def test_bad_csv_rows_name_the_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(BadInputError) as info:
        read_subjects(path)
    assert info.value.line == line
    assert message in info.value.message
    assert f"subjects.csv:{line}:" in str(info.value)


def test_missing_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("residence,elements,count\nUS-CA,name,1\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="missing column"):
        read_subjects(path)


def test_csv_reads_extra_columns_and_lowercase_residence(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "note,count,residence,elements,encrypted,key_compromised\nx,3,us-ca,name; ssn,TRUE,yes\n",
        encoding="utf-8",
    )
    (only,) = read_subjects(path)
    assert (only.residence, only.elements, only.encrypted, only.key_compromised, only.count, only.line) == (
        "US-CA",
        frozenset({"name", "ssn"}),
        True,
        True,
        3,
        2,
    )


def test_add_months_clamps_to_month_end() -> None:
    start = datetime(2026, 1, 31, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert add_months(start, 1, ZoneInfo("UTC")).isoformat() == "2026-02-28T12:00:00+00:00"


def test_business_days_from_a_saturday() -> None:
    start = parse_utc("2026-03-07T15:00:00Z")
    got = add_business_days(start, 1, Holidays(country="US"), ZoneInfo("America/New_York"))
    assert got.isoformat() == "2026-03-09T14:00:00+00:00"


def test_ics_export() -> None:
    ctx = Context(parse_utc("2026-03-02T09:00:00Z"))
    results = evaluate(read_rows(), ctx)
    text = to_ics(results, parse_utc("2026-03-02T10:00:00Z"), "case-1")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert "UID:case-1-US-CA-individuals@leakline" in text and "DTSTART:20260401T090000Z" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def read_rows() -> list:  # type: ignore[type-arg]
    from leakline.notify.subjects import SubjectRow

    return [SubjectRow("US-CA", frozenset({"name", "ssn"}), False, False, 501)]
