"""The one place leakline talks to an org (or the emulator): a wrapper around simple-salesforce.

- backoff: ``Retry-After`` honoured; ``REQUEST_LIMIT_EXCEEDED`` (concurrency) and 5xx/connection
  errors retried with exponential backoff inside a bounded budget; the *daily* limit stops at once;
- ``INVALID_SESSION_ID`` (401): one token refresh per call, then the call fails;
- API budget guard: stop before ``max_calls`` or before org-wide use passes a share of
  ``DailyApiRequests`` (``Sforce-Limit-Info`` is read on every response);
- streaming EventLogFile download (truncated bodies are detected and retried), Bulk API 2.0 query;
- containment calls exactly as in the Salesforce reference (§4), as plain methods.

Nothing here decides anything and no raw API dict leaves this module: see ``models.py``.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
import os
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceOperationError,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_soql
from simple_salesforce.util import exception_handler

from leakline.core.clock import Clock, parse_utc
from leakline.core.errors import ConfigError, RemoteError
from leakline.core.sfid import to18
from leakline.salesforce.auth import Auth
from leakline.salesforce.models import (
    ApiUsage,
    BulkQueryResult,
    Download,
    EventLogFileInfo,
    Limit,
    OauthGrant,
    QueryPage,
    Record,
    Secret,
    Token,
    UserLoginState,
)

DEFAULT_API_VERSION = "62.0"
T = TypeVar("T")


class BudgetExhausted(RemoteError):
    """The API budget guard stopped the run; everything fetched so far is kept."""


class NotFound(RemoteError):
    """The org answered 404 / NOT_FOUND."""


@dataclass(frozen=True)
class ApiBudget:
    """Stop before this many API calls, or before org-wide use reaches this share of the daily limit."""

    max_calls: int | None = None
    max_fraction: float | None = None


class _Session(requests.Session):
    """A session whose explicit CA bundle wins over ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``
    (requests lets the environment override ``session.verify``, which would silently ignore
    ``--ca-bundle``)."""

    def merge_environment_settings(
        self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and self.verify is not True:
            settings["verify"] = self.verify
        return settings


class _LoopbackHttpAdapter(HTTPAdapter):
    """simple-salesforce always builds ``https://`` URLs; a plain-HTTP instance URL is only
    allowed on a loopback address (the local emulator), and this adapter sends those requests
    as ``http://`` to exactly that host:port."""

    def __init__(self, netloc: str) -> None:
        super().__init__()
        self._netloc = netloc

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        if parts.scheme == "https" and parts.netloc == self._netloc:
            request.url = urlunsplit(("http", parts.netloc, parts.path, parts.query, parts.fragment))
        return super().send(request, *args, **kwargs)


def _is_loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _error(exc: SalesforceError) -> tuple[str, str]:
    """(errorCode, message) from a simple-salesforce exception, without URLs or headers."""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    if isinstance(content, dict):
        return str(content.get("errorCode") or content.get("error") or ""), str(
            content.get("message") or content.get("error_description") or ""
        )
    return "", str(content)[:200]


def sf_datetime(value: Any) -> datetime | None:
    """``2026-03-01T09:00:00.000+0000`` → aware UTC datetime (None for empty)."""
    if value in (None, ""):
        return None
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", str(value))
    return parse_utc(text, what="Salesforce datetime")


