"""Benign activity over the window: employees in their working hours, integrations on their
schedules, quieter weekends, and benign look-alikes of attacks (controlled by ``noise``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leakline.simulate.activity import Activity, RecordTag, Sess
from leakline.simulate.crm import Crm
from leakline.simulate.formats import ms_to_sf, to_ms
from leakline.simulate.ids import stream
from leakline.simulate.org import OFFICE_EGRESS, Org, UserSpec, _ip

HOUR = 3_600_000
DAY = 24 * HOUR
V = "/services/data/v62.0"

# Relative chat volume per UTC hour (customers in the Americas and Europe).
CHAT_CURVE = np.array([0.35, 0.3, 0.25, 0.2, 0.2, 0.25, 0.35, 0.5, 0.7, 0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95,
                       0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4])
SCALE = {"small": 1.0, "medium": 40.0, "large": 120.0}


@dataclass
class Lookalike:
    """A benign event group that resembles an attack."""

    description: str
    user_id: str
    request_ids: list[str] = field(default_factory=list)


@dataclass
class Baseline:
    """What the baseline produced that scenarios and ground truth need."""

    lookalikes: list[Lookalike] = field(default_factory=list)
    chat_sessions: list[Sess] = field(default_factory=list)


def _day_starts(org: Org) -> list[int]:
    start = to_ms(org.start)
    return [start + d * DAY for d in range((to_ms(org.end) - start) // DAY)]


def _weekday(ms: int) -> int:
    return int((ms // DAY + 3) % 7)  # 1970-01-01 was a Thursday; Monday = 0


def generate(act: Activity, crm: Crm, size: str, noise: float, seed: int) -> Baseline:
    """Emit the whole benign baseline into ``act``."""
    out = Baseline()
    rng = stream(seed, "baseline")
    _humans(act, crm, rng, noise)
    out.chat_sessions = _chat(act, crm, rng, SCALE[size])
    _marketing(act, crm, rng, SCALE[size])
    _erp(act, crm, rng)
    _warehouse(act, crm, rng, out, noise)
    if noise > 0:
        for k in range(max(1, round(noise))):
            _admin_export(act, crm, rng, out, k)
            _cli_counts(act, rng, out, k)
            _late_report(act, rng, out, k)
        _travel(act, rng, out, max(1, round(2 * noise)))
    _audit_trail(act, rng)
    _site(act, rng, SCALE[size])
    return out


# -- employees -----------------------------------------------------------------------------------
def _humans(act: Activity, crm: Crm, rng: np.random.Generator, noise: float) -> None:
    org = act.org
    sessions: list[Sess] = []
    window_end = to_ms(org.end) - 60_000
    for day in _day_starts(org):
        weekend = _weekday(day) >= 5
        for user in org.humans():
            if rng.random() > (0.06 if weekend else 0.9):
                continue
            n_sess = 1 + int(rng.poisson(0.6))
            begin_local = 7.5 + rng.random() * 2.5
            for k in range(n_sess):
                start_h = begin_local + k * (8.0 / n_sess) + rng.random() * 0.5
                dur_h = 0.4 + rng.random() * 3.0
                start = day + int((start_h - user.utc_offset) * HOUR) + int(rng.integers(0, 60_000))
                end = min(start + int(dur_h * HOUR), window_end)
                if start > window_end - 600_000:
                    continue  # a late-evening session of the last day would fall after the window
                office = user.tz in OFFICE_EGRESS and rng.random() < 0.6
                ip = _ip(rng, OFFICE_EGRESS[user.tz]) if office else user.home_ip
                if rng.random() < 0.03 * max(noise, 0.2):
                    sessions.append(Sess(user, ip, user.ua, start - 40_000, start - 40_000,
                                         status="LOGIN_ERROR_INVALID_PASSWORD", history_status="Invalid Password",
                                         country_iso=_country(user)))
                sessions.append(Sess(user, ip, user.ua, start, end, logout=rng.random() < 0.35,
                                     country_iso=_country(user)))
    act.open_sessions(sessions)
    ui = [s for s in sessions if s.ok]
    act.close_sessions(ui)
    _ui_content(act, crm, ui, rng)


def _country(user: UserSpec) -> str:
    return {"Europe/London": "GB", "Europe/Berlin": "DE", "Asia/Kolkata": "IN"}.get(user.tz, "US")


def _spread(rng: np.random.Generator, sessions: list[Sess], counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.repeat(np.arange(len(sessions)), counts)
    start = np.array([s.start for s in sessions], dtype=np.int64)
    length = np.array([max(s.end - s.start, 1000) for s in sessions], dtype=np.int64)
    ts = start[idx] + (rng.random(len(idx)) * length[idx]).astype(np.int64) + 500
    return idx, ts


_PAGES = (("Account", "001"), ("Contact", "003"), ("Case", "500"), ("Opportunity", "006"), ("Lead", "00Q"))


def _ui_content(act: Activity, crm: Crm, ui: list[Sess], rng: np.random.Generator) -> None:
    if not ui:
        return
    org = act.org
    pools = {obj: np.array([i[:15] for i in crm.ids(obj)] or [""], dtype=object) for obj, _ in _PAGES}
    # Lightning page views.
    idx, ts = _spread(rng, ui, rng.poisson(12, len(ui)))
    n = len(ts)
    obj_pick = rng.integers(0, len(_PAGES), n)
    objs = np.array([p[0] for p in _PAGES], dtype=object)[obj_pick]
    ent = np.empty(n, dtype=object)
    for k, (obj, _) in enumerate(_PAGES):
        mask = obj_pick == k
        ent[mask] = pools[obj][rng.integers(0, len(pools[obj]), int(mask.sum()))]
    urls = np.array([f"/lightning/r/{o}/{e}/view" for o, e in zip(objs.tolist(), ent.tolist(), strict=True)],
                    dtype=object)
    user15 = np.array([ui[i].user.id[:15] for i in idx.tolist()], dtype=object)
    act.sink.add("LightningPageView", ts, {
        "USER_ID": user15, "USER_TYPE": "S", "CLIENT_IP": np.array([ui[i].ip for i in idx.tolist()], dtype=object),
        "SESSION_KEY": np.array([ui[i].session_key for i in idx.tolist()], dtype=object),
        "LOGIN_KEY": np.array([ui[i].login_key for i in idx.tolist()], dtype=object),
        "USER_AGENT": np.array([ui[i].ua for i in idx.tolist()], dtype=object),
        "APP_NAME": "LightningSales", "PAGE_APP_NAME": "LightningSales", "PAGE_CONTEXT": "force:record",
        "PAGE_ENTITY_TYPE": objs, "PAGE_ENTITY_ID": ent, "PAGE_URL": urls, "PAGE_START_TIME": ts,
        "DURATION": rng.integers(300, 9000, n), "EFFECTIVE_PAGE_TIME": rng.integers(250, 4000, n),
        "BROWSER_NAME": "CHROME", "BROWSER_VERSION": "133", "OS_NAME": "WINDOWS", "OS_VERSION": "10",
        "DEVICE_PLATFORM": "SFX:BROWSER:DESKTOP", "CONNECTION_TYPE": "", "UI_EVENT_SOURCE": "",
    })
    # Classic URI rows (setup pages, report pages, record pages opened from old links).
    idx, ts = _spread(rng, ui, rng.poisson(4, len(ui)))
    n = len(ts)
    acc = pools["Account"][rng.integers(0, len(pools["Account"]), n)]
    pick = rng.integers(0, 4, n)
    uri = np.where(pick == 0, "/home/home.jsp", np.where(pick == 1, "/00O/o", np.where(pick == 2, "/" + acc,
                                                                                         "/_ui/core/chatter/ui/ChatterPage")))
    act.sink.add("URI", ts, {
        "USER_ID": np.array([ui[i].user.id[:15] for i in idx.tolist()], dtype=object), "USER_TYPE": "S",
        "CLIENT_IP": np.array([ui[i].ip for i in idx.tolist()], dtype=object),
        "SESSION_KEY": np.array([ui[i].session_key for i in idx.tolist()], dtype=object),
        "LOGIN_KEY": np.array([ui[i].login_key for i in idx.tolist()], dtype=object),
        "URI": uri.astype(object), "REFERRER_URI": "/home/home.jsp", "REQUEST_STATUS": "S",
        "RUN_TIME": rng.integers(30, 900, n), "CPU_TIME": rng.integers(5, 200, n),
        "DB_TOTAL_TIME": rng.integers(1_000_000, 90_000_000, n), "DB_BLOCKS": rng.integers(0, 400, n),
        "DB_CPU_TIME": rng.integers(0, 120, n), "URI_ID_DERIVED": "",
    })
    # Reports: users with RunReports, a few runs per session; some exports by users allowed to.
    reporters = [i for i, s in enumerate(ui) if "RunReports" in org.perms_of(s.user)]
    if reporters:
        sub = [ui[i] for i in reporters]
        _reports(act, sub, rng.poisson(0.7, len(sub)), rng, scenario="", step="")
        exporters = [s for s in sub if "ExportReport" in org.perms_of(s.user)]
        _report_exports(act, exporters, (rng.random(len(exporters)) < 0.08).astype(np.int64), rng, "", "",
                        big=False)


def _reports(act: Activity, sess: list[Sess], counts: np.ndarray, rng: np.random.Generator, *, scenario: str,
             step: str, rows: np.ndarray | None = None, report_idx: np.ndarray | None = None) -> list[str]:
    idx, ts = _spread(rng, sess, counts)
    n = len(ts)
    if n == 0:
        return []
    reports = act.org.reports
    pick = report_idx if report_idx is not None else rng.integers(0, len(reports), n)
    row_count = rows if rows is not None else rng.integers(5, 900, n)
    rids = np.array([reports[int(p)][0][:15] for p in pick.tolist()], dtype=object)
    req = act.sink.add("Report", ts, {
        "USER_ID": np.array([sess[i].user.id[:15] for i in idx.tolist()], dtype=object), "USER_TYPE": "S",
        "CLIENT_IP": np.array([sess[i].ip for i in idx.tolist()], dtype=object),
        "SESSION_KEY": np.array([sess[i].session_key for i in idx.tolist()], dtype=object),
        "LOGIN_KEY": np.array([sess[i].login_key for i in idx.tolist()], dtype=object),
        "REPORT_ID": rids, "ENTITY_NAME": np.array([reports[int(p)][2] for p in pick.tolist()], dtype=object),
        "ROW_COUNT": row_count, "AVERAGE_ROW_SIZE": rng.integers(80, 400, n), "NUMBER_COLUMNS": rng.integers(4, 14, n),
        "DISPLAY_TYPE": "D", "RENDERING_TYPE": "W", "ORIGIN": "ReportExecutionBrowser", "REQUEST_STATUS": "S",
        "NUMBER_BUCKETS": 0, "NUMBER_EXCEPTION_FILTERS": 0, "UI_NUMBER_COLUMNS": 0, "SORT": "",
        "URI": np.array([f"/{r}" for r in rids.tolist()], dtype=object), "URI_ID_DERIVED": "",
        "RUN_TIME": rng.integers(200, 9000, n), "CPU_TIME": rng.integers(50, 2000, n),
        "DB_TOTAL_TIME": rng.integers(10**7, 10**9, n), "DB_BLOCKS": rng.integers(10, 9000, n),
        "DB_CPU_TIME": rng.integers(10, 900, n),
    }, scenario=scenario, step=step)
    for i in range(n):
        s = sess[int(idx[i])]
        rep = reports[int(pick[i])]
        rec_id = act.ids.new("ReportEvent")
        act.records["ReportEvent"].append({
            "Id": rec_id, "EventDate": _sf(int(ts[i])), "EventIdentifier": rec_id, "UserId": s.user.id,
            "Username": s.user.username, "SourceIp": s.ip, "SessionKey": s.session_key, "LoginKey": s.login_key,
            "SessionLevel": "STANDARD", "ReportId": rep[0], "Name": rep[1], "QueriedEntities": rep[2],
            "RowsProcessed": int(row_count[i]), "Operation": "ReportRunFromLightning", "Format": "Tabular",
            "ExportFileFormat": None, "IsScheduled": False, "Sequence": 0, "CreatedDate": _sf(int(ts[i])),
        })
        if scenario:
            act.tags.append(_tag("ReportEvent", rec_id, scenario, step))
    return req


def _report_exports(act: Activity, sess: list[Sess], counts: np.ndarray, rng: np.random.Generator, scenario: str,
                    step: str, big: bool, report_idx: np.ndarray | None = None) -> list[str]:
    idx, ts = _spread(rng, sess, counts)
    n = len(ts)
    if n == 0:
        return []
    reports = act.org.reports
    pick = report_idx if report_idx is not None else rng.integers(0, len(reports), n)
    rids = [reports[int(p)][0][:15] for p in pick.tolist()]
    req = act.sink.add("ReportExport", ts, {
        "USER_ID": np.array([sess[i].user.id[:15] for i in idx.tolist()], dtype=object),
        "CLIENT_IP": np.array([sess[i].ip for i in idx.tolist()], dtype=object),
        "SESSION_KEY": np.array([sess[i].session_key for i in idx.tolist()], dtype=object),
        "LOGIN_KEY": np.array([sess[i].login_key for i in idx.tolist()], dtype=object),
        "CLIENT_INFO": "Mozilla/5.0", "REPORT_DESCRIPTION": [reports[int(p)][1] for p in pick.tolist()],
        "URI": [f"/{r}?export=1&enc=UTF-8&xf=csv" for r in rids], "URI_ID_DERIVED": "",
        "RUN_TIME": rng.integers(800, 30000 if big else 5000, n), "CPU_TIME": rng.integers(200, 4000, n),
    }, scenario=scenario, step=step)
    return req


# -- integrations --------------------------------------------------------------------------------
def _integration_sessions(act: Activity, app_key: str, starts: list[int], length: int, rng: np.random.Generator,
                          sub_type: str = "OauthRefreshToken") -> list[Sess]:
    org = act.org
    app = org.apps[app_key]
    user = org.app_user(app_key)
    token = org.token_for(user.key, app_key)
    sessions = [Sess(user, _ip(rng, app.egress[int(rng.integers(0, len(app.egress)))]), app.user_agent, st,
                     st + length, app=app, login_type="Remote Access 2.0", login_sub_type=sub_type,
                     uri="/services/oauth2/token", session_type="Oauth2", token_id=token.id)
                for st in starts]
    act.open_sessions(sessions)
    return sessions


def _chat(act: Activity, crm: Crm, rng: np.random.Generator, scale: float) -> list[Sess]:
    org = act.org
    starts = [d + h * HOUR + int(rng.integers(0, 120_000)) for d in _day_starts(org) for h in range(0, 24, 2)]
    sessions = _integration_sessions(act, "chat", starts, 2 * HOUR - 180_000, rng)
    per_hour = 55.0 * scale
    counts = []
    for s in sessions:
        hour = int((s.start // HOUR) % 24)
        weekend = _weekday(s.start) >= 5
        rate = per_hour * (CHAT_CURVE[hour] + CHAT_CURVE[(hour + 1) % 24]) * (0.6 if weekend else 1.0)
        counts.append(int(rng.poisson(rate)))
    idx, ts = _spread(rng, sessions, np.array(counts))
    n = len(ts)
    kind = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
    contacts = crm.records["Contact"]
    cases = crm.ids("Case")
    con_pick = rng.integers(0, len(contacts), n)
    case_pick = rng.integers(0, len(cases), n)
    method = np.array(["GET", "GET", "POST", "PATCH"], dtype=object)[kind]
    uri = np.empty(n, dtype=object)
    entity = np.empty(n, dtype=object)
    rows = np.zeros(n, dtype=np.int64)
    q_pos = np.flatnonzero(kind == 0)
    uri[q_pos] = f"{V}/query"
    entity[q_pos] = "Contact"
    found = rng.random(len(q_pos)) < 0.7
    rows[q_pos] = found.astype(np.int64)
    g = np.flatnonzero(kind == 1)
    uri[g] = [f"{V}/sobjects/Contact/{contacts[int(c)]['Id']}" for c in con_pick[g].tolist()]
    entity[g] = "Contact"
    rows[g] = 1
    p = np.flatnonzero(kind == 2)
    uri[p] = f"{V}/sobjects/Case"
    entity[p] = "Case"
    rows[p] = 1
    u = np.flatnonzero(kind == 3)
    uri[u] = [f"{V}/sobjects/Case/{cases[int(c)]}" for c in case_pick[u].tolist()]
    entity[u] = "Case"
    rows[u] = 1
    status = np.where(kind == 2, 201, np.where(kind == 3, 204, 200))
    # Only query() calls reach ApiEvent; emit those with their SOQL text, the rest without.
    q_mask = kind == 0
    queries = [
        "SELECT Id, FirstName, LastName, Email, Phone, AccountId FROM Contact WHERE Email = '"
        + contacts[int(c)]["Email"] + "' LIMIT 1" for c in con_pick[q_pos].tolist()]
    recs = [[contacts[int(c)]["Id"]] if f else [] for c, f in zip(con_pick[q_pos].tolist(), found.tolist(),
                                                                 strict=True)]
    act.rest(sessions, idx[q_mask], ts[q_mask], method="GET", uri=uri[q_mask], entity="Contact", rows=rows[q_mask],
             fields=6, queries=queries, records=recs)
    other = ~q_mask
    act.rest(sessions, idx[other], ts[other], method=method[other], uri=uri[other], entity=entity[other],
             rows=rows[other], status=status[other], fields=np.where(kind[other] == 1, 6, 7))
    return sessions


def _marketing(act: Activity, crm: Crm, rng: np.random.Generator, scale: float) -> None:
    org = act.org
    starts = [d + h * HOUR + 300_000 + int(rng.integers(0, 60_000)) for d in _day_starts(org) for h in range(24)]
    sessions = _integration_sessions(act, "marketing", starts, 240_000, rng)
    counts = rng.poisson(4 + scale * 0.6, len(sessions))
    idx, ts = _spread(rng, sessions, counts)
    n = len(ts)
    kind = rng.choice(3, size=n, p=[0.45, 0.35, 0.2])
    method = np.array(["query", "query", "update"], dtype=object)[kind]
    entity = np.array(["Lead", "Contact", "Lead"], dtype=object)[kind]
    rows = np.where(kind == 2, rng.integers(1, 50, n), rng.integers(0, int(40 * scale) + 20, n))
    since = [_sf(int(t) - HOUR)[:19] + "Z" for t in ts.tolist()]
    queries = [
        ("SELECT Id, FirstName, LastName, Email, Company, Status, LeadSource FROM Lead WHERE LastModifiedDate > "
         if k == 0 else
         "SELECT Id, FirstName, LastName, Email, HasOptedOutOfEmail FROM Contact WHERE LastModifiedDate > "
         if k == 1 else "") + (since[i] if k < 2 else "")
        for i, k in enumerate(kind.tolist())]
    act.soap(sessions, idx, ts, method=method, entity=entity, rows=rows, queries=queries)


def _erp(act: Activity, crm: Crm, rng: np.random.Generator) -> None:
    org = act.org
    starts = [d + 2 * HOUR + int(rng.integers(0, 300_000)) for d in _day_starts(org)]
    sessions = _integration_sessions(act, "erp", starts, 40 * 60_000, rng)
    n_s = len(sessions)
    idx = np.repeat(np.arange(n_s), 3)
    ts = np.array([s.start + 20_000 + k * 60_000 for s in sessions for k in range(3)], dtype=np.int64)
    queries = ["SELECT Id, Name, Vendor_Number__c, Status__c FROM Vendor__c WHERE LastModifiedDate = YESTERDAY",
               "SELECT Id, OrderNumber, Status, TotalAmount, AccountId FROM Order WHERE Status = 'Activated' "
               "AND LastModifiedDate = YESTERDAY",
               "SELECT Id, Name, BillingCountry FROM Account WHERE LastModifiedDate = YESTERDAY"] * n_s
    rows = rng.integers(0, 60, len(ts))
    act.rest(sessions, idx, ts, method="GET", uri=f"{V}/query", entity=np.array(
        ["Vendor__c", "Order", "Account"] * n_s, dtype=object), rows=rows, queries=queries)
    # Bulk 1.0 upserts of vendors and order statuses.
    job_ts: list[int] = []
    cols: dict[str, list[object]] = {k: [] for k in ("USER_ID", "CLIENT_IP", "SESSION_KEY", "LOGIN_KEY", "JOB_ID", "BATCH_ID",
                                        "ENTITY_TYPE", "OPERATION_TYPE", "ROWS_PROCESSED", "NUMBER_FAILURES",
                                        "SUCCESS", "MESSAGE", "RUN_TIME", "CPU_TIME")}
    for s in sessions:
        for k, (entity, hi) in enumerate((("Vendor__c", 40), ("Order", 900))):
            job = act.ids.new15("BulkJob")
            for b in range(2):
                job_ts.append(s.start + 5 * 60_000 + k * 600_000 + b * 45_000)
                rp = int(rng.integers(1, hi))
                for key, val in (("USER_ID", s.user.id[:15]), ("CLIENT_IP", s.ip), ("SESSION_KEY", s.session_key),
                                 ("LOGIN_KEY", s.login_key), ("JOB_ID", job), ("BATCH_ID", act.ids.new15("BulkBatch")),
                                 ("ENTITY_TYPE", entity), ("OPERATION_TYPE", "upsert"), ("ROWS_PROCESSED", rp),
                                 ("NUMBER_FAILURES", 0), ("SUCCESS", "1"), ("MESSAGE", ""),
                                 ("RUN_TIME", int(rng.integers(500, 9000))), ("CPU_TIME", int(rng.integers(100, 3000)))):
                    cols[key].append(val)
    act.sink.add("BulkApi", np.array(job_ts, dtype=np.int64), {**cols, "URI": "BULKAPI-LOG", "URI_ID_DERIVED": ""})


def bulk2_job(act: Activity, sess: list[Sess], s_index: int, start: int, entity: str, soql: str, rows: int,
              record_ids: list[str], rng: np.random.Generator, *, delete_after: int | None, scenario: str = "",
              step: str = "bulk_export", results_pages: int = 1) -> tuple[str, list[str]]:
    """One Bulk API 2.0 query job: REST create/poll/results calls, BulkApi2 state rows, ApiEvent,
    BulkApiResultEventStore; deleted ``delete_after`` ms after completion if given. Returns (job id, request ids).
    """
    s = sess[s_index]
    job = act.ids.new15("BulkJob")
    run = max(2000, rows // 3)
    states = [("UploadComplete", start + 400), ("InProgress", start + 1500), ("JobComplete", start + 1500 + run)]
    if delete_after is not None:
        states.append(("Deleted", start + 1500 + run + delete_after))
    size_mb = round(rows * 0.00045, 2)
    req = act.sink.add("BulkApi2", np.array([t for _, t in states], dtype=np.int64), {
        "USER_ID": s.user.id[:15], "CLIENT_IP": s.ip, "SESSION_KEY": s.session_key, "LOGIN_KEY": s.login_key,
        "JOB_ID": job, "JOB_STATUS": [st for st, _ in states], "ENTITY_TYPE": entity, "OPERATION_TYPE": "query",
        "RECORDS_PROCESSED": [0, 0, rows] + ([0] if delete_after is not None else []),
        "RECORDS_FAILED": 0, "RESULT_SIZE_MB": [0, 0, size_mb] + ([0] if delete_after is not None else []),
        "RUN_TIME": [120, 300, run] + ([90] if delete_after is not None else []), "CPU_TIME": 40,
        "URI": f"{V}/jobs/query/{job}", "URI_ID_DERIVED": "",
    }, scenario=scenario, step=step)
    done = start + 1500 + run
    calls_ts = [start, start + 2500, done + 3000] + [done + 3000 + k * 4000 for k in range(1, results_pages)]
    uris = [f"{V}/jobs/query", f"{V}/jobs/query/{job}"] + [f"{V}/jobs/query/{job}/results"] * results_pages
    methods = ["POST", "GET"] + ["GET"] * results_pages
    per_page = [0, 0] + [rows // results_pages] * results_pages
    if delete_after is not None:
        calls_ts.append(done + delete_after)
        uris.append(f"{V}/jobs/query/{job}")
        methods.append("DELETE")
        per_page.append(0)
    idx = np.full(len(calls_ts), s_index)
    req += act.rest(sess, idx, np.array(calls_ts, dtype=np.int64), method=np.array(methods, dtype=object),
                    uri=np.array(uris, dtype=object), entity=entity, rows=np.array(per_page),
                    status=np.array([200 if m != "DELETE" else 204 for m in methods]),
                    media=np.array(["text/csv" if u.endswith("/results") else "application/json;charset=UTF-8"
                                    for u in uris], dtype=object), scenario=scenario, step=step,
                    response_size=np.array([p * 380 + 700 for p in per_page]))
    act.api_events(sess, np.array([s_index]), np.array([start + 1500], dtype=np.int64), [soql], np.array([rows]),
                   [req[0]], "Bulk", [record_ids], scenario, step)
    rec_id = act.ids.new("BulkApiResultEventStore")
    act.records["BulkApiResultEventStore"].append({
        "Id": rec_id, "EventDate": _sf(done + 3000), "EventIdentifier": rec_id, "UserId": s.user.id,
        "Username": s.user.username, "SourceIp": s.ip, "SessionKey": s.session_key, "LoginKey": s.login_key,
        "SessionLevel": "STANDARD", "Query": soql, "JobId": job, "BatchId": None,
        "LoginHistoryId": s.login_history_id, "CreatedDate": _sf(done + 3000),
    })
    if scenario:
        act.tags.append(_tag("BulkApiResultEventStore", rec_id, scenario, step))
    return job, req


_DWH_OBJECTS = ("Account", "Contact", "Opportunity", "Order", "Case")


def _warehouse(act: Activity, crm: Crm, rng: np.random.Generator, out: Baseline, noise: float) -> None:
    org = act.org
    app = org.apps["dwh"]
    starts = [d + 1 * HOUR + int(rng.integers(0, 120_000)) for d in _day_starts(org)]
    sessions = _integration_sessions(act, "dwh", starts, 50 * 60_000, rng, sub_type="OauthClientCredentials")
    for si, s in enumerate(sessions):
        full = _weekday(s.start) == 6  # Sunday: full refresh, a benign bulk look-alike
        for k, obj in enumerate(_DWH_OBJECTS):
            ids = crm.ids(obj)
            n_rows = len(ids) if full else max(1, int(len(ids) * (0.01 + 0.02 * rng.random())))
            fields = ", ".join(app.reads[obj])
            where = "" if full else " WHERE SystemModstamp > " + _sf(s.start - 26 * HOUR)[:19] + "Z"
            soql = f"SELECT {fields} FROM {obj}{where}"
            # The warehouse cleans up its jobs at the end of the run: deletes, but hours later.
            delete = int(2 * HOUR + rng.integers(0, HOUR)) if noise > 0 else None
            _job, req = bulk2_job(act, sessions, si, s.start + 60_000 + k * 240_000, obj, soql, n_rows,
                                 ids[:n_rows], rng, delete_after=delete)
            if full and k == 1:
                out.lookalikes.append(Lookalike(
                    "Sunday full warehouse export of Contact via Bulk API 2.0 by the warehouse integration "
                    "(job deleted hours later by its cleanup step)", s.user.id, req))


def _admin_export(act: Activity, crm: Crm, rng: np.random.Generator, out: Baseline, k: int) -> None:
    """A legitimate Data Loader export by an admin in working hours (a Tuesday of the window)."""
    org = act.org
    admin = org.users["admin1"]
    days = [d for d in _day_starts(org) if _weekday(d) == 1]
    if not days:
        return
    start = days[k % len(days)] + int((14.25 + k - admin.utc_offset) * HOUR)
    sess = [Sess(admin, _ip(rng, OFFICE_EGRESS[admin.tz]), "Dataloader/62.0.0 (Java/17.0.9)", start,
                 start + 20 * 60_000, app=org.apps["dataloader_bulk"], login_type="Remote Access 2.0",
                 login_sub_type="OauthRefreshToken", uri="/services/oauth2/token", session_type="Oauth2",
                 country_iso="US", token_id=org.token_for("admin1", "dataloader_bulk").id)]
    act.open_sessions(sess)
    ids = crm.ids("Contact")
    job = act.ids.new15("BulkJob")
    req = act.sink.add("BulkApi", np.array([start + 60_000, start + 61_000, start + 180_000], dtype=np.int64), {
        "USER_ID": admin.id[:15], "CLIENT_IP": sess[0].ip, "SESSION_KEY": sess[0].session_key,
        "LOGIN_KEY": sess[0].login_key, "JOB_ID": job, "BATCH_ID": act.ids.new15("BulkBatch"), "ENTITY_TYPE": "Contact",
        "OPERATION_TYPE": "query", "ROWS_PROCESSED": [0, 0, len(ids)], "NUMBER_FAILURES": 0, "SUCCESS": "1",
        "MESSAGE": "", "RUN_TIME": [200, 300, 40_000], "CPU_TIME": [50, 60, 9000], "URI": "BULKAPI-LOG",
        "URI_ID_DERIVED": "",
    })
    act.api_events(sess, np.array([0]), np.array([start + 61_000], dtype=np.int64),
                   ["SELECT Id, FirstName, LastName, Email, Phone, MailingCountry FROM Contact"],
                   np.array([len(ids)]), [req[0]], "Bulk", [ids], "", "")
    out.lookalikes.append(Lookalike("Admin Data Loader export of all Contacts in working hours (CRM cleanup)",
                                    admin.id, req))


def _cli_counts(act: Activity, rng: np.random.Generator, out: Baseline, k: int) -> None:
    """An admin's data-quality check with the Salesforce CLI: COUNT() queries on several objects."""
    org = act.org
    admin = org.users["admin2"]
    days = [d for d in _day_starts(org) if _weekday(d) == 2]
    if not days:
        return
    start = days[k % len(days)] + int((11 + k - admin.utc_offset) * HOUR)
    app = org.apps["sfcli"]
    sess = [Sess(admin, _ip(rng, OFFICE_EGRESS.get(admin.tz, "66.171.9.")), app.user_agent, start, start + 600_000,
                 app=app, login_type="Remote Access 2.0", login_sub_type="OauthRefreshToken",
                 uri="/services/oauth2/token", session_type="Oauth2", country_iso="US",
                 token_id=org.token_for("admin2", "sfcli").id)]
    act.open_sessions(sess)
    objs = ["Account", "Contact", "Lead", "Case"]
    ts = start + 30_000 + np.arange(len(objs), dtype=np.int64) * 9000
    req = act.rest(sess, np.zeros(len(objs), dtype=np.int64), ts, method="GET", uri=f"{V}/query",
                   entity=np.array(objs, dtype=object), rows=0, queries=[f"SELECT COUNT() FROM {o}" for o in objs],
                   records=[[] for _ in objs])
    out.lookalikes.append(Lookalike("Admin COUNT() queries with the Salesforce CLI (data-quality check)",
                                    admin.id, req))


