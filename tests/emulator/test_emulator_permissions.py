"""Object read permission and field-level read security, with Salesforce's error bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from leakline.core.clock import FixedClock
from leakline.emulator import EmulatorServer, emulator_session
from leakline.emulator.sample import ATTACKER_ACCESS, INTEG

SET_XML = """<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldPermissions>
        <editable>false</editable>
        <field>Account.Industry</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Account reader</label>
    <objectPermissions>
        <allowCreate>false</allowCreate>
        <allowDelete>false</allowDelete>
        <allowEdit>false</allowEdit>
        <allowRead>true</allowRead>
        <modifyAllRecords>false</modifyAllRecords>
        <object>Account</object>
        <viewAllRecords>false</viewAllRecords>
    </objectPermissions>
</PermissionSet>
"""
NO_COLUMN = (
    "No such column '{f}' on entity '{o}'. If you are attempting to use a custom field, be sure to append "
    "the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)
NOT_SUPPORTED = (
    "sObject type '{o}' is not supported. If you are attempting to use a custom object, be sure to append "
    "the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate "
    "names."
)


@pytest.fixture
def enforced(org_dir: Path, emu_clock: FixedClock) -> Iterator[EmulatorServer]:
    """The sample org; the integration user holds only the ``Account_Reader`` set (overlay)."""
    state = org_dir / "state"
    (state / "metadata" / "permissionsets").mkdir(parents=True)
    (state / "metadata" / "permissionsets" / "Account_Reader.permissionset-meta.xml").write_text(SET_XML)
    users = {INTEG: {"profile": None, "permission_sets": ["Account_Reader"]}}
    (state / "permissions.json").write_text(json.dumps({"users": users}))
    with EmulatorServer(org_dir, clock=emu_clock) as srv:
        yield srv


@pytest.fixture
def sf(enforced: EmulatorServer) -> Salesforce:
    return _client(enforced)


def _client(server: EmulatorServer) -> Salesforce:
    host = "leakline-perm-test.invalid"  # reached only through the emulator session's redirect
    session = emulator_session(server.url, extra_hosts=[host])
    return Salesforce(
        instance_url=f"https://{host}", session_id=ATTACKER_ACCESS, session=session, version="62.0"
    )


def _error(exc: pytest.ExceptionInfo[SalesforceMalformedRequest]) -> tuple[int, list[dict[str, str]]]:
    return exc.value.status, exc.value.content


def test_granted_object_and_fields_are_readable(sf: Salesforce) -> None:
    rows = sf.query("SELECT Id, Name, Industry FROM Account WHERE Name = 'Account 001'")["records"]
    assert [(r["Name"], sorted(r)) for r in rows] == [
        ("Account 001", ["Id", "Industry", "Name", "attributes"])
    ]


def test_field_without_fls_is_invalid_field(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Id FROM Account WHERE AnnualRevenue > 0")
    assert _error(exc) == (
        400,
        [{"message": NO_COLUMN.format(f="AnnualRevenue", o="Account"), "errorCode": "INVALID_FIELD"}],
    )


def test_object_without_read_is_invalid_type(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query_all("SELECT Id FROM Contact")
    assert _error(exc) == (400, [{"message": NOT_SUPPORTED.format(o="Contact"), "errorCode": "INVALID_TYPE"}])


def test_record_read_returns_only_readable_fields(sf: Salesforce) -> None:
    rid = sf.query("SELECT Id FROM Account WHERE Name = 'Account 001'")["records"][0]["Id"]
    record = sf.Account.get(rid)
    assert "Industry" in record and "Id" in record and "Name" in record
    assert "AnnualRevenue" not in record  # no FLS: omitted, as Salesforce omits invisible fields
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.restful(f"sobjects/Account/{rid}", params={"fields": "Name,AnnualRevenue"})
    assert _error(exc)[1][0]["errorCode"] == "INVALID_FIELD"


def test_bulk_query_job_is_checked_at_creation(enforced: EmulatorServer) -> None:
    resp = requests.post(
        f"{enforced.url}/services/data/v62.0/jobs/query",
        headers={"Authorization": f"Bearer {ATTACKER_ACCESS}"},
        json={"operation": "query", "query": "SELECT Id, AnnualRevenue FROM Account"},
        timeout=10,
    )
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD"


def test_users_not_declared_are_not_checked(org_dir: Path, emu_clock: FixedClock) -> None:
    with EmulatorServer(org_dir, clock=emu_clock) as srv:
        assert _client(srv).query("SELECT Id, AnnualRevenue FROM Account LIMIT 1")["done"] is True
