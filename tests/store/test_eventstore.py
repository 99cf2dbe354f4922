"""EventStore over a real evidence locker: ingest, idempotence, dedupe, bad rows, snapshots, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.evidence import Locker, Provenance
from leakline.store import KIND_AUDIT_CSV, KIND_ELF, KIND_LOGIN_HISTORY_CSV, KIND_RECORDS, EventStore
from leakline.store.schema import COLUMN_NAMES

PROV = Provenance(source="leakline", note="test")
HEADER = '"EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","CLIENT_IP","URI","ROWS_PROCESSED","NEW_COL"\n'


def elf_row(i: int, ts: str = "20260301093000.123", user: str = "005000000000001") -> str:
    return f'"RestApi","{ts}","req-{i}","00D000000000001","{user}","203.0.113.{i}","/q","{i}","x{i}"\n'


@pytest.fixture
def locker(tmp_case: Case) -> Locker:
    return Locker.open(tmp_case)


def add(locker: Locker, data: str, name: str, kind: str) -> str:
    return locker.add_bytes(data.encode(), provenance=PROV, name=name, kind=kind).sha256


def count(store: EventStore, where: str = "true", view: str = "events") -> int:
    con = store.connect()
    try:
        row = con.execute(f"SELECT count(*) FROM {view} WHERE {where}").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_empty_store_has_an_events_view_with_every_column(tmp_case: Case) -> None:
    con = EventStore(tmp_case).connect()
    try:
        cols = [r[0] for r in con.execute("DESCRIBE events").fetchall()]
        assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    finally:
        con.close()
    assert cols == list(COLUMN_NAMES)


def test_ingest_is_idempotent_and_lands_in_hive_layout(tmp_case: Case, locker: Locker) -> None:
    sha = add(
        locker, HEADER + elf_row(1) + elf_row(2), "elf/RestApi/2026-03-01/Daily/0AT000000000001.csv", KIND_ELF
    )
    store = EventStore(tmp_case)
    first = store.ingest(locker, sha)
    again = store.ingest(locker, sha)
    assert (first.events, again.events, first.problems) == (2, 2, [])
    files = sorted(
        p.relative_to(tmp_case.events_dir).as_posix() for p in tmp_case.events_dir.rglob("*.parquet")
    )
    assert files == [f"source=elf/event_type=RestApi/date=2026-03-01/{sha}.parquet"]
    con = store.connect()
    try:
        row = con.execute(
            "SELECT user_id, src_ip, rows, raw['NEW_COL'], raw['USER_ID'], evidence_sha256, evidence_row "
            "FROM events ORDER BY evidence_row LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    # raw keeps the columns no typed column holds (NEW_COL); USER_ID is in user_id, not in raw.
    assert row == ("005000000000001AAA", "203.0.113.1", 1, "x1", None, sha, 1)


def test_redelivered_file_is_deduplicated(tmp_case: Case, locker: Locker) -> None:
    store = EventStore(tmp_case)
    a = add(locker, HEADER + elf_row(1) + elf_row(2), "a.csv", KIND_ELF)
    b = add(locker, HEADER + elf_row(1) + elf_row(2) + elf_row(3), "b.csv", KIND_ELF)
    store.ingest(locker, a)
    store.ingest(locker, b)
    assert count(store, view="events_all") == 5
    assert count(store) == 3
    assert store.stats().duplicates_dropped == 2


def test_bad_rows_are_reported_with_line_and_the_rest_loads(tmp_case: Case, locker: Locker) -> None:
    body = HEADER + elf_row(1) + '"RestApi","short"\n' + elf_row(3, ts="not-a-time") + elf_row(4)
    sha = add(locker, body, "bad.csv", KIND_ELF)
    result = EventStore(tmp_case).ingest(locker, sha)
    assert result.events == 2
    assert result.problems == [
        "bad.csv:3: expected 9 fields, found 2",
        "bad.csv:4: no readable TIMESTAMP / TIMESTAMP_DERIVED (yyyyMMddHHmmss.SSS)",
    ]
    assert count(EventStore(tmp_case), "evidence_row = 4") == 1


def test_non_elf_evidence_is_recorded_as_failed_not_crashing(tmp_case: Case, locker: Locker) -> None:
    sha = add(locker, '"This","is"\n"1","2"\n', "odd.csv", KIND_ELF)
    result = EventStore(tmp_case).ingest(locker, sha)
    assert result.error is not None and result.error.startswith("odd.csv:1: not an EventLogFile CSV")
    assert EventStore(tmp_case).stats().evidence_failed == [{"name": "odd.csv", "error": result.error}]


def jsonl(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_records_become_events_and_snapshots(tmp_case: Case, locker: Locker) -> None:
    store = EventStore(tmp_case)
    login = jsonl(
        [
            {
                "attributes": {"type": "LoginHistory"},
                "Id": "0Ya000000000001AAA",
                "UserId": "005000000000001",
                "LoginTime": "2026-03-01T09:00:00.000+0000",
                "SourceIp": "198.51.100.7",
                "Status": "Success",
                "Application": "Data Loader",
                "LoginType": "Remote Access 2.0",
                "Browser": "python-requests/2.32.4",
                "CountryIso": "NL",
            },
            {
                "attributes": {"type": "LoginHistory"},
                "Id": "0Ya000000000002AAA",
                "UserId": "005000000000001AAA",
                "LoginTime": "2026-03-01T09:05:00.000+0000",
                "SourceIp": "198.51.100.7",
                "Status": "Invalid Password",
            },
        ]
    )
    tokens = jsonl(
        [
            {
                "attributes": {"type": "OauthToken"},
                "Id": "0CQ000000000001AAA",
                "UserId": "005000000000001",
                "AppName": "Drift",
                "DeleteToken": "CANARY-delete-token-0123456789",
                "CreatedDate": "2026-02-01T00:00:00.000+0000",
                "UseCount": 42,
            }
        ]
    )
    users = jsonl(
        [
            {
                "attributes": {"type": "User"},
                "Id": "005000000000001",
                "Username": "a@example.com",
                "IsActive": True,
            }
        ]
    )
    api = jsonl(
        [
            {
                "EventIdentifier": "ev-1",
                "EventDate": "2026-03-01T09:10:00.000Z",
                "UserId": "005000000000001",
                "Query": "SELECT Id FROM Contact",
                "RowsProcessed": 500,
                "QueriedEntities": "Contact",
                "SourceIp": "198.51.100.7",
            }
        ]
    )
    for body, name in (
        (login, "sobjects/LoginHistory.jsonl"),
        (tokens, "sobjects/OauthToken.jsonl"),
        (users, "sobjects/User.jsonl"),
        (api, "rtem/ApiEvent/2026-03-01.jsonl"),
    ):
        store.ingest(locker, add(locker, body, name, KIND_RECORDS))
    con = store.connect()
    try:
        got = con.execute(
            "SELECT source, event_type, user_id, status, app_name, country, record_id FROM events "
            "WHERE source = 'login_history' ORDER BY ts"
        ).fetchall()
        api_row = con.execute(
            "SELECT source, event_type, query, rows, entity, event_key FROM events WHERE source='rtem'"
        ).fetchall()
        token = con.execute(
            "SELECT raw['DeleteToken'], raw['UseCount'], app_name FROM events WHERE source='oauth_token'"
        ).fetchone()
        user = con.execute("SELECT Id, Username, IsActive FROM sf_User").fetchall()
        snap_token = con.execute("SELECT DeleteToken FROM sf_OauthToken").fetchone()
    finally:
        con.close()
    assert got == [
        (
            "login_history",
            "LoginHistory",
            "005000000000001AAA",
            "success",
            "Data Loader",
            "NL",
            "0Ya000000000001AAA",
        ),
        ("login_history", "LoginHistory", "005000000000001AAA", "failure", None, None, "0Ya000000000002AAA"),
    ]
    assert api_row == [("rtem", "ApiEvent", "SELECT Id FROM Contact", 500, "Contact", "ApiEvent|ev-1")]
    assert token is not None and "CANARY" not in str(token) and token[1:] == ("42", "Drift")
    assert snap_token is not None and "CANARY" not in str(snap_token)
    assert user == [("005000000000001AAA", "a@example.com", "true")]


def test_customer_csv_exports_are_read_by_header(tmp_case: Case, locker: Locker) -> None:
    store = EventStore(tmp_case)
    login_csv = (
        "Login Time,Username,Source IP,Login Type,Status,Browser,Application,Country Code\n"
        "3/1/2026 9:00:00 AM PST,a@example.com,198.51.100.7,Remote Access 2.0,Success,python-requests/2.32.4,Drift,US\n"
        "3/1/2026 9:01:00 AM XYZ,a@example.com,198.51.100.7,Remote Access 2.0,Success,x,Drift,US\n"
    )
    audit_csv = (
        "Date,User,Source Namespace Prefix,Action,Section,Delegate User\n"
        '"2026-03-01 10:00:00 UTC",admin@example.com,,PermSetAssign,Manage Users,\n'
    )
    a = store.ingest(locker, add(locker, login_csv, "LoginHistory.csv", KIND_LOGIN_HISTORY_CSV))
    b = store.ingest(locker, add(locker, audit_csv, "SetupAuditTrail.csv", KIND_AUDIT_CSV))
    assert (a.events, b.events) == (1, 1)
    assert a.problems == [
        "LoginHistory.csv:3: unknown time zone abbreviation 'XYZ' in '3/1/2026 9:01:00 AM XYZ'"
    ]
    con = store.connect()
    try:
        rows = con.execute(
            "SELECT source, strftime(ts, '%Y-%m-%d %H:%M:%S'), username, operation, entity FROM events ORDER BY ts"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("setup_audit_trail", "2026-03-01 10:00:00", "admin@example.com", "PermSetAssign", "Manage Users"),
        ("login_history", "2026-03-01 17:00:00", "a@example.com", None, None),
    ]


def test_rebuild_gives_the_same_events(tmp_case: Case, locker: Locker) -> None:
    store = EventStore(tmp_case)
    add(locker, HEADER + elf_row(1) + elf_row(2), "x.csv", KIND_ELF)
    add(locker, "not events", "notes.txt", "note")
    list(store.ingest_all(locker))
    before = count(store)
    results = store.rebuild(locker)
    assert count(store) == before == 2
    assert sorted((r.name, r.events, r.skipped is not None) for r in results) == [
        ("notes.txt", 0, True),
        ("x.csv", 2, False),
    ]


def test_cli_rebuild_and_stats(tmp_case: Case, locker: Locker) -> None:
    add(locker, HEADER + elf_row(1), "x.csv", KIND_ELF)
    runner = CliRunner()
    done = runner.invoke(app, ["store", "rebuild", "--case", str(tmp_case.root)])
    assert done.exit_code == 0, done.output
    assert "1 events from 1 evidence objects" in done.output
    stats = runner.invoke(app, ["store", "stats", "--case", str(tmp_case.root), "--format", "json"])
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.stdout)
    assert data["events"] == [
        {
            "source": "elf",
            "event_type": "RestApi",
            "rows": 1,
            "first": "2026-03-01T09:30:00.123Z",
            "last": "2026-03-01T09:30:00.123Z",
        }
    ]


def test_cli_stats_on_a_missing_case_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["store", "stats", "--case", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not a case folder" in result.output


def test_headerless_elf_body_uses_logfilefieldnames_from_provenance(tmp_case: Case, locker: Locker) -> None:
    note = json.dumps({"EventType": "RestApi", "LogFileFieldNames": "TIMESTAMP,REQUEST_ID,USER_ID"})
    body = '"20260301093000.123","r1","005000000000001"\n"20260301093001.000","r2","005000000000001"\n'
    sha = locker.add_bytes(
        body.encode(), provenance=Provenance(source="api", note=note), name="elf/x.csv", kind=KIND_ELF
    ).sha256
    result = EventStore(tmp_case).ingest(locker, sha)
    assert (result.events, result.problems, result.error) == (2, [], None)
    assert count(EventStore(tmp_case), "event_type = 'RestApi' AND request_id = 'r2'") == 1
