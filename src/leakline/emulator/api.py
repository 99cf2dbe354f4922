"""The Salesforce-compatible API logic, independent of the HTTP transport.

:class:`Emulator` turns a request (method, path, query, headers, body) into a :class:`Response`.
:mod:`leakline.emulator.server` serves it over HTTP(S). Behaviour follows
``../shared/reference/salesforce.md`` (errors §5, containment §4, Bulk 2.0 §5.4).
"""

from __future__ import annotations

import base64
import csv
import io
import ipaddress
import json
import random
import re
import secrets
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from leakline.core.clock import Clock
from leakline.core.errors import LeaklineError
from leakline.core.sfid import same_id, to18
from leakline.emulator import metadata as metadata_mod
from leakline.emulator.auth import App, Credentials, Grant, Session, TokenStore, digest, load_credentials
from leakline.emulator.events import EventRecorder, sf_datetime
from leakline.emulator.faults import Faults
from leakline.emulator.org import ObjectInfo, OrgState, read_jsonl
from leakline.emulator.permissions import Access, Permissions
from leakline.soql import (
    FieldRef,
    FieldsMacro,
    Query,
    SelectField,
    SoqlError,
    SoqlFieldError,
    SoqlUnsupportedError,
    evaluate,
    parse,
)

MIN_VERSION = 20
MAX_VERSION = 66
DEFAULT_BATCH = 2000
MIN_BATCH = 200
OAUTH_TOKEN_MAX_ROWS = 2500

# What the data APIs allow per object (reference §3). Objects not listed allow everything.
READ_ONLY = frozenset(
    {"EventLogFile", "LoginHistory", "SetupAuditTrail", "ConnectedApplication", "OauthToken", "Organization"}
)
UPDATABLE_FIELDS = {"UserLogin": frozenset({"IsFrozen", "IsPasswordLocked"})}
DELETE_ONLY = frozenset({"AuthSession"})
NOT_DELETABLE = frozenset({"User", "UserLogin", "Profile"})
SYSTEM_FIELDS = frozenset(
    {
        "Id",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "IsDeleted",
    }
)


