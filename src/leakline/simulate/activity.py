"""Sessions and the records they leave: Login/Logout ELF rows, LoginHistory, LoginEvent, AuthSession,
and helpers that emit API calls (RestApi / API / ApiTotalUsage ELF rows + ApiEvent storage records).

Generators describe *what* happened (sessions, calls with timestamps); this module writes it in
every place Salesforce would record it, so the sources agree with each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from leakline.core.sfid import to18
from leakline.simulate.elf import EventSink
from leakline.simulate.formats import ms_to_sf, ms_to_sf_many
from leakline.simulate.ids import IdFactory, random_text, session_keys, stream
from leakline.simulate.org import API_VERSION, AppSpec, Org, UserSpec

SESSION_SECONDS = 7200
TLS = ("TLSv1.3", "TLSv1.2")
CIPHERS = ("TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384")


@dataclass
class Sess:
    """One authenticated session (or one failed login attempt when ``status`` is not success)."""

    user: UserSpec
    ip: str
    ua: str
    start: int  # epoch ms of the login
    end: int  # epoch ms of the last activity
    app: AppSpec | None = None
    login_type: str = "Application"
    login_sub_type: str = ""
    uri: str = "/index.jsp"
    status: str = "LOGIN_NO_ERROR"
    history_status: str = "Success"
    session_type: str = "UI"
    scenario: str = ""
    step: str = "login"
    session_key: str = ""
    login_key: str = ""
    login_history_id: str = ""
    auth_session_id: str = ""
    logout: bool = False
    login_request_id: str = ""
    country_iso: str = "US"
    token_id: str = ""
    client: str | None = None  # CLIENT_NAME the caller sends; None = the app's usual client name

    @property
    def client_name(self) -> str:
        """CLIENT_NAME written for this session's API calls."""
        if self.client is not None:
            return self.client
        return self.app.client_name if self.app else ""

    @property
    def ok(self) -> bool:
        """True when the login succeeded (a session exists)."""
        return self.status == "LOGIN_NO_ERROR"


@dataclass
class RecordTag:
    """A storage record attributed to a scenario (malicious)."""

    obj: str
    id: str
    scenario: str
    step: str


