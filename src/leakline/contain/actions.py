"""Containment actions. Each one observes the org, plans a change, applies it, verifies it
and, where Salesforce allows, undoes it from the "before" snapshot.

Idempotence comes from observing first: an action whose target is already in the wanted
state plans no change and applies nothing. Secrets (DeleteToken values) are used, never
returned in snapshots.
"""

from __future__ import annotations

import os
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from leakline.contain.ops import OrgOps
from leakline.core.errors import BadInputError, RemoteError
from leakline.salesforce import mdxml


@dataclass(frozen=True)
class Change:
    """What an action will do, computed from the current org state."""

    before: dict[str, Any]
    after: dict[str, Any]
    noop: bool
    summary: str


class Action(ABC):
    """Base class; subclasses declare ``name``, ``params``, ``destructive`` and ``reversible``."""

    name: ClassVar[str]
    params: ClassVar[tuple[str, ...]]
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = False
    description: ClassVar[str] = ""
    # Where an action may write secrets meant for a person (set by the engine; 0600 files).
    handover_dir: Path | None = None

    def __init__(self, **target: str) -> None:
        missing = [p for p in self.params if not target.get(p)]
        if missing:
            raise BadInputError(f"action {self.name} needs {', '.join(missing)}")
        self.target = {k: v for k, v in target.items() if v}

    @abstractmethod
    def observe(self, ops: OrgOps) -> dict[str, Any]:
        """Current state relevant to this action (no secrets)."""

    @abstractmethod
    def plan(self, ops: OrgOps) -> Change:
        """The change this action would make now."""

    @abstractmethod
    def apply(self, ops: OrgOps) -> dict[str, Any]:
        """Make the change; returns a result summary (no secrets)."""

    def verify(self, ops: OrgOps) -> str:
        """``ok`` / ``failed`` / ``unverifiable`` (unknown is not pass)."""
        return "ok" if self.plan(ops).noop else "failed"

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        """Restore ``before``; only for reversible actions."""
        raise BadInputError(f"{self.name} cannot be undone through the API")


class FreezeUser(Action):
    name = "freeze_user"
    params = ("user_id",)
    reversible = True
    destructive = False
    description = "Freeze the user (UserLogin.IsFrozen = true): blocks new logins, keeps the account."

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        user = ops.user(self.target["user_id"])
        return {"user_id": user.id, "username": user.username, "is_frozen": user.is_frozen, "user_login_id": user.user_login_id}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(before, {**before, "is_frozen": True}, before["is_frozen"], f"freeze {before['username']}")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        state = self.observe(ops)
        if state["is_frozen"]:
            return {"changed": False}
        if not state["user_login_id"]:
            raise RemoteError(f"no UserLogin record for user {state['user_id']}")
        ops.set_frozen(state["user_id"], True)
        return {"changed": True}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        ops.set_frozen(str(before["user_id"]), bool(before["is_frozen"]))
        return {"restored": {"is_frozen": before["is_frozen"]}}


class DeactivateUser(Action):
    name = "deactivate_user"
    params = ("user_id",)
    reversible = True
    description = "Deactivate the user (User.IsActive = false)."

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        user = ops.user(self.target["user_id"])
        return {"user_id": user.id, "username": user.username, "is_active": user.is_active}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(before, {**before, "is_active": False}, not before["is_active"], f"deactivate {before['username']}")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        if not self.observe(ops)["is_active"]:
            return {"changed": False}
        ops.set_active(self.target["user_id"], False)
        return {"changed": True}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        ops.set_active(str(before["user_id"]), bool(before["is_active"]))
        return {"restored": {"is_active": before["is_active"]}}


class ResetPassword(Action):
    name = "reset_password"
    params = ("user_id",)
    description = "Expire the user's password (DELETE /sobjects/User/{id}/password); a reset email is sent."

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        user = ops.user(self.target["user_id"])
        return {"user_id": user.id, "username": user.username}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(before, {**before, "password": "expired"}, False, f"reset password of {before['username']}")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        ops.reset_password(self.target["user_id"])
        return {"changed": True}

    def verify(self, ops: OrgOps) -> str:
        return "unverifiable"


class RotateCredentials(Action):
    name = "rotate_credentials"
    params = ("user_id",)
    description = (
        "Set a new random password for an (integration) user; the new secret is written to a 0600 "
        "hand-over file under the case's work/contain/handover/, never printed or journalled."
    )

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        user = ops.user(self.target["user_id"])
        return {"user_id": user.id, "username": user.username}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(before, {**before, "password": "rotated"}, False, f"rotate the password of {before['username']}")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        if self.handover_dir is None:
            raise BadInputError("rotate_credentials needs a hand-over folder for the new secret")
        # Letters, digits and punctuation so common complexity policies accept it.
        password = secrets.token_urlsafe(18) + "!a7Z"
        self.handover_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.handover_dir / f"{self.target['user_id']}.secret"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(password + "\n")
        ops.set_password(self.target["user_id"], password)
        return {"changed": True, "handover_file": path.name}

    def verify(self, ops: OrgOps) -> str:
        return "unverifiable"


