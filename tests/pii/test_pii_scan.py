"""Scanning files, folders, org folders and SQLite; canaries never leave in cleartext."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.pii.scan import scan_source
from leakline.pii.sources import open_source

# Canary values: valid-looking, unique strings that must never appear in any output.
CANARY_SSN = "536-22-7391"
CANARY_EMAIL = "canary.zq7x@leakline-canary.test"
CANARY_CARD = "4539 1488 0343 6467"
CANARY_TOKEN = "00D5e000001N20QEAS!AQ4AQCanaryZq7xRbpGbZ0Tl7Gx8xOJmKVNqz5Ms3nCz3hJlp9QxL"
CANARY_PASSWORD = "Zq7xCanaryPw!"
CANARIES = (CANARY_SSN, CANARY_EMAIL, CANARY_CARD, CANARY_TOKEN, CANARY_PASSWORD, "Zq7x")

HEADER = ["Id", "FirstName", "Email", "SSN__c", "Notes__c"]
ROWS = [
    ["1", "Ada", CANARY_EMAIL, CANARY_SSN, f"card {CANARY_CARD}"],
    ["2", "Bob", "bob@example.org", "", f"session {CANARY_TOKEN} password={CANARY_PASSWORD}"],
    ["3", "Cy", "cy@example.org", "", ""],
]


def _elements(report) -> dict[tuple[str, str], set[str]]:
    return {
        (t.name, c.name): {e.element for e in c.elements if e.confidence >= 0.5}
        for t in report.tables
        for c in t.columns
    }


EXPECTED = {
    "FirstName": {"name"},
    "Email": {"email"},
    "SSN__c": {"ssn"},
    "Notes__c": {"payment_card", "oauth_token", "username_password"},
}


def _write_csv(path: Path) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _write_jsonl(path: Path) -> Path:
    path.write_text(
        "".join(
            json.dumps({"attributes": {"type": "Contact"}, **dict(zip(HEADER, r, strict=True))}) + "\n"
            for r in ROWS
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("kind", ["csv", "jsonl", "json", "parquet", "sqlite"])
def test_each_input_kind_gives_the_same_elements(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        target = str(_write_csv(tmp_path / "people.csv"))
    elif kind == "jsonl":
        target = str(_write_jsonl(tmp_path / "people.jsonl"))
    elif kind == "json":
        path = tmp_path / "people.json"
        path.write_text(
            json.dumps({"totalSize": 3, "records": [dict(zip(HEADER, r, strict=True)) for r in ROWS]})
        )
        target = str(path)
    elif kind == "parquet":
        path = tmp_path / "people.parquet"
        pq.write_table(pa.table({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}), path)
        target = str(path)
    else:
        path = tmp_path / "people.db"
        con = sqlite3.connect(path)
        con.execute(
            "CREATE TABLE people (Id INTEGER, FirstName TEXT, Email TEXT, SSN__c TEXT, Notes__c TEXT)"
        )
        con.executemany("INSERT INTO people VALUES (?,?,?,?,?)", ROWS)
        con.commit()
        con.close()
        target = f"sqlite:///{path}"
    report = scan_source(open_source(target))
    (table,) = report.tables
    assert table.rows == 3
    assert {c: e for (_, c), e in _elements(report).items()} == EXPECTED


def test_org_folder_uses_schema_field_types(tmp_path: Path) -> None:
    org = tmp_path / "org"
    (org / "sobjects").mkdir(parents=True)
    (org / "sobjects" / "Contact.jsonl").write_text(
        json.dumps({"Id": "003000000000001AAA", "Contact_Point__c": "not-an-address-at-all"}) + "\n"
    )
    (org / "schema.json").write_text(
        json.dumps({"Contact": {"fields": {"Contact_Point__c": {"type": "email"}}}})
    )
    report = scan_source(open_source(str(org)))
    assert _elements(report) == {("Contact", "Contact_Point__c"): set()}
    column = report.tables[0].columns[0]
    assert [(e.element, e.signals) for e in column.elements] == [("email", ("column_name",))]


def test_folder_scans_every_supported_file(tmp_path: Path) -> None:
    _write_csv(tmp_path / "a.csv")
    (tmp_path / "sub").mkdir()
    _write_jsonl(tmp_path / "sub" / "b.jsonl")
    (tmp_path / "readme.txt").write_text("ignored")
    report = scan_source(open_source(str(tmp_path)))
    assert [t.name for t in report.tables] == ["a.csv", "sub/b.jsonl"]


def test_ragged_csv_rows_are_skipped_and_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"Email,SSN\nx@example.org,1\n{CANARY_EMAIL},{CANARY_SSN},extra\n")
    report = scan_source(open_source(str(path)))
    assert report.problems == (f"{path}:3: expected 2 columns, got 3; row skipped",)
    assert report.tables[0].rows == 1


def test_bad_jsonl_is_a_one_line_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{broken\n')
    result = CliRunner().invoke(app, ["scan", str(path)])
    assert result.exit_code == 3
    assert f"{path}:2: not valid JSON" in result.output


@pytest.mark.parametrize("fmt", ["table", "json", "md"])
def test_canaries_never_printed_or_written(tmp_path: Path, fmt: str) -> None:
    path = _write_csv(tmp_path / "people.csv")
    runner = CliRunner()
    printed = runner.invoke(app, ["scan", str(path), "--format", fmt])
    assert printed.exit_code == 0, printed.output
    out_file = tmp_path / f"out.{fmt}"
    written = runner.invoke(app, ["scan", str(path), "--format", fmt, "--output", str(out_file)])
    assert written.exit_code == 0, written.output
    blobs = [printed.output, written.output, out_file.read_text(encoding="utf-8")]
    for blob in blobs:
        for canary in CANARIES:
            assert canary not in blob
    assert "ssn" in blobs[0] and "***-**-" in blobs[2]


def test_json_output_shape_is_stable(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv")
    result = CliRunner().invoke(app, ["scan", str(path), "--format", "json"])
    data = json.loads(result.stdout)
    assert sorted(data) == ["problems", "source", "summary", "tables"]
    ssn = next(c for c in data["tables"][0]["columns"] if c["name"] == "SSN__c")
    assert ssn["elements"] == [
        {
            "confidence": 1.0,
            "element": "ssn",
            "hits": 1,
            "rows": 1,
            "samples": ["***-**-7391"],
            "signals": ["column_name", "value:us_ssn"],
        }
    ]


def test_real_sfdx_tree_export_is_classified(real_fixtures: Path) -> None:
    """coral-cloud's SFDX data export (``{"records": [...]}``), written by others."""
    path = real_fixtures / "coral-cloud" / "data" / "data-Contact.json"
    report = scan_source(open_source(str(path)))
    found = {c: e for (_, c), e in _elements(report).items() if e}
    assert found == {
        "FirstName": {"name"},
        "LastName": {"name"},
        "Preferred_Name__c": {"name"},
        "Email": {"email"},
        "MobilePhone": {"phone"},
        "MailingStreet": {"address"},
        "Birthdate": {"dob"},
    }
    assert report.tables[0].rows == 156
