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