class EndSessions(Action):
    name = "end_sessions"
    params = ()
    description = "Delete the AuthSession records of a user and/or from an IP address."

    def __init__(self, **target: str) -> None:
        super().__init__(**target)
        if not (self.target.get("user_id") or self.target.get("ip")):
            raise BadInputError("end_sessions needs user_id or ip")

    def _sessions(self, ops: OrgOps) -> list[str]:
        found = ops.sessions(user_id=self.target.get("user_id"), source_ip=self.target.get("ip"))
        return sorted(s.id for s in found)

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        return {"session_ids": self._sessions(ops), **self.target}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        n = len(before["session_ids"])
        return Change(before, {**before, "session_ids": []}, n == 0, f"end {n} session(s)")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        ids = self._sessions(ops)
        if ids:
            ops.delete_sessions(ids)
        return {"ended": len(ids)}


class RevokeTokens(Action):
    name = "revoke_tokens"
    params = ()
    description = "Revoke OAuth grants (POST /services/oauth2/revoke with each grant's DeleteToken) of a user and/or an app."

    def __init__(self, **target: str) -> None:
        super().__init__(**target)
        if not (self.target.get("user_id") or self.target.get("app")):
            raise BadInputError("revoke_tokens needs user_id or app")

    def _grants(self, ops: OrgOps) -> list[Any]:
        return sorted(ops.tokens(user_id=self.target.get("user_id"), app_name=self.target.get("app")), key=lambda g: g.id)

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        return {"token_ids": [g.id for g in self._grants(ops)], **self.target}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        n = len(before["token_ids"])
        return Change(before, {**before, "token_ids": []}, n == 0, f"revoke {n} OAuth grant(s)")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        revoked = 0
        for grant in self._grants(ops):
            if grant.delete_token:
                ops.revoke(grant.delete_token)
                revoked += 1
        return {"revoked": revoked}


class RemovePermissionSet(Action):
    name = "remove_permission_set"
    params = ("user_id", "permission_set")
    reversible = True
    description = "Remove a permission set assignment (e.g. one granting View All Data) from a user."

    def _matching(self, ops: OrgOps) -> list[Any]:
        wanted = self.target["permission_set"]
        return [a for a in ops.assignments(self.target["user_id"]) if wanted in (a.permission_set_name, a.permission_set_id)]

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        rows = self._matching(ops)
        return {
            "user_id": self.target["user_id"],
            "assignments": [{"id": a.id, "permission_set_id": a.permission_set_id} for a in rows],
        }

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(
            before,
            {**before, "assignments": []},
            not before["assignments"],
            f"remove permission set {self.target['permission_set']}",
        )

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        rows = self._matching(ops)
        for row in rows:
            ops.delete_assignment(row.id)
        return {"removed": len(rows)}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        created = [ops.create_assignment(str(before["user_id"]), str(a["permission_set_id"])) for a in before["assignments"]]
        return {"recreated": len(created)}


class RemoveAppAccess(Action):
    name = "remove_app_access"
    params = ("app",)
    reversible = True
    description = "Remove every profile/permission-set access (SetupEntityAccess) to a connected app."

    def _app_id(self, ops: OrgOps) -> str:
        app_id = ops.app_id(self.target["app"])
        if app_id is None:
            raise RemoteError(f"connected app {self.target['app']!r} not found in the org")
        return app_id

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        app_id = self._app_id(ops)
        rows = ops.app_access(app_id)
        return {"app": self.target["app"], "app_id": app_id, "access": sorted([r.id, r.parent_id] for r in rows)}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        return Change(before, {**before, "access": []}, not before["access"], f"remove {len(before['access'])} access grant(s)")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        rows = ops.app_access(self._app_id(ops))
        for row in rows:
            ops.delete_app_access(row.id)
        return {"removed": len(rows)}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        for _, parent in before["access"]:
            ops.create_app_access(str(before["app_id"]), str(parent))
        return {"recreated": len(before["access"])}


