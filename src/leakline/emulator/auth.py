"""Credentials the emulator accepts and the OAuth grants/sessions it has issued.

``credentials.json`` in the org folder (all values FAKE, written by the simulator; see
``leakline/simulate/FORMAT.md``)::

    {"connected_apps": [{"id": "0H4…", "name": "Drift", "consumer_key": "…", "consumer_secret": "…",
                         "jwt_cert_pem": "-----BEGIN CERTIFICATE-----…", "client_credentials_user": "005…"}],
     "users": [{"id": "005…", "username": "…", "password": "…", "security_token": "…"}],
     "oauth_tokens": [{"oauth_token_id": "0CQ…", "user_id": "005…", "connected_app_id": "0H4…",
                       "refresh_token": "…", "access_token": "…", "valid": true}],
     "sessions": [{"auth_session_id": "0Ak…", "user_id": "005…", "session_key": "…",
                   "oauth_token_id": "0CQ…", "access_token": "…"}]}

A few key aliases are accepted (``tokens`` for ``oauth_tokens``; ``app_id``/``consumer_key`` for
``connected_app_id``; ``certificate``/``cert_pem`` for ``jwt_cert_pem``; an ``auth_session_id`` on
a token entry). ``client_credentials_user`` (id or username) is optional: without it the client
credentials flow is refused, as for an app with no run-as user. Tokens are kept only as SHA-256
digests in ``state/auth.json``; the emulator never writes a secret to disk.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from leakline.core import jsonio
from leakline.core.errors import BadInputError
from leakline.core.sfid import same_id, to18


def digest(token: str) -> str:
    """SHA-256 hex of a token: how the emulator stores it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _first(spec: dict[str, Any], *names: str) -> Any:
    for name in names:
        if spec.get(name) not in (None, ""):
            return spec[name]
    return None


@dataclass
class App:
    id: str
    name: str
    consumer_key: str
    consumer_secret: str | None
    certificate: str | None
    client_credentials_user: str | None


@dataclass
class UserCred:
    id: str | None
    username: str
    password: str | None
    security_token: str | None


@dataclass
class Session:
    """An access token's state (stored by digest)."""

    user_id: str
    app_id: str | None
    issued_at: str
    grant: str | None = None  # digest of the refresh token it came from
    auth_session_id: str | None = None
    session_key: str | None = None  # SESSION_KEY its Event Monitoring rows carry
    calls: int = 0
    revoked: bool = False
    expired: bool = False


@dataclass
class Grant:
    """A refresh token (an OAuth approval of an app by a user) — the OauthToken record."""

    user_id: str
    app_id: str | None
    oauth_token_id: str | None = None
    revoked: bool = False


@dataclass
class Credentials:
    apps: list[App] = field(default_factory=list)
    users: list[UserCred] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)

    def app_by_key(self, consumer_key: str | None) -> App | None:
        """Connected app by consumer key."""
        if not consumer_key:
            return None
        return next((a for a in self.apps if secrets.compare_digest(a.consumer_key, consumer_key)), None)

    def app_by_ref(self, ref: str | None) -> App | None:
        """Connected app by id, name or consumer key."""
        if not ref:
            return None
        for app in self.apps:
            if same_id(app.id, ref) or app.name == ref or app.consumer_key == ref:
                return app
        return None

    def user_by_name(self, username: str | None) -> UserCred | None:
        """User credentials by username (case-insensitive, as Salesforce usernames are)."""
        if not username:
            return None
        lowered = username.lower()
        return next((u for u in self.users if u.username.lower() == lowered), None)


