"""Bulk API 2.0 query jobs: lifecycle, paged CSV results, deletion, and their BulkApi2 events."""

from __future__ import annotations

import csv
import io

import requests
from simple_salesforce import Salesforce

from leakline.emulator import emulator_session
from leakline.emulator.sample import ATTACKER_ACCESS, N_ACCOUNTS

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}


def api(server, method, path, **kwargs):
    return requests.request(method, f"{server.url}/services/data/v62.0{path}", headers=AUTH, timeout=10, **kwargs)


def test_simple_salesforce_bulk2_query(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    sf = Salesforce(instance_url=tls_server.instance_url, session_id=ATTACKER_ACCESS, session=session)
    chunks = list(sf.bulk2.Account.query("SELECT Id, Name, Owner.Name FROM Account", max_records=200, wait=0))
    assert len(chunks) == 3
    rows = [row for chunk in chunks for row in csv.DictReader(io.StringIO(chunk))]
    assert len(rows) == N_ACCOUNTS
    assert set(rows[0]) == {"Id", "Name", "Owner.Name"}
    assert chunks[0].startswith('"Id","Name","Owner.Name"\n')


def test_job_lifecycle_and_results_headers(server):
    created = api(server, "POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id, Name FROM Account"})
    assert created.status_code == 200
    job = created.json()
    assert (job["state"], job["object"], job["id"][:3]) == ("UploadComplete", "Account", "750")
    states = [api(server, "GET", f"/jobs/query/{job['id']}").json()["state"] for _ in range(3)]
    assert states == ["InProgress", "JobComplete", "JobComplete"]
    first = api(server, "GET", f"/jobs/query/{job['id']}/results", params={"maxRecords": 400})
    assert first.headers["Sforce-NumberOfRecords"] == "400"
    locator = first.headers["Sforce-Locator"]
    assert locator != "null"
    last = api(server, "GET", f"/jobs/query/{job['id']}/results", params={"maxRecords": 400, "locator": locator})
    assert (last.headers["Sforce-NumberOfRecords"], last.headers["Sforce-Locator"]) == ("50", "null")
    listed = api(server, "GET", "/jobs/query").json()
    assert [j["id"] for j in listed["records"]] == [job["id"]]
    deleted = api(server, "DELETE", f"/jobs/query/{job['id']}")
    assert deleted.status_code == 204
    assert api(server, "GET", f"/jobs/query/{job['id']}").status_code == 404
    assert api(server, "GET", "/jobs/query").json()["records"] == []


def test_results_before_completion_and_bad_query(server):
    job = api(server, "POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    early = api(server, "GET", f"/jobs/query/{job['id']}/results")
    assert early.status_code == 400
    bad = api(server, "POST", "/jobs/query", json={"operation": "query", "query": "SELECT FROM Account"})
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "INVALIDJOB"


def test_job_state_changes_are_logged_as_bulkapi2_events(server):
    job = api(server, "POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Contact"}).json()
    api(server, "GET", f"/jobs/query/{job['id']}")
    api(server, "GET", f"/jobs/query/{job['id']}")
    api(server, "DELETE", f"/jobs/query/{job['id']}")
    files = api(server, "GET", "/query",
                params={"q": "SELECT Id FROM EventLogFile WHERE EventType = 'BulkApi2'"}).json()["records"]
    assert len(files) == 1
    body = api(server, "GET", f"/sobjects/EventLogFile/{files[0]['Id']}/LogFile").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["JOB_ID"], r["JOB_STATUS"], r["ENTITY_TYPE"]) for r in rows] == [
        (job["id"][:15], status, "Contact") for status in ("UploadComplete", "InProgress", "JobComplete", "Deleted")
    ]


def test_abort_then_delete(server):
    job = api(server, "POST", "/jobs/query", json={"operation": "queryAll", "query": "SELECT Id FROM Account"}).json()
    aborted = api(server, "PATCH", f"/jobs/query/{job['id']}", json={"state": "Aborted"})
    assert aborted.json()["state"] == "Aborted"
    assert api(server, "DELETE", f"/jobs/query/{job['id']}").status_code == 204
