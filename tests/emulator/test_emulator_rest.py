"""REST resources: versions, limits, query paging, describe, record CRUD, error bodies."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from leakline.emulator import emulator_session
from leakline.emulator.sample import ATTACKER_ACCESS, INTEG, N_ACCOUNTS, OAUTH_ID, SESSION_ID

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}


def get(server, path, **params):
    return requests.get(f"{server.url}/services/data/v62.0{path}", headers=AUTH, params=params, timeout=10)


@pytest.fixture
def sf(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    return Salesforce(instance_url=tls_server.instance_url, session_id=ATTACKER_ACCESS, session=session)


def test_versions_need_no_token_and_carry_no_limit_header(server):
    resp = requests.get(f"{server.url}/services/data/", timeout=10)
    assert resp.status_code == 200
    assert {"label": "v62.0", "url": "/services/data/v62.0", "version": "62.0"} in resp.json()
    assert "Sforce-Limit-Info" not in resp.headers


def test_query_all_pages_with_batch_size(sf):
    pages = []
    result = sf.query("SELECT Id, Name FROM Account ORDER BY Name", headers={"Sforce-Query-Options": "batchSize=200"})
    pages.append(len(result["records"]))
    while not result["done"]:
        assert result["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
        pages.append(len(result["records"]))
    assert pages == [200, 200, 50]
    everything = sf.query_all("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
    assert everything["totalSize"] == N_ACCOUNTS
    assert len({r["Id"] for r in everything["records"]}) == N_ACCOUNTS


def test_count_and_relationship_fields(sf):
    assert sf.query("SELECT COUNT() FROM Account WHERE Industry = 'banking'")["totalSize"] == 113
    rows = sf.query("SELECT Name, Owner.Name FROM Account WHERE Name IN ('Account 001', 'Account 002') ORDER BY Name")
    assert [(r["Name"], r["Owner"]["Name"], r["Owner"]["attributes"]["type"]) for r in rows["records"]] == [
        ("Account 001", "Ada Admin", "User"),
        ("Account 002", "Vic Victim", "User"),
    ]


def test_date_literals_use_the_emulator_clock(server):
    # clock: 2026-03-10T00:00Z; accounts are created on 2026-03-01 .. 2026-03-09
    resp = get(server, "/query", q="SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:2")
    assert resp.json()["totalSize"] == 100  # 50 each on 2026-03-08 and 2026-03-09


def test_malformed_query_error_body(server):
    resp = get(server, "/query", q="SELECT Id FROM Account WHERE")
    assert resp.status_code == 400
    body = resp.json()
    assert body[0]["errorCode"] == "MALFORMED_QUERY"
    assert set(body[0]) == {"message", "errorCode"}


def test_unknown_field_and_object(server):
    field = get(server, "/query", q="SELECT Nope__c FROM Account")
    assert (field.status_code, field.json()[0]["errorCode"]) == (400, "INVALID_FIELD")
    obj = get(server, "/query", q="SELECT Id FROM Nope__c")
    assert (obj.status_code, obj.json()[0]["errorCode"]) == (400, "INVALID_TYPE")


def test_missing_or_bad_token_is_invalid_session_id(server):
    resp = requests.get(f"{server.url}/services/data/v62.0/limits", timeout=10)
    assert resp.status_code == 401
    assert resp.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    bad = requests.get(f"{server.url}/services/data/v62.0/limits", headers={"Authorization": "Bearer x"}, timeout=10)
    assert bad.status_code == 401


def test_limit_info_header_and_limits(server):
    first = get(server, "/limits")
    second = get(server, "/limits")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/100000"
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/100000"
    assert second.json()["DailyApiRequests"] == {"Max": 100000, "Remaining": 99998}


def test_restful_passthrough(sf):
    assert sf.restful("limits")["DailyApiRequests"]["Max"] == 100000
    assert sf.restful(f"sobjects/User/{INTEG}", params={"fields": "Username"}) == {
        "attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{INTEG}"},
        "Username": "drift@acme.test",
    }


def test_not_found_body(server):
    resp = get(server, "/sobjects/Account/001000000000999AAA")
    assert resp.status_code == 404
    assert resp.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_describe_comes_from_schema(sf):
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "User", "EventLogFile", "OauthToken"} <= names
    describe = sf.Account.describe()
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    assert fields["OwnerId"]["referenceTo"] == ["User"]
    assert describe["keyPrefix"] == "001"
    token = sf.OauthToken.describe()
    assert (token["createable"], token["updateable"], token["deletable"]) == (False, False, False)


def test_create_update_delete_and_query_all(sf):
    created = sf.Account.create({"Name": "New Co", "Industry": "Retail"})
    assert created["success"] is True
    rid = created["id"]
    assert rid.startswith("001") and len(rid) == 18
    assert sf.Account.update(rid, {"Name": "Renamed Co"}) == 204
    assert sf.Account.get(rid)["Name"] == "Renamed Co"
    assert sf.Account.delete(rid) == 204
    assert sf.query(f"SELECT COUNT() FROM Account WHERE Id = '{rid}'")["totalSize"] == 0
    deleted = sf.query_all(f"SELECT Id, IsDeleted FROM Account WHERE Id = '{rid}'", include_deleted=True)
    assert deleted["records"][0]["IsDeleted"] is True


def test_create_with_unknown_field_is_refused(sf):
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Account.create({"Nope__c": 1})
    assert err.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_oauth_token_is_query_only(server):
    url = f"{server.url}/services/data/v62.0/sobjects/OauthToken/{OAUTH_ID}"
    delete = requests.delete(url, headers=AUTH, timeout=10)
    assert (delete.status_code, delete.json()[0]["errorCode"]) == (400, "INVALID_TYPE_FOR_OPERATION")
    patch = requests.patch(url, headers=AUTH, json={"UseCount": 0}, timeout=10)
    assert (patch.status_code, patch.json()[0]["errorCode"]) == (400, "INVALID_TYPE_FOR_OPERATION")


def test_user_login_only_takes_freeze_and_unlock_fields(sf):
    from simple_salesforce.exceptions import SalesforceMalformedRequest as Bad

    login_id = sf.query("SELECT Id FROM UserLogin WHERE UserId = '005000000000003AAA'")["records"][0]["Id"]
    with pytest.raises(Bad) as err:
        sf.UserLogin.update(login_id, {"UserId": "005000000000001AAA"})
    assert err.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(Bad):
        sf.UserLogin.update(login_id, {"IsPasswordLocked": True})
    assert sf.UserLogin.update(login_id, {"IsPasswordLocked": False}) == 204


def test_composite_delete_of_sessions(server):
    resp = requests.delete(f"{server.url}/services/data/v62.0/composite/sobjects", headers=AUTH, timeout=10,
                           params={"ids": f"{SESSION_ID},0Ak000000000999AAA", "allOrNone": "false"})
    assert resp.status_code == 200
    body = resp.json()
    assert body[0] == {"id": SESSION_ID, "success": True, "errors": []}
    assert body[1]["success"] is False
    # the attacker's token was bound to that session
    assert get(server, "/limits").status_code == 401


def test_composite_update_and_create(server):
    url = f"{server.url}/services/data/v62.0/composite/sobjects"
    records = [
        {"attributes": {"type": "Account"}, "id": "001000000000005AAA", "Name": "Restored Name"},
        {"attributes": {"type": "Account"}, "id": "001000000000006AAA", "Nope__c": 1},
        {"attributes": {"type": "OauthToken"}, "id": OAUTH_ID, "UseCount": 0},
    ]
    resp = requests.patch(url, headers=AUTH, json={"allOrNone": False, "records": records}, timeout=10)
    assert resp.status_code == 200
    assert [(r["success"], (r["errors"] or [{}])[0].get("statusCode")) for r in resp.json()] == [
        (True, None), (False, "INVALID_FIELD"), (False, "INVALID_TYPE_FOR_OPERATION")]
    assert get(server, "/sobjects/Account/001000000000005AAA").json()["Name"] == "Restored Name"
    rolled = requests.patch(url, headers=AUTH, json={"allOrNone": True, "records": records[:2]}, timeout=10).json()
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    created = requests.post(url, headers=AUTH, timeout=10, json={
        "records": [{"attributes": {"type": "Contact"}, "LastName": "New"}]}).json()
    assert created[0]["success"] is True and created[0]["id"].startswith("003")


def test_semi_join(server):
    resp = get(server, "/query", q="SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name")
    assert [r["Name"] for r in resp.json()["records"]] == [f"Account {i:03d}" for i in range(5)]
    bad = get(server, "/query", q="SELECT Name FROM Account WHERE Id IN (SELECT Id, LastName FROM Contact)")
    assert (bad.status_code, bad.json()[0]["errorCode"]) == (400, "MALFORMED_QUERY")
