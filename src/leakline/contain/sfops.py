"""``OrgOps`` and ``RecordOps`` over :class:`leakline.salesforce.SalesforceClient`.

All org I/O goes through the salesforce package; this module only maps its typed records to
the shapes containment and restore need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leakline.contain.ops import AppAccess, Assignment, SessionState, TokenGrant, UserState
from leakline.core.errors import RemoteError
from leakline.core.sfid import to18
from leakline.salesforce import SalesforceClient
from leakline.soql import format_soql


def _is_app_id(value: str) -> bool:
    """Connected app ids have key prefix 0H4 (reference §3.5)."""
    return value.startswith("0H4") and len(value) in (15, 18) and value.isalnum()


# Metadata API format folder and suffix per deployable type (reference §6).
_MD_FILES = {
    "Profile": ("profiles", "profile"),
    "RemoteSiteSetting": ("remoteSiteSettings", "remoteSite"),
    "NamedCredential": ("namedCredentials", "namedCredential"),
}


class SalesforceOps:
    """Containment and restore calls against a live org (or the emulator)."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    # -- users ---------------------------------------------------------------------------------
    def user(self, user_id: str) -> UserState:
        rows = self.client.query(format_soql("SELECT Id, Username, IsActive FROM User WHERE Id = {}", to18(user_id)))
        if not rows:
            raise RemoteError(f"user {to18(user_id)} not found in the org")
        row = rows[0]
        try:
            login = self.client.user_login(user_id)
            frozen, login_id = login.is_frozen, login.id
        except RemoteError:
            frozen, login_id = False, None
        return UserState(to18(str(row.id)), str(row.get("Username")), bool(row.get("IsActive")), frozen, login_id)

    def find_user(self, username: str) -> UserState | None:
        rows = self.client.query(format_soql("SELECT Id FROM User WHERE Username = {}", username))
        return self.user(str(rows[0].id)) if rows else None

    def set_frozen(self, user_id: str, frozen: bool) -> None:
        if frozen:
            self.client.freeze_user(user_id)
        else:
            self.client.unfreeze_user(user_id)

    def set_active(self, user_id: str, active: bool) -> None:
        self.client.set_user_active(user_id, active)

    def reset_password(self, user_id: str) -> None:
        self.client.reset_password(user_id)

    def set_password(self, user_id: str, password: str) -> None:
        from leakline.salesforce.models import Secret

        self.client.set_password(user_id, Secret(password))

    # -- sessions and tokens -------------------------------------------------------------------
    def sessions(self, *, user_id: str | None = None, source_ip: str | None = None) -> list[SessionState]:
        rows = self.client.auth_sessions(user_id)
        out = []
        for r in rows:
            ip = r.get("SourceIp")
            # AuthSession.SourceIp does not support LIKE/filters everywhere: filter client-side.
            if source_ip and ip != source_ip:
                continue
            out.append(SessionState(to18(str(r.id)), to18(str(r.get("UsersId"))), ip, r.get("SessionType")))
        return out

    def delete_sessions(self, ids: list[str]) -> None:
        failed = [i for i, ok in self.client.delete_auth_sessions(ids).items() if not ok]
        if failed:
            raise RemoteError(f"{len(failed)} session(s) could not be ended")

    def tokens(self, *, user_id: str | None = None, app_name: str | None = None) -> list[TokenGrant]:
        if app_name is not None and _is_app_id(app_name):
            resolved = self._app_name(app_name)
            if resolved is None:
                raise RemoteError(f"connected app {app_name} not found in the org")
            app_name = resolved
        return [
            TokenGrant(g.id, g.user_id, g.app_name, g.delete_token)
            for g in self.client.oauth_grants(user_id=user_id, app_name=app_name)
        ]

    def revoke(self, token: object) -> None:
        from leakline.salesforce.models import Secret

        if not isinstance(token, Secret):
            raise TypeError("revoke needs the grant's DeleteToken secret")
        self.client.revoke_token(token)

    # -- permission sets and app access --------------------------------------------------------
    def assignments(self, user_id: str) -> list[Assignment]:
        rows = self.client.query(
            format_soql(
                "SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignment "
                "WHERE AssigneeId = {}",
                to18(user_id),
            )
        )
        return [
            Assignment(to18(str(r.id)), to18(str(r.get("AssigneeId"))), to18(str(r.get("PermissionSetId"))), str(r.get("PermissionSet.Name")))
            for r in rows
        ]

    def delete_assignment(self, assignment_id: str) -> None:
        self.client.delete_record("PermissionSetAssignment", assignment_id)

    def create_assignment(self, user_id: str, permission_set_id: str) -> str:
        return self.client.create_record(
            "PermissionSetAssignment", {"AssigneeId": to18(user_id), "PermissionSetId": to18(permission_set_id)}
        )

    def app_id(self, app_name: str) -> str | None:
        """Id of a connected app given its name or id (findings carry either)."""
        if _is_app_id(app_name):
            return to18(app_name) if self._app_name(app_name) is not None else None
        rows = self.client.query(format_soql("SELECT Id FROM ConnectedApplication WHERE Name = {}", app_name))
        return to18(str(rows[0].id)) if rows else None

    def _app_name(self, app_id: str) -> str | None:
        rows = self.client.query(format_soql("SELECT Name FROM ConnectedApplication WHERE Id = {}", to18(app_id)))
        return str(rows[0].get("Name")) if rows else None

    def app_access(self, app_id: str) -> list[AppAccess]:
        rows = self.client.query(
            format_soql("SELECT Id, ParentId, SetupEntityId FROM SetupEntityAccess WHERE SetupEntityId = {}", to18(app_id))
        )
        return [AppAccess(to18(str(r.id)), to18(str(r.get("SetupEntityId"))), to18(str(r.get("ParentId")))) for r in rows]

    def delete_app_access(self, access_id: str) -> None:
        self.client.delete_record("SetupEntityAccess", access_id)

    def create_app_access(self, app_id: str, parent_id: str) -> str:
        return self.client.create_record(
            "SetupEntityAccess", {"ParentId": parent_id, "SetupEntityId": app_id, "SetupEntityType": "ConnectedApplication"}
        )

    # -- metadata (profile login IP ranges, remote sites, named credentials) ------------------
    def user_profile(self, user_id: str) -> str:
        rows = self.client.query(format_soql("SELECT Profile.Name FROM User WHERE Id = {}", to18(user_id)))
        if not rows or not rows[0].get("Profile.Name"):
            raise RemoteError(f"no profile found for user {to18(user_id)}")
        return str(rows[0].get("Profile.Name"))

    def read_metadata(self, type_name: str, name: str) -> bytes | None:
        folder, suffix = _MD_FILES[type_name]
        files = self.client.metadata_read({type_name: [name]})
        return files.get(f"{folder}/{name}.{suffix}")

    def deploy_metadata(self, type_name: str, name: str, xml: bytes) -> None:
        folder, suffix = _MD_FILES[type_name]
        self.client.metadata_deploy({type_name: [name]}, {f"{folder}/{name}.{suffix}": xml})

    # -- generic records (restore) -------------------------------------------------------------
    def records(self, sobject: str, ids: list[str] | None = None) -> list[dict[str, Any]]:
        fields = ", ".join(name for name, _ in self.client.describe_fields(sobject))
        soql = f"SELECT {fields} FROM {sobject}"
        rows = self.client.query(soql)
        return [{k: v for k, v in r.to_json().items() if k != "attributes"} for r in rows]

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        return self.client.create_record(sobject, dict(fields))

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        self.client.update_record(sobject, record_id, dict(fields))

    def references(self, objects: list[str]) -> dict[str, dict[str, str]]:
        """Lookup fields among ``objects``: object → field → referenced object (from describe)."""
        wanted = set(objects)
        out: dict[str, dict[str, str]] = {}
        for sobject in objects:
            refs = {}
            for field_name, targets in self.client.reference_fields(sobject).items():
                inside = [t for t in targets if t in wanted]
                if inside:
                    refs[field_name] = inside[0]
            out[sobject] = refs
        return out
