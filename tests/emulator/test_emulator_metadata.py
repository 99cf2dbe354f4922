"""Posture reads: Metadata API retrieve (unmodified simple-salesforce mdapi) and Tooling queries."""

from __future__ import annotations

import io
import zipfile

import requests
from simple_salesforce import Salesforce

from leakline.emulator import emulator_session
from leakline.emulator.sample import ATTACKER_ACCESS

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}


def test_retrieve_gives_metadata_api_format(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    sf = Salesforce(instance_url=tls_server.instance_url, session_id=ATTACKER_ACCESS, session=session)
    job_id, state = sf.mdapi.retrieve("retrieve", unpackaged={"Settings": ["Security"], "CustomObject": ["*"]})
    assert (job_id[:3], state) == ("09S", "Queued")
    assert sf.mdapi.check_retrieve_status(job_id) == ("Succeeded", None, [])
    status, error, messages, body = sf.mdapi.retrieve_zip(job_id)
    assert (status, error, messages) == ("Succeeded", None, [])
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == ["objects/Account.object", "package.xml", "settings/Security.settings"]
    account = archive.read("objects/Account.object").decode()
    assert "<fields>" in account and "<fullName>Secret__c</fullName>" in account
    assert "<name>Settings</name>" in archive.read("package.xml").decode()
    assert b"TwentyFourHours" in archive.read("settings/Security.settings")


def test_retrieve_without_a_valid_session_is_a_soap_fault(server):
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>'
            "<SessionHeader><sessionId>bogus</sessionId></SessionHeader></soapenv:Header><soapenv:Body>"
            "<retrieve/></soapenv:Body></soapenv:Envelope>")
    resp = requests.post(f"{server.url}/services/Soap/m/62.0", data=body, timeout=10,
                         headers={"SOAPAction": "retrieve", "Content-Type": "text/xml"})
    assert resp.status_code == 500
    assert "INVALID_SESSION_ID" in resp.text


def test_tooling_query(server):
    resp = requests.get(f"{server.url}/services/data/v62.0/tooling/query", headers=AUTH, timeout=10,
                        params={"q": "SELECT Score FROM SecurityHealthCheck"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["records"] == [{"attributes": {"type": "SecurityHealthCheck"}, "Score": "62"}]
    missing = requests.get(f"{server.url}/services/data/v62.0/tooling/query", headers=AUTH, timeout=10,
                           params={"q": "SELECT Id FROM NoSuchThing"})
    assert missing.status_code == 400
