"""A public help-center site whose guest profile can read every Contact and Case is scraped
without login through the site's Aura endpoint."""

from __future__ import annotations

import numpy as np

from leakline.simulate.activity import RecordTag
from leakline.simulate.baseline import HOUR
from leakline.simulate.formats import from_ms, ms_to_sf
from leakline.simulate.scenarios.base import Context, Exfil, Plan

NAME = "guest_user_exposure"
SUMMARY = "The help-center guest user (View All on Contact/Case) is scraped anonymously through Aura requests."
IPS = {"45.155.205.233": "vps", "194.26.29.102": "vps"}
UA = "python-httpx/0.27.0"
FIELDS = ["Id", "Name", "Email", "Phone", "MailingStreet", "MailingCity", "Birthdate"]


def run(ctx: Context) -> Plan:
    """Simulate the scraping; returns the plan for the ground truth."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    guest = org.users["guest"]
    ids = crm.ids("Contact")
    # List pages of 25 to learn the ids, then one record request per contact for the detail fields.
    per_page = 25
    pages = (len(ids) + per_page - 1) // per_page
    queries = [f"aura.RecordUi.getListUi=1&objectApiName=Contact&pageSize={per_page}&page={p}"
               for p in range(pages)] + [f"aura.RecordUi.getRecordWithFields=1&recordId={i}" for i in ids]
    n = len(queries)
    t0 = ctx.attack_day() + 6 * HOUR + int(rng.integers(0, HOUR))
    # Scrapers run requests in parallel: the whole run takes at most about four hours.
    gaps = rng.integers(250, 1200, n).astype(np.float64) * min(1.0, 4 * HOUR / (n * 725.0))
    ts = t0 + np.cumsum(np.maximum(gaps, 5.0)).astype(np.int64)
    ip_list = list(IPS)
    act.sink.add("Sites", ts, {
        "USER_ID": guest.id[:15], "USER_TYPE": "G", "CLIENT_IP": [ip_list[(i // 500) % 2] for i in range(n)],
        "URI": "/help/s/sfsites/aura", "URI_ID_DERIVED": "", "SITE_ID": "0DM8d0000004CxB",
        "PAGE_NAME": "", "HTTP_METHOD": "POST", "IS_API": "1", "IS_ERROR": "0", "IS_FIRST_REQUEST": "0",
        "IS_GUEST": "1", "IS_SECURE": "1", "REQUEST_STATUS": "S", "REQUEST_TYPE": "aura",
        "QUERY": queries,
        "HTTP_HEADERS": f"User-Agent: {UA}", "RUN_TIME": rng.integers(200, 900, n),
        "CPU_TIME": rng.integers(50, 300, n), "DB_TOTAL_TIME": rng.integers(10**7, 10**8, n),
    }, scenario=NAME, step="guest_scrape")
    rid = act.ids.new("GuestUserAnomalyEventStore")
    act.records["GuestUserAnomalyEventStore"].append({
        "Id": rid, "EventDate": ms_to_sf(int(ts[-1])), "EventIdentifier": rid, "UserId": guest.id,
        "Username": guest.username, "SourceIp": ip_list[0], "RequestedEntities": "Contact",
        "SoqlCommands": "SELECT Id, Name, Email, Phone, MailingStreet FROM Contact", "TotalControllerEvents": n,
        "UserAgent": UA, "UserType": "Guest", "Score": 0.92,
        "Summary": "Guest user accessed an unusual number of Contact records", "CreatedDate": ms_to_sf(int(ts[-1])),
    })
    act.tags.append(RecordTag("GuestUserAnomalyEventStore", rid, NAME, "threat_detection"))
    plan = Plan(NAME, SUMMARY, from_ms(t0), from_ms(int(ts[-1])))
    plan.exfil.append(Exfil("Contact", FIELDS, ids, "site_page"))
    plan.ip_kinds = IPS
    plan.extra_user_agents = [UA]
    plan.actors = [(guest.key, "guest")]
    return plan