class ApiError(Exception):
    """An error response: REST errors are ``[{"message","errorCode"}]``; OAuth ones ``{"error",…}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        oauth: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.oauth = oauth
        self.headers = headers or {}

    def body(self) -> Any:
        if self.oauth:
            return {"error": self.code, "error_description": self.message}
        return [{"message": self.message, "errorCode": self.code}]


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: Iterator[bytes] | None = None
    length: int | None = None
    truncate: bool = False
    # what the request did, for the emulator's own event logging (never sent)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    client_ip: str = "127.0.0.1"

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON") from None

    def form(self) -> dict[str, str]:
        """Form fields from the body and the query string (body wins)."""
        fields = {k: v[0] for k, v in self.query.items()}
        if self.body:
            text = self.body.decode("utf-8", errors="replace")
            fields.update({k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()})
        return fields


@dataclass
class Ctx:
    """The authenticated caller of a REST request."""

    user_id: str
    username: str
    app: App | None
    session_digest: str
    session: Session
    version: str

    @property
    def session_key(self) -> str:
        """SESSION_KEY for Event Monitoring rows (the simulated one for seeded sessions)."""
        return self.session.session_key or self.session_digest[:16]


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    position: int
    batch: int
    version: str
    all_rows: bool


@dataclass
class _Job:
    info: dict[str, Any]
    query: Query
    rows: list[dict[str, Any]] | None = None
    columns: list[str] = field(default_factory=list)
    owner: str = ""


def _json(
    data: Any, status: int = 200, headers: dict[str, str] | None = None, meta: dict[str, Any] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(
        status, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}, body, meta=meta or {}
    )


class Emulator:
    """A simulated org answering Salesforce API calls."""

    def __init__(
        self,
        org_dir: Path,
        *,
        clock: Clock,
        faults: Faults | None = None,
        state_dir: Path | None = None,
        base_url: str = "http://127.0.0.1",
        record_events: bool = True,
        enforce_permissions: bool = False,
    ) -> None:
        self.org = OrgState(org_dir, state_dir)
        self.permissions = Permissions(self.org, enforce_all=enforce_permissions)
        self.clock = clock
        self.faults = faults or Faults()
        self.base_url = base_url
        self.creds: Credentials = load_credentials(self.org.org_dir)
        self.tokens = TokenStore(self.org.state_dir / "auth.json")
        self.tokens.seed(self.creds, sf_datetime(clock.now()))
        self.events = EventRecorder(self.org, enabled=record_events)
        self._rng = random.Random(self.faults.seed)
        self._calls = 0
        self._cursors: dict[str, _Cursor] = {}
        self._jobs: dict[str, _Job] = {}
        self._retrievals: dict[str, bytes] = {}
        self._deploys: dict[str, dict[str, Any]] = {}
        self._load_jobs()

    # ---------------------------------------------------------------------------------------
    # entry point
    def handle(self, req: Request) -> Response:
        """Answer one request; never raises."""
        started = time.monotonic()
        if self.faults.latency:
            time.sleep(self.faults.latency)
        ctx: Ctx | None = None
        rest = ""
        try:
            path = req.path.rstrip("/") or "/"
            if path.startswith("/services/oauth2/") or path == "/setup/connect":
                return self._oauth(req, path)
            if path.startswith("/services/Soap/u/"):
                return self._soap_login(req)
            if path.startswith("/services/Soap/m/"):
                return self._metadata_soap(req, path)
            if path == "/services/data":
                return _json(self._versions())
            match = re.match(r"^/services/data/v(\d+\.\d)(/.*)?$", path)
            if not match:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            version, rest = match.group(1), match.group(2) or ""
            if not MIN_VERSION <= float(version) <= MAX_VERSION:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            ctx = self._authenticate(req, version)
            self._count_call()
            if self.faults.error_rate and self._rng.random() < self.faults.error_rate:
                raise ApiError(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable")
            resp = self._rest(req, ctx, rest)
            resp.headers.setdefault("Sforce-Limit-Info", self._limit_info())
            self._log_rest(req, ctx, resp.status, rest, started, resp)
            return resp
        except ApiError as err:
            return self._error(req, ctx, rest, started, err)
        except LeaklineError as exc:
            # e.g. a malformed line in the org folder: say where, as Salesforce would say "unknown"
            return self._error(req, ctx, rest, started, ApiError(500, "UNKNOWN_EXCEPTION", exc.message))
        except Exception as exc:  # a bug in the emulator must not kill the connection silently
            return self._error(
                req,
                ctx,
                rest,
                started,
                ApiError(500, "UNKNOWN_EXCEPTION", f"emulator error: {type(exc).__name__}"),
            )

    def _error(self, req: Request, ctx: Ctx | None, rest: str, started: float, err: ApiError) -> Response:
        body = json.dumps(err.body()).encode("utf-8")
        resp = Response(err.status, {"Content-Type": "application/json;charset=UTF-8", **err.headers}, body)
        if ctx is not None:
            resp.headers.setdefault("Sforce-Limit-Info", self._limit_info())
            self._log_rest(req, ctx, err.status, rest, started, resp, err.message)
        return resp

    # ---------------------------------------------------------------------------------------
    # limits and logging
    def _usage(self) -> dict[str, Any]:
        usage = self.org.load_doc("usage")
        today = self.clock.now().date().isoformat()
        if usage.get("day") != today:
            usage = {"day": today, "used": 0}
        return usage

    def _count_call(self) -> None:
        with self.org.lock:
            self._calls += 1
            usage = self._usage()
            limit_hit = usage["used"] >= self.faults.daily_api_limit or (
                self.faults.rate_limit_after is not None and self._calls > self.faults.rate_limit_after
            )
            if limit_hit:
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            usage["used"] += 1
            self.org.save_doc("usage", usage)

    def _limit_info(self) -> str:
        return f"api-usage={self._usage()['used']}/{self.faults.daily_api_limit}"

    def _log_rest(
        self,
        req: Request,
        ctx: Ctx,
        status: int,
        rest: str,
        started: float,
        resp: Response,
        error: str | None = None,
    ) -> None:
        now = self.clock.now()
        request_id = "4" + secrets.token_hex(8)[:14]
        entity = ""
        m = re.match(r"^/(?:sobjects|composite/sobjects)/([A-Za-z0-9_]+)", rest)
        if m:
            entity = m.group(1)
        rows = int(resp.meta.get("rows", 0))
        entity = str(resp.meta.get("entity", entity))
        ua = req.header("user-agent") or ""
        app_id = ctx.app.id[:15] if ctx.app else ""
        session_key = ctx.session_key
        size = resp.length if resp.length is not None else len(resp.body)
        uri = "/services/data/v" + ctx.version + rest
        self.events.record(
            "RestApi",
            now,
            {
                "REQUEST_ID": request_id,
                "USER_ID": ctx.user_id[:15],
                "USER_ID_DERIVED": ctx.user_id,
                "RUN_TIME": int((time.monotonic() - started) * 1000),
                "CPU_TIME": 1,
                "URI": uri,
                "SESSION_KEY": session_key,
                "LOGIN_KEY": session_key,
                "USER_TYPE": "Standard",
                "REQUEST_STATUS": "S" if status < 400 else "F",
                "DB_TOTAL_TIME": 0,
                "MEDIA_TYPE": resp.headers.get("Content-Type", "").split(";")[0],
                "STATUS_CODE": status,
                "USER_AGENT": ua,
                "ROWS_PROCESSED": rows,
                "NUMBER_FIELDS": 0,
                "DB_BLOCKS": 0,
                "DB_CPU_TIME": 0,
                "REQUEST_SIZE": len(req.body),
                "RESPONSE_SIZE": size,
                "METHOD": req.method,
                "ENTITY_NAME": entity,
                "CLIENT_NAME": ua.split(" ")[0],
                "CONNECTED_APP_ID": app_id,
                "EXCEPTION_MESSAGE": error or "",
                "CLIENT_IP": req.client_ip,
                "URI_ID_DERIVED": "",
            },
        )
        self.events.record(
            "ApiTotalUsage",
            now,
            {
                # every ELF row has its own REQUEST_ID (as in the simulator's files)
                "REQUEST_ID": "4" + secrets.token_hex(8)[:14],
                "USER_ID": ctx.user_id[:15],
                "USER_NAME": ctx.username,
                "API_FAMILY": "REST",
                "API_VERSION": ctx.version,
                "API_RESOURCE": rest or "/",
                "CLIENT_NAME": ua.split(" ")[0],
                "CONNECTED_APP_ID": app_id,
                "CONNECTED_APP_NAME": ctx.app.name if ctx.app else "",
                "ENTITY_NAME": entity,
                "HTTP_METHOD": req.method,
                "STATUS_CODE": status,
                "COUNTS_AGAINST_API_LIMIT": "true",
                "CLIENT_IP": req.client_ip,
            },
        )

        if "query" in resp.meta and status < 400:
            self._api_event(req, ctx, now, request_id, resp, started)

    def _api_event(
        self, req: Request, ctx: Ctx, now: datetime, request_id: str, resp: Response, started: float
    ) -> None:
        """Real-time Event Monitoring storage: an ApiEvent per query, when the org has that object."""
        if not self.events.enabled or self.org.object_info("ApiEvent") is None:
            return
        ids = list(resp.meta.get("ids", []))
        self.org.create(
            "ApiEvent",
            {
                "EventDate": sf_datetime(now),
                "EventIdentifier": str(uuid.UUID(int=random.Random(request_id).getrandbits(128), version=4)),
                "UserId": ctx.user_id,
                "Username": ctx.username,
                "SourceIp": req.client_ip,
                "SessionKey": ctx.session_key,
                "LoginKey": ctx.session_key,
                "SessionLevel": "STANDARD",
                "Operation": "Query",
                "ApiType": "REST",
                "ApiVersion": float(ctx.version),
                "Application": ctx.app.name if ctx.app else None,
                "Client": None,
                "ConnectedAppId": ctx.app.id[:15] if ctx.app else None,
                "UserAgent": req.header("user-agent"),
                "Query": resp.meta["query"],
                "QueriedEntities": resp.meta.get("entity"),
                "RowsProcessed": int(resp.meta.get("rows", 0)),
                "RowsReturned": int(resp.meta.get("rows", 0)),
                "Records": json.dumps({"totalSize": int(resp.meta.get("rows", 0)), "records": ids}),
                "ElapsedTime": int((time.monotonic() - started) * 1000),
                "Platform": "Unknown",
                "RequestIdentifier": request_id,
                "PolicyOutcome": None,
                "CreatedDate": sf_datetime(now),
            },
        )

    # ---------------------------------------------------------------------------------------
    # authentication of REST calls
    def _authenticate(self, req: Request, version: str) -> Ctx:
        auth = req.header("authorization") or ""
        token = (
            auth[7:].strip()
            if auth.lower().startswith("bearer ")
            else auth[6:].strip()
            if auth.lower().startswith("oauth ")
            else ""
        )
        if not token:
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        with self.org.lock:
            key = digest(token)
            session = self.tokens.sessions.get(key)
            if session is None or session.revoked or session.expired:
                raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            if session.auth_session_id and self.org.get("AuthSession", session.auth_session_id) is None:
                raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            if session.grant:
                grant = self.tokens.grants.get(session.grant)
                if grant is not None and grant.revoked:
                    raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            session.calls += 1
            if self.faults.token_expiry_after is not None and session.calls > self.faults.token_expiry_after:
                session.expired = True
                self.tokens.save()
                raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            user = self.org.get("User", session.user_id)
            username = str(user.get("Username", "")) if user else ""
            app = self.creds.app_by_ref(session.app_id) if session.app_id else None
            return Ctx(session.user_id, username, app, key, session, version)

    # ---------------------------------------------------------------------------------------
    # OAuth
    def _oauth(self, req: Request, path: str) -> Response:
        try:
            if path == "/services/oauth2/token" and req.method == "POST":
                return self._token(req)
            if path == "/services/oauth2/revoke" and req.method in ("POST", "GET"):
                return self._revoke(req)
            if path == "/services/oauth2/userinfo":
                ctx = self._authenticate(req, self.org.api_version)
                return _json(self._userinfo(ctx))
            if path == "/setup/connect" and req.method == "POST":
                return self._approve_device_form(req)
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        except ApiError as err:
            if err.code == "INVALID_SESSION_ID" and path.endswith("userinfo"):
                return Response(403, {"Content-Type": "text/plain"}, b"Bad_OAuth_Token")
            raise

    def _client(self, form: dict[str, str], req: Request, need_secret: bool) -> App:
        client_id = form.get("client_id")
        secret = form.get("client_secret")
        auth = req.header("authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:]).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "invalid_client", "invalid client credentials", oauth=True) from None
            client_id, _, secret = decoded.partition(":")
        app = self.creds.app_by_key(client_id)
        if app is None:
            raise ApiError(400, "invalid_client_id", "client identifier invalid", oauth=True)
        if need_secret or secret:
            if (
                not app.consumer_secret
                or not secret
                or not secrets.compare_digest(app.consumer_secret, secret)
            ):
                raise ApiError(400, "invalid_client", "invalid client credentials", oauth=True)
        return app

    def _user_can_login(self, user_id: str, client_ip: str | None = None) -> str | None:
        """None if the user may log in, else the LOGIN_STATUS reason."""
        user = self.org.get("User", user_id)
        if user is None:
            return "LOGIN_ERROR_INVALID_USERNAME"
        if user.get("IsActive") is False or str(user.get("IsActive")).lower() == "false":
            return "LOGIN_ERROR_USER_INACTIVE"
        for login in self.org.table("UserLogin").values():
            if login.get("IsDeleted"):
                continue
            if same_id(str(login.get("UserId") or ""), user_id):
                if login.get("IsFrozen") is True or str(login.get("IsFrozen")).lower() == "true":
                    return "LOGIN_ERROR_USER_FROZEN"
        if client_ip is not None and not self._ip_allowed(user, client_ip):
            return "LOGIN_ERROR_RESTRICTED_IP"
        return None

    def _ip_allowed(self, user: dict[str, Any], client_ip: str) -> bool:
        """Profile ``loginIpRanges`` (overlay first): none = anywhere; else the address must be inside one."""
        profile = self.org.get("Profile", str(user.get("ProfileId") or "")) if user.get("ProfileId") else None
        if not profile or not profile.get("Name"):
            return True
        ranges = metadata_mod.login_ip_ranges(
            self.org.org_dir / "metadata", self.org.state_dir / "metadata", str(profile["Name"])
        )
        if not ranges:
            return True
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return False
        for start, end in ranges:
            try:
                low, high = ipaddress.ip_address(start), ipaddress.ip_address(end)
            except ValueError:
                continue
            if low.version == high.version == address.version and low <= address <= high:  # type: ignore[operator]
                return True
        return False

    def _user_id_for(self, username: str) -> str | None:
        cred = self.creds.user_by_name(username)
        if cred is not None and cred.id:
            return cred.id
        lowered = username.lower()
        for rec in self.org.table("User").values():
            if str(rec.get("Username", "")).lower() == lowered:
                return to18(str(rec["Id"]))
        return None

    def _token(self, req: Request) -> Response:
        form = req.form()
        grant_type = form.get("grant_type", "")
        with self.org.lock:
            if form.get("response_type") == "device_code":
                return self._device_start(req, form)
            if grant_type == "password":
                app = self._client(form, req, need_secret=True)
                username = form.get("username", "")
                user_id = self._user_id_for(username)
                cred = self.creds.user_by_name(username)
                password = form.get("password", "")
                ok = user_id is not None and self._password_ok(user_id, cred, password)
                if not ok:
                    self._log_login(
                        req, user_id, username, app, "OauthUsernamePassword", "LOGIN_ERROR_INVALID_PASSWORD"
                    )
                    raise ApiError(400, "invalid_grant", "authentication failure", oauth=True)
                assert user_id is not None
                return self._issue(req, user_id, app, "OauthUsernamePassword", refresh=False)
            if grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                app, user_id = self._jwt(req, form)
                return self._issue(req, user_id, app, "OauthJwtBearer", refresh=False)
            if grant_type == "client_credentials":
                app = self._client(form, req, need_secret=True)
                run_as = app.client_credentials_user
                user_id = None
                if run_as:
                    user_id = (
                        to18(run_as)
                        if re.fullmatch(r"005\w{12}(\w{3})?", run_as)
                        else self._user_id_for(run_as)
                    )
                if user_id is None:
                    raise ApiError(400, "invalid_grant", "no client credentials user enabled", oauth=True)
                return self._issue(req, user_id, app, "OauthClientCredentials", refresh=False)
            if grant_type == "refresh_token":
                app = self._client(form, req, need_secret=False)
                refresh = form.get("refresh_token", "")
                grant = self.tokens.grants.get(digest(refresh))
                if (
                    grant is None
                    or grant.revoked
                    or (grant.app_id and app.id.lower() != grant.app_id.lower())
                ):
                    raise ApiError(400, "invalid_grant", "expired access/refresh token", oauth=True)
                if grant.oauth_token_id and self.org.get("OauthToken", grant.oauth_token_id) is None:
                    raise ApiError(400, "invalid_grant", "expired access/refresh token", oauth=True)
                return self._issue(
                    req, grant.user_id, app, "OauthRefreshToken", refresh=False, grant_digest=digest(refresh)
                )
            if grant_type in ("device", "urn:ietf:params:oauth:grant-type:device_code"):
                return self._device_poll(req, form)
            raise ApiError(400, "unsupported_grant_type", "grant type not supported", oauth=True)

    def _password_ok(self, user_id: str, cred: Any, password: str) -> bool:
        override = self.tokens.passwords.get(user_id)
        candidates: list[str] = []
        if override is not None:
            return secrets.compare_digest(override, digest(password)) or any(
                secrets.compare_digest(override, digest(password[: -len(t)]))
                for t in ([cred.security_token] if cred and cred.security_token else [])
                if password.endswith(t)
            )
        if cred is not None and cred.password:
            candidates.append(cred.password)
            if cred.security_token:
                candidates.append(cred.password + cred.security_token)
        return any(secrets.compare_digest(c, password) for c in candidates)

    def _jwt(self, req: Request, form: dict[str, str]) -> tuple[App, str]:
        assertion = form.get("assertion", "")
        try:
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise ApiError(400, "invalid_grant", "invalid assertion", oauth=True) from None
        app = self.creds.app_by_key(str(claims.get("iss", "")))
        if app is None:
            raise ApiError(400, "invalid_client_id", "client identifier invalid", oauth=True)
        if not app.certificate:
            raise ApiError(400, "invalid_grant", "invalid assertion", oauth=True)
        try:
            cert = x509.load_pem_x509_certificate(app.certificate.encode("ascii"))
            key_pem = cert.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            jwt.decode(
                assertion, key_pem, algorithms=["RS256"], options={"verify_aud": False, "verify_exp": False}
            )
        except (ValueError, jwt.PyJWTError):
            raise ApiError(400, "invalid_grant", "invalid assertion", oauth=True) from None
        aud = str(claims.get("aud", "")).rstrip("/")
        allowed = {
            "https://login.salesforce.com",
            "https://test.salesforce.com",
            self.base_url.rstrip("/"),
            str(self.org.org.get("instance_url", "")).rstrip("/"),
            str(self.org.org.get("my_domain", "")).rstrip("/"),
        }
        if aud not in allowed and not aud.endswith(".salesforce.com"):
            raise ApiError(400, "invalid_grant", "audience is invalid", oauth=True)
        try:
            exp = float(claims.get("exp", 0))
        except (TypeError, ValueError):
            exp = 0
        if exp < self.clock.now().timestamp():
            raise ApiError(400, "invalid_grant", "expired authorization code", oauth=True)
        username = str(claims.get("sub", ""))
        user_id = self._user_id_for(username)
        if user_id is None:
            self._log_login(req, None, username, app, "OauthJwtBearer", "LOGIN_ERROR_INVALID_USERNAME")
            raise ApiError(400, "invalid_grant", "user hasn't approved this consumer", oauth=True)
        return app, user_id

    def _device_start(self, req: Request, form: dict[str, str]) -> Response:
        app = self._client(form, req, need_secret=False)
        device_code = secrets.token_urlsafe(24)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
        self.tokens.devices[digest(device_code)] = {"app_id": app.id, "user_code": user_code, "user_id": None}
        self.tokens.save()
        return _json(
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": self.base_url + "/setup/connect",
                "interval": 5,
            }
        )

    def approve_device(self, user_code: str, username: str) -> bool:
        """Approve a pending device-flow login as ``username`` (what a user does in the browser)."""
        with self.org.lock:
            user_id = self._user_id_for(username)
            for pending in self.tokens.devices.values():
                if pending["user_code"] == user_code and user_id is not None:
                    pending["user_id"] = user_id
                    self.tokens.save()
                    return True
            return False

    def _approve_device_form(self, req: Request) -> Response:
        form = req.form()
        username = form.get("username", "")
        user_id = self._user_id_for(username)
        cred = self.creds.user_by_name(username)
        if user_id is None or not self._password_ok(user_id, cred, form.get("password", "")):
            raise ApiError(400, "invalid_grant", "authentication failure", oauth=True)
        if not self.approve_device(form.get("user_code", ""), username):
            raise ApiError(400, "invalid_grant", "invalid user code", oauth=True)
        return _json({"approved": True})

    def _device_poll(self, req: Request, form: dict[str, str]) -> Response:
        app = self._client(form, req, need_secret=False)
        pending = self.tokens.devices.get(digest(form.get("code", "") or form.get("device_code", "")))
        if pending is None or pending["app_id"] != app.id:
            raise ApiError(400, "invalid_grant", "invalid device code", oauth=True)
        if pending["user_id"] is None:
            raise ApiError(400, "authorization_pending", "authorization pending", oauth=True)
        del self.tokens.devices[digest(form.get("code", "") or form.get("device_code", ""))]
        return self._issue(req, pending["user_id"], app, "OauthDevice", refresh=True)

    def _log_login(
        self,
        req: Request,
        user_id: str | None,
        username: str,
        app: App | None,
        sub_type: str,
        status: str,
        session_key: str = "",
    ) -> str | None:
        now = self.clock.now()
        ua = req.header("user-agent") or ""
        history_id = None
        if user_id is not None:
            history_id = self.org.create(
                "LoginHistory",
                {
                    "UserId": user_id,
                    "LoginTime": sf_datetime(now),
                    "LoginType": "Remote Access 2.0",
                    "LoginSubType": sub_type,
                    "SourceIp": req.client_ip,
                    "Status": "Success" if status == "LOGIN_NO_ERROR" else _STATUS_TEXT.get(status, "Failed"),
                    "Application": app.name if app else "",
                    "Browser": ua[:64],
                    "Platform": "Unknown",
                    "ApiType": "N/A",
                    "ApiVersion": "N/A",
                    "LoginUrl": self.base_url.split("://")[-1],
                    "CreatedDate": sf_datetime(now),
                },
            )
            if self.events.enabled and self.org.object_info("LoginEvent") is not None:
                # real-time Event Monitoring storage, when the org has it
                self.org.create(
                    "LoginEvent",
                    {
                        "EventDate": sf_datetime(now),
                        "EventIdentifier": str(
                            uuid.UUID(int=random.Random(history_id).getrandbits(128), version=4)
                        ),
                        "UserId": user_id,
                        "Username": username,
                        "SourceIp": req.client_ip,
                        "SessionKey": session_key or None,
                        "LoginKey": session_key or None,
                        "SessionLevel": "STANDARD",
                        "Status": "Success"
                        if status == "LOGIN_NO_ERROR"
                        else _STATUS_TEXT.get(status, "Failed"),
                        "LoginType": "Remote Access 2.0",
                        "LoginSubType": sub_type,
                        "LoginUrl": self.base_url.split("://")[-1],
                        "Application": app.name if app else None,
                        "Browser": "Unknown",
                        "Platform": "Unknown",
                        "UserType": "Standard",
                        "LoginHistoryId": history_id,
                        "UserAgent": ua or None,
                        "CreatedDate": sf_datetime(now),
                    },
                )
        self.events.record(
            "Login",
            now,
            {
                "REQUEST_ID": "4" + secrets.token_hex(8)[:14],
                "USER_ID": (user_id or "")[:15],
                "USER_ID_DERIVED": user_id or "",
                "RUN_TIME": 5,
                "CPU_TIME": 1,
                "URI": "/services/oauth2/token",
                "SESSION_KEY": session_key,
                "LOGIN_KEY": session_key,
                "USER_TYPE": "Standard",
                "REQUEST_STATUS": "S" if status == "LOGIN_NO_ERROR" else "F",
                "DB_TOTAL_TIME": 0,
                "LOGIN_TYPE": "Remote Access 2.0",
                "BROWSER_TYPE": ua,
                "API_TYPE": "",
                "API_VERSION": "",
                "USER_NAME": username,
                "TLS_PROTOCOL": "TLSv1.3" if self.base_url.startswith("https") else "",
                "CIPHER_SUITE": "",
                "AUTHENTICATION_METHOD_REFERENCE": "",
                "LOGIN_SUB_TYPE": sub_type,
                "LOGIN_STATUS": status,
                "LOGIN_URL": self.base_url.split("://")[-1],
                "SOURCE_IP": req.client_ip,
                "CLIENT_IP": req.client_ip,
                "URI_ID_DERIVED": "",
            },
        )
        return history_id

    def _issue(
        self,
        req: Request,
        user_id: str,
        app: App,
        sub_type: str,
        *,
        refresh: bool,
        grant_digest: str | None = None,
    ) -> Response:
        reason = self._user_can_login(user_id, req.client_ip)
        user = self.org.get("User", user_id)
        username = str(user.get("Username", "")) if user else ""
        if reason is not None:
            self._log_login(req, user_id if user else None, username, app, sub_type, reason)
            # Salesforce answers a login from outside the profile's Login IP Ranges with
            # {"error": "invalid_grant", "error_description": "ip restricted"}.
            description = "ip restricted" if reason == "LOGIN_ERROR_RESTRICTED_IP" else "authentication failure"
            raise ApiError(400, "invalid_grant", description, oauth=True)
        now = self.clock.now()
        access = f"{self.org.org_id[:15]}!{secrets.token_urlsafe(48)}"
        key = digest(access)
        history_id = self._log_login(req, user_id, username, app, sub_type, "LOGIN_NO_ERROR", key[:16])
        session_id = self.org.create(
            "AuthSession",
            {
                "UsersId": user_id,
                "UserType": "Standard",
                "SourceIp": req.client_ip,
                "LoginType": "Remote Access 2.0",
                "SessionType": "Oauth2",
                "SessionSecurityLevel": "STANDARD",
                "CreatedDate": sf_datetime(now),
                "LastModifiedDate": sf_datetime(now),
                "NumSecondsValid": 7200,
                "IsCurrent": False,
                "LoginHistoryId": history_id,
            },
        )
        body: dict[str, Any] = {
            "access_token": access,
            "instance_url": self.base_url,
            "id": f"{self.base_url}/id/{self.org.org_id}/{user_id}",
            "token_type": "Bearer",
            "issued_at": str(int(now.timestamp() * 1000)),
            "scope": "api refresh_token" if refresh else "api",
        }
        if refresh:
            refresh_token = f"5Aep{secrets.token_urlsafe(60)}"
            grant_digest = digest(refresh_token)
            oauth_id = self.org.create(
                "OauthToken",
                {
                    "UserId": user_id,
                    "AppName": app.name,
                    "AppMenuItemId": None,
                    "DeleteToken": secrets.token_urlsafe(24),
                    "RequestToken": None,
                    "LastUsedDate": sf_datetime(now),
                    "UseCount": 1,
                    "CreatedDate": sf_datetime(now),
                },
            )
            self.tokens.grants[grant_digest] = Grant(user_id, app.id, oauth_id)
            body["refresh_token"] = refresh_token
        elif grant_digest is not None:
            grant = self.tokens.grants[grant_digest]
            if grant.oauth_token_id:
                token_rec = self.org.get("OauthToken", grant.oauth_token_id)
                if token_rec is not None:
                    self.org.update(
                        "OauthToken",
                        grant.oauth_token_id,
                        {
                            "LastUsedDate": sf_datetime(now),
                            "UseCount": int(token_rec.get("UseCount") or 0) + 1,
                        },
                    )
        self.tokens.sessions[key] = Session(
            user_id, app.id, sf_datetime(now), grant=grant_digest, auth_session_id=session_id
        )
        self.tokens.save()
        signature = base64.b64encode(digest(body["id"] + body["issued_at"]).encode()[:32]).decode()
        body["signature"] = signature
        return _json(body)

    def _revoke(self, req: Request) -> Response:
        token = req.form().get("token", "")
        with self.org.lock:
            if not token:
                raise ApiError(400, "unsupported_token_type", "this token type is not supported", oauth=True)
            key = digest(token)
            if key in self.tokens.sessions:
                self.tokens.sessions[key].revoked = True
                self.tokens.save()
                return Response(200, {"Content-Type": "application/json;charset=UTF-8"}, b"")
            grant_keys = [key] if key in self.tokens.grants else []
            if not grant_keys:
                # a DeleteToken from an OauthToken record revokes that grant
                for rec in self.org.table("OauthToken").values():
                    if (
                        not rec.get("IsDeleted")
                        and rec.get("DeleteToken")
                        and secrets.compare_digest(str(rec["DeleteToken"]), token)
                    ):
                        oauth_id = to18(str(rec["Id"]))
                        grant_keys = [
                            k
                            for k, g in self.tokens.grants.items()
                            if g.oauth_token_id and g.oauth_token_id.lower() == oauth_id.lower()
                        ]
                        if not grant_keys:
                            self.org.delete("OauthToken", oauth_id)
                            self._revoke_sessions_of_oauth(oauth_id)
                            return Response(200, {"Content-Type": "application/json;charset=UTF-8"}, b"")
                        break
            if not grant_keys:
                raise ApiError(400, "invalid_token", "invalid token", oauth=True)
            for gk in grant_keys:
                grant = self.tokens.grants[gk]
                grant.revoked = True
                for session in self.tokens.sessions.values():
                    if session.grant == gk:
                        session.revoked = True
                if grant.oauth_token_id and self.org.get("OauthToken", grant.oauth_token_id) is not None:
                    self.org.delete("OauthToken", grant.oauth_token_id)
            self.tokens.save()
            return Response(200, {"Content-Type": "application/json;charset=UTF-8"}, b"")

    def _revoke_sessions_of_oauth(self, oauth_id: str) -> None:
        for session in self.tokens.sessions.values():
            grant = self.tokens.grants.get(session.grant or "")
            if grant and grant.oauth_token_id and grant.oauth_token_id.lower() == oauth_id.lower():
                session.revoked = True
        self.tokens.save()

    def _userinfo(self, ctx: Ctx) -> dict[str, Any]:
        user = self.org.get("User", ctx.user_id) or {}
        return {
            "sub": f"{self.base_url}/id/{self.org.org_id}/{ctx.user_id}",
            "user_id": ctx.user_id,
            "organization_id": self.org.org_id,
            "preferred_username": user.get("Username"),
            "name": user.get("Name"),
            "email": user.get("Email"),
            "active": user.get("IsActive", True),
            "user_type": "STANDARD",
            "is_app_installed": True,
            "urls": {
                "rest": f"{self.base_url}/services/data/v{{version}}/",
                "query": f"{self.base_url}/services/data/v{{version}}/query/",
                "sobjects": f"{self.base_url}/services/data/v{{version}}/sobjects/",
            },
        }

    def _soap_login(self, req: Request) -> Response:
        text = req.body.decode("utf-8", errors="replace")
        username = _xml_value(text, "username")
        password = _xml_value(text, "password")
        with self.org.lock:
            user_id = self._user_id_for(username)
            cred = self.creds.user_by_name(username)
            if (
                user_id is None
                or not self._password_ok(user_id, cred, password)
                or self._user_can_login(user_id, req.client_ip)
            ):
                self._log_login(req, user_id, username, None, "SOAP", "LOGIN_ERROR_INVALID_PASSWORD")
                fault = (
                    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                    'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
                    "<faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, "
                    "security token; or user locked out.</faultstring><detail><sf:LoginFault>"
                    "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid username, "
                    "password, security token; or user locked out.</sf:exceptionMessage></sf:LoginFault></detail>"
                    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
                )
                return Response(500, {"Content-Type": "text/xml;charset=UTF-8"}, fault.encode())
            resp = self._issue(req, user_id, _SOAP_APP, "SOAP", refresh=False)
            data = json.loads(resp.body)
            version = req.path.rstrip("/").split("/")[-1]
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
                "<soapenv:Body><loginResponse><result>"
                f"<serverUrl>{self.base_url}/services/Soap/u/{version}/{self.org.org_id[:15]}</serverUrl>"
                f"<sessionId>{data['access_token']}</sessionId><userId>{user_id}</userId>"
                "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
            )
            return Response(200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode())

    # ---------------------------------------------------------------------------------------
    # REST
    def _versions(self) -> list[dict[str, str]]:
        return [
            {"label": f"v{v}.0", "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
            for v in range(MIN_VERSION, MAX_VERSION + 1)
        ]

    def _rest(self, req: Request, ctx: Ctx, rest: str) -> Response:
        v = ctx.version
        m = req.method
        if rest == "":
            names = ("sobjects", "query", "queryAll", "limits", "tooling", "jobs", "composite")
            return _json({n: f"/services/data/v{v}/{n}" for n in names})
        if rest == "/limits" and m == "GET":
            return _json(self._limits())
        if rest in ("/query", "/queryAll") and m == "GET":
            return self._query(req, ctx, req.param("q") or "", all_rows=rest == "/queryAll")
        cursor = re.match(r"^/(query|queryAll)/([\w-]+)$", rest)
        if cursor and m == "GET":
            return self._query_more(cursor.group(2))
        if rest == "/sobjects" and m == "GET":
            return _json(self._describe_global(v))
        if rest.startswith("/jobs/query"):
            return self._bulk(req, ctx, rest[len("/jobs/query") :])
        if rest == "/composite/sobjects" and m == "DELETE":
            return self._composite_delete(req, ctx)
        if rest == "/composite/sobjects" and m in ("POST", "PATCH"):
            return self._composite_write(req, ctx)
        if rest.startswith("/tooling/"):
            return self._tooling(req, ctx, rest[len("/tooling") :])
        sob = re.match(r"^/sobjects/(\w+)(?:/(\w+))?(?:/(\w+))?$", rest)
        if sob:
            return self._sobject(req, ctx, sob.group(1), sob.group(2), sob.group(3))
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")

    def _limits(self) -> dict[str, Any]:
        used = self._usage()["used"]
        cap = self.faults.daily_api_limit
        jobs = len(self._jobs)
        return {
            "DailyApiRequests": {"Max": cap, "Remaining": max(0, cap - used)},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": max(0, 10000 - jobs)},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DataStorageMB": {"Max": 1024, "Remaining": 1000},
            "FileStorageMB": {"Max": 2048, "Remaining": 2040},
            "HourlyPublishedPlatformEvents": {"Max": 250000, "Remaining": 250000},
            "DailyDeliveredPlatformEvents": {"Max": 50000, "Remaining": 50000},
        }

    # -- describe ---------------------------------------------------------------------------
    def _info(self, name: str) -> ObjectInfo:
        info = self.org.object_info(name)
        if info is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return info

    def _object_flags(self, info: ObjectInfo) -> dict[str, Any]:
        read_only = info.name in READ_ONLY or _is_event_object(info.name)
        return {
            "name": info.name,
            "label": info.label,
            "labelPlural": info.label + "s",
            "keyPrefix": info.key_prefix,
            "custom": info.name.endswith("__c"),
            "queryable": True,
            "retrieveable": True,
            "searchable": not read_only,
            "createable": not read_only
            and info.name not in DELETE_ONLY
            and info.name not in UPDATABLE_FIELDS,
            "updateable": not read_only and info.name not in DELETE_ONLY,
            "deletable": (not read_only and info.name not in NOT_DELETABLE) or info.name in DELETE_ONLY,
        }

    def _describe_global(self, v: str) -> dict[str, Any]:
        objects = []
        for info in sorted(self.org.schema.values(), key=lambda o: o.name):
            entry = self._object_flags(info)
            entry["urls"] = {
                "sobject": f"/services/data/v{v}/sobjects/{info.name}",
                "describe": f"/services/data/v{v}/sobjects/{info.name}/describe",
                "rowTemplate": f"/services/data/v{v}/sobjects/{info.name}/{{ID}}",
            }
            objects.append(entry)
        return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects}

    def _describe(self, info: ObjectInfo, v: str) -> dict[str, Any]:
        flags = self._object_flags(info)
        fields = []
        for f in info.fields.values():
            system = f.name in SYSTEM_FIELDS
            ref = f.type == "reference" or bool(f.reference_to)
            rel_name = None
            if ref:
                rel_name = (
                    f.name[:-3] + "__r"
                    if f.name.endswith("__c")
                    else (f.name[:-2] if f.name.endswith("Id") else None)
                )
            fields.append(
                {
                    "name": f.name,
                    "label": f.label,
                    "type": f.type,
                    "custom": f.name.endswith("__c"),
                    "referenceTo": list(f.reference_to),
                    "relationshipName": rel_name,
                    "nillable": f.name != "Id",
                    "createable": flags["createable"] and not system,
                    "updateable": flags["updateable"]
                    and not system
                    and (info.name not in UPDATABLE_FIELDS or f.name in UPDATABLE_FIELDS[info.name]),
                    "filterable": True,
                    "sortable": f.type not in ("textarea", "base64"),
                    "length": 255 if f.type in ("string", "email", "phone", "picklist") else 0,
                }
            )
        return {
            **flags,
            "fields": fields,
            "childRelationships": [],
            "urls": {
                "sobject": f"/services/data/v{v}/sobjects/{info.name}",
                "describe": f"/services/data/v{v}/sobjects/{info.name}/describe",
            },
        }

    # -- records ----------------------------------------------------------------------------
    def _attributes(self, sobject: str, record_id: Any, v: str) -> dict[str, str]:
        attrs = {"type": sobject}
        if record_id:
            attrs["url"] = f"/services/data/v{v}/sobjects/{sobject}/{record_id}"
        return attrs

    def _public(
        self, info: ObjectInfo, rec: dict[str, Any], v: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": self._attributes(info.name, rec.get("Id"), v)}
        names = fields or list(info.fields) or list(rec)
        for name in names:
            f = info.field(name)
            key = f.name if f else name
            if info.name == "EventLogFile" and key == "LogFile":
                out[key] = f"/services/data/v{v}/sobjects/EventLogFile/{rec.get('Id')}/LogFile"
            else:
                out[key] = rec.get(key)
        return out

    def _sobject(self, req: Request, ctx: Ctx, name: str, rid: str | None, sub: str | None) -> Response:
        info = self._info(name)
        v = ctx.version
        m = req.method
        if rid is None:
            if m == "GET":
                return _json({"objectDescribe": self._object_flags(info), "recentItems": []})
            if m == "POST":
                return self._create(req, info)
            raise ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{m}' not allowed. Allowed are GET,POST")
        if rid == "describe" and sub is None and m == "GET":
            return _json(self._describe(info, v))
        if sub == "LogFile" and info.name == "EventLogFile" and m == "GET":
            return self._logfile(req, rid)
        if sub == "password" and info.name == "User":
            return self._password(req, rid)
        if sub is not None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        rec = self.org.get(info.name, rid) if len(rid) in (15, 18) else None
        if m == "GET":
            access = self._access(ctx.user_id)
            if not self._object_readable(access, info.name):
                # an object the user cannot read does not exist for them
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            if rec is None:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            wanted = [f.strip() for f in (req.param("fields") or "").split(",") if f.strip()] or None
            if wanted:
                unknown = [f for f in wanted if info.field(f) is None]
                if unknown:
                    raise ApiError(
                        400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {info.name}"
                    )
                hidden = [f for f in wanted if not self._readable(access, info, f)]
                if hidden:
                    raise ApiError(400, "INVALID_FIELD", _no_such_column(hidden[0], info.name))
            elif access is not None:
                wanted = [f for f in (list(info.fields) or list(rec)) if self._readable(access, info, f)]
            return _json(self._public(info, rec, v, wanted), meta={"rows": 1})
        if m == "PATCH":
            self._check_writable(info, creating=False)
            if rec is None:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            return self._update(req, ctx, info, rec)
        if m == "DELETE":
            if info.name in READ_ONLY or _is_event_object(info.name) or info.name in NOT_DELETABLE:
                raise ApiError(
                    400, "INVALID_TYPE_FOR_OPERATION", f"entity type {info.name} does not support delete"
                )
            if rec is None:
                raise ApiError(
                    404,
                    "ENTITY_IS_DELETED"
                    if self.org.get(info.name, rid, include_deleted=True)
                    else "NOT_FOUND",
                    "The requested resource does not exist",
                )
            self.org.delete(info.name, rid)
            return Response(204)
        raise ApiError(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{m}' not allowed. Allowed are GET,PATCH,DELETE"
        )

    def _check_fields(self, info: ObjectInfo, data: dict[str, Any], creating: bool) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            f = info.field(key)
            if f is None:
                raise ApiError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {info.name}")
            allowed = UPDATABLE_FIELDS.get(info.name)
            if f.name in SYSTEM_FIELDS or (allowed is not None and f.name not in allowed):
                verb = "create" if creating else "update"
                raise ApiError(400, "INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to {verb} fields: {f.name}")
            out[f.name] = value
        return out

    def _create(self, req: Request, info: ObjectInfo) -> Response:
        self._check_writable(info, creating=True)
        fields = self._check_fields(info, req.json(), creating=True)
        now = sf_datetime(self.clock.now())
        rid = self.org.create(
            info.name,
            {
                **fields,
                "CreatedDate": now,
                "LastModifiedDate": now,
                "SystemModstamp": now,
                "IsDeleted": False,
            },
        )
        return _json({"id": rid, "success": True, "errors": []}, status=201)

    def _update(self, req: Request, ctx: Ctx, info: ObjectInfo, rec: dict[str, Any]) -> Response:
        self._check_writable(info, creating=False)
        fields = self._check_fields(info, req.json(), creating=False)
        if info.name == "UserLogin" and fields.get("IsPasswordLocked") is True:
            raise ApiError(400, "FIELD_INTEGRITY_EXCEPTION", "IsPasswordLocked can only be set to false")
        now = sf_datetime(self.clock.now())
        rid = str(rec["Id"])
        self.org.update(info.name, rid, {**fields, "LastModifiedDate": now, "SystemModstamp": now})
        self._audit_containment(ctx, info.name, rec, fields, now)
        return Response(204)

    def _audit_containment(
        self, ctx: Ctx, sobject: str, rec: dict[str, Any], fields: dict[str, Any], now: str
    ) -> None:
        """Setup Audit Trail rows Salesforce writes for user containment (spelling per reference §3.2)."""
        action = None
        target = None
        if sobject == "UserLogin" and "IsFrozen" in fields:
            action = "frozeuser" if fields["IsFrozen"] else "unfrozeuser"
            target = self.org.get("User", str(rec.get("UserId", "")))
        elif sobject == "User" and "IsActive" in fields:
            action = "deactivateduser" if fields["IsActive"] is False else "activateduser"
            target = rec
        if action is None:
            return
        who = str(target.get("Username", "")) if target else ""
        self.org.create(
            "SetupAuditTrail",
            {
                "Action": action,
                "Section": "Manage Users",
                "Display": f"{action} {who}".strip(),
                "CreatedDate": now,
                "CreatedById": ctx.user_id,
                "DelegateUser": None,
            },
        )

    def _password(self, req: Request, rid: str) -> Response:
        user = self.org.get("User", rid)
        if user is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        uid = to18(str(user["Id"]))
        if req.method == "GET":
            return _json({"isExpired": False})
        if req.method == "POST":
            new = req.json().get("NewPassword")
            if not isinstance(new, str) or len(new) < 8:
                raise ApiError(
                    400, "INVALID_NEW_PASSWORD", "Your password must be at least 8 characters long."
                )
            self.tokens.passwords[uid] = digest(new)
            self.tokens.save()
            return Response(204)
        if req.method == "DELETE":
            new = secrets.token_urlsafe(12)
            self.tokens.passwords[uid] = digest(new)
            self.tokens.save()
            return _json({"NewPassword": new})
        raise ApiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")

    def _composite_write(self, req: Request, ctx: Ctx) -> Response:
        """``POST`` (create) / ``PATCH`` (update) ``composite/sobjects``: up to 200 records, per-record results."""
        body = req.json()
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not 1 <= len(records) <= 200:
            raise ApiError(400, "INVALID_FIELD", "records must list between 1 and 200 records")
        creating = req.method == "POST"
        all_or_none = bool(body.get("allOrNone"))
        plan: list[tuple[ObjectInfo, str | None, dict[str, Any]] | None] = []
        results: list[dict[str, Any]] = []
        for item in records:
            rid = item.get("id") or item.get("Id") if isinstance(item, dict) else None
            try:
                if not isinstance(item, dict):
                    raise ApiError(400, "JSON_PARSER_ERROR", "each record must be a JSON object")
                sobject = (item.get("attributes") or {}).get("type")
                info = self.org.object_info(str(sobject or ""))
                if info is None:
                    raise ApiError(400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
                data = {k: v for k, v in item.items() if k not in ("attributes", "id", "Id")}
                self._check_writable(info, creating)
                if not creating and (not rid or self.org.get(info.name, str(rid)) is None):
                    raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
                fields = self._check_fields(info, data, creating=creating)
                plan.append((info, str(rid) if rid else None, fields))
                results.append({"id": rid, "success": True, "errors": []})
            except ApiError as err:
                plan.append(None)
                results.append(
                    {
                        "id": rid,
                        "success": False,
                        "errors": [{"statusCode": err.code, "message": err.message, "fields": []}],
                    }
                )
        if all_or_none and any(p is None for p in plan):
            for r in results:
                if r["success"]:
                    r["success"] = False
                    r["errors"] = [
                        {
                            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                            "message": "Record rolled back because not all records were valid",
                            "fields": [],
                        }
                    ]
            return _json(results)
        now = sf_datetime(self.clock.now())
        for result, step in zip(results, plan, strict=True):
            if step is None:
                continue
            info, rid, fields = step
            if creating:
                result["id"] = self.org.create(
                    info.name,
                    {
                        **fields,
                        "CreatedDate": now,
                        "LastModifiedDate": now,
                        "SystemModstamp": now,
                        "IsDeleted": False,
                    },
                )
            else:
                assert rid is not None
                rec = self.org.get(info.name, rid) or {}
                self.org.update(info.name, rid, {**fields, "LastModifiedDate": now, "SystemModstamp": now})
                self._audit_containment(ctx, info.name, rec, fields, now)
                result["id"] = to18(rid)
        return _json(results)

    def _check_writable(self, info: ObjectInfo, creating: bool) -> None:
        blocked = info.name in READ_ONLY or info.name in DELETE_ONLY or _is_event_object(info.name)
        if creating and info.name in UPDATABLE_FIELDS:
            blocked = True
        if blocked:
            verb = "create" if creating else "update"
            raise ApiError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type {info.name} does not support {verb}"
            )

    def _composite_delete(self, req: Request, ctx: Ctx) -> Response:
        ids = [i for i in (req.param("ids") or "").split(",") if i]
        all_or_none = (req.param("allOrNone") or "false").lower() == "true"
        if not ids or len(ids) > 200:
            raise ApiError(400, "INVALID_FIELD", "ids must list between 1 and 200 record ids")
        results = []
        plan: list[tuple[str, str]] = []
        for rid in ids:
            found = self.org.find(rid) if len(rid) in (15, 18) else None
            if found is None:
                results.append(
                    {
                        "id": rid,
                        "success": False,
                        "errors": [
                            {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}
                        ],
                    }
                )
                continue
            sobject = found[0]
            if sobject in READ_ONLY or sobject in NOT_DELETABLE or _is_event_object(sobject):
                results.append(
                    {
                        "id": rid,
                        "success": False,
                        "errors": [
                            {
                                "statusCode": "INVALID_TYPE_FOR_OPERATION",
                                "message": f"entity type {sobject} does not support delete",
                                "fields": [],
                            }
                        ],
                    }
                )
                continue
            plan.append((sobject, rid))
            results.append({"id": to18(rid), "success": True, "errors": []})
        if all_or_none and len(plan) != len(ids):
            for r in results:
                if r["success"]:
                    r["success"] = False
                    r["errors"] = [
                        {
                            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                            "message": "Record rolled back because not all records were valid",
                            "fields": [],
                        }
                    ]
            return _json(results)
        for sobject, rid in plan:
            self.org.delete(sobject, rid)
        return _json(results)

    # -- EventLogFile -----------------------------------------------------------------------
    def _logfile(self, req: Request, rid: str) -> Response:
        rec = self.org.get("EventLogFile", rid) if len(rid) in (15, 18) else None
        path = self.org.elf_path(rid) if rec is not None else None
        if rec is None or path is None or not path.is_file():
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        size = path.stat().st_size
        gz = "gzip" in (req.header("accept-encoding") or "").lower()
        headers = {"Content-Type": "application/octet-stream"}
        if gz:
            headers["Content-Encoding"] = "gzip"
            return Response(200, headers, stream=_gzip_file(path), truncate=self.faults.truncate_downloads)
        return Response(
            200, headers, stream=_read_file(path), length=size, truncate=self.faults.truncate_downloads
        )

    # -- query ------------------------------------------------------------------------------
    def _related(self, v: str) -> Any:
        def lookup(relationship: str, ref_id: str) -> dict[str, Any] | None:
            found = self.org.find(ref_id) if len(ref_id) in (15, 18) else None
            if found is None:
                return None
            sobject, rec = found
            return {"attributes": self._attributes(sobject, rec.get("Id"), v), **rec}

        return lookup

    def _access(self, user_id: str | None) -> Access | None:
        """The caller's read access when permissions are enforced for them, else None."""
        if user_id is None:
            return None
        return self.permissions.access_for(user_id, self.clock.now())

    @staticmethod
    def _readable(access: Access | None, info: ObjectInfo, name: str) -> bool:
        """Field-level read security for ``access`` (everything when permissions are not enforced)."""
        if access is None:
            return True
        found = info.field(name)
        return access.can_read_field(info.name, found.name if found else name)

    @staticmethod
    def _object_readable(access: Access | None, name: str) -> bool:
        return access is None or access.can_read_object(name)

    def _visible_object(self, name: str, access: Access | None) -> ObjectInfo | None:
        """The object's schema, or None when it does not exist or ``access`` may not read it
        (Salesforce answers both alike)."""
        info = self.org.object_info(name)
        return info if info is not None and self._object_readable(access, info.name) else None

    def run_query(
        self, text: str, version: str, all_rows: bool, user_id: str | None = None
    ) -> tuple[Query, ObjectInfo, list[dict[str, Any]], int]:
        """Parse, validate and evaluate; returns (query, object, Salesforce-shaped records, totalSize).

        With ``user_id`` the query is answered as for that user: object read permission and
        field-level read security apply when permissions are enforced for them (see
        :mod:`leakline.emulator.permissions`).
        """
        try:
            query = parse(text)
        except SoqlError as exc:
            raise ApiError(400, "MALFORMED_QUERY", exc.message.removeprefix("SOQL: ")) from None
        access = self._access(user_id)
        info = self._visible_object(query.sobject, access)
        if info is None:
            raise ApiError(400, "INVALID_TYPE", _not_supported(query.sobject))
        self._validate_fields(query, info, access)
        visible = [f for f in info.fields if self._readable(access, info, f)]
        if info.name == "EventLogFile":
            self.events.publish(self.clock.now())
        with self.org.lock:
            # a snapshot: other requests may add records while this one evaluates
            records: Any = list(self.org.table(info.name).values())
        include_deleted = all_rows or query.all_rows
        if not include_deleted:
            records = [r for r in records if not r.get("IsDeleted")]
        if info.name == "EventLogFile":
            records = [
                {**r, "LogFile": f"/services/data/v{version}/sobjects/EventLogFile/{r.get('Id')}/LogFile"}
                for r in records
            ]
        try:
            result = evaluate(
                query,
                records,
                related=self._related(version),
                fields=visible,
                now=self.clock.now(),
                semijoin=lambda inner: self._semijoin(inner, version, access),
            )
        except SoqlFieldError as exc:
            raise ApiError(400, "INVALID_FIELD", exc.reason) from None
        except SoqlUnsupportedError as exc:
            raise ApiError(
                400, "MALFORMED_QUERY", f"{exc.reason} (not supported by the leakline emulator)"
            ) from None
        except SoqlError as exc:
            raise ApiError(400, "MALFORMED_QUERY", exc.reason) from None
        if result.count_only:
            return query, info, [], result.total_size
        shaped = []
        for i, rec in enumerate(result.records):
            if query.is_aggregate:
                shaped.append({"attributes": {"type": "AggregateResult"}, **rec})
            else:
                source_id = result.sources[i].get("Id")
                shaped.append({"attributes": self._attributes(info.name, source_id, version), **rec})
        if info.name == "OauthToken" and len(shaped) > OAUTH_TOKEN_MAX_ROWS:
            raise ApiError(
                400,
                "EXCEEDED_ID_LIMIT",
                f"OauthToken queries return at most {OAUTH_TOKEN_MAX_ROWS} rows; split the query",
            )
        return query, info, shaped, len(shaped)

    def _semijoin(self, inner: Query, version: str, access: Access | None = None) -> list[Any]:
        """Values of the one field a semi-join subquery selects (``IN (SELECT AccountId FROM Contact)``)."""
        info = self._visible_object(inner.sobject, access)
        if info is None:
            raise ApiError(400, "INVALID_TYPE", _not_supported(inner.sobject))
        selected = inner.selected_fields()
        if len(inner.select) != 1 or len(selected) != 1:
            raise ApiError(400, "MALFORMED_QUERY", "a semi-join subquery must select exactly one field")
        self._validate_fields(inner, info, access)
        with self.org.lock:
            rows = [r for r in self.org.table(info.name).values() if not r.get("IsDeleted")]
        result = evaluate(
            inner, rows, related=self._related(version), fields=list(info.fields), now=self.clock.now()
        )
        return [_flat_get(r, selected[0].name) for r in result.records]

    def _validate_fields(self, query: Query, info: ObjectInfo, access: Access | None = None) -> None:
        for ref in query.field_refs():
            if len(ref.path) == 1:
                if info.field(ref.path[0]) is None or not self._readable(access, info, ref.path[0]):
                    # a field hidden by field-level security does not exist for the user
                    raise ApiError(400, "INVALID_FIELD", _no_such_column(ref.name, info.name))
                continue
            rel = info.relationship(ref.path[0])
            if rel is None or not self._readable(access, info, rel.name):
                raise ApiError(400, "INVALID_FIELD", _no_relationship(ref.path[0]))
            if len(ref.path) == 2 and rel.reference_to:
                targets = [self.org.object_info(t) for t in rel.reference_to]
                known = [t for t in targets if t is not None]
                if known:
                    known = [t for t in known if self._object_readable(access, t.name)]
                    if not known:
                        raise ApiError(400, "INVALID_FIELD", _no_relationship(ref.path[0]))
                if known and all(t.field(ref.path[1]) is None or not self._readable(access, t, ref.path[1]) for t in known):
                    raise ApiError(
                        400, "INVALID_FIELD", f"No such column '{ref.path[1]}' on entity '{known[0].name}'."
                    )

    def _query(self, req: Request, ctx: Ctx, text: str, all_rows: bool) -> Response:
        if not text:
            raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        _query, info, records, total = self.run_query(text, ctx.version, all_rows, ctx.user_id)
        batch = DEFAULT_BATCH
        options = req.header("sforce-query-options") or ""
        m = re.search(r"batchSize\s*=\s*(\d+)", options)
        if m:
            batch = max(MIN_BATCH, min(DEFAULT_BATCH, int(m.group(1))))
        meta = {
            "rows": total,
            "entity": info.name,
            "query": text,
            "ids": [
                r["attributes"]["url"].rsplit("/", 1)[-1] for r in records[:200] if "url" in r["attributes"]
            ],
        }
        return _json(self._page(_Cursor(records, 0, batch, ctx.version, all_rows), total), meta=meta)

    def _page(self, cursor: _Cursor, total: int) -> dict[str, Any]:
        end = cursor.position + cursor.batch
        page = cursor.records[cursor.position : end]
        out: dict[str, Any] = {"totalSize": total, "done": end >= len(cursor.records), "records": page}
        if not out["done"]:
            locator = f"01g{secrets.token_hex(6)[:12].upper()}"
            with self.org.lock:
                self._cursors[locator] = _Cursor(
                    cursor.records, end, cursor.batch, cursor.version, cursor.all_rows
                )
            endpoint = "queryAll" if cursor.all_rows else "query"
            out["nextRecordsUrl"] = f"/services/data/v{cursor.version}/{endpoint}/{locator}-{end}"
        return out

    def _query_more(self, token: str) -> Response:
        locator = token.split("-")[0]
        with self.org.lock:
            cursor = self._cursors.pop(locator, None)
        if cursor is None:
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return _json(
            self._page(cursor, len(cursor.records)),
            meta={"rows": min(cursor.batch, len(cursor.records) - cursor.position)},
        )

    # -- Bulk API 2.0 query jobs --------------------------------------------------------------
    def _load_jobs(self) -> None:
        for info in self.org.load_doc("jobs").get("jobs", []):
            try:
                query = parse(info["query"])
            except SoqlError:
                continue
            self._jobs[info["id"]] = _Job(
                info,
                query,
                owner=info.get("createdById", ""),
            )

    def _save_jobs(self) -> None:
        self.org.save_doc("jobs", {"jobs": [j.info for j in self._jobs.values()]})

    def _job_event(self, ctx: Ctx, req: Request, job: _Job, status: str) -> None:
        self.events.record(
            "BulkApi2",
            self.clock.now(),
            {
                "REQUEST_ID": "4" + secrets.token_hex(8)[:14],
                "USER_ID": ctx.user_id[:15],
                "USER_ID_DERIVED": ctx.user_id,
                "RUN_TIME": 10,
                "CPU_TIME": 1,
                "URI": f"/services/data/v{ctx.version}/jobs/query/{job.info['id']}",
                "SESSION_KEY": ctx.session_key,
                "LOGIN_KEY": ctx.session_key,
                "JOB_ID": job.info["id"][:15],
                "JOB_STATUS": status,
                "OPERATION_TYPE": job.info["operation"],
                "ENTITY_TYPE": job.info["object"],
                "RECORDS_PROCESSED": job.info.get("numberRecordsProcessed", 0),
                "RECORDS_FAILED": 0,
                "RESULT_SIZE_MB": 0,
                "CLIENT_IP": req.client_ip,
                "URI_ID_DERIVED": job.info["id"],
            },
        )

    def _bulk(self, req: Request, ctx: Ctx, rest: str) -> Response:
        m = req.method
        if rest == "" and m == "POST":
            body = req.json()
            operation = body.get("operation")
            if operation not in ("query", "queryAll"):
                raise ApiError(400, "INVALIDJOB", "InvalidJob : operation must be query or queryAll")
            text = body.get("query") or ""
            try:
                query = parse(text)
            except SoqlError as exc:
                raise ApiError(400, "INVALIDJOB", f"InvalidJob : {exc.reason}") from None
            access = self._access(ctx.user_id)
            info = self._visible_object(query.sobject, access)
            if info is None:
                raise ApiError(
                    400, "INVALIDJOB", f"InvalidJob : sObject type '{query.sobject}' is not supported."
                )
            if (
                query.is_count
                or query.is_aggregate
                or any(not isinstance(i, (SelectField, FieldsMacro)) for i in query.select)
            ):
                raise ApiError(
                    400,
                    "INVALIDJOB",
                    "InvalidJob : aggregate queries and subqueries are not supported by Bulk API 2.0",
                )
            self._validate_fields(query, info, access)
            now = sf_datetime(self.clock.now())
            job_id = self.org.new_id("BulkJob", prefix="750")
            job_info = {
                "id": job_id,
                "operation": operation,
                "object": info.name,
                "createdById": ctx.user_id,
                "createdDate": now,
                "systemModstamp": now,
                "state": "UploadComplete",
                "concurrencyMode": "Parallel",
                "contentType": "CSV",
                "apiVersion": float(ctx.version),
                "lineEnding": body.get("lineEnding", "LF"),
                "columnDelimiter": body.get("columnDelimiter", "COMMA"),
                "query": text,
            }
            job = _Job(job_info, query, owner=ctx.user_id)
            with self.org.lock:
                self._jobs[job_id] = job
                self._save_jobs()
            self._job_event(ctx, req, job, "UploadComplete")
            return _json({k: v for k, v in job_info.items() if k != "query"}, meta={"entity": info.name})
        if rest == "" and m == "GET":
            records = [{k: v for k, v in j.info.items() if k != "query"} for j in self._jobs.values()]
            return _json({"done": True, "records": records, "nextRecordsUrl": None})
        jm = re.match(r"^/(\w+)(/results)?$", rest)
        if not jm:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        found = self._jobs.get(jm.group(1))
        if found is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        job = found
        if jm.group(2):
            if m != "GET":
                raise ApiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")
            return self._bulk_results(req, ctx, job)
        if m == "GET":
            self._advance(ctx, req, job)
            return _json(
                {k: v for k, v in job.info.items() if k != "query"},
                meta={"entity": job.info["object"]},
            )
        if m == "PATCH":
            state = req.json().get("state")
            if state != "Aborted":
                raise ApiError(400, "INVALIDJOBSTATE", "query jobs can only be set to Aborted")
            if job.info["state"] in ("JobComplete", "Failed", "Aborted"):
                raise ApiError(400, "INVALIDJOBSTATE", f"Job is already {job.info['state']}")
            job.info["state"] = "Aborted"
            self._save_jobs()
            self._job_event(ctx, req, job, "Aborted")
            return _json({k: v for k, v in job.info.items() if k != "query"})
        if m == "DELETE":
            if job.info["state"] in ("UploadComplete", "InProgress"):
                raise ApiError(
                    400, "INVALIDJOBSTATE", "Job must be complete, failed or aborted before deleting it"
                )
            with self.org.lock:
                del self._jobs[job.info["id"]]
                self._save_jobs()
            self._job_event(ctx, req, job, "Deleted")
            return Response(204)
        raise ApiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")

    def _advance(self, ctx: Ctx, req: Request, job: _Job) -> None:
        """Jobs move UploadComplete → InProgress → JobComplete over successive polls."""
        if job.info["state"] == "UploadComplete":
            job.info["state"] = "InProgress"
            self._job_event(ctx, req, job, "InProgress")
        elif job.info["state"] == "InProgress":
            self._compute(job)
            job.info["state"] = "JobComplete"
            job.info["numberRecordsProcessed"] = len(job.rows or [])
            job.info["retries"] = 0
            job.info["totalProcessingTime"] = 100
            self._job_event(ctx, req, job, "JobComplete")
        job.info["systemModstamp"] = sf_datetime(self.clock.now())
        self._save_jobs()

    def _compute(self, job: _Job) -> None:
        if job.rows is not None:
            return
        _, _, records, _ = self.run_query(
            job.info["query"],
            str(job.info["apiVersion"]),
            job.info["operation"] == "queryAll",
            str(job.info.get("createdById") or "") or None,
        )
        columns: list[str] = []
        for item in job.query.select:
            if isinstance(item, SelectField) and isinstance(item.expr, FieldRef):
                columns.append(item.alias or item.expr.name)
        if not columns and records:
            columns = [k for k in records[0] if k != "attributes"]
        job.columns = columns
        job.rows = [{c: _flat_get(r, c) for c in columns} for r in records]

    def _bulk_results(self, req: Request, ctx: Ctx, job: _Job) -> Response:
        if job.info["state"] != "JobComplete":
            raise ApiError(400, "INVALIDJOBSTATE", f"Job is not complete (state {job.info['state']})")
        self._compute(job)
        rows = job.rows or []
        locator = req.param("locator") or ""
        try:
            start = int(base64.b64decode(locator).decode()) if locator else 0
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "INVALIDLOCATOR", "Invalid locator") from None
        max_records = int(req.param("maxRecords") or 50000)
        chunk = rows[start : start + max_records]
        end = start + len(chunk)
        next_locator = base64.b64encode(str(end).encode()).decode() if end < len(rows) else "null"
        body = _bulk_csv(job.columns, chunk)
        headers = {
            "Content-Type": "text/csv",
            "Sforce-Locator": next_locator,
            "Sforce-NumberOfRecords": str(len(chunk)),
        }
        return Response(
            200,
            headers,
            body,
            truncate=self.faults.truncate_downloads,
            meta={"rows": len(chunk), "entity": job.info["object"]},
        )

    # -- Tooling ----------------------------------------------------------------------------
    def _tooling(self, req: Request, ctx: Ctx, rest: str) -> Response:
        if rest in ("/query", "/query/") and req.method == "GET":
            return self._tooling_query(req, ctx)
        if rest == "/sobjects" and req.method == "GET":
            names = sorted(self._tooling_objects())
            return _json(
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [{"name": n, "queryable": True} for n in names],
                }
            )
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")

    def _tooling_objects(self) -> dict[str, Path]:
        base = self.org.org_dir / "tooling"
        return {p.stem: p for p in sorted(base.glob("*.jsonl"))} if base.is_dir() else {}

    def _tooling_query(self, req: Request, ctx: Ctx) -> Response:
        text = req.param("q") or ""
        try:
            query = parse(text)
        except SoqlError as exc:
            raise ApiError(400, "MALFORMED_QUERY", exc.reason) from None
        objects = self._tooling_objects()
        path = next((p for n, p in objects.items() if n.lower() == query.sobject.lower()), None)
        if path is None:
            # Setup objects the data API also exposes are readable through Tooling too.
            info = self.org.object_info(query.sobject)
            if info is None:
                raise ApiError(400, "INVALID_TYPE", f"sObject type '{query.sobject}' is not supported.")
            _, _, records, total = self.run_query(text, ctx.version, False)
            return _json(
                {
                    "size": total,
                    "totalSize": total,
                    "done": True,
                    "queryLocator": None,
                    "entityTypeName": info.name,
                    "records": records,
                }
            )
        rows = [rec for _, rec in read_jsonl(path)]
        try:
            result = evaluate(query, rows, now=self.clock.now())
        except SoqlError as exc:
            raise ApiError(400, "MALFORMED_QUERY", exc.reason) from None
        records = [{"attributes": {"type": path.stem}, **r} for r in result.records]
        return _json(
            {
                "size": result.total_size,
                "totalSize": result.total_size,
                "done": True,
                "queryLocator": None,
                "entityTypeName": path.stem,
                "records": records,
            }
        )

    # -- Metadata API (SOAP) retrieve ---------------------------------------------------------
    def _metadata_soap(self, req: Request, path: str) -> Response:
        """``retrieve`` and ``checkRetrieveStatus`` (what a posture audit needs), SOAP 1.1."""
        text = req.body.decode("utf-8", errors="replace")
        version_match = re.match(r"^/services/Soap/m/(\d+\.\d)", path)
        version = version_match.group(1) if version_match else self.org.api_version
        session = _xml_value(text, "sessionId")
        headers = dict(req.headers)
        if session:
            headers["authorization"] = f"Bearer {session}"
        try:
            ctx = self._authenticate(
                Request(req.method, path, req.query, headers, b"", req.client_ip), version
            )
            self._count_call()
        except ApiError as err:
            return _soap_fault(err.code, err.message)
        action = (req.header("soapaction") or "").strip('"')
        if not action:
            found = re.search(r"<(?:\w+:)?(retrieve|checkRetrieveStatus|deploy|checkDeployStatus)[\s>]", text)
            action = found.group(1) if found else "checkRetrieveStatus"
        if action in ("deploy", "checkDeployStatus"):
            return self._metadata_deploy(req, ctx, action, text)
        if action == "retrieve":
            wanted = metadata_mod.requested_types(text)
            single = _xml_value(text, "singlePackage").lower() != "false"
            body = metadata_mod.retrieve_zip(
                self.org.org_dir / "metadata", wanted, version, single, self.org.state_dir / "metadata"
            )
            job_id = self.org.new_id("AsyncResult", prefix="09S")
            with self.org.lock:
                self._retrievals[job_id] = body
            self._log_api(req, ctx, 200, "retrieve", "SOAP", len(body))
            result = f"<done>false</done><id>{job_id}</id><state>Queued</state>"
            return _soap_response("retrieveResponse", result)
        if action == "checkRetrieveStatus":
            job_id = _xml_value(text, "asyncProcessId")
            with self.org.lock:
                stored = self._retrievals.get(job_id)
            if stored is None:
                return _soap_fault("INVALID_ID_FIELD", f"invalid retrieve id {job_id[:18]}")
            include = _xml_value(text, "includeZip").lower() == "true"
            zipped = f"<zipFile>{base64.b64encode(stored).decode()}</zipFile>" if include else ""
            self._log_api(req, ctx, 200, "checkRetrieveStatus", "SOAP", len(stored) if include else 0)
            result = (
                f"<done>true</done><id>{job_id}</id><status>Succeeded</status><success>true</success>{zipped}"
            )
            return _soap_response("checkRetrieveStatusResponse", result)
        return _soap_fault("INVALID_OPERATION", f"the emulator does not implement {action[:40]}")

    def _metadata_deploy(self, req: Request, ctx: Ctx, action: str, text: str) -> Response:
        """``deploy`` (AsyncResult, Queued) and ``checkDeployStatus`` (DeployResult), SOAP 1.1.

        The deploy is applied when it is received (into the state overlay) and reported as done
        at the first status check, like a retrieve.
        """
        if action == "deploy":
            raw = re.sub(r"\s+", "", _xml_value(text, "ZipFile"))
            try:
                data = base64.b64decode(raw, validate=True)
            except ValueError:
                return _soap_fault("INVALID_CROSS_REFERENCE_KEY", "ZipFile is not base64")
            check_only = _xml_value(text, "checkOnly").lower() == "true"
            with self.org.lock:
                messages = metadata_mod.deploy_zip(
                    data, self.org.org_dir / "metadata", self.org.state_dir / "metadata", check_only
                )
                job_id = self.org.new_id("AsyncResult", prefix="0Af")
                now = sf_datetime(self.clock.now())
                self._deploys[job_id] = {"messages": messages, "check_only": check_only, "at": now}
                if not check_only and all(m.success for m in messages):
                    self._audit_deploy(ctx, messages, now)
            self._log_api(req, ctx, 200, "deploy", "SOAP", len(data))
            return _soap_response("deployResponse", f"<done>false</done><id>{job_id}</id><state>Queued</state>")
        job_id = _xml_value(text, "asyncProcessId")
        with self.org.lock:
            job = self._deploys.get(job_id)
        if job is None:
            return _soap_fault("INVALID_ID_FIELD", f"invalid deploy id {job_id[:18]}")
        messages = job["messages"]
        failed = [m for m in messages if not m.success]
        ok = [m for m in messages if m.success]
        status = "Failed" if failed else "Succeeded"
        details = ""
        if _xml_value(text, "includeDetails").lower() == "true" or failed:
            parts = []
            for m in messages:
                kind = "componentSuccesses" if m.success else "componentFailures"
                flags = (
                    f"<changed>{str(m.changed).lower()}</changed><created>false</created><deleted>false</deleted>"
                    if m.success
                    else f"<problem>{escape(m.problem)}</problem><problemType>Error</problemType>"
                )
                parts.append(
                    f"<{kind}>{flags}<componentType>{escape(m.type)}</componentType>"
                    f"<fileName>{escape(m.file)}</fileName><fullName>{escape(m.name)}</fullName>"
                    f"<success>{str(m.success).lower()}</success></{kind}>"
                )
            details = f"<details>{''.join(parts)}</details>"
        result = (
            f"<checkOnly>{str(job['check_only']).lower()}</checkOnly><completedDate>{job['at']}</completedDate>"
            f"<createdBy>{ctx.user_id[:15]}</createdBy><createdDate>{job['at']}</createdDate>{details}"
            f"<done>true</done><id>{job_id}</id><ignoreWarnings>false</ignoreWarnings>"
            f"<numberComponentErrors>{len(failed)}</numberComponentErrors>"
            f"<numberComponentsDeployed>{0 if failed else len(ok)}</numberComponentsDeployed>"
            f"<numberComponentsTotal>{len(messages)}</numberComponentsTotal>"
            "<numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted>"
            "<numberTestsTotal>0</numberTestsTotal><rollbackOnError>true</rollbackOnError>"
            f"<runTestsEnabled>false</runTestsEnabled><status>{status}</status>"
            f"<success>{str(not failed).lower()}</success>"
        )
        self._log_api(req, ctx, 200, "checkDeployStatus", "SOAP", 0)
        return _soap_response("checkDeployStatusResponse", result)

    def _audit_deploy(self, ctx: Ctx, messages: list[Any], now: str) -> None:
        """Setup Audit Trail rows for deployed changes (action spellings are unverified, reference §3.2)."""
        for m in messages:
            if not m.changed:
                continue
            action, section = {
                "Profile": ("loginIpRangesChanged", "Manage Users"),
                "RemoteSiteSetting": ("changedRemoteProxy", "Security Controls"),
                "NamedCredential": ("namedCredentialUpdated", "Named Credentials"),
            }.get(m.type, ("deployedMetadata", "Deployments"))
            self.org.create(
                "SetupAuditTrail",
                {
                    "Action": action,
                    "Section": section,
                    "Display": f"Changed {m.type} {m.name} (Metadata API deploy)",
                    "CreatedDate": now,
                    "CreatedById": ctx.user_id,
                    "DelegateUser": None,
                },
            )

    def _log_api(self, req: Request, ctx: Ctx, status: int, resource: str, family: str, size: int) -> None:
        ua = req.header("user-agent") or ""
        self.events.record(
            "ApiTotalUsage",
            self.clock.now(),
            {
                "REQUEST_ID": "4" + secrets.token_hex(8)[:14],
                "USER_ID": ctx.user_id[:15],
                "USER_NAME": ctx.username,
                "API_FAMILY": family,
                "API_VERSION": ctx.version,
                "API_RESOURCE": resource,
                "CLIENT_NAME": ua.split(" ")[0],
                "CONNECTED_APP_ID": ctx.app.id[:15] if ctx.app else "",
                "CONNECTED_APP_NAME": ctx.app.name if ctx.app else "",
                "ENTITY_NAME": "",
                "HTTP_METHOD": req.method,
                "STATUS_CODE": status,
                "COUNTS_AGAINST_API_LIMIT": "true",
                "CLIENT_IP": req.client_ip,
            },
        )

    # -- helpers for the Python API -----------------------------------------------------------
    def publish_event_logs(self) -> int:
        """Publish pending activity rows as EventLogFile files now."""
        return self.events.publish(self.clock.now())


