"""Org connection options shared by every command that talks to an org (collect, contain, …)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from leakline.cli.common import clock
from leakline.core.errors import UsageError

if TYPE_CHECKING:
    from leakline.salesforce import SalesforceClient


def connect_client(
    instance_url: str | None,
    client_id: str | None,
    jwt_key_file: Path | None,
    username: str | None,
    login_url: str | None,
    audience: str,
    client_secret_env: str,
    session_id_env: str | None,
    max_api_calls: int | None,
    api_budget_pct: float,
    ca_bundle: Path | None,
    api_version: str,
) -> SalesforceClient:
    """An authenticated client from the common org-connection options (secrets only from env/files)."""
    from leakline.salesforce import (
        ApiBudget,
        Auth,
        ClientCredentialsAuth,
        JwtBearerAuth,
        SalesforceClient,
        SessionAuth,
    )

    if not instance_url:
        raise UsageError(
            "no org given",
            hint="pass --instance-url https://<MyDomain>.my.salesforce.com (or set SF_INSTANCE_URL), or --from-dir DIR",
        )
    auth: Auth
    if session_id_env:
        if client_id or jwt_key_file:
            raise UsageError("--session-id-env uses an existing session; drop --client-id/--jwt-key-file")
        auth = SessionAuth(instance_url, session_id_env)
    elif client_id and jwt_key_file:
        if not username:
            raise UsageError("the JWT bearer flow needs --username")
        auth = JwtBearerAuth(login_url or instance_url, client_id, username, jwt_key_file, audience)
    elif client_id:
        auth = ClientCredentialsAuth(login_url or instance_url, client_id, client_secret_env)
    elif os.environ.get("SF_ACCESS_TOKEN"):
        auth = SessionAuth(instance_url, "SF_ACCESS_TOKEN")
    else:
        raise UsageError(
            "no credentials given",
            hint="--client-id with --jwt-key-file and --username (JWT), --client-id with $SF_CLIENT_SECRET "
            "(client credentials), or --session-id-env VAR / $SF_ACCESS_TOKEN (existing session)",
        )
    if max_api_calls is not None and max_api_calls < 1:
        raise UsageError("--max-api-calls must be at least 1")
    client = SalesforceClient(
        auth,
        clock=clock(),
        api_version=api_version,
        verify=str(ca_bundle) if ca_bundle else True,
        budget=ApiBudget(max_calls=max_api_calls, max_fraction=api_budget_pct / 100),
    )
    return client.connect()
