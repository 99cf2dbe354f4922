"""Containment changes the org: frozen/deactivated users cannot log in, revoked tokens and
deleted sessions stop working, and all of it survives a restart without touching the org files."""

from __future__ import annotations

import hashlib

import requests

from leakline.emulator import EmulatorServer
from leakline.emulator.sample import (
    ADMIN,
    ADMIN_PASSWORD,
    ATTACKER_ACCESS,
    ATTACKER_REFRESH,
    OAUTH_ID,
    SESSION_ID,
)

AUTH = {"Authorization": f"Bearer {ATTACKER_ACCESS}"}
APP = {"client_id": "DRIFT-CONSUMER-KEY", "client_secret": "drift-secret"}


def rest(server, method, path, token=ATTACKER_ACCESS, **kwargs):
    return requests.request(method, f"{server.url}/services/data/v62.0{path}", timeout=10,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)


def password_login(server):
    return requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
        "grant_type": "password", **APP, "username": "admin@acme.test", "password": ADMIN_PASSWORD})


def refresh(server):
    return requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
        "grant_type": "refresh_token", "client_id": APP["client_id"], "refresh_token": ATTACKER_REFRESH})


def admin_login_id(server):
    q = f"SELECT Id FROM UserLogin WHERE UserId = '{ADMIN}'"
    return rest(server, "GET", "/query", params={"q": q}).json()["records"][0]["Id"]


def test_frozen_user_cannot_log_in_and_it_is_audited(server):
    login_id = admin_login_id(server)
    assert rest(server, "PATCH", f"/sobjects/UserLogin/{login_id}", json={"IsFrozen": True}).status_code == 204
    denied = password_login(server)
    assert (denied.status_code, denied.json()["error"]) == (400, "invalid_grant")
    trail = rest(server, "GET", "/query", params={"q": "SELECT Action, Section FROM SetupAuditTrail"}).json()
    assert [(r["Action"], r["Section"]) for r in trail["records"]] == [("frozeuser", "Manage Users")]
    history = rest(server, "GET", "/query", params={
        "q": f"SELECT Status FROM LoginHistory WHERE UserId = '{ADMIN}'"}).json()["records"]
    assert [h["Status"] for h in history] == ["User is Frozen"]
    rest(server, "PATCH", f"/sobjects/UserLogin/{login_id}", json={"IsFrozen": False})
    assert password_login(server).status_code == 200


def test_deactivated_user_cannot_log_in(server):
    assert rest(server, "PATCH", f"/sobjects/User/{ADMIN}", json={"IsActive": False}).status_code == 204
    assert password_login(server).json()["error"] == "invalid_grant"


def test_revoking_the_refresh_token_kills_refresh_and_its_access_tokens(server):
    fresh = refresh(server).json()["access_token"]
    resp = requests.post(f"{server.url}/services/oauth2/revoke", data={"token": ATTACKER_REFRESH}, timeout=10)
    assert resp.status_code == 200
    again = refresh(server)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert rest(server, "GET", "/limits", token=fresh).status_code == 401
    assert rest(server, "GET", "/limits").status_code == 401


def test_revoking_by_delete_token_removes_the_grant(server):
    admin_token = password_login(server).json()["access_token"]
    grant = rest(server, "GET", "/query", token=admin_token,
                 params={"q": f"SELECT DeleteToken FROM OauthToken WHERE Id = '{OAUTH_ID}'"}).json()["records"][0]
    resp = requests.post(f"{server.url}/services/oauth2/revoke", data={"token": grant["DeleteToken"]}, timeout=10)
    assert resp.status_code == 200
    left = rest(server, "GET", "/query", token=admin_token, params={"q": "SELECT COUNT() FROM OauthToken"}).json()
    assert left["totalSize"] == 0
    assert refresh(server).json()["error"] == "invalid_grant"


def test_revoking_an_access_token_leaves_the_refresh_token(server):
    resp = requests.post(f"{server.url}/services/oauth2/revoke", data={"token": ATTACKER_ACCESS}, timeout=10)
    assert resp.status_code == 200
    assert rest(server, "GET", "/limits").status_code == 401
    assert refresh(server).status_code == 200


def test_revoking_an_unknown_token_is_an_error(server):
    resp = requests.post(f"{server.url}/services/oauth2/revoke", data={"token": "nope"}, timeout=10)
    assert (resp.status_code, resp.json()["error"]) == (400, "invalid_token")


def test_deleted_session_gets_401(server):
    assert rest(server, "DELETE", f"/sobjects/AuthSession/{SESSION_ID}").status_code == 204
    resp = rest(server, "GET", "/limits")
    assert (resp.status_code, resp.json()[0]["errorCode"]) == (401, "INVALID_SESSION_ID")


def _digest_tree(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "state" not in p.relative_to(root).parts}


def test_containment_survives_a_restart_and_org_files_stay_untouched(org_dir, emu_clock):
    before = _digest_tree(org_dir)
    with EmulatorServer(org_dir, clock=emu_clock) as first:
        login_id = admin_login_id(first)
        rest(first, "PATCH", f"/sobjects/UserLogin/{login_id}", json={"IsFrozen": True})
        requests.post(f"{first.url}/services/oauth2/revoke", data={"token": ATTACKER_REFRESH}, timeout=10)
    with EmulatorServer(org_dir, clock=emu_clock) as second:
        assert password_login(second).json()["error"] == "invalid_grant"
        assert refresh(second).json()["error"] == "invalid_grant"
        assert rest(second, "GET", "/limits").status_code == 401
    assert _digest_tree(org_dir) == before
    assert (org_dir / "state" / "changes.jsonl").is_file()
    state_text = "".join(p.read_text() for p in (org_dir / "state").rglob("*.json*"))
    assert "CANARY" not in state_text


def test_password_reset_invalidates_the_old_password(server):
    resp = rest(server, "DELETE", f"/sobjects/User/{ADMIN}/password")
    assert resp.status_code == 200
    new_password = resp.json()["NewPassword"]
    assert password_login(server).json()["error"] == "invalid_grant"
    login = requests.post(f"{server.url}/services/oauth2/token", timeout=10, data={
        "grant_type": "password", **APP, "username": "admin@acme.test", "password": new_password})
    assert login.status_code == 200


def test_one_server_per_state_folder(server, org_dir, emu_clock):
    import pytest

    from leakline.core.errors import UsageError

    with pytest.raises(UsageError, match="already serving"):
        EmulatorServer(org_dir, clock=emu_clock)
