"""A live UI session key is replayed from a new IP and user agent in the middle of the session."""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import RecordTag, Sess
from leakline.simulate.baseline import HOUR, _report_exports, _reports
from leakline.simulate.formats import from_ms, ms_to_sf
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "session_hijack"
SUMMARY = "A stolen session cookie is reused from another country with a different browser to export customers."
IP = "91.219.236.174"
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def run(ctx: Context) -> Plan:
    """Simulate the hijack; returns the plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    victims = [u for u in org.humans() if u.kind == "human" and "ExportReport" in org.perms_of(u)
               and u.utc_offset < 0]
    victim = victims[int(rng.integers(0, len(victims)))]
    end = ctx.day_ms(0)
    start = end - 5 * HOUR + int(rng.integers(0, 600_000))
    legit = Sess(victim, victim.home_ip, victim.ua, start, end - 40 * 60_000, country_iso="US")
    act.open_sessions([legit])
    # The victim's own browsing in the same session, before and after the hijacker shows up.
    own = start + np.sort(rng.integers(60_000, legit.end - start, 14))
    act.sink.add("URI", own, {
        "USER_ID": victim.id[:15], "USER_TYPE": "S", "CLIENT_IP": victim.home_ip, "SESSION_KEY": legit.session_key,
        "LOGIN_KEY": legit.login_key, "URI": ["/home/home.jsp", "/00O/o"] * 7, "REFERRER_URI": "",
        "REQUEST_STATUS": "S", "RUN_TIME": rng.integers(30, 600, 14), "CPU_TIME": rng.integers(5, 90, 14),
        "DB_TOTAL_TIME": rng.integers(10**6, 10**8, 14), "DB_BLOCKS": 10, "DB_CPU_TIME": 5, "URI_ID_DERIVED": "",
    })
    t_h = start + 2 * HOUR
    hijack = Sess(victim, IP, UA, t_h, t_h + 30 * 60_000, scenario=NAME, step="session_reuse",
                  session_key=legit.session_key, login_key=legit.login_key, country_iso="UA")
    hijack.login_history_id = legit.login_history_id
    names = [r[1] for r in org.reports]
    pick = np.array([names.index("Customer List - Full Export")])
    rows = np.array([len(crm.ids("Contact"))])
    _reports(act, [hijack], np.array([1]), rng, scenario=NAME, step="report_run", rows=rows, report_idx=pick)
    _report_exports(act, [hijack], np.array([1]), rng, NAME, "report_export", big=True, report_idx=pick)
    n = 6
    ts = t_h + np.sort(rng.integers(0, 25 * 60_000, n))
    act.sink.add("URI", ts, {
        "USER_ID": victim.id[:15], "USER_TYPE": "S", "CLIENT_IP": IP, "SESSION_KEY": legit.session_key,
        "LOGIN_KEY": legit.login_key, "URI": ["/00O/o", "/home/home.jsp"] * 3, "REFERRER_URI": "",
        "REQUEST_STATUS": "S", "RUN_TIME": rng.integers(30, 600, n), "CPU_TIME": rng.integers(5, 90, n),
        "DB_TOTAL_TIME": rng.integers(10**6, 10**8, n), "DB_BLOCKS": 10, "DB_CPU_TIME": 5, "URI_ID_DERIVED": "",
    }, scenario=NAME, step="session_reuse")
    rid = act.ids.new("SessionHijackingEventStore")
    act.records["SessionHijackingEventStore"].append({
        "Id": rid, "EventDate": ms_to_sf(t_h + 60_000), "EventIdentifier": rid, "UserId": victim.id,
        "Username": victim.username, "SourceIp": IP, "SessionKey": legit.session_key, "LoginKey": legit.login_key,
        "CurrentIp": IP, "PreviousIp": victim.home_ip, "CurrentUserAgent": UA, "PreviousUserAgent": victim.ua,
        "CurrentPlatform": "Linux", "PreviousPlatform": "Windows", "Score": 0.88,
        "Summary": "Session used from a new IP and browser fingerprint", "CreatedDate": ms_to_sf(t_h + 60_000),
    })
    act.tags.append(RecordTag("SessionHijackingEventStore", rid, NAME, "threat_detection"))
    plan = Plan(NAME, SUMMARY, from_ms(t_h), from_ms(t_h + 30 * 60_000))
    plan.exfil.append(Exfil("Contact", ["Id", "FirstName", "LastName", "Email", "Phone", "MailingCountry",
                                        "AccountId"], crm.ids("Contact"), "report_export"))
    # The legit session object carries the AuthSession id (assigned at write time).
    plan.sessions = [legit]
    plan.ip_kinds = {IP: "vps"}
    plan.extra_user_agents = [UA]
    plan.actors = [(victim.key, "victim")]
    plan.reset_passwords = [victim.key]
    return plan