def _late_report(act: Activity, rng: np.random.Generator, out: Baseline, k: int) -> None:
    """A sales manager exports the full customer report in the evening before a board meeting."""
    org = act.org
    users = [u for u in org.humans() if "ExportReport" in org.perms_of(u) and u.kind == "human"]
    if not users:
        return
    user = users[(k * 7 + 3) % len(users)]
    days = [d for d in _day_starts(org) if _weekday(d) == 3]
    if not days:
        return
    start = days[k % len(days)] + int((19.5 - user.utc_offset) * HOUR)
    if start + HOUR > to_ms(org.end):
        start -= 7 * DAY
    if start < to_ms(org.start):
        return
    sess = [Sess(user, user.home_ip, user.ua, start, start + 25 * 60_000, country_iso=_country(user))]
    act.open_sessions(sess)
    names = [r[1] for r in org.reports]
    pick = np.array([names.index("Customer List - Full Export")])
    rows = np.array([40_000])
    req = _reports(act, sess, np.array([1]), rng, scenario="", step="", rows=rows, report_idx=pick)
    req += _report_exports(act, sess, np.array([1]), rng, "", "", big=True, report_idx=pick)
    out.lookalikes.append(Lookalike("Evening export of the full customer report by a sales manager", user.id, req))


def _travel(act: Activity, rng: np.random.Generator, out: Baseline, count: int) -> None:
    """Employees travelling: logins from hotel/airport networks abroad with their usual browser."""
    org = act.org
    humans = [u for u in org.humans() if u.kind == "human"]
    days = _day_starts(org)
    for k in range(count):
        user = humans[(k * 11 + 5) % len(humans)]
        day = days[(k * 3 + 2) % len(days)]
        start = day + int((9 - user.utc_offset) * HOUR) + int(rng.integers(0, HOUR))
        ip = _ip(rng, ("62.210.", "178.62.", "213.55.", "31.13.")[k % 4])
        sess = [Sess(user, ip, user.ua, start, start + 40 * 60_000, country_iso=("FR", "GB", "ES", "IE")[k % 4])]
        act.open_sessions(sess)
        out.lookalikes.append(Lookalike("Employee travelling: login from a foreign hotel network", user.id,
                                        [sess[0].login_request_id]))


