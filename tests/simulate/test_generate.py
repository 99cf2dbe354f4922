"""The simulator's output: determinism, format, and ground truth consistent with the files."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import phonenumbers
import pytest
from stdnum import iban

from leakline.core.sfid import to18
from leakline.pii.elements import element_ids
from leakline.simulate import generate
from leakline.simulate.finance import aba_valid
from leakline.simulate.truth import load

TS = re.compile(r"^\d{14}\.\d{3}$")
TS_DERIVED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SF_DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@pytest.mark.slow
def test_same_seed_gives_byte_identical_tree(tmp_path: Path) -> None:
    args = {"seed": 5, "size": "small", "scenarios": ["stolen_integration_token", "corrupted_sync"], "days": 4}
    a = _tree_hashes(generate(tmp_path / "a", **args))
    b = _tree_hashes(generate(tmp_path / "b", **args))
    assert a == b
    assert "credentials.json" in a


@pytest.mark.slow
def test_other_seed_differs(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=1, days=3)
    b = generate(tmp_path / "b", seed=2, days=3)
    assert (a / "sobjects/Contact.jsonl").read_bytes() != (b / "sobjects/Contact.jsonl").read_bytes()


def test_elf_files_are_quoted_lf_with_exact_formats(org_dir: Path) -> None:
    for path in sorted((org_dir / "eventlogs").glob("*/*.csv")):
        raw = path.read_bytes()
        assert b"\r\n" not in raw and raw.endswith(b"\n")
        first = raw.split(b"\n", 1)[0].decode()
        assert first.startswith('"EVENT_TYPE","TIMESTAMP","REQUEST_ID"')
        header, rows = _csv_rows(path)
        assert all(len(r) == len(header) for r in rows)
        for row in rows[:50]:
            rec = dict(zip(header, row, strict=True))
            assert TS.match(rec["TIMESTAMP"]) and rec["EVENT_TYPE"] == path.parent.name
            if "TIMESTAMP_DERIVED" in rec:
                assert TS_DERIVED.match(rec["TIMESTAMP_DERIVED"])
            assert len(rec["ORGANIZATION_ID"]) == 15
            if rec.get("USER_ID"):
                assert len(rec["USER_ID"]) == 15
                if "USER_ID_DERIVED" in rec:
                    assert rec["USER_ID_DERIVED"] == to18(rec["USER_ID"])
        stamps = [r[1] for r in rows]
        assert stamps == sorted(stamps)
        assert all(s.startswith(path.stem.replace("-", "")) for s in stamps)


def test_every_elf_row_has_a_unique_request_id(org_dir: Path) -> None:
    seen: set[str] = set()
    total = 0
    for path in (org_dir / "eventlogs").glob("*/*.csv"):
        _, rows = _csv_rows(path)
        total += len(rows)
        seen.update(r[2] for r in rows)
    assert total == len(seen) > 10_000


def test_eventlogfile_records_describe_their_csv(org_dir: Path) -> None:
    for rec in _jsonl(org_dir / "eventlogs/EventLogFile.jsonl"):
        body = (org_dir / rec["path"]).read_bytes()
        assert rec["LogFileLength"] == len(body)
        header = body.split(b"\n", 1)[0].decode().replace('"', "")
        assert rec["LogFileFieldNames"] == header
        assert len(rec["LogFileFieldTypes"].split(",")) == len(header.split(","))
        assert rec["Id"].startswith("0AT") and len(rec["Id"]) == 18
        assert SF_DT.match(rec["LogDate"]) and rec["path"].endswith(rec["LogDate"][:10] + ".csv")


@pytest.mark.parametrize("name,event_type", [("sample_data1.csv", "API"), ("sample_data2.csv", "BulkApi"),
                                             ("sample_data3.csv", "Login"), ("sample_data5.csv", "RestApi")])
def test_headers_cover_real_fixture_columns(org_dir: Path, real_fixtures: Path, name: str, event_type: str) -> None:
    real = real_fixtures / "logstash-input-sfdc_elf/spec/fixtures/queue_util" / name
    real_header, real_rows = _csv_rows(real)
    ours = next((org_dir / "eventlogs" / event_type).glob("*.csv"))
    our_header, our_rows = _csv_rows(ours)
    assert set(real_header) <= set(our_header)
    assert our_header[:5] == real_header[:5]
    # Same value formats for the shared timestamp and id columns.
    assert TS.match(real_rows[0][1]) and TS.match(our_rows[0][1])
    assert len(real_rows[0][3]) == len(our_rows[0][3]) == 15
    assert len(real_rows[0][4]) == len(our_rows[0][4]) == 15
    assert real.read_bytes()[:1] == ours.read_bytes()[:1] == b'"'


def test_sobject_records_use_18_char_ids_and_salesforce_datetimes(org_dir: Path) -> None:
    schema = json.loads((org_dir / "schema.json").read_text())
    for path in (org_dir / "sobjects").glob("*.jsonl"):
        records = _jsonl(path)
        assert records, path
        fields = schema[path.stem]["fields"]
        for rec in records[:100]:
            assert len(rec["Id"]) == 18 and rec["Id"].startswith(schema[path.stem]["keyPrefix"])
            for key, value in rec.items():
                assert key in fields
                if fields[key]["type"] == "datetime" and value is not None:
                    assert SF_DT.match(value), (path.stem, key, value)


def test_ground_truth_events_point_at_the_named_rows(org_dir: Path) -> None:
    truth = load(org_dir)
    assert truth.malicious_events
    cache: dict[str, list[list[str]]] = {}
    for ev in truth.malicious_events:
        if ev.file not in cache:
            cache[ev.file] = _csv_rows(org_dir / ev.file)[1]
        row = cache[ev.file][ev.row - 1]
        assert row[2] == ev.request_id and row[0] == ev.event_type


def test_ground_truth_records_and_ids_exist(org_dir: Path) -> None:
    truth = load(org_dir)
    ids: dict[str, set[str]] = {p.stem: {r["Id"] for r in _jsonl(p)} for p in (org_dir / "sobjects").glob("*.jsonl")}
    for st in truth.scenarios:
        for rec in st.malicious_records:
            line = (org_dir / rec.file).read_text(encoding="utf-8").splitlines()[rec.line - 1]
            assert json.loads(line)["Id"] == rec.id
        for ex in st.exfiltrated:
            assert set(ex.record_ids) <= ids[ex.object]
        for group in st.subjects:
            assert set(group.elements) <= element_ids() and group.count == len(group.record_ids)
        assert {a.user_id for a in st.actors} <= ids["User"]
        assert {t.oauth_token_id for t in st.tokens} <= ids["OauthToken"]
        c = st.containment
        assert set(c.freeze_users) | set(c.reset_passwords) <= ids["User"]
        assert set(c.revoke_tokens) <= ids["OauthToken"]
        assert set(c.kill_sessions) <= ids["AuthSession"]
        assert set(c.block_apps) <= ids["ConnectedApplication"]
    assert {s.name for s in truth.scenarios} == set(json.loads((org_dir / "org.json").read_text())["scenarios"])


def test_stolen_token_truth_matches_reference_techniques(org_dir: Path) -> None:
    st = load(org_dir).scenario("stolen_integration_token")
    assert {"python-requests/2.32.4", "Salesforce-Multi-Org-Fetcher/1.0"} <= set(st.user_agents)
    steps = {e.step for e in st.malicious_events}
    assert {"recon_count", "bulk_export", "secret_search"} <= steps
    bulk = [r for r in _csv_rows(next((org_dir / "eventlogs/BulkApi2").glob("*.csv")))[1]]
    assert bulk
    statuses = {e.request_id for e in st.malicious_events if e.event_type == "BulkApi2"}
    assert len(statuses) == 4 * len(st.bulk_job_ids)
    assert st.secrets and st.containment.kill_sessions and st.containment.revoke_tokens
    creds = json.loads((org_dir / "credentials.json").read_text())
    stolen = [t for t in creds["oauth_tokens"] if t["stolen_by_attacker"]]
    assert {t["oauth_token_id"] for t in stolen} >= set(st.containment.revoke_tokens)
    assert any(s["attacker"] and s["auth_session_id"] in st.containment.kill_sessions for s in creds["sessions"])


def test_vendor_bank_data_passes_checksums(org_dir: Path) -> None:
    vendors = _jsonl(org_dir / "sobjects/Vendor__c.jsonl")
    ibans = [v["IBAN__c"] for v in vendors if v["IBAN__c"]]
    routing = [v["Routing_Number__c"] for v in vendors if v["Routing_Number__c"]]
    assert ibans and routing
    assert all(iban.is_valid(x) for x in ibans)
    assert all(aba_valid(x) for x in routing)


def test_contact_phones_are_valid_for_their_country(org_dir: Path) -> None:
    contacts = _jsonl(org_dir / "sobjects/Contact.jsonl")
    countries = {c["MailingCountryCode"] for c in contacts}
    assert {"US", "GB", "DE", "CA", "AU", "BR", "IN", "JP"} <= countries
    for c in contacts[:300]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(c["Phone"], c["MailingCountryCode"])), c["Phone"]


def test_truth_lists_app_flows_and_the_sod_user(org_dir: Path) -> None:
    truth = load(org_dir)
    assert {f.app_name for f in truth.app_data_flows} >= {"ChatBeacon Support Widget", "Ledgerline ERP Connector"}
    sod = truth.sod_violations[0]
    assert sod.duties == ["create_vendor", "edit_vendor_bank", "approve_payment"]
    assert truth.benign_lookalikes


def test_metadata_has_the_planted_weaknesses(org_dir: Path) -> None:
    base = org_dir / "metadata/force-app/main/default"
    assert "<disableProtocolSecurity>true</disableProtocolSecurity>" in "".join(
        p.read_text() for p in (base / "remoteSiteSettings").glob("*.xml"))
    integ = (base / "profiles/API Integration.profile-meta.xml").read_text()
    assert "loginIpRanges" not in integ
    assert "<type>Text</type>" in (base / "objects/Vendor__c/fields/IBAN__c.field-meta.xml").read_text()
    assert (base / "settings/Security.settings-meta.xml").exists()


def test_corrupted_sync_keeps_good_copies(org_dir: Path) -> None:
    st = load(org_dir).scenario("corrupted_sync")
    snap = {r["Id"]: r for r in _jsonl(org_dir / "snapshots/pre_incident/Vendor__c.jsonl")}
    now = {r["Id"]: r for r in _jsonl(org_dir / "sobjects/Vendor__c.jsonl")}
    changed = [c for c in st.changed_records if c.object == "Vendor__c"]
    assert changed
    for c in changed:
        assert now[c.id]["Payment_Terms__c"] == "Net 0" and snap[c.id]["Payment_Terms__c"] != "Net 0"
    deleted = [c.id for c in st.changed_records if c.change == "deleted"]
    contacts = {r["Id"]: r for r in _jsonl(org_dir / "sobjects/Contact.jsonl")}
    assert deleted and all(contacts[i]["IsDeleted"] for i in deleted)


def test_scenarios_do_not_change_the_baseline(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain", seed=4, days=3)
    attacked = generate(tmp_path / "attacked", seed=4, days=3, scenarios=["insider_report_export"])
    assert (plain / "sobjects/Contact.jsonl").read_bytes() == (attacked / "sobjects/Contact.jsonl").read_bytes()
    first_day = sorted((plain / "eventlogs/Login").glob("*.csv"))[0].name
    assert (plain / "eventlogs/Login" / first_day).read_bytes() == (attacked / "eventlogs/Login" / first_day).read_bytes()
    assert json.loads((plain / "ground_truth.json").read_text())["scenarios"] == []


def test_truth_uses_iso_jurisdictions_and_millisecond_times(org_dir: Path) -> None:
    raw = json.loads((org_dir / "ground_truth.json").read_text())
    assert TS_DERIVED.match(raw["scenarios"][0]["start"]) or raw["scenarios"][0]["start"].endswith(":00Z")
    jurisdictions = {g["jurisdiction"] for s in raw["scenarios"] for g in s["subjects"]}
    assert {"US-CA", "DE", "GB", "JP"} <= jurisdictions
    assert all(re.fullmatch(r"(US|CA)-[A-Z]{2}|[A-Z]{2}", j) for j in jurisdictions)


def test_every_event_lies_inside_the_window(tmp_path: Path) -> None:
    from leakline.simulate import SCENARIOS

    org = generate(tmp_path / "o", seed=8, days=3, scenarios=SCENARIOS)
    window = json.loads((org / "org.json").read_text())["window"]
    lo = window["start"][:10].replace("-", "")
    hi = window["end"][:10].replace("-", "")
    for path in (org / "eventlogs").glob("*/*.csv"):
        _, rows = _csv_rows(path)
        assert all(lo <= r[1][:8] < hi for r in rows), path
    for rec in _jsonl(org / "sobjects/LoginHistory.jsonl"):
        assert window["start"][:10] <= rec["LoginTime"][:10] < window["end"][:10]