class Activity:
    """Accumulates sessions, ELF events and sobject activity records for one org."""

    def __init__(self, org: Org, ids: IdFactory, sink: EventSink, seed: int) -> None:
        self.org = org
        self.ids = ids
        self.sink = sink
        self.rng = stream(seed, "activity")
        self.sessions: list[Sess] = []
        self.records: dict[str, list[dict[str, Any]]] = {
            "LoginHistory": [], "LoginEvent": [], "ApiEvent": [], "ReportEvent": [], "BulkApiResultEventStore": [],
            "SetupAuditTrail": [], "SessionHijackingEventStore": [], "CredentialStuffingEventStore": [],
            "GuestUserAnomalyEventStore": [],
        }
        self.tags: list[RecordTag] = []
        self.host = org.my_domain + ".my.salesforce.com"

    # -- sessions ----------------------------------------------------------------------------------
    def open_sessions(self, sessions: list[Sess]) -> None:
        """Record the logins of ``sessions`` (keys are assigned here)."""
        if not sessions:
            return
        keys = session_keys(self.rng, 2 * len(sessions))
        for i, s in enumerate(sessions):
            if s.ok:
                s.session_key = s.session_key or keys[2 * i]
            s.login_key = s.login_key or keys[2 * i + 1]
            s.login_history_id = self.ids.new("LoginHistory")
        self.sessions.extend(sessions)
        for scenario in sorted({s.scenario for s in sessions}):
            group = [s for s in sessions if s.scenario == scenario]
            self._login_rows(group, scenario)

    def _login_rows(self, group: list[Sess], scenario: str) -> None:
        ts = np.array([s.start for s in group], dtype=np.int64)
        n = len(group)
        run = self.rng.integers(40, 400, n)
        req = self.sink.add("Login", ts, {
            "USER_ID": [s.user.id[:15] for s in group],
            "USER_NAME": [s.user.username for s in group],
            "USER_TYPE": [s.user.elf_user_type for s in group],
            # Token-endpoint logins are served server-side: CLIENT_IP reads "Salesforce.com IP" and the
            # caller's address is in SOURCE_IP (as in real Login files).
            "CLIENT_IP": ["Salesforce.com IP" if s.uri == "/services/oauth2/token" else s.ip for s in group],
            "SOURCE_IP": [s.ip for s in group],
            "URI": [s.uri for s in group],
            "URI_ID_DERIVED": "",
            "BROWSER_TYPE": [s.ua for s in group],
            "API_TYPE": ["" if s.session_type == "UI" else ("P" if s.app and s.app.key == "marketing" else "")
                         for s in group],
            "API_VERSION": [API_VERSION if s.session_type != "UI" else "9998.0" for s in group],
            "LOGIN_STATUS": [s.status for s in group],
            "LOGIN_TYPE": [s.login_type for s in group],
            "LOGIN_SUB_TYPE": [s.login_sub_type for s in group],
            "LOGIN_URL": [self.host if s.login_type != "Application" else "login.salesforce.com" for s in group],
            "LOGIN_KEY": [s.login_key for s in group],
            "SESSION_KEY": [s.session_key for s in group],
            "REQUEST_STATUS": ["S" if s.ok else "F" for s in group],
            "RUN_TIME": run, "CPU_TIME": run // 3, "DB_TOTAL_TIME": run * 91_733,
            "TLS_PROTOCOL": [TLS[i % 2] for i in range(n)], "CIPHER_SUITE": [CIPHERS[i % 2] for i in range(n)],
            "AUTHENTICATION_METHOD_REFERENCE": "", "AUTHENTICATION_SERVICE_ID": "", "FORWARDED_FOR_IP": "",
        }, scenario=scenario, step=group[0].step if scenario else "")
        steps = [s.step for s in group]
        for s, rid, step in zip(group, req, steps, strict=True):
            s.login_request_id = rid
            lh = {
                "Id": s.login_history_id, "UserId": s.user.id, "LoginTime": ms_to_sf(s.start),
                "LoginType": s.login_type, "LoginSubType": s.login_sub_type or None, "SourceIp": s.ip,
                "Status": s.history_status, "Application": s.app.name if s.app else "Browser",
                "Browser": _browser(s.ua), "Platform": _platform(s.ua),
                "ApiType": "SOAP Partner" if s.app and s.app.key == "marketing" else None,
                "ApiVersion": API_VERSION if s.session_type != "UI" else None, "ClientVersion": None,
                "LoginUrl": self.host if s.login_type != "Application" else "login.salesforce.com",
                "AuthenticationServiceId": None, "AuthMethodReference": None,
                "CipherSuite": CIPHERS[0], "TlsProtocol": TLS[0], "CountryIso": s.country_iso,
                "LoginGeoId": None, "ForwardedForIp": None, "NetworkId": None, "OptionsIsGet": False,
                "OptionsIsPost": True,
            }
            self.records["LoginHistory"].append(lh)
            le_id = self.ids.new("LoginEvent")
            self.records["LoginEvent"].append({
                "Id": le_id, "EventDate": ms_to_sf(s.start), "EventIdentifier": _uuid(self.rng),
                "UserId": s.user.id, "Username": s.user.username, "SourceIp": s.ip,
                "SessionKey": s.session_key or None, "LoginKey": s.login_key, "SessionLevel": "STANDARD",
                "Status": s.history_status, "LoginType": s.login_type, "LoginSubType": s.login_sub_type or None,
                "LoginUrl": lh["LoginUrl"], "Application": lh["Application"], "Browser": lh["Browser"],
                "Platform": lh["Platform"], "UserType": s.user.user_type, "CountryIso": s.country_iso,
                "LoginHistoryId": s.login_history_id, "CreatedDate": ms_to_sf(s.start),
            })
            if scenario:
                self.tags.append(RecordTag("LoginHistory", s.login_history_id, scenario, step))
                self.tags.append(RecordTag("LoginEvent", le_id, scenario, step))

    def close_sessions(self, sessions: list[Sess]) -> None:
        """Logout rows for sessions that ended with an explicit UI logout."""
        group = [s for s in sessions if s.logout and s.ok]
        if not group:
            return
        for scenario in sorted({s.scenario for s in group}):
            part = [s for s in group if s.scenario == scenario]
            self.sink.add("Logout", np.array([s.end + 1500 for s in part], dtype=np.int64), {
                "USER_ID": [s.user.id[:15] for s in part], "USER_TYPE": [s.user.elf_user_type for s in part],
                "CLIENT_IP": [s.ip for s in part], "BROWSER_TYPE": [s.ua for s in part],
                "SESSION_KEY": [s.session_key for s in part], "LOGIN_KEY": [s.login_key for s in part],
                "API_TYPE": "", "API_VERSION": "9998.0", "APP_TYPE": "1000", "CLIENT_VERSION": "",
                "PLATFORM_TYPE": "1015", "RESOLUTION_TYPE": "", "SESSION_LEVEL": "1", "SESSION_TYPE": "A",
                "USER_INITIATED_LOGOUT": "1",
            }, scenario=scenario, step="logout" if scenario else "")

    # -- API calls ---------------------------------------------------------------------------------
    def rest(self, sess: list[Sess], idx: np.ndarray, ts: np.ndarray, *, method: Any, uri: Any, entity: Any,
             rows: Any, status: Any = 200, media: Any = "application/json;charset=UTF-8", fields: Any = 0,
             response_size: Any = None, queries: list[str] | None = None, records: list[list[str]] | None = None,
             scenario: str = "", step: str = "", api_family: str = "REST") -> list[str]:
        """Emit REST calls: RestApi + ApiTotalUsage rows, and ApiEvent records where ``queries`` is set."""
        n = len(ts)
        if n == 0:
            return []
        user15 = _pick(sess, idx, lambda s: s.user.id[:15])
        rows_arr = np.broadcast_to(np.asarray(rows), (n,)).astype(np.int64)
        if response_size is None:
            response_size = rows_arr * 410 + self.rng.integers(600, 2400, n)
        run = self.rng.integers(12, 300, n) + rows_arr // 40
        app_id15 = _pick(sess, idx, lambda s: s.app.id[:15] if s.app else "")
        client = _pick(sess, idx, lambda s: s.client_name)
        req = self.sink.add("RestApi", ts, {
            "USER_ID": user15, "USER_TYPE": _pick(sess, idx, lambda s: s.user.elf_user_type),
            "CLIENT_IP": _pick(sess, idx, lambda s: s.ip), "USER_AGENT": _pick(sess, idx, lambda s: s.ua),
            "SESSION_KEY": _pick(sess, idx, lambda s: s.session_key),
            "LOGIN_KEY": _pick(sess, idx, lambda s: s.login_key), "CONNECTED_APP_ID": app_id15,
            "CLIENT_NAME": client, "METHOD": method, "URI": uri, "ENTITY_NAME": entity, "ROWS_PROCESSED": rows_arr,
            "STATUS_CODE": status, "REQUEST_STATUS": "S", "MEDIA_TYPE": media, "NUMBER_FIELDS": fields,
            "RESPONSE_SIZE": np.asarray(response_size), "REQUEST_SIZE": 0, "RUN_TIME": run, "CPU_TIME": run // 4,
            "DB_TOTAL_TIME": run * 57_311, "DB_BLOCKS": rows_arr // 10 + 3, "DB_CPU_TIME": run // 6,
            "EXCEPTION_MESSAGE": "", "URI_ID_DERIVED": "",
        }, scenario=scenario, step=step)
        self._total_usage(sess, idx, ts, api_family, uri, method, entity, status, scenario, step)
        if queries is not None:
            self.api_events(sess, idx, ts, queries, rows_arr, req, "REST", records, scenario, step)
        return req

    def _total_usage(self, sess: list[Sess], idx: np.ndarray, ts: np.ndarray, family: str, uri: Any, method: Any,
                     entity: Any, status: Any, scenario: str, step: str) -> None:
        n = len(ts)
        uri_arr = np.broadcast_to(np.asarray(uri, dtype=object), (n,))
        resource = [u.split("/services/data", 1)[-1].split("?")[0] if isinstance(u, str) else "" for u in uri_arr]
        self.sink.add("ApiTotalUsage", ts + 1, {
            "USER_ID": _pick(sess, idx, lambda s: s.user.id[:15]),
            "USER_NAME": _pick(sess, idx, lambda s: s.user.username),
            "CLIENT_IP": _pick(sess, idx, lambda s: s.ip),
            "CLIENT_NAME": _pick(sess, idx, lambda s: s.client_name),
            "CONNECTED_APP_ID": _pick(sess, idx, lambda s: s.app.id[:15] if s.app else ""),
            "CONNECTED_APP_NAME": _pick(sess, idx, lambda s: s.app.name if s.app else ""),
            "API_FAMILY": family, "API_RESOURCE": resource, "API_VERSION": API_VERSION,
            "COUNTS_AGAINST_API_LIMIT": "1", "ENTITY_NAME": entity, "HTTP_METHOD": method, "STATUS_CODE": status,
        }, scenario=scenario, step=step)

    def soap(self, sess: list[Sess], idx: np.ndarray, ts: np.ndarray, *, method: Any, entity: Any, rows: Any,
             queries: list[str], scenario: str = "", step: str = "") -> list[str]:
        """Emit SOAP API calls (API ELF rows, ApiTotalUsage, ApiEvent for queries)."""
        n = len(ts)
        rows_arr = np.broadcast_to(np.asarray(rows), (n,)).astype(np.int64)
        run = self.rng.integers(20, 500, n) + rows_arr // 30
        method_arr = np.broadcast_to(np.asarray(method, dtype=object), (n,))
        req = self.sink.add("API", ts, {
            "USER_ID": _pick(sess, idx, lambda s: s.user.id[:15]),
            "USER_TYPE": _pick(sess, idx, lambda s: s.user.elf_user_type),
            "CLIENT_IP": _pick(sess, idx, lambda s: s.ip),
            "SESSION_KEY": _pick(sess, idx, lambda s: s.session_key),
            "LOGIN_KEY": _pick(sess, idx, lambda s: s.login_key),
            "CLIENT_NAME": _pick(sess, idx, lambda s: s.client_name),
            "API_TYPE": "P", "API_VERSION": API_VERSION, "METHOD_NAME": method, "ENTITY_NAME": entity,
            "ROWS_PROCESSED": rows_arr, "QUERY": queries, "REQUEST_STATUS": "S", "URI": "/services/Soap/u/62.0",
            "REQUEST_SIZE": self.rng.integers(300, 1600, n), "RESPONSE_SIZE": rows_arr * 520 + 900, "RUN_TIME": run,
            "CPU_TIME": run // 4, "DB_TOTAL_TIME": run * 61_877, "DB_BLOCKS": rows_arr // 8 + 2,
            "DB_CPU_TIME": run // 7, "EXCEPTION_MESSAGE": "", "URI_ID_DERIVED": "",
        }, scenario=scenario, step=step)
        self._total_usage(sess, idx, ts, "SOAP", "/services/Soap/u/62.0", "POST", entity, 200, scenario, step)
        is_query = np.array([m in ("query", "queryMore", "queryAll") for m in method_arr.tolist()])
        q_idx = np.flatnonzero(is_query)
        if len(q_idx):
            self.api_events(sess, idx[q_idx], ts[q_idx], [queries[i] for i in q_idx.tolist()], rows_arr[q_idx],
                            [req[i] for i in q_idx.tolist()], "SOAP Partner", None, scenario, step)
        return req

    def api_events(self, sess: list[Sess], idx: np.ndarray, ts: np.ndarray, queries: list[str], rows: np.ndarray,
                   req: list[str], api_type: str, records: list[list[str]] | None, scenario: str, step: str) -> None:
        """ApiEvent storage records for query calls (``Query`` holds the SOQL text)."""
        n = len(ts)
        new_ids = [self.ids.new("ApiEvent") for _ in range(n)]
        dates = ms_to_sf_many(ts)
        uuids = [_uuid(self.rng) for _ in range(n)]
        for i in range(n):
            s = sess[int(idx[i])]
            q = queries[i]
            rec_ids = records[i] if records is not None else []
            self.records["ApiEvent"].append({
                "Id": new_ids[i], "EventDate": dates[i], "EventIdentifier": uuids[i], "UserId": s.user.id,
                "Username": s.user.username, "SourceIp": s.ip, "SessionKey": s.session_key,
                "LoginKey": s.login_key, "SessionLevel": "STANDARD", "Operation": "Query", "ApiType": api_type,
                "ApiVersion": float(API_VERSION), "Application": s.app.name if s.app else None,
                "Client": s.client_name or None,
                "ConnectedAppId": s.app.id[:15] if s.app else None, "UserAgent": s.ua,
                "Query": q, "QueriedEntities": _entity_of(q), "RowsProcessed": int(rows[i]),
                "RowsReturned": int(rows[i]), "Records": json.dumps({"totalSize": int(rows[i]),
                                                                      "records": rec_ids[:200]}),
                "ElapsedTime": int(20 + rows[i] // 50), "LoginHistoryId": s.login_history_id, "Platform": "Unknown",
                "RequestIdentifier": req[i], "PolicyOutcome": None, "CreatedDate": dates[i],
            })
            if scenario:
                self.tags.append(RecordTag("ApiEvent", new_ids[i], scenario, step))

    def audit(self, ts: int, user: UserSpec, action: str, section: str, display: str, scenario: str = "",
              step: str = "") -> None:
        """One SetupAuditTrail record."""
        rid = self.ids.new("SetupAuditTrail")
        self.records["SetupAuditTrail"].append({
            "Id": rid, "Action": action, "Section": section, "Display": display, "CreatedDate": ms_to_sf(ts),
            "CreatedById": user.id, "CreatedByContext": None, "CreatedByIssuer": None, "DelegateUser": None,
            "ResponsibleNamespacePrefix": None,
        })
        if scenario:
            self.tags.append(RecordTag("SetupAuditTrail", rid, scenario, step))


def _pick(sess: list[Sess], idx: np.ndarray, attr: Any) -> np.ndarray:
    uniq, inv = np.unique(np.asarray(idx, dtype=np.int64), return_inverse=True)
    values = np.array([attr(sess[int(i)]) for i in uniq.tolist()] + [None], dtype=object)[:-1]
    return values[inv]


def _uuid(rng: np.random.Generator) -> str:
    h = random_text(rng, 1, 32, np.frombuffer(b"0123456789abcdef", dtype=np.uint8))[0]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _entity_of(query: str) -> str:
    words = query.split()
    for i, w in enumerate(words):
        if w.upper() == "FROM" and i + 1 < len(words):
            return words[i + 1].strip(")")
    return ""


def _browser(ua: str) -> str:
    if "Edg/" in ua:
        return "Edge 133"
    if "Chrome/" in ua:
        return "Chrome 133"
    if "Firefox/" in ua:
        return "Firefox 135"
    if "Safari/" in ua and "Version/" in ua:
        return "Safari 18"
    return "Unknown"


def _platform(ua: str) -> str:
    if "Windows" in ua:
        return "Windows 10"
    if "Mac OS X" in ua:
        return "Mac OSX"
    if "Linux" in ua:
        return "Linux"
    return "Unknown"


def user18(user15: str) -> str:
    """18-char form (helper for scenario code)."""
    return to18(user15)


__all__ = ["SESSION_SECONDS", "Activity", "RecordTag", "Sess"]
