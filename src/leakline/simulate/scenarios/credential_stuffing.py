"""Credential stuffing: bursts of failed logins across many users from rotating proxy addresses,
a few successes (reused passwords), then SOAP API pulls with the stolen sessions."""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import RecordTag, Sess
from leakline.simulate.baseline import HOUR
from leakline.simulate.formats import from_ms, ms_to_sf
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "credential_stuffing"
SUMMARY = "Password spraying from residential proxies across many users; three accounts fall, then API pulls."
UAS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
       "Safari/537.36", "python-httpx/0.27.0", "okhttp/4.12.0")
PREFIXES = ("45.134.", "103.152.", "171.25.", "191.101.", "89.187.", "5.181.")
FIELDS = ["Id", "FirstName", "LastName", "Email", "Phone", "MailingCountry"]


def run(ctx: Context) -> Plan:
    """Simulate the campaign; returns the plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    t0 = ctx.attack_day() + 4 * HOUR + int(rng.integers(0, HOUR))
    humans = [u for u in org.humans() if u.kind == "human"]
    api_users = [u for u in humans if "ApiEnabled" in org.perms_of(u)]
    winners = [api_users[int(i)] for i in rng.choice(len(api_users), size=min(3, len(api_users)), replace=False)]
    attempts: list[Sess] = []
    ips: dict[str, str] = {}
    n_fail = max(150, len(humans) * 6)
    times = np.sort(t0 + rng.integers(0, 40 * 60_000, n_fail))
    for i, t in enumerate(times.tolist()):
        ip = PREFIXES[i % len(PREFIXES)] + f"{int(rng.integers(1, 255))}.{int(rng.integers(1, 255))}"
        ips[ip] = "residential_proxy"
        u = humans[int(rng.integers(0, len(humans)))]
        attempts.append(Sess(u, ip, UAS[i % len(UAS)], int(t), int(t), status="LOGIN_ERROR_INVALID_PASSWORD",
                             history_status="Invalid Password", uri="/index.jsp", scenario=NAME,
                             step="failed_login", country_iso="NL"))
    locked = [attempts[i].user for i in range(0, len(attempts), 37)][:4]
    for u in locked:
        org.locked_users.add(u.key)
    wins: list[Sess] = []
    for k, u in enumerate(winners):
        t = int(times[-1]) + (k + 1) * 90_000
        ip = PREFIXES[k] + f"{200 + k}.{17 + k}"
        ips[ip] = "residential_proxy"
        wins.append(Sess(u, ip, UAS[1], t, t + 15 * 60_000, login_type="Other Apex API", uri="/services/Soap/u/62.0",
                         session_type="API", scenario=NAME, step="successful_login", country_iso="NL"))
    act.open_sessions(attempts + wins)
    plan = Plan(NAME, SUMMARY, from_ms(int(times[0])), from_ms(wins[-1].end if wins else int(times[-1])))
    for k, s in enumerate(wins):
        obj = ("Contact", "Lead", "Account")[k % 3]
        fields = FIELDS if obj != "Account" else ["Id", "Name", "Phone", "BillingCity"]
        if obj == "Lead":
            fields = ["Id", "FirstName", "LastName", "Email", "Phone", "Company"]
        ids = crm.ids(obj)[: 2000 * (k + 1)]
        q = f"SELECT {', '.join(fields)} FROM {obj}"
        act.soap([s], np.zeros(2, dtype=np.int64), np.array([s.start + 60_000, s.start + 120_000]),
                 method=np.array(["query", "queryMore"], dtype=object), entity=obj,
                 rows=np.array([len(ids) // 2, len(ids) - len(ids) // 2]), queries=[q, q], scenario=NAME,
                 step="api_pull")
        plan.exfil.append(Exfil(obj, fields, ids, "soap_query"))
    rid = act.ids.new("CredentialStuffingEventStore")
    act.records["CredentialStuffingEventStore"].append({
        "Id": rid, "EventDate": ms_to_sf(attempts[-1].start), "EventIdentifier": rid, "UserId": None, "Username": None,
        "SourceIp": attempts[-1].ip, "LoginType": "Application", "LoginUrl": "login.salesforce.com",
        "UserAgent": UAS[0], "AcceptLanguage": "en-US", "Score": 0.97,
        "Summary": f"{len(attempts)} failed logins across {len({a.user.key for a in attempts})} users",
        "CreatedDate": ms_to_sf(attempts[-1].start),
    })
    act.tags.append(RecordTag("CredentialStuffingEventStore", rid, NAME, "threat_detection"))
    plan.sessions = attempts + wins
    plan.ip_kinds = ips
    plan.actors = [(u.key, "stuffed_account") for u in winners]
    plan.freeze_users = [u.key for u in winners]
    plan.reset_passwords = [u.key for u in winners]
    return plan

