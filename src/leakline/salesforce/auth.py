"""How leakline gets an access token: JWT bearer (key file), client credentials, or an existing session.

Secrets come only from files and environment variables, never from arguments on a command line.
The token endpoint is the org's My Domain (or login/test) host: ``<login_url>/services/oauth2/token``.
(simple-salesforce's own login helpers hard-code ``https://<domain>.salesforce.com``; posting
ourselves lets the same code reach a My Domain, a sandbox or the local emulator.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import jwt
import requests

from leakline.core.clock import Clock
from leakline.core.errors import ConfigError, RemoteError
from leakline.salesforce.models import Secret, Token


class Auth(Protocol):
    """A way to obtain an access token."""

    @property
    def can_refresh(self) -> bool:
        """Whether :meth:`obtain` can be called again for a fresh token."""
        ...

    def obtain(self, http: requests.Session, clock: Clock) -> Token:
        """Get an access token (network call for OAuth grants)."""
        ...


def _post_token(http: requests.Session, login_url: str, form: dict[str, str], grant: str) -> Token:
    url = login_url.rstrip("/") + "/services/oauth2/token"
    try:
        resp = http.post(url, data=form, headers={"Accept": "application/json"}, timeout=60)
    except requests.RequestException as exc:
        raise RemoteError(f"cannot reach the token endpoint {url}: {type(exc).__name__}") from None
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if resp.status_code != 200 or "access_token" not in body:
        error = body.get("error", f"HTTP {resp.status_code}") if isinstance(body, dict) else resp.status_code
        detail = body.get("error_description", "") if isinstance(body, dict) else ""
        raise RemoteError(
            f"{grant} login refused by {url}: {error}" + (f" ({detail})" if detail else ""),
            hint="check the connected app, the user and the key/secret",
        )
    return Token(
        access_token=Secret(str(body["access_token"])),
        instance_url=str(body.get("instance_url") or login_url).rstrip("/"),
        issued_by=grant,
    )


@dataclass(frozen=True)
class JwtBearerAuth:
    """OAuth 2.0 JWT bearer flow: a connected app's consumer key + the private key file."""

    login_url: str
    client_id: str
    username: str
    key_file: Path
    audience: str = "https://login.salesforce.com"

    @property
    def can_refresh(self) -> bool:
        return True

    def obtain(self, http: requests.Session, clock: Clock) -> Token:
        try:
            key = self.key_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the JWT key file {self.key_file}: {exc.strerror}") from None
        now = int(clock.now().timestamp())
        claims = {"iss": self.client_id, "sub": self.username, "aud": self.audience, "exp": now + 180}
        try:
            assertion = jwt.encode(claims, key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError):
            raise ConfigError(f"{self.key_file} is not an RSA private key in PEM form") from None
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        return _post_token(http, self.login_url, form, "jwt-bearer")


@dataclass(frozen=True)
class ClientCredentialsAuth:
    """OAuth 2.0 client credentials flow; the secret is read from an environment variable."""

    login_url: str
    client_id: str
    secret_env: str = "SF_CLIENT_SECRET"

    @property
    def can_refresh(self) -> bool:
        return True

    def obtain(self, http: requests.Session, clock: Clock) -> Token:
        secret = os.environ.get(self.secret_env)
        if not secret:
            raise ConfigError(
                f"client credentials need the consumer secret in ${self.secret_env}",
                hint=f"export {self.secret_env}=… (never pass secrets as arguments)",
            )
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": secret}
        return _post_token(http, self.login_url, form, "client-credentials")


@dataclass(frozen=True)
class SessionAuth:
    """An existing session: access token from an environment variable + the instance URL."""

    instance_url: str
    token_env: str = "SF_ACCESS_TOKEN"

    @property
    def can_refresh(self) -> bool:
        return False

    def obtain(self, http: requests.Session, clock: Clock) -> Token:
        token = os.environ.get(self.token_env)
        if not token:
            raise ConfigError(
                f"no access token in ${self.token_env}",
                hint=f"export {self.token_env}=… (e.g. from `sf org display`); never pass it as an argument",
            )
        return Token(
            access_token=Secret(token), instance_url=self.instance_url.rstrip("/"), issued_by="session"
        )