def _audit_trail(act: Activity, rng: np.random.Generator) -> None:
    org = act.org
    admin = org.users["admin1"]
    for app in org.apps.values():
        if app.installed and app.created is not None:
            act.audit(to_ms(app.created), admin, "insertConnectedApplication", "Connected Apps",
                      f"Installed connected app {app.name}")
    for user in org.users.values():
        act.audit(to_ms(user.created), admin, "createduser", "Manage Users",
                  f"Created new user {user.username}")
        for ps in user.permsets:
            act.audit(to_ms(user.created) + 600_000, admin, "PermSetAssign", "Manage Users",
                      f"Permission set {org.permsets[ps].label}: assigned to user {user.username}")
    humans = org.humans()
    for day in _day_starts(org):
        if _weekday(day) >= 5:
            continue
        for _ in range(int(rng.poisson(1.5))):
            target = humans[int(rng.integers(0, len(humans)))]
            action, section, display = (
                ("resetpassword", "Manage Users", f"Reset password for {target.username}"),
                ("changedUserEmail", "Manage Users", f"Changed email for {target.username}"),
                ("PermSetAssign", "Manage Users", f"Permission set Report Export: assigned to user {target.username}"),
                ("changedcasesettings", "Customize Cases", "Changed case assignment rule"),
            )[int(rng.integers(0, 4))]
            act.audit(day + int((10 + rng.random() * 6 - admin.utc_offset) * HOUR), admin, action, section, display)


