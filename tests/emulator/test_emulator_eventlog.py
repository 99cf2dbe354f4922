"""EventLogFile download (plain and gzip) and the emulator's own activity in its logs."""

from __future__ import annotations

import csv
import gzip
import io

import requests

from leakline.emulator.sample import ATTACKER_ACCESS, ATTACKER_REFRESH, ELF_ID

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}


def api(server, path, headers=None, **kwargs):
    return requests.get(
        f"{server.url}/services/data/v62.0{path}", headers={**AUTH, **(headers or {})}, timeout=10, **kwargs
    )


def test_download_is_the_exact_file(server, org_dir):
    expected = (org_dir / "eventlogs" / "Login" / "2026-03-01.csv").read_bytes()
    resp = api(server, f"/sobjects/EventLogFile/{ELF_ID}/LogFile", stream=True, headers={"Accept-Encoding": "identity"})
    assert resp.status_code == 200
    assert "Content-Encoding" not in resp.headers
    assert resp.headers["Content-Length"] == str(len(expected))
    assert resp.raw.read() == expected


def test_download_gzip_when_asked(server, org_dir):
    expected = (org_dir / "eventlogs" / "Login" / "2026-03-01.csv").read_bytes()
    resp = api(server, f"/sobjects/EventLogFile/{ELF_ID}/LogFile", stream=True, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.raw.read(decode_content=False)) == expected


def test_query_gives_the_logfile_url(server):
    rec = api(server, "/query", params={"q": "SELECT Id, LogFile, LogFileLength FROM EventLogFile WHERE Interval = 'Daily'"})
    row = rec.json()["records"][0]
    assert row["LogFile"] == f"/services/data/v62.0/sobjects/EventLogFile/{ELF_ID}/LogFile"


def test_own_activity_becomes_hourly_files_without_secrets(server):
    requests.post(f"{server.url}/services/oauth2/token", timeout=10,
                  data={"grant_type": "refresh_token", "client_id": "DRIFT-CONSUMER-KEY", "refresh_token": ATTACKER_REFRESH})
    api(server, "/query", params={"q": "SELECT Id FROM Account LIMIT 5"})
    listing = api(server, "/query", params={
        "q": "SELECT Id, EventType, Interval, Sequence, LogFileFieldNames FROM EventLogFile "
             "WHERE Interval = 'Hourly' ORDER BY EventType"}).json()["records"]
    assert [(r["EventType"], r["Sequence"]) for r in listing] == [("ApiTotalUsage", 1), ("Login", 1), ("RestApi", 1)]
    rest = next(r for r in listing if r["EventType"] == "RestApi")
    body = api(server, f"/sobjects/EventLogFile/{rest['Id']}/LogFile").text
    header = next(csv.reader(io.StringIO(body)))
    assert header == rest["LogFileFieldNames"].split(",")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["ROWS_PROCESSED"] for r in rows] == ["5"]
    assert rows[0]["URI"] == "/services/data/v62.0/query"
    assert body.startswith('"EVENT_TYPE","TIMESTAMP"')
    login = next(r for r in listing if r["EventType"] == "Login")
    login_body = api(server, f"/sobjects/EventLogFile/{login['Id']}/LogFile").text
    for text in (body, login_body):
        assert "CANARY" not in text
    # the next publication for the same hour is a new file (Sequence 2); the first stays as it was
    again = api(server, "/query", params={
        "q": "SELECT Id, Sequence FROM EventLogFile WHERE EventType = 'RestApi' ORDER BY Sequence"}).json()["records"]
    assert [r["Sequence"] for r in again] == [1, 2]
    assert api(server, f"/sobjects/EventLogFile/{rest['Id']}/LogFile").text == body


def test_queries_are_recorded_as_api_events_when_the_org_has_them(org_dir, emu_clock):
    import json as _json

    from leakline.emulator import EmulatorServer

    schema = _json.loads((org_dir / "schema.json").read_text())
    schema["ApiEvent"] = {"label": "API Event", "keyPrefix": "3Gb", "fields": {
        n: {"type": "string", "label": n} for n in (
            "Id", "EventDate", "UserId", "Username", "SourceIp", "SessionKey", "Operation", "Query",
            "QueriedEntities", "RowsProcessed", "Records", "RequestIdentifier", "ConnectedAppId", "CreatedDate")}}
    (org_dir / "schema.json").write_text(_json.dumps(schema))
    with EmulatorServer(org_dir, clock=emu_clock) as server:
        api(server, "/query", params={"q": "SELECT Id FROM Contact ORDER BY Id LIMIT 2"})
        events = api(server, "/query", params={
            "q": "SELECT Query, QueriedEntities, RowsProcessed, Records, ConnectedAppId FROM ApiEvent"}).json()
    row = events["records"][0]
    assert row["Query"] == "SELECT Id FROM Contact ORDER BY Id LIMIT 2"
    assert (row["QueriedEntities"], row["RowsProcessed"], row["ConnectedAppId"]) == ("Contact", 2, "0H4000000000001")
    assert _json.loads(row["Records"])["totalSize"] == 2
