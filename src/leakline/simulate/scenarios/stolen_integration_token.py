"""Stolen support-chat integration token replayed from Tor/VPS addresses (after UNC6395, 2025).

Sequence (reference §7.1): refresh-token login with a scripting user agent → list sobjects →
describe → limits → ``SELECT COUNT()`` recon → Bulk API 2.0 pulls of User/Account/Contact/Case,
each job deleted minutes after it completed → SOQL hunting for secrets in Case text → a last
check-in shortly before the window ends (the stolen refresh token is still valid).
"""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import Sess
from leakline.simulate.baseline import HOUR, bulk2_job
from leakline.simulate.formats import from_ms
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "stolen_integration_token"
SUMMARY = ("The support-chat widget's OAuth refresh token is replayed from Tor/VPS addresses: recon, "
           "Bulk API 2.0 exports of User/Account/Contact/Case with the jobs deleted, then secret hunting in Cases.")
V = "/services/data/v58.0"
TOR = ("185.220.101.33", "185.220.101.143", "185.220.101.169", "192.42.116.20", "195.47.238.83")
VPS = {"208.68.36.90": "vps", "44.215.108.109": "cloud"}
UA_RECON = "python-requests/2.32.4"
UA_BULK = "Salesforce-Multi-Org-Fetcher/1.0"
UA_HUNT = "Python/3.11 aiohttp/3.12.15"
USER_FIELDS = ["Id", "Username", "FirstName", "LastName", "Name", "Email", "Phone", "MobilePhone", "Title",
               "Department", "LastLoginDate", "IsActive"]
ACCOUNT_FIELDS = ["Id", "Name", "Type", "Industry", "BillingStreet", "BillingCity", "BillingCountry", "Phone",
                  "AnnualRevenue", "OwnerId"]
CONTACT_FIELDS = ["Id", "AccountId", "FirstName", "LastName", "Email", "Phone", "MobilePhone", "MailingStreet",
                  "MailingCity", "MailingPostalCode", "MailingCountry", "Birthdate"]
CASE_FIELDS = ["Id", "CaseNumber", "Subject", "Description", "Status", "ContactId", "SuppliedName", "SuppliedEmail"]


def _login(ctx: Context, ts: int, ip: str, ua: str, step: str, client: str = "") -> Sess:
    org = ctx.org
    app = org.apps["chat"]
    user = org.app_user("chat")
    s = Sess(user, ip, ua, ts, ts + 30 * 60_000, app=app, login_type="Remote Access 2.0",
             login_sub_type="OauthRefreshToken", uri="/services/oauth2/token", session_type="Oauth2",
             scenario=NAME, step=step, country_iso="DE" if ip.startswith(("185.", "192.", "195.")) else "US",
             token_id=org.token_for(user.key, "chat").id, client=client)
    ctx.act.open_sessions([s])
    return s


