"""The ERP connector fails part-way through its nightly run: it blanks bank details of some
vendors and deletes contacts it wrongly believes are duplicates. Good copies are in snapshots/."""

from __future__ import annotations

import copy

import numpy as np

from leakline.simulate.formats import from_ms, ms_to_sf
from leakline.simulate.scenarios.base import Context, Plan

NAME = "corrupted_sync"
SUMMARY = ("The ERP connector's nightly sync fails half-way: vendor bank fields overwritten with blanks and "
           "contacts deleted as false duplicates; restore from the pre-incident snapshot.")
BANK_FIELDS = ["Bank_Account_Number__c", "IBAN__c", "Routing_Number__c", "Payment_Terms__c"]


def run(ctx: Context) -> Plan:
    """Damage the records, log the bulk jobs, keep snapshots; returns the plan."""
    rng = ctx.rng
    org, crm, act = ctx.org, ctx.crm, ctx.act
    ctx.snapshots["pre_incident/Vendor__c"] = copy.deepcopy(crm.records["Vendor__c"])
    ctx.snapshots["pre_incident/Contact"] = copy.deepcopy(crm.records["Contact"])
    user = org.app_user("erp")
    sess = next(s for s in act.sessions if s.user.key == user.key and s.start >= ctx.attack_day())
    t = sess.start + 25 * 60_000
    vendors = crm.records["Vendor__c"]
    contacts = crm.records["Contact"]
    v_pick = sorted(rng.choice(len(vendors), size=max(3, len(vendors) // 10), replace=False).tolist())
    c_pick = sorted(rng.choice(len(contacts), size=max(20, len(contacts) // 20), replace=False).tolist())
    plan = Plan(NAME, SUMMARY, from_ms(t), from_ms(t + 20 * 60_000))
    plan.incident_session_keys.append(sess.session_key)
    stamp = ms_to_sf(t + 60_000)
    for i in v_pick:
        rec = vendors[i]
        for f in BANK_FIELDS:
            rec[f] = None if f != "Payment_Terms__c" else "Net 0"
        rec["LastModifiedDate"] = stamp
        rec["SystemModstamp"] = stamp
        plan.changed.append(("Vendor__c", rec["Id"], "overwritten", BANK_FIELDS))
    for i in c_pick:
        rec = contacts[i]
        rec["IsDeleted"] = True
        rec["LastModifiedDate"] = ms_to_sf(t + 9 * 60_000)
        rec["SystemModstamp"] = rec["LastModifiedDate"]
        plan.changed.append(("Contact", rec["Id"], "deleted", []))
    jobs = []
    rows_ts = []
    cols: dict[str, list[object]] = {k: [] for k in ("JOB_ID", "BATCH_ID", "ENTITY_TYPE", "OPERATION_TYPE",
                                                      "ROWS_PROCESSED", "NUMBER_FAILURES", "SUCCESS", "MESSAGE")}
    # One Bulk 1.0 job per object, one batch per 200 records (the connector's batch size).
    for k, (obj, op, n, fail_share) in enumerate((("Vendor__c", "upsert", len(v_pick), 0.3),
                                                  ("Contact", "hardDelete", len(c_pick), 0.0))):
        job = act.ids.new15("BulkJob")
        jobs.append(job)
        for b, lo in enumerate(range(0, n, 200)):
            size = min(200, n - lo)
            fail = int(size * fail_share)
            rows_ts.append(t + k * 8 * 60_000 + b * 20_000)
            for key, val in (("JOB_ID", job), ("BATCH_ID", act.ids.new15("BulkBatch")), ("ENTITY_TYPE", obj),
                             ("OPERATION_TYPE", op), ("ROWS_PROCESSED", size), ("NUMBER_FAILURES", fail),
                             ("SUCCESS", "0" if fail else "1"),
                             ("MESSAGE", "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record"
                              if fail else "")):
                cols[key].append(val)
    act.sink.add("BulkApi", np.array(rows_ts, dtype=np.int64), {
        **cols, "USER_ID": user.id[:15], "CLIENT_IP": sess.ip, "SESSION_KEY": sess.session_key,
        "LOGIN_KEY": sess.login_key, "RUN_TIME": rng.integers(2000, 9000, len(rows_ts)),
        "CPU_TIME": rng.integers(500, 2500, len(rows_ts)), "URI": "BULKAPI-LOG",
        "URI_ID_DERIVED": "",
    }, scenario=NAME, step="faulty_sync_write")
    plan.bulk_jobs = jobs
    plan.actors = [(user.key, "faulty_integration")]
    plan.app_keys = ["erp"]
    return plan