class RestrictProfileIpRanges(Action):
    name = "restrict_profile_ip_ranges"
    params = ("ranges",)
    reversible = True
    description = (
        "Set a profile's Login IP Ranges (Metadata Profile.loginIpRanges, deploy) to the given ranges, e.g. an "
        "integration's known egress: logins from anywhere else are refused. Target: profile or user_id (its profile)."
    )

    def __init__(self, **target: str) -> None:
        super().__init__(**target)
        if not (self.target.get("profile") or self.target.get("user_id")):
            raise BadInputError("restrict_profile_ip_ranges needs profile or user_id")
        self.wanted = mdxml.parse_ranges(self.target["ranges"])

    def _profile(self, ops: OrgOps) -> str:
        return self.target.get("profile") or ops.user_profile(self.target["user_id"])

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        profile = self._profile(ops)
        xml = ops.read_metadata("Profile", profile)
        if xml is None:
            raise RemoteError(f"profile {profile!r} not found through the Metadata API")
        return {"profile": profile, "login_ip_ranges": mdxml.profile_ranges(xml, f"profiles/{profile}.profile")}

    @staticmethod
    def _spans(ranges: list[dict[str, str]]) -> set[tuple[str, str]]:
        return {(r["start"], r["end"]) for r in ranges}

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        wanted = [{**r, "description": "leakline containment"} for r in self.wanted]
        noop = self._spans(before["login_ip_ranges"]) == self._spans(wanted)
        shown = ", ".join(f"{r['start']}-{r['end']}" for r in self.wanted)
        return Change(before, {**before, "login_ip_ranges": wanted}, noop, f"restrict profile {before['profile']} logins to {shown}")

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        change = self.plan(ops)
        if change.noop:
            return {"changed": False}
        profile = str(change.before["profile"])
        ops.deploy_metadata("Profile", profile, mdxml.profile_with_ranges(change.after["login_ip_ranges"]))
        return {"changed": True, "profile": profile, "ranges": len(change.after["login_ip_ranges"])}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        profile = str(before["profile"])
        previous = list(before["login_ip_ranges"])
        if not previous:
            # A profile deploy changes only the elements it carries, so no deploy can express
            # "no ranges at all" (Salesforce behaviour unverified; the emulator models it so).
            raise BadInputError(
                f"profile {profile} had no Login IP Ranges before; the Metadata API cannot remove every range",
                hint=f"remove them in Setup → Profiles → {profile} → Login IP Ranges, then confirm in the journal",
            )
        ops.deploy_metadata("Profile", profile, mdxml.profile_with_ranges(previous))
        return {"restored": {"profile": profile, "login_ip_ranges": len(previous)}}


class _SwitchComponent(Action):
    """Turn a metadata component's on/off element to ``off`` through retrieve + deploy."""

    type_name: ClassVar[str]
    target_param: ClassVar[str]
    element: ClassVar[str]
    on: ClassVar[str]
    off: ClassVar[str]
    keep_xml: ClassVar[bool] = False  # store the whole "before" XML (only for secret-free types)
    reversible = True

    def _xml(self, ops: OrgOps) -> bytes:
        name = self.target[self.target_param]
        xml = ops.read_metadata(self.type_name, name)
        if xml is None:
            raise RemoteError(f"{self.type_name} {name!r} not found through the Metadata API")
        return xml

    def observe(self, ops: OrgOps) -> dict[str, Any]:
        name = self.target[self.target_param]
        xml = self._xml(ops)
        state: dict[str, Any] = {self.target_param: name, self.element: mdxml.get_value(xml, self.element, name)}
        if self.keep_xml:
            state["xml"] = xml.decode("utf-8")
        return state

    def plan(self, ops: OrgOps) -> Change:
        before = self.observe(ops)
        after = {k: v for k, v in before.items() if k != "xml"}
        return Change(
            before,
            {**after, self.element: self.off},
            before[self.element] == self.off,
            f"set {self.type_name} {before[self.target_param]} {self.element}={self.off}",
        )

    def apply(self, ops: OrgOps) -> dict[str, Any]:
        xml = self._xml(ops)
        name = self.target[self.target_param]
        if mdxml.get_value(xml, self.element, name) == self.off:
            return {"changed": False}
        ops.deploy_metadata(self.type_name, name, mdxml.set_value(xml, self.element, self.off, name))
        return {"changed": True}

    def undo(self, ops: OrgOps, before: dict[str, Any]) -> dict[str, Any]:
        name = str(before[self.target_param])
        if before.get("xml"):
            ops.deploy_metadata(self.type_name, name, str(before["xml"]).encode("utf-8"))
        else:
            value = before.get(self.element) or self.on
            ops.deploy_metadata(self.type_name, name, mdxml.set_value(self._xml(ops), self.element, str(value), name))
        return {"restored": {self.element: before.get(self.element)}}


class DisableRemoteSite(_SwitchComponent):
    name = "disable_remote_site"
    params = ("remote_site",)
    description = "Deactivate a Remote Site Setting (isActive=false): Apex callouts to its URL stop. Undo restores its XML."
    type_name = "RemoteSiteSetting"
    target_param = "remote_site"
    element = "isActive"
    on = "true"
    off = "false"
    keep_xml = True


class DisableNamedCredential(_SwitchComponent):
    name = "disable_named_credential"
    params = ("named_credential",)
    description = (
        "Disable callouts through a legacy Named Credential (calloutStatus=Disabled); undo restores the previous status."
    )
    type_name = "NamedCredential"
    target_param = "named_credential"
    element = "calloutStatus"
    on = "Enabled"
    off = "Disabled"


ACTIONS: dict[str, type[Action]] = {
    cls.name: cls
    for cls in (
        FreezeUser,
        DeactivateUser,
        ResetPassword,
        RotateCredentials,
        EndSessions,
        RevokeTokens,
        RemovePermissionSet,
        RemoveAppAccess,
        RestrictProfileIpRanges,
        DisableRemoteSite,
        DisableNamedCredential,
    )
}


def make_action(name: str, target: dict[str, str]) -> Action:
    """Instantiate an action by name."""
    try:
        cls = ACTIONS[name]
    except KeyError:
        raise BadInputError(f"unknown action {name!r}", hint=f"known: {', '.join(sorted(ACTIONS))}") from None
    return cls(**target)