def run(ctx: Context) -> Plan:
    """Simulate the attack; returns its plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    t0 = ctx.attack_day() + 2 * HOUR + 47 * 60_000 + int(rng.integers(0, 600_000))
    plan = Plan(NAME, SUMMARY, from_ms(t0), from_ms(t0))
    plan.ip_kinds = {ip: "tor" for ip in TOR} | VPS
    user = org.app_user("chat")
    token = org.token_for(user.key, "chat")

    # 1. Recon from Tor with python-requests.
    s1 = _login(ctx, t0, TOR[0], UA_RECON, "token_replay_login")
    sess = [s1]
    recon = [("GET", f"{V}/sobjects/", "", 0, "recon_list"), ("GET", f"{V}/sobjects/Case/describe/", "Case", 0,
                                                              "recon_describe"),
             ("GET", f"{V}/sobjects/User/describe/", "User", 0, "recon_describe"),
             ("GET", f"{V}/sobjects/Account/describe/", "Account", 0, "recon_describe"),
             ("GET", f"{V}/limits/", "", 0, "recon_limits")]
    ts = t0 + 4000 + np.arange(len(recon)) * 2300
    for (method, uri, entity, rows, step), t in zip(recon, ts.tolist(), strict=True):
        act.rest(sess, np.array([0]), np.array([t]), method=method, uri=uri, entity=entity, rows=rows,
                 response_size=np.array([int(rng.integers(20_000, 180_000))]), scenario=NAME, step=step)
    counts = {"Account": len(crm.ids("Account")), "Opportunity": len(crm.ids("Opportunity")),
              "User": len(org.users), "Case": len(crm.ids("Case")), "Contact": len(crm.ids("Contact"))}
    cts = t0 + 20_000 + np.arange(len(counts)) * 1700
    queries = [f"SELECT COUNT() FROM {obj}" for obj in counts]
    act.rest(sess, np.zeros(len(counts), dtype=np.int64), cts, method="GET", uri=f"{V}/query",
             entity=np.array(list(counts), dtype=object), rows=np.array(list(counts.values())), fields=0,
             queries=queries, records=[[] for _ in counts], scenario=NAME, step="recon_count")

    # 2. Bulk exports from a cloud VPS with the multi-org fetcher; each job deleted minutes later.
    t1 = t0 + HOUR + int(rng.integers(0, 900_000))
    s2 = _login(ctx, t1, "44.215.108.109", UA_BULK, "token_replay_login", client=UA_BULK)
    sess2 = [s2]
    users = list(org.users.values())
    exports = [
        ("User", USER_FIELDS, [u.id for u in users], ""),
        ("Account", ACCOUNT_FIELDS, crm.ids("Account"), ""),
        ("Contact", CONTACT_FIELDS, crm.ids("Contact"), ""),
        ("Case", CASE_FIELDS, crm.ids("Case")[:10000], " LIMIT 10000"),
    ]
    t = t1 + 30_000
    for obj, fields, ids, suffix in exports:
        soql = f"SELECT {', '.join(fields)} FROM {obj}{suffix}"
        job, _ = bulk2_job(act, sess2, 0, t, obj, soql, len(ids), ids, rng,
                           delete_after=int(rng.integers(90_000, 420_000)), scenario=NAME, step="bulk_export",
                           results_pages=max(1, len(ids) // 50_000 + 1))
        plan.bulk_jobs.append(job)
        plan.exfil.append(Exfil(obj, fields, list(ids), "bulk2"))
        t += 8 * 60_000 + int(rng.integers(0, 120_000))
    s2.end = t

    # 3. Secret hunting in Case text from another VPS with aiohttp.
    t2 = t + 40 * 60_000
    s3 = _login(ctx, t2, "208.68.36.90", UA_HUNT, "token_replay_login")
    hunts = (("%AKIA%", ("aws_access_key",)), ("%password%", ("password",)),
             ("%snowflakecomputing.com%", ("snowflake",)), ("%secret%", ("aws_secret_key",)))
    q_ts, q_text, q_rows, q_recs = [], [], [], []
    by_case: dict[str, set[str]] = {}
    for sec in crm.case_secrets:
        by_case.setdefault(sec.case_id, set()).add(sec.kind)
    for k, (pattern, kinds) in enumerate(hunts):
        hits = [cid for cid, ks in by_case.items() if ks & set(kinds)]
        q_ts.append(t2 + 5000 + k * 3100)
        q_text.append(f"SELECT Id, CaseNumber, Subject, Description FROM Case WHERE Description LIKE '{pattern}'")
        q_rows.append(len(hits))
        q_recs.append(hits)
        plan.secrets_case_ids += [h for h in hits if h not in plan.secrets_case_ids]
    act.rest([s3], np.zeros(len(q_ts), dtype=np.int64), np.array(q_ts, dtype=np.int64), method="GET",
             uri=f"{V}/query", entity="Case", rows=np.array(q_rows), fields=4, queries=q_text, records=q_recs,
             scenario=NAME, step="secret_search")
    s3.end = q_ts[-1]

    # 4. Check-in shortly before the window ends: the token still works; this session is still live.
    t3 = ctx.day_ms(0) - 90 * 60_000 + int(rng.integers(0, 30 * 60_000))
    s4 = _login(ctx, t3, TOR[2], UA_RECON, "token_replay_login")
    act.rest([s4], np.array([0]), np.array([t3 + 3000]), method="GET", uri=f"{V}/limits/", entity="", rows=0,
             scenario=NAME, step="recon_limits")
    s4.end = t3 + 3000

    plan.sessions = [s1, s2, s3, s4]
    plan.end = from_ms(t3 + 3000)
    plan.actors = [(user.key, "compromised_integration")]
    plan.token_ids = [token.id]
    plan.app_keys = ["chat"]
    plan.freeze_users = [user.key]
    plan.block_apps = ["chat"]
    plan.revoke_tokens = [token.id]
    return plan
