"""What containment needs from an org, as a narrow typed interface.

The implementation lives in ``leakline.salesforce`` (the only code that talks to an org);
containment depends on this protocol only, so every action is testable against the emulator
through the real client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class UserState:
    id: str
    username: str
    is_active: bool
    is_frozen: bool
    user_login_id: str | None


@dataclass(frozen=True)
class SessionState:
    id: str
    user_id: str
    source_ip: str | None
    session_type: str | None


@dataclass(frozen=True)
class TokenGrant:
    """An OAuth grant. ``delete_token`` is an opaque secret handle: never log or journal it."""

    id: str
    user_id: str | None
    app_name: str | None
    delete_token: object | None


@dataclass(frozen=True)
class Assignment:
    id: str
    assignee_id: str
    permission_set_id: str
    permission_set_name: str


@dataclass(frozen=True)
class AppAccess:
    """A SetupEntityAccess row granting a profile/permission set access to a connected app."""

    id: str
    app_id: str
    parent_id: str


class OrgOps(Protocol):
    """Containment calls (reference §4)."""

    def user(self, user_id: str) -> UserState: ...

    def find_user(self, username: str) -> UserState | None: ...

    def set_frozen(self, user_id: str, frozen: bool) -> None: ...

    def set_active(self, user_id: str, active: bool) -> None: ...

    def reset_password(self, user_id: str) -> None: ...

    def set_password(self, user_id: str, password: str) -> None: ...

    def sessions(self, *, user_id: str | None = None, source_ip: str | None = None) -> list[SessionState]: ...

    def delete_sessions(self, ids: list[str]) -> None: ...

    def tokens(self, *, user_id: str | None = None, app_name: str | None = None) -> list[TokenGrant]: ...

    def revoke(self, token: object) -> None: ...

    def assignments(self, user_id: str) -> list[Assignment]: ...

    def delete_assignment(self, assignment_id: str) -> None: ...

    def create_assignment(self, user_id: str, permission_set_id: str) -> str: ...

    def app_id(self, app_name: str) -> str | None: ...

    def app_access(self, app_id: str) -> list[AppAccess]: ...

    def delete_app_access(self, access_id: str) -> None: ...

    def create_app_access(self, app_id: str, parent_id: str) -> str: ...

    def user_profile(self, user_id: str) -> str: ...

    def read_metadata(self, type_name: str, name: str) -> bytes | None:
        """One component's XML (Metadata API format) through ``retrieve``; None if absent."""
        ...

    def deploy_metadata(self, type_name: str, name: str, xml: bytes) -> None:
        """Deploy one component (``deploy`` + ``checkDeployStatus``); raises RemoteError on failure."""
        ...