def soql_datetime(value: datetime) -> str:
    """SOQL datetime literal (unquoted ISO-8601, UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SalesforceClient:
    """An authenticated connection to one org. Create, then :meth:`connect`."""

    def __init__(
        self,
        auth: Auth,
        *,
        clock: Clock,
        api_version: str = DEFAULT_API_VERSION,
        verify: bool | str = True,
        budget: ApiBudget | None = None,
        max_retries: int = 6,
        max_wait: float = 120.0,
        backoff_base: float = 1.0,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.auth = auth
        self.clock = clock
        self.api_version = api_version
        self.budget = budget or ApiBudget()
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.timeout = timeout
        self._sleep = sleep
        self._http: requests.Session = _Session()
        self._http.verify = verify
        self._http.hooks["response"].append(self._on_response)
        self._sf: Salesforce | None = None
        self._token: Token | None = None
        self._calls = 0
        self._used: int | None = None
        self._limit: int | None = None
        self._retry_after: float | None = None
        self._describes: dict[str, list[Mapping[str, Any]]] = {}
        self.retries = 0
        self.refreshes = 0

    # --- session ------------------------------------------------------------------------------
    def connect(self) -> SalesforceClient:
        """Obtain a token and build the simple-salesforce client on it."""
        self._build(self.auth.obtain(self._http, self.clock))
        return self

    def _build(self, token: Token) -> None:
        parts = urlsplit(token.instance_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigError(f"instance URL {token.instance_url!r} is not an http(s) URL")
        if parts.scheme == "http":
            if not _is_loopback(parts.hostname):
                raise ConfigError(
                    f"refusing plain HTTP to {parts.hostname}: tokens would travel unencrypted",
                    hint="use the https:// My Domain URL (plain http is only for a local emulator)",
                )
            self._http.trust_env = False  # no proxy or CA override for 127.0.0.1
            self._http.mount(f"https://{parts.netloc}", _LoopbackHttpAdapter(parts.netloc))
        elif _is_loopback(parts.hostname):
            self._http.trust_env = False
        self._token = token
        self._sf = Salesforce(
            instance_url=token.instance_url,
            session_id=token.access_token.reveal(),
            session=self._http,
            version=self.api_version,
        )

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            raise RemoteError("not connected", hint="call connect() first")
        return self._sf

    def _sobject(self, name: str) -> Any:
        """simple-salesforce's ``SFType`` for an object (its attribute access is untyped)."""
        return getattr(self.sf, name)

    @property
    def instance_url(self) -> str:
        """The instance (My Domain) URL the token is valid for."""
        if self._token is None:
            raise RemoteError("not connected")
        return self._token.instance_url

    def _refresh(self) -> None:
        self.refreshes += 1
        self._build(self.auth.obtain(self._http, self.clock))

    # --- accounting ---------------------------------------------------------------------------
    def _on_response(self, resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        path = urlsplit(resp.url).path
        if path.startswith(("/services/data/", "/services/async/", "/services/Soap/")):
            self._calls += 1
        info = resp.headers.get("Sforce-Limit-Info", "")
        match = re.search(r"api-usage=(\d+)/(\d+)", info)
        if match:
            self._used, self._limit = int(match.group(1)), int(match.group(2))
        retry_after = resp.headers.get("Retry-After")
        self._retry_after = None
        if retry_after:
            try:
                self._retry_after = max(0.0, float(retry_after))
            except ValueError:
                self._retry_after = None

    @property
    def usage(self) -> ApiUsage:
        """Org-wide API use (last ``Sforce-Limit-Info``) and this client's call count."""
        return ApiUsage(used=self._used, limit=self._limit, calls=self._calls)

    def _check_budget(self) -> None:
        if self.budget.max_calls is not None and self._calls >= self.budget.max_calls:
            raise BudgetExhausted(
                f"stopped at the API budget: {self._calls} calls (--max-api-calls {self.budget.max_calls})",
                hint="everything fetched so far is kept; rerun the same command (with a higher budget) to resume",
            )
        fraction = self.usage.fraction
        if (
            self.budget.max_fraction is not None
            and fraction is not None
            and fraction >= self.budget.max_fraction
        ):
            raise BudgetExhausted(
                f"stopped: the org has used {self._used}/{self._limit} daily API requests "
                f"(≥ {self.budget.max_fraction:.0%} budget)",
                hint="everything fetched so far is kept; rerun later or raise --api-budget-pct to resume",
            )

    # --- the retry loop -----------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> tuple[T, str]:
        """Run one API call with budget check, backoff and a single token refresh."""
        attempt = 0
        refreshed = False
        while True:
            self._check_budget()
            request_id = uuid.uuid4().hex
            self._http.headers["X-SFDC-REQUEST-ID"] = request_id
            reason: str
            try:
                return fn(), request_id
            except SalesforceExpiredSession:
                if refreshed or not self.auth.can_refresh:
                    raise RemoteError(
                        f"{what}: session expired or invalid (INVALID_SESSION_ID)",
                        hint="get a new token (a session from --session-id-env cannot be refreshed)",
                    ) from None
                refreshed = True
                self._refresh()
                continue
            except SalesforceRefusedRequest as exc:
                code, message = _error(exc)
                if code != "REQUEST_LIMIT_EXCEEDED":
                    raise RemoteError(f"{what}: refused ({code or exc.status}: {message})") from None
                if "TotalRequests" in message:
                    raise BudgetExhausted(
                        f"{what}: the org's daily API limit is exhausted (REQUEST_LIMIT_EXCEEDED)",
                        hint="everything fetched so far is kept; rerun after the 24 h window to resume",
                    ) from None
                reason = "REQUEST_LIMIT_EXCEEDED"
            except SalesforceResourceNotFound as exc:
                code, message = _error(exc)
                raise NotFound(f"{what}: not found ({code or 404}: {message})") from None
            except SalesforceMalformedRequest as exc:
                code, message = _error(exc)
                raise RemoteError(f"{what}: {code or 'bad request'}: {message}") from None
            except SalesforceGeneralError as exc:
                if exc.status < 500 and exc.status != 429:
                    code, message = _error(exc)
                    raise RemoteError(f"{what}: HTTP {exc.status} {code}: {message}") from None
                reason = f"HTTP {exc.status}"
            except SalesforceOperationError as exc:
                raise RemoteError(f"{what}: {str(exc)[:300]}") from None
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                reason = type(exc).__name__
            attempt += 1
            if attempt > self.max_retries:
                raise RemoteError(
                    f"{what}: gave up after {attempt} attempts ({reason})",
                    hint="partial work is kept; rerun the same command to resume",
                )
            self.retries += 1
            delay = (
                self._retry_after if self._retry_after is not None else self.backoff_base * 2 ** (attempt - 1)
            )
            self._sleep(min(delay, self.max_wait))

    # --- reads --------------------------------------------------------------------------------
    def limits(self) -> dict[str, Limit]:
        """``/limits`` (also primes the daily-API figures for the budget guard)."""
        data, _ = self._call("limits", lambda: self.sf.limits())
        out: dict[str, Limit] = {}
        for name, value in dict(data).items():
            if isinstance(value, dict) and "Max" in value and "Remaining" in value:
                out[name] = Limit(name=name, max=int(value["Max"]), remaining=int(value["Remaining"]))
        daily = out.get("DailyApiRequests")
        if daily is not None:
            self._limit = daily.max
            self._used = max(self._used or 0, daily.max - daily.remaining)
        return out

    def query_pages(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> Iterator[QueryPage]:
        """Every page of a SOQL query (``queryAll`` with ``include_deleted``); ``batch_size`` 200–2000."""
        endpoint = "queryAll" if include_deleted else "query"
        options = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        result, rid = self._call(
            endpoint, lambda: self.sf.query(soql, include_deleted=include_deleted, headers=options)
        )
        while True:
            records = tuple(Record.from_api(r) for r in result.get("records", []))
            yield QueryPage(
                records=records, total_size=int(result.get("totalSize", 0)), request_id=rid, endpoint=endpoint
            )
            if result.get("done", True) or not result.get("nextRecordsUrl"):
                return
            next_url = str(result["nextRecordsUrl"])
            result, rid = self._call(
                endpoint,
                lambda url=next_url: self.sf.query_more(url, identifier_is_url=True, headers=options),  # type: ignore[misc]
            )

    def query(self, soql: str, *, include_deleted: bool = False) -> list[Record]:
        """All records of a SOQL query."""
        return [r for page in self.query_pages(soql, include_deleted=include_deleted) for r in page.records]

    def _describe(self, sobject: str) -> list[Mapping[str, Any]]:
        if sobject not in self._describes:
            data, _ = self._call(f"describe {sobject}", lambda: self._sobject(sobject).describe())
            self._describes[sobject] = [f for f in data.get("fields", []) if isinstance(f, Mapping)]
        return self._describes[sobject]

    def describe_fields(self, sobject: str) -> list[tuple[str, str]]:
        """(name, type) of each field of an object, in describe order."""
        return [(str(f["name"]), str(f.get("type", ""))) for f in self._describe(sobject)]

    def reference_fields(self, sobject: str) -> dict[str, list[str]]:
        """Lookup fields of an object → the objects they may point to (``referenceTo``)."""
        return {
            str(f["name"]): [str(t) for t in f.get("referenceTo") or []]
            for f in self._describe(sobject)
            if f.get("referenceTo")
        }

    def create_record(self, sobject: str, fields: Mapping[str, Any]) -> str:
        """``POST sobjects/<Object>`` → the new record's 18-char Id."""
        data, _ = self._call(f"create {sobject}", lambda: self._sobject(sobject).create(dict(fields)))
        new_id = (data or {}).get("id") if isinstance(data, Mapping) else None
        if not new_id:
            raise RemoteError(f"create {sobject}: no id in the response")
        return to18(str(new_id))

    def update_record(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        """``PATCH sobjects/<Object>/<Id>``."""
        self._call(f"update {sobject}", lambda: self._sobject(sobject).update(to18(record_id), dict(fields)))

    def delete_record(self, sobject: str, record_id: str) -> None:
        """``DELETE sobjects/<Object>/<Id>``."""
        self._call(f"delete {sobject}", lambda: self._sobject(sobject).delete(to18(record_id)))

    def sobject_names(self) -> set[str]:
        """Names of the objects this user can see (``describeGlobal``)."""
        data, _ = self._call("describe", lambda: self.sf.describe())
        return {str(s["name"]) for s in (data or {}).get("sobjects", [])}

    def event_log_file_records(self, since: datetime, until: datetime) -> list[Record]:
        """EventLogFile records (hourly and daily) whose period overlaps [since, until)."""
        start = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        fields = (
            "Id, EventType, LogDate, Interval, Sequence, LogFileLength, LogFileFieldNames, "
            "LogFileFieldTypes, ApiVersion, CreatedDate, LogFile"
        )
        where = "WHERE LogDate >= {:literal} AND LogDate < {:literal}"
        args = (soql_datetime(start), soql_datetime(until))
        try:
            return self.query(format_soql(f"SELECT {fields} FROM EventLogFile {where}", *args))
        except RemoteError as exc:
            if "INVALID_FIELD" not in exc.message:
                raise
        # Orgs before API 37.0 have no Interval/Sequence: every file is daily.
        fields = "Id, EventType, LogDate, LogFileLength, LogFileFieldNames, ApiVersion, CreatedDate, LogFile"
        return self.query(format_soql(f"SELECT {fields} FROM EventLogFile {where}", *args))

    def event_log_files(self, since: datetime, until: datetime) -> list[EventLogFileInfo]:
        """Typed EventLogFile records overlapping [since, until), ordered by LogDate, type, Id."""
        infos = [i for i in (elf_info(r) for r in self.event_log_file_records(since, until)) if i is not None]
        return sorted(infos, key=lambda i: (i.log_date, i.event_type, i.id))

    def download_event_log_file(self, elf: EventLogFileInfo, dest: Path) -> Download:
        """Stream one EventLogFile body to ``dest`` (atomic rename); truncated bodies are retried."""
        endpoint = f"sobjects/EventLogFile/{elf.id}/LogFile"

        def fetch() -> tuple[int, str]:
            size, sha = self._stream(self.sf.base_url + endpoint, dest, f"EventLogFile {elf.id}")
            if elf.length and size < elf.length:
                # A gzip body has no usable Content-Length: LogFileLength is the only size to check.
                dest.unlink(missing_ok=True)
                raise requests.exceptions.ChunkedEncodingError(f"got {size} of {elf.length} bytes")
            return size, sha

        (size, sha), rid = self._call(f"download EventLogFile {elf.id}", fetch)
        return Download(path=dest, size=size, sha256=sha, request_id=rid, endpoint="/" + endpoint)

    def _stream(self, url: str, dest: Path, name: str) -> tuple[int, str]:
        tmp = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        headers = {k: v for k, v in self.sf.headers.items() if k.lower() != "content-type"}
        with self._http.get(url, headers=headers, stream=True, timeout=self.timeout) as resp:
            if resp.status_code >= 300:
                exception_handler(resp, name)
            expected = resp.headers.get("Content-Length")
            encoded = resp.headers.get("Content-Encoding")
            digest = hashlib.sha256()
            size = 0
            with tmp.open("wb") as out:
                for chunk in resp.iter_content(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        if expected is not None and not encoded and size != int(expected):
            tmp.unlink(missing_ok=True)
            raise requests.exceptions.ChunkedEncodingError(f"{name}: got {size} of {expected} bytes")
        os.replace(tmp, dest)
        return size, digest.hexdigest()

    def bulk_query(self, sobject: str, soql: str, dest: Path, *, poll: float = 0.5) -> BulkQueryResult:
        """Bulk API 2.0 query into one CSV file (header once). The job is left in place on purpose:
        deleting a job right after it completes is what an attacker hiding an export does."""
        dest.parent.mkdir(parents=True, exist_ok=True)

        def run() -> tuple[int, str]:
            tmp = dest.with_name(dest.name + ".part")
            records = 0
            digest = hashlib.sha256()
            with tmp.open("wb") as out:
                first = True
                for chunk in getattr(self.sf.bulk2, sobject).query(soql, wait=poll):
                    text = str(chunk)
                    if not first:
                        text = text.split("\n", 1)[1] if "\n" in text else ""
                    first = False
                    data = text.encode("utf-8")
                    out.write(data)
                    digest.update(data)
                    records += max(0, text.count("\n") - (1 if records == 0 else 0))
            os.replace(tmp, dest)
            return records, digest.hexdigest()

        (count, sha), rid = self._call(f"bulk query {sobject}", run)
        return BulkQueryResult(job_id=rid, path=dest, records=count, sha256=sha)

    def _retrieve_zip(self, types: Mapping[str, Sequence[str]], poll: float, max_polls: int) -> bytes:
        """Start a Metadata API ``retrieve``, poll until it ends, return the zip's bytes."""
        mdapi = self.sf.mdapi
        unpackaged = {name: list(members) for name, members in types.items()}
        job, state = mdapi.retrieve("retrieve", unpackaged=unpackaged, single_package=True)
        if not job:
            raise RemoteError("metadata retrieve: no job id in the response")
        error = None
        for _ in range(max_polls):
            state, error, _messages = mdapi.check_retrieve_status(job)
            if state in ("Succeeded", "Failed"):
                break
            self._sleep(poll)
        if state != "Succeeded":
            raise RemoteError(f"metadata retrieve {state or 'did not finish'}: {error or ''}".strip())
        _state, _error, _messages, data = mdapi.retrieve_zip(job)
        return bytes(data)

    def metadata_retrieve(
        self, types: Mapping[str, Sequence[str]], dest: Path, *, poll: float = 2.0, max_polls: int = 60
    ) -> Download:
        """Metadata API ``retrieve`` (SOAP) of the given types → the zip at ``dest``."""

        def run() -> tuple[int, str]:
            data = self._retrieve_zip(types, poll, max_polls)
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, dest)
            return len(data), hashlib.sha256(data).hexdigest()

        (size, sha), rid = self._call("metadata retrieve", run)
        return Download(
            path=dest, size=size, sha256=sha, request_id=rid, endpoint=f"/services/Soap/m/{self.api_version}"
        )

    def metadata_read(self, types: Mapping[str, Sequence[str]], *, poll: float = 2.0, max_polls: int = 60) -> dict[str, bytes]:
        """Metadata API ``retrieve`` of named components → ``{zip path: body}`` (no package.xml)."""

        def run() -> dict[str, bytes]:
            data = self._retrieve_zip(types, poll, max_polls)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return {
                    name.removeprefix("unpackaged/"): archive.read(name)
                    for name in archive.namelist()
                    if not name.endswith("/") and name.rsplit("/", 1)[-1] != "package.xml"
                }

        files, _ = self._call("metadata retrieve", run)
        return files

    def metadata_deploy(
        self, types: Mapping[str, Sequence[str]], files: Mapping[str, bytes], *, poll: float = 2.0, max_polls: int = 90
    ) -> dict[str, Any]:
        """Metadata API ``deploy`` (SOAP, zip with package.xml) and ``checkDeployStatus`` until done.

        ``files`` are Metadata API format paths (``profiles/Integration.profile``). Deployed with
        ``rollbackOnError`` (simple-salesforce's production setting); a failed component raises
        RemoteError with Salesforce's problem text. Returns the deploy id and counts.
        """
        members = "".join(
            "<types>" + "".join(f"<members>{escape(m)}</members>" for m in names) + f"<name>{escape(t)}</name></types>"
            for t, names in sorted(types.items())
        )
        package = (
            '<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"{members}<version>{self.api_version}</version></Package>"
        ).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("package.xml", package)
            for path, body in sorted(files.items()):
                archive.writestr(path, body)

        def run() -> dict[str, Any]:
            mdapi = self.sf.mdapi
            job, _state = mdapi.deploy(buffer, sandbox=False)
            if not job:
                raise RemoteError("metadata deploy: no job id in the response")
            status: str | None = None
            detail: Mapping[str, Any] | None = None
            for _ in range(max_polls):
                status, _state_detail, detail, _tests = mdapi.check_deploy_status(job)
                if status in ("Succeeded", "SucceededPartial", "Failed", "Canceled"):
                    break
                self._sleep(poll)
            if status != "Succeeded":
                errors = "; ".join(
                    f"{e.get('file') or e.get('type')}: {e.get('message')}" for e in (detail or {}).get("errors", [])
                )
                raise RemoteError(f"metadata deploy {status or 'did not finish'}: {errors}".strip().rstrip(":"))
            return {"deploy_id": job, "deployed": int((detail or {}).get("deployed_count") or 0)}

        result, _ = self._call("metadata deploy", run)
        return result

    # --- containment (Salesforce reference §4) -------------------------------------------------
    def user_login(self, user_id: str) -> UserLoginState:
        """The UserLogin row of a user (freeze state)."""
        rows = self.query(
            format_soql(
                "SELECT Id, UserId, IsFrozen, IsPasswordLocked FROM UserLogin WHERE UserId = {}",
                to18(user_id),
            )
        )
        if not rows or rows[0].id is None:
            raise NotFound(f"no UserLogin for user {to18(user_id)}")
        r = rows[0]
        return UserLoginState(
            id=to18(r.id or ""),
            user_id=to18(str(r.get("UserId"))),
            is_frozen=bool(r.get("IsFrozen")),
            is_password_locked=bool(r.get("IsPasswordLocked")),
        )

    def _set_frozen(self, user_id: str, frozen: bool) -> UserLoginState:
        login = self.user_login(user_id)
        self._call(
            "freeze user" if frozen else "unfreeze user",
            lambda: self._sobject("UserLogin").update(login.id, {"IsFrozen": frozen}),
        )
        return self.user_login(user_id)

    def freeze_user(self, user_id: str) -> UserLoginState:
        """``PATCH sobjects/UserLogin/{id} {"IsFrozen": true}``: blocks new logins."""
        return self._set_frozen(user_id, True)

    def unfreeze_user(self, user_id: str) -> UserLoginState:
        """``PATCH sobjects/UserLogin/{id} {"IsFrozen": false}``."""
        return self._set_frozen(user_id, False)

    def set_user_active(self, user_id: str, active: bool) -> None:
        """``PATCH sobjects/User/{id} {"IsActive": …}`` (deactivate / reactivate)."""
        self._call(
            "deactivate user" if not active else "activate user",
            lambda: self._sobject("User").update(to18(user_id), {"IsActive": active}),
        )

    def deactivate_user(self, user_id: str) -> None:
        """``PATCH sobjects/User/{id} {"IsActive": false}``; revoke tokens separately."""
        self.set_user_active(user_id, False)

    def auth_sessions(self, user_id: str | None = None) -> list[Record]:
        """Active sessions (``AuthSession``), optionally of one user."""
        soql = (
            "SELECT Id, UsersId, SourceIp, LoginType, SessionType, CreatedDate, LastModifiedDate, "
            "NumSecondsValid, LoginHistoryId FROM AuthSession"
        )
        if user_id:
            soql = format_soql(soql + " WHERE UsersId = {}", to18(user_id))
        return self.query(soql)

    def delete_auth_session(self, session_id: str) -> None:
        """``DELETE sobjects/AuthSession/{id}``: ends that session."""
        self._call("end session", lambda: self._sobject("AuthSession").delete(to18(session_id)))

    def delete_auth_sessions(self, session_ids: Sequence[str]) -> dict[str, bool]:
        """``DELETE composite/sobjects?ids=…&allOrNone=false`` in batches of 200 → id: deleted."""
        results: dict[str, bool] = {}
        ids = [to18(i) for i in session_ids]
        for start in range(0, len(ids), 200):
            batch = ids[start : start + 200]
            data, _ = self._call(
                "end sessions",
                lambda b=batch: self.sf.restful(  # type: ignore[misc]
                    "composite/sobjects", method="DELETE", params={"ids": ",".join(b), "allOrNone": "false"}
                ),
            )
            for item in data or []:
                results[str(item.get("id") or "")] = bool(item.get("success"))
        return results

    def oauth_grants(self, user_id: str | None = None, app_name: str | None = None) -> list[OauthGrant]:
        """``OauthToken`` records (with the ``DeleteToken`` the revoke endpoint takes)."""
        soql = "SELECT Id, UserId, AppName, DeleteToken, LastUsedDate, UseCount FROM OauthToken"
        conditions, args = [], []
        if user_id:
            conditions.append("UserId = {}")
            args.append(to18(user_id))
        if app_name:
            conditions.append("AppName = {}")
            args.append(app_name)
        if conditions:
            soql += " WHERE " + " AND ".join(conditions)
        out = []
        for r in self.query(format_soql(soql, *args)):
            token = r.get("DeleteToken")
            use = r.get("UseCount")
            out.append(
                OauthGrant(
                    id=to18(r.id or ""),
                    user_id=to18(str(r.get("UserId"))) if r.get("UserId") else None,
                    app_name=r.get("AppName"),
                    delete_token=Secret(str(token)) if token else None,
                    last_used=sf_datetime(r.get("LastUsedDate")),
                    use_count=int(use) if use is not None else None,
                )
            )
        return out

    def revoke_token(self, token: Secret) -> None:
        """``POST /services/oauth2/revoke`` (form body ``token=…``; never in the URL).

        Revoking a refresh token (or an OauthToken ``DeleteToken``) also revokes its access tokens.
        """

        def post() -> None:
            resp = self._http.post(
                self.sf.oauth2_url + "revoke",
                data={"token": token.reveal()},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=self.timeout,
            )
            if resp.status_code >= 500:
                exception_handler(resp, "revoke")
            if resp.status_code != 200:
                try:
                    error = str(resp.json().get("error", resp.status_code))
                except (ValueError, AttributeError):
                    error = str(resp.status_code)
                raise RemoteError(f"token revocation refused: {error}")

        self._call("revoke token", post)

    def set_password(self, user_id: str, new_password: Secret) -> None:
        """``POST sobjects/User/{id}/password {"NewPassword": …}`` (400 INVALID_NEW_PASSWORD if the policy refuses it)."""
        self._call(
            "set password",
            lambda: self.sf.restful(
                f"sobjects/User/{to18(user_id)}/password",
                method="POST",
                data=json.dumps({"NewPassword": new_password.reveal()}),
            ),
        )

    def reset_password(self, user_id: str) -> Secret | None:
        """``DELETE sobjects/User/{id}/password``: current password stops working; a reset email is sent.
        Returns the generated password if the org sends one back (masked unless revealed)."""
        data, _ = self._call(
            "reset password",
            lambda: self.sf.restful(f"sobjects/User/{to18(user_id)}/password", method="DELETE"),
        )
        new = (data or {}).get("NewPassword") if isinstance(data, dict) else None
        return Secret(str(new)) if new else None


def elf_info(r: Record) -> EventLogFileInfo | None:
    """An EventLogFile record as :class:`EventLogFileInfo` (None without Id or LogDate)."""
    log_date = sf_datetime(r.get("LogDate"))
    if log_date is None or r.id is None:
        return None
    names = str(r.get("LogFileFieldNames") or "")
    types = str(r.get("LogFileFieldTypes") or "")
    length = r.get("LogFileLength")
    return EventLogFileInfo(
        id=to18(r.id),
        event_type=str(r.get("EventType")),
        log_date=log_date,
        interval=str(r.get("Interval") or "Daily"),
        sequence=int(r.get("Sequence") or 0),
        length=int(float(length)) if length not in (None, "") else None,
        field_names=tuple(n.strip() for n in names.split(",") if n.strip()),
        field_types=tuple(t.strip() for t in types.split(",") if t.strip()),
        api_version=str(r.get("ApiVersion")) if r.get("ApiVersion") is not None else None,
        created_date=sf_datetime(r.get("CreatedDate")),
        log_file_path=str(r.get("LogFile")) if r.get("LogFile") else None,
    )


def window_days(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """Split [since, until) into UTC day slices (units of collection progress)."""
    out = []
    start = since
    while start < until:
        end = min(until, (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0))
        out.append((start, end))
        start = end
    return out