def _site(act: Activity, rng: np.random.Generator, scale: float) -> None:
    """Anonymous help-center page views (the guest user serves them)."""
    org = act.org
    guest = org.users["guest"]
    n = int(rng.poisson(120 * scale * (to_ms(org.end) - to_ms(org.start)) / DAY / 10))
    ts = np.sort(rng.integers(to_ms(org.start), to_ms(org.end), n))
    pages = np.array(["/help/s/", "/help/s/article/Returns-Policy", "/help/s/article/Shipping-Times",
                      "/help/s/contactsupport"], dtype=object)[rng.integers(0, 4, n)]
    ips = [_ip(rng, ("73.", "86.", "91.", "177.", "49.")[int(k)]) for k in rng.integers(0, 5, n)]
    act.sink.add("Sites", ts, {
        "USER_ID": guest.id[:15], "USER_TYPE": "G", "CLIENT_IP": ips, "URI": pages, "URI_ID_DERIVED": "",
        "SITE_ID": "0DM8d0000004CxB", "PAGE_NAME": "CommunitiesLanding", "HTTP_METHOD": "GET", "IS_API": "0",
        "IS_ERROR": "0", "IS_FIRST_REQUEST": "1", "IS_GUEST": "1", "IS_SECURE": "1", "REQUEST_STATUS": "S",
        "REQUEST_TYPE": "page", "QUERY": "", "HTTP_HEADERS": "", "RUN_TIME": rng.integers(30, 600, n),
        "CPU_TIME": rng.integers(5, 100, n), "DB_TOTAL_TIME": rng.integers(10**6, 10**8, n),
    })


def _sf(ms: int) -> str:
    return ms_to_sf(ms)


def _tag(obj: str, rid: str, scenario: str, step: str) -> RecordTag:
    return RecordTag(obj, rid, scenario, step)
