"""Vishing + look-alike Data Loader authorized through the device flow (after UNC6040, 2025).

A caller posing as IT support gets an employee to enter a device code; an uninstalled app named
like Data Loader receives a refresh token, then exports from VPN exit addresses start small and
grow to full tables (SOAP queries + Bulk API 1.0 query jobs).
"""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import Sess
from leakline.simulate.baseline import HOUR
from leakline.simulate.formats import from_ms
from leakline.simulate.org import AppSpec
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "vishing_rogue_dataloader"
SUMMARY = ("An employee is talked into authorizing a look-alike 'Data Loader' app via the OAuth device flow; "
           "exports from VPN exits follow, small first, then whole tables.")
VPN = ("185.213.154.67", "185.213.154.71", "146.70.117.35", "193.32.249.140")
UA = "Dataloader/62.0.0 (Java/17.0.9)"
EXPORTS = (("Contact", ["Id", "FirstName", "LastName", "Email", "Phone", "MailingStreet", "MailingCity",
                        "MailingPostalCode", "MailingCountry", "Birthdate"]),
           ("Lead", ["Id", "FirstName", "LastName", "Email", "Phone", "Company", "Street", "City", "PostalCode"]),
           ("Account", ["Id", "Name", "Phone", "BillingStreet", "BillingCity", "AnnualRevenue"]),
           ("Opportunity", ["Id", "Name", "AccountId", "Amount", "StageName", "CloseDate"]))


def run(ctx: Context) -> Plan:
    """Simulate the attack; returns its plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    victims = [u for u in org.humans() if "ApiEnabled" in org.perms_of(u) and u.kind == "human"]
    victim = victims[int(rng.integers(0, len(victims)))]
    day = ctx.attack_day()
    t0 = day + int((10.5 - victim.utc_offset) * HOUR) + int(rng.integers(0, 1800_000))
    plan = Plan(NAME, SUMMARY, from_ms(t0), from_ms(t0))
    app = org.add_app(AppSpec("rogue_dataloader", "Data Loader Sync", "Authorized by device flow (not installed)",
                              ("Api", "RefreshToken", "Full"), "BYPASS", "infinite", False,
                              "http://localhost:1717/OauthRedirect", "DataLoaderBulkUI/62.0.0", UA, (),
                              installed=False, created=from_ms(t0 - 2 * 86_400_000)))
    token = org.new_token(victim.key, app.key, from_ms(t0), from_ms(t0 + 5 * HOUR), 0, scenario=NAME)
    # The device-flow grant: the victim approves the code from their own browser.
    grant = Sess(victim, victim.home_ip, victim.ua, t0, t0 + 60_000, app=app, login_type="Remote Access 2.0",
                 login_sub_type="OauthDeviceFlow", uri="/services/oauth2/token", session_type="Oauth2",
                 scenario=NAME, step="device_flow_grant", token_id=token.id)
    act.open_sessions([grant])
    sessions = [grant]
    t = t0 + 25 * 60_000
    uses = 0
    for k, (obj, fields) in enumerate(EXPORTS):
        s = Sess(victim, VPN[k % len(VPN)], UA, t, t + 20 * 60_000, app=app, login_type="Remote Access 2.0",
                 login_sub_type="OauthRefreshToken", uri="/services/oauth2/token", session_type="Oauth2",
                 scenario=NAME, step="rogue_app_login", country_iso="SE" if k % 2 else "NL", token_id=token.id)
        act.open_sessions([s])
        sessions.append(s)
        ids = crm.ids(obj)
        sample = ids[:100] if k == 0 else []
        if sample:
            q = f"SELECT {', '.join(fields)} FROM {obj} LIMIT 100"
            act.soap([s], np.array([0]), np.array([t + 30_000]), method="query", entity=obj, rows=len(sample),
                     queries=[q], scenario=NAME, step="sample_query")
        job = act.ids.new15("BulkJob")
        q = f"SELECT {', '.join(fields)} FROM {obj}"
        rows = len(ids)
        req = act.sink.add("BulkApi", np.array([t + 90_000, t + 91_000, t + 95_000 + rows * 3], dtype=np.int64), {
            "USER_ID": victim.id[:15], "CLIENT_IP": s.ip, "SESSION_KEY": s.session_key, "LOGIN_KEY": s.login_key,
            "JOB_ID": job, "BATCH_ID": act.ids.new15("BulkBatch"), "ENTITY_TYPE": obj, "OPERATION_TYPE": "query",
            "ROWS_PROCESSED": [0, 0, rows], "NUMBER_FAILURES": 0, "SUCCESS": "1", "MESSAGE": "",
            "RUN_TIME": [150, 250, 2000 + rows], "CPU_TIME": [40, 60, 500 + rows // 4], "URI": "BULKAPI-LOG",
            "URI_ID_DERIVED": "",
        }, scenario=NAME, step="bulk_export")
        act.api_events([s], np.array([0]), np.array([t + 91_000], dtype=np.int64), [q], np.array([rows]),
                       [req[1]], "Bulk", [ids], NAME, "bulk_export")
        plan.bulk_jobs.append(job)
        plan.exfil.append(Exfil(obj, fields, list(ids), "bulk1"))
        s.end = t + 95_000 + rows * 3
        uses += 2
        t += int((40 + 25 * k) * 60_000 + rng.integers(0, 600_000))
    token.use_count = uses
    token.last_used = from_ms(t)
    plan.sessions = sessions
    plan.end = from_ms(t)
    plan.ip_kinds = dict.fromkeys(VPN, "vpn") | {victim.home_ip: "residential"}
    plan.actors = [(victim.key, "victim")]
    plan.token_ids = [token.id]
    plan.app_keys = [app.key]
    plan.freeze_users = [victim.key]
    plan.reset_passwords = [victim.key]
    plan.block_apps = [app.key]
    plan.revoke_tokens = [token.id]
    return plan
