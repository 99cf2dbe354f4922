"""Scope on a small hand-built org: logged vs estimated records, subjects, encrypted list, no leaks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.findings import read_findings, write_findings
from leakline.core.models import Finding, Severity
from leakline.evidence import Locker
from leakline.scope.service import load_org_snapshot, run_scope
from leakline.scope.subjects import decrypt_blob
from leakline.store import EventStore

CANARY_EMAIL = "canary.zq7x@leakline-canary.test"
CANARY_SSN = "536-22-7391"

CONTACTS = [
    {
        "Id": "003000000000001AAA",
        "FirstName": "Ada",
        "LastName": "Zq7xlace",
        "Email": CANARY_EMAIL,
        "Phone": "+1 415 555 2671",
        "MailingStreet": "1 Main St",
        "MailingPostalCode": "94105",
        "MailingStateCode": "CA",
        "MailingCountryCode": "US",
        "Birthdate": "1984-07-14",
        "SSN__c": CANARY_SSN,
    },
    {
        "Id": "003000000000002AAA",
        "FirstName": "Bernd",
        "LastName": "Meier",
        "Email": "bernd@example.de",
        "Phone": "+49 30 901820",
        "MailingStreet": "Hauptstrasse 12",
        "MailingPostalCode": "10115",
        "MailingCountry": "Germany",
        "Birthdate": None,
        "SSN__c": None,
    },
    {
        "Id": "003000000000003AAA",
        "FirstName": "Chen",
        "LastName": "Li",
        "Email": "chen@example.org",
        "Phone": None,
        "MailingStreet": None,
        "MailingPostalCode": None,
        "MailingCountry": None,
        "Birthdate": None,
        "SSN__c": None,
    },
]
LEADS = [  # the same person as contact 1 (same email), met again in another object
    {
        "Id": "00Q000000000001AAA",
        "FirstName": "Ada",
        "LastName": "Zq7xlace",
        "Email": CANARY_EMAIL,
        "Country": "United States",
        "State": "California",
    },
]
SCHEMA = {"Contact": {"fields": {k: {"type": "email" if k == "Email" else "string"} for k in CONTACTS[0]}}}


def _api_event(
    n: int, query: str, records: list[str] | None, session: str, ip: str = "185.220.101.4"
) -> dict[str, object]:
    return {
        "Id": f"3Gb00000000000{n}AAA",
        "EventDate": f"2026-02-20T10:0{n}:00.000+0000",
        "EventIdentifier": f"ev-{n}",
        "UserId": "005000000000001AAA",
        "Username": "integration@acme.test",
        "SourceIp": ip,
        "SessionKey": session,
        "LoginKey": "L1",
        "Operation": "Query",
        "ApiType": "REST",
        "Application": "Rogue Loader",
        "ConnectedAppId": "0H4000000000001",
        "Query": query,
        "QueriedEntities": query.split(" FROM ")[1].split()[0],
        "RowsProcessed": len(records or []) or 2,
        "Records": json.dumps({"records": records}) if records else None,
        "CreatedDate": f"2026-02-20T10:0{n}:00.000+0000",
    }


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    (root / "sobjects").mkdir(parents=True)
    events = [
        # logged: the event names the records it returned
        _api_event(
            1,
            "SELECT Id, FirstName, LastName, Email, SSN__c FROM Contact WHERE Email LIKE '%canary%'",
            ["003000000000001AAA"],
            "S1",
        ),
        # no ids logged: the filter is re-applied to the snapshot (an estimate)
        _api_event(2, "SELECT Id, Email, Phone FROM Contact WHERE MailingCountry = 'Germany'", None, "S1"),
        _api_event(3, "SELECT Id, FirstName, LastName, Email FROM Lead", None, "S1"),
        _api_event(4, "SELECT COUNT() FROM Contact", None, "S1"),
        # another session, not in any finding: out of scope
        _api_event(5, "SELECT Id, Email FROM Contact", None, "BENIGN", ip="10.1.2.3"),
    ]
    for name, rows in (("Contact", CONTACTS), ("Lead", LEADS), ("ApiEvent", events)):
        (root / "sobjects" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "schema.json").write_text(json.dumps(SCHEMA))
    return root


@pytest.fixture
def scoped_case(tmp_case: Case, org: Path) -> Case:
    locker = Locker.open(tmp_case)
    for path in sorted((org / "sobjects").glob("*.jsonl")):
        locker.add_file(path, name=f"sobjects/{path.name}", kind="sobject_records")
    list(EventStore(tmp_case).ingest_all(locker))
    finding = Finding(
        id="anonymizer_ip_access:1",
        rule_id="anonymizer_ip_access",
        severity=Severity.HIGH,
        title="API from Tor",
        entities={"session": ("S1",), "ip": ("185.220.101.4",)},
    )
    write_findings(tmp_case, "hunt", [finding])
    return tmp_case


def test_exposure_labels_logged_and_estimated_records(scoped_case: Case, org: Path) -> None:
    result = run_scope(scoped_case, load_org_snapshot(org))
    contact, lead = result.exposures["Contact"], result.exposures["Lead"]
    assert sorted(contact.logged) == ["003000000000001AAA"]
    assert sorted(contact.estimated) == ["003000000000002AAA"]
    assert contact.fields == {"Id", "FirstName", "LastName", "Email", "SSN__c", "Phone"}
    assert sorted(lead.estimated) == ["00Q000000000001AAA"] and lead.estimate
    assert sorted(contact.bases) == ["estimate", "logged"]
    assert {a.basis for a in result.accesses} == {"logged", "estimate", "count_only"}


def test_subjects_are_deduplicated_and_counted_by_jurisdiction(scoped_case: Case, org: Path) -> None:
    run_scope(scoped_case, load_org_snapshot(org))
    path = scoped_case.work_dir / "scope" / "subjects_by_jurisdiction.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows == [
        {
            "residence": "DE",
            "elements": "email;phone",
            "encrypted": "false",
            "key_compromised": "false",
            "count": "1",
        },
        {
            "residence": "US-CA",
            "elements": "email;name;ssn",
            "encrypted": "false",
            "key_compromised": "false",
            "count": "1",
        },
    ]


def test_the_csv_is_what_the_obligations_engine_reads(scoped_case: Case, org: Path) -> None:
    from leakline.notify.subjects import read_subjects

    run_scope(scoped_case, load_org_snapshot(org))
    rows = read_subjects(scoped_case.work_dir / "scope" / "subjects_by_jurisdiction.csv")
    assert [(r.residence, sorted(r.elements), r.count) for r in rows] == [
        ("DE", ["email", "phone"], 1),
        ("US-CA", ["email", "name", "ssn"], 1),
    ]


def test_subject_list_is_encrypted_and_decrypts_with_the_case_key(scoped_case: Case, org: Path) -> None:
    run_scope(scoped_case, load_org_snapshot(org))
    blob = (scoped_case.work_dir / "scope" / "affected_subjects.csv.enc").read_bytes()
    assert CANARY_EMAIL.encode() not in blob
    rows = list(csv.DictReader(decrypt_blob(scoped_case, blob).decode().splitlines()))
    assert [(r["residence"], r["name"], r["email"]) for r in rows] == [
        ("DE", "Bernd Meier", "bernd@example.de"),
        ("US-CA", "Ada Zq7xlace", CANARY_EMAIL),
    ]
    assert rows[1]["records"] == "Contact:003000000000001AAA;Lead:00Q000000000001AAA"


def test_findings_and_tables_hold_no_cleartext_pii(scoped_case: Case, org: Path) -> None:
    result = CliRunner().invoke(
        app, ["scope", "--case", str(scoped_case.root), "--org", str(org), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    written = [p for p in scoped_case.work_dir.rglob("*") if p.is_file() and p.suffix != ".enc"]
    assert {p.name for p in written} >= {"scope.jsonl", "exposure.json", "accesses.json", "lineage.json"}
    texts = [result.output] + [p.read_text(encoding="utf-8") for p in written]
    for text in texts:
        assert CANARY_EMAIL not in text and CANARY_SSN not in text and "Zq7x" not in text
    accesses = json.loads((scoped_case.work_dir / "scope" / "accesses.json").read_text())["accesses"]
    assert accesses[0]["filter"] == "Email LIKE '%******%'"
    scope_findings = read_findings(scoped_case, "scope")
    assert [f.rule_id for f in scope_findings].count("scope_exposed_object") == 2
    subjects = next(f for f in scope_findings if f.rule_id == "scope_affected_subjects")
    assert subjects.data["by_jurisdiction"] == {"DE": 1, "US-CA": 1}
    assert subjects.severity == Severity.HIGH


def test_scope_without_hunt_findings_is_a_usage_error(tmp_case: Case) -> None:
    result = CliRunner().invoke(app, ["scope", "--case", str(tmp_case.root)])
    assert result.exit_code == 2
    assert "no hunt findings at or above low" in result.output


def test_lineage_names_app_user_object_and_when(scoped_case: Case, org: Path) -> None:
    run_scope(scoped_case, load_org_snapshot(org))
    rows = json.loads((scoped_case.work_dir / "scope" / "lineage.json").read_text())["lineage"]
    assert {(r["app"], r["user"], r["object"], r["operation"], r["events"]) for r in rows} == {
        ("Rogue Loader", "integration@acme.test", "Contact", "read", 4),
        ("Rogue Loader", "integration@acme.test", "Lead", "read", 1),
    }


def test_scan_reads_records_collected_into_the_case(scoped_case: Case) -> None:
    result = CliRunner().invoke(app, ["scan", str(scoped_case.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    contact = next(t for t in data["tables"] if t["name"] == "Contact")
    ssn = next(c for c in contact["columns"] if c["name"] == "SSN__c")
    assert [e["element"] for e in ssn["elements"]] == ["ssn"]
    assert CANARY_SSN not in result.output and CANARY_EMAIL not in result.output