_STATUS_TEXT = {
    "LOGIN_ERROR_INVALID_PASSWORD": "Invalid Password",
    "LOGIN_ERROR_INVALID_USERNAME": "Invalid Username",
    "LOGIN_ERROR_USER_FROZEN": "User is Frozen",
    "LOGIN_ERROR_USER_INACTIVE": "User is Inactive",
    "LOGIN_ERROR_RESTRICTED_IP": "Restricted IP",
}

_SOAP_APP = App(
    id="0H4000000000000AAA",
    name="SOAP API",
    consumer_key="",
    consumer_secret=None,
    certificate=None,
    client_credentials_user=None,
)


_SOAP_ENV = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata">'
    "<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
)


def _soap_response(element: str, result: str) -> Response:
    xml = _SOAP_ENV.format(body=f"<{element}><result>{result}</result></{element}>")
    return Response(200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode("utf-8"))


def _soap_fault(code: str, message: str) -> Response:
    fault = f"<soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring></soapenv:Fault>"
    return Response(
        500, {"Content-Type": "text/xml;charset=UTF-8"}, _SOAP_ENV.format(body=fault).encode("utf-8")
    )


def _not_supported(sobject: str) -> str:
    # Salesforce answers an object the user may not read exactly like one that does not exist.
    return (
        f"sObject type '{sobject}' is not supported. If you are attempting to use a custom object, be sure "
        "to append the '__c' after the entity name. Please reference your WSDL or the describe call for "
        "the appropriate names."
    )