def load_credentials(org_dir: Path) -> Credentials:
    """Read ``credentials.json`` (an empty set if the org has none)."""
    path = org_dir / "credentials.json"
    raw = jsonio.read(path, "credentials.json")
    if raw is None:
        return Credentials()
    creds = Credentials()
    for spec in raw.get("connected_apps") or raw.get("apps") or []:
        key = _first(spec, "consumer_key", "client_id")
        if not key:
            raise BadInputError("connected app without consumer_key", path=path)
        app_id = _first(spec, "id", "app_id", "connected_app_id") or "0H4000000000000"
        creds.apps.append(
            App(
                id=to18(str(app_id)),
                name=str(_first(spec, "name", "app_name") or key),
                consumer_key=str(key),
                consumer_secret=_first(spec, "consumer_secret", "client_secret"),
                certificate=_first(spec, "jwt_cert_pem", "certificate", "cert_pem", "cert"),
                client_credentials_user=_first(spec, "client_credentials_user", "run_as_user", "run_as"),
            )
        )
    for spec in raw.get("users") or []:
        username = _first(spec, "username", "Username")
        if not username:
            raise BadInputError("user credential without username", path=path)
        user_id = _first(spec, "id", "user_id", "UserId")
        creds.users.append(
            UserCred(
                id=to18(str(user_id)) if user_id else None,
                username=str(username),
                password=_first(spec, "password"),
                security_token=_first(spec, "security_token"),
            )
        )
    for spec in raw.get("oauth_tokens") or raw.get("tokens") or []:
        creds.tokens.append(dict(spec))
    for spec in raw.get("sessions") or []:
        creds.sessions.append(dict(spec))
    return creds


class TokenStore:
    """Issued sessions and grants, persisted (by digest) in ``state/auth.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sessions: dict[str, Session] = {}
        self.grants: dict[str, Grant] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}  # user id -> digest of a password set through the API
        raw = jsonio.read(path, "emulator auth state")
        if raw is not None:
            self.sessions = {k: Session(**v) for k, v in raw.get("sessions", {}).items()}
            self.grants = {k: Grant(**v) for k, v in raw.get("grants", {}).items()}
            self.devices = dict(raw.get("devices", {}))
            self.passwords = dict(raw.get("passwords", {}))

    def save(self) -> None:
        """Persist atomically."""
        data = {
            "sessions": {k: asdict(v) for k, v in self.sessions.items()},
            "grants": {k: asdict(v) for k, v in self.grants.items()},
            "devices": self.devices,
            "passwords": self.passwords,
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def seed(self, creds: Credentials, issued_at: str) -> None:
        """Register the grants and sessions listed in credentials.json (once; later changes live in state)."""
        changed = False
        grant_by_oauth_id: dict[str, str] = {}
        app_by_oauth_id: dict[str, str | None] = {}
        for spec in creds.tokens:
            user_id = _first(spec, "user_id", "UserId")
            if not user_id:
                continue
            app = creds.app_by_ref(
                _first(spec, "connected_app_id", "app_id", "consumer_key", "app", "app_name")
            )
            app_id = app.id if app else None
            oauth_id = _first(spec, "oauth_token_id", "OauthTokenId")
            oauth_id = to18(str(oauth_id)) if oauth_id else None
            grant_digest = None
            refresh = _first(spec, "refresh_token")
            if refresh:
                grant_digest = digest(str(refresh))
                if oauth_id:
                    grant_by_oauth_id[oauth_id.lower()] = grant_digest
                    app_by_oauth_id[oauth_id.lower()] = app_id
                if grant_digest not in self.grants:
                    self.grants[grant_digest] = Grant(
                        to18(str(user_id)), app_id, oauth_id, revoked=spec.get("valid") is False
                    )
                    changed = True
            access = _first(spec, "access_token")
            if access and digest(str(access)) not in self.sessions:
                session_id = _first(spec, "auth_session_id", "AuthSessionId")
                self.sessions[digest(str(access))] = Session(
                    to18(str(user_id)),
                    app_id,
                    issued_at,
                    grant=grant_digest,
                    auth_session_id=to18(str(session_id)) if session_id else None,
                )
                changed = True
        for spec in creds.sessions:
            access = _first(spec, "access_token")
            user_id = _first(spec, "user_id", "UserId")
            if not access or not user_id or digest(str(access)) in self.sessions:
                continue
            oauth_id = _first(spec, "oauth_token_id")
            key = str(oauth_id).lower() if oauth_id else ""
            if oauth_id and len(key) == 15:
                key = to18(str(oauth_id)).lower()
            session_id = _first(spec, "auth_session_id")
            self.sessions[digest(str(access))] = Session(
                to18(str(user_id)),
                app_by_oauth_id.get(key),
                issued_at,
                grant=grant_by_oauth_id.get(key),
                auth_session_id=to18(str(session_id)) if session_id else None,
                session_key=_first(spec, "session_key"),
            )
            changed = True
        if changed:
            self.save()
