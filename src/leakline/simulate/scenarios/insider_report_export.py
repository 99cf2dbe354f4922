"""A departing employee exports large reports late at night from home over several days."""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import Sess
from leakline.simulate.baseline import HOUR, _report_exports, _reports
from leakline.simulate.formats import from_ms, to_ms
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "insider_report_export"
SUMMARY = "A departing sales employee runs and exports full customer and pipeline reports off-hours."
REPORTS = {"Customer List - Full Export": ("Contact", ["Id", "FirstName", "LastName", "Email", "Phone",
                                                       "MailingCountry", "AccountId"]),
           "Pipeline by Stage": ("Opportunity", ["Id", "Name", "Amount", "StageName", "CloseDate", "AccountId"]),
           "Accounts by Revenue": ("Account", ["Id", "Name", "AnnualRevenue", "Phone", "BillingCity"])}


def run(ctx: Context) -> Plan:
    """Simulate the exports; returns the plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    sellers = [u for u in org.humans() if "ExportReport" in org.perms_of(u) and u.kind == "human"]
    user = sellers[int(rng.integers(0, len(sellers)))]
    names = [r[1] for r in org.reports]
    sessions: list[Sess] = []
    # Three nights in a row, all inside the window (late evening local time can be the next UTC day).
    window_start, window_end = to_ms(org.start), to_ms(org.end)
    day = max(ctx.day_ms((window_end - window_start) // 86_400_000 - 1), min(ctx.attack_day(), ctx.day_ms(4)))
    for k in range(3):
        start = day + k * 86_400_000 + int((22.5 - user.utc_offset) * HOUR) + int(rng.integers(0, 2_400_000))
        if start < window_start or start + HOUR > window_end:
            continue
        s = Sess(user, user.home_ip, user.ua, start, start + 50 * 60_000, scenario=NAME, step="offhours_login",
                 country_iso="US")
        act.open_sessions([s])
        sessions.append(s)
    if not sessions:
        start = window_end - 2 * HOUR
        sessions.append(Sess(user, user.home_ip, user.ua, start, start + 50 * 60_000, scenario=NAME,
                             step="offhours_login", country_iso="US"))
        act.open_sessions(sessions)
    plan = Plan(NAME, SUMMARY, from_ms(sessions[0].start), from_ms(sessions[-1].end))
    picks = np.array([names.index(n) for n in REPORTS], dtype=np.int64)
    for s in sessions:
        rows = np.array([len(crm.ids(REPORTS[names[int(p)]][0])) for p in picks])
        _reports(act, [s], np.array([len(picks)]), rng, scenario=NAME, step="report_run", rows=rows,
                 report_idx=picks)
        _report_exports(act, [s], np.array([len(picks)]), rng, NAME, "report_export", big=True, report_idx=picks)
    for _name, (obj, fields) in REPORTS.items():
        plan.exfil.append(Exfil(obj, fields, crm.ids(obj), "report_export"))
    plan.sessions = sessions
    plan.ip_kinds = {user.home_ip: "residential"}
    plan.actors = [(user.key, "insider")]
    plan.freeze_users = [user.key]
    return plan