def _no_such_column(name: str, sobject: str) -> str:
    # Same wording for a field that does not exist and one hidden by field-level security.
    return (
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom field, be "
        "sure to append the '__c' after the custom field name. Please reference your WSDL or the describe "
        "call for the appropriate names."
    )


def _no_relationship(name: str) -> str:
    return (
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
        "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
        "your WSDL or the describe call for the appropriate names."
    )


def _is_event_object(name: str) -> bool:
    return name.endswith("EventStore") or (name.endswith("Event") and name not in ("Event",))


def _xml_value(text: str, tag: str) -> str:
    m = re.search(rf"<(?:\w+:)?{tag}>(.*?)</(?:\w+:)?{tag}>", text, re.DOTALL)
    if not m:
        return ""
    return unescape(m.group(1))


def _flat_get(record: dict[str, Any], column: str) -> Any:
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, dict):
            return None
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value


def _bulk_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                ""
                if row.get(c) is None
                else (str(row[c]).lower() if isinstance(row[c], bool) else str(row[c]))
                for c in columns
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _read_file(path: Path, chunk: int = 64 * 1024) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while True:
            data = handle.read(chunk)
            if not data:
                return
            yield data


def _gzip_file(path: Path) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for data in _read_file(path):
        out = compressor.compress(data)
        if out:
            yield out
    yield compressor.flush()
