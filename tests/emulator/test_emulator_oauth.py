"""OAuth flows against the emulator with unmodified simple-salesforce and requests."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from leakline.emulator import emulator_session
from leakline.emulator.sample import ADMIN_PASSWORD, ATTACKER_ACCESS, ATTACKER_REFRESH, INTEG, jwt_keys

APP_KEY = "DRIFT-CONSUMER-KEY"


def _token(server, **form):
    return requests.post(f"{server.url}/services/oauth2/token", data=form, timeout=10)


def test_jwt_bearer_login_with_simple_salesforce_over_https(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    token, instance = SalesforceLogin(
        username="admin@acme.test", consumer_key=APP_KEY, privatekey=jwt_keys()[1], session=session
    )
    assert instance == tls_server.url.removeprefix("https://")
    sf = Salesforce(instance_url=tls_server.instance_url, session_id=token, session=session)
    assert sf.query("SELECT Username FROM User WHERE Username = 'admin@acme.test'")["totalSize"] == 1


def test_jwt_signed_with_another_key_is_refused(tls_server, ca_file):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    session = emulator_session(tls_server.url, verify=ca_file)
    with pytest.raises(SalesforceAuthenticationFailed) as err:
        SalesforceLogin(username="admin@acme.test", consumer_key=APP_KEY, privatekey=other.decode(), session=session)
    assert err.value.code == "invalid_grant"


def test_username_password_oauth_flow(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    sf = Salesforce(
        username="admin@acme.test",
        password=ADMIN_PASSWORD,
        consumer_key=APP_KEY,
        consumer_secret="drift-secret",
        session=session,
    )
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 450


def test_wrong_password_is_invalid_grant(server):
    resp = _token(server, grant_type="password", client_id=APP_KEY, client_secret="drift-secret",
                  username="admin@acme.test", password="nope")
    assert resp.status_code == 400
    assert resp.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_unknown_client_is_invalid_client_id(server):
    resp = _token(server, grant_type="password", client_id="nobody", client_secret="x", username="a", password="b")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_client_id"


def test_soap_login_with_security_token(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    sf = Salesforce(username="vic@acme.test", password="victim-pass", security_token="TOK", session=session)
    assert sf.sf_instance == tls_server.url.removeprefix("https://")
    assert sf.query("SELECT Id FROM User WHERE Username = 'vic@acme.test'")["totalSize"] == 1


def test_client_credentials_runs_as_the_app_user(tls_server, ca_file):
    session = emulator_session(tls_server.url, verify=ca_file)
    sf = Salesforce(consumer_key=APP_KEY, consumer_secret="drift-secret", domain="acme.my", session=session)
    info = sf.oauth2("userinfo")
    assert info["user_id"] == INTEG


def test_refresh_token_gives_a_working_access_token(server):
    resp = _token(server, grant_type="refresh_token", client_id=APP_KEY, refresh_token=ATTACKER_REFRESH)
    assert resp.status_code == 200
    body = resp.json()
    assert body["instance_url"] == server.url
    assert "refresh_token" not in body
    check = requests.get(f"{server.url}/services/data/v62.0/limits",
                         headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10)
    assert check.status_code == 200


def test_device_flow(server):
    start = _token(server, response_type="device_code", client_id=APP_KEY)
    assert start.status_code == 200
    device = start.json()
    assert set(device) == {"device_code", "user_code", "verification_uri", "interval"}
    pending = _token(server, grant_type="device", client_id=APP_KEY, code=device["device_code"])
    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"
    approve = requests.post(server.url + "/setup/connect", timeout=10, data={
        "user_code": device["user_code"], "username": "admin@acme.test", "password": ADMIN_PASSWORD})
    assert approve.status_code == 200
    done = _token(server, grant_type="device", client_id=APP_KEY, code=device["device_code"])
    assert done.status_code == 200
    tokens = done.json()
    assert tokens["refresh_token"].startswith("5Aep")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    grants = requests.get(f"{server.url}/services/data/v62.0/query", headers=headers, timeout=10,
                          params={"q": "SELECT Id, AppName, UseCount FROM OauthToken WHERE UserId = '005000000000001AAA'"})
    assert [(r["AppName"], r["UseCount"]) for r in grants.json()["records"]] == [("Drift", 1)]


def test_userinfo(server):
    resp = requests.get(f"{server.url}/services/oauth2/userinfo",
                        headers={"Authorization": f"Bearer {ATTACKER_ACCESS}"}, timeout=10)
    assert resp.status_code == 200
    body = resp.json()
    assert body["user_id"] == INTEG
    assert body["preferred_username"] == "drift@acme.test"


def test_login_is_recorded_in_login_history(server):
    _token(server, grant_type="password", client_id=APP_KEY, client_secret="drift-secret",
           username="admin@acme.test", password="wrong")
    _token(server, grant_type="password", client_id=APP_KEY, client_secret="drift-secret",
           username="admin@acme.test", password=ADMIN_PASSWORD)
    resp = requests.get(f"{server.url}/services/data/v62.0/query", timeout=10,
                        headers={"Authorization": f"Bearer {ATTACKER_ACCESS}"},
                        params={"q": "SELECT Status, LoginSubType, Application FROM LoginHistory ORDER BY LoginTime"})
    rows = [(r["Status"], r["LoginSubType"], r["Application"]) for r in resp.json()["records"]]
    assert rows == [("Invalid Password", "OauthUsernamePassword", "Drift"),
                    ("Success", "OauthUsernamePassword", "Drift")]
