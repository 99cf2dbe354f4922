"""Build a simulated org folder (format: ``docs/contracts.md`` "Org folder", details in FORMAT.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leakline.core import jsonio
from leakline.core.clock import iso, to_utc
from leakline.core.errors import UsageError
from leakline.core.sfid import to18
from leakline.simulate import baseline as baseline_mod
from leakline.simulate import crm as crm_mod
from leakline.simulate import metadata as metadata_mod
from leakline.simulate import schema as schema_mod
from leakline.simulate import truth as T
from leakline.simulate.activity import SESSION_SECONDS, Activity
from leakline.simulate.credentials import deterministic_rsa_key, self_signed
from leakline.simulate.elf import COLUMNS, EventSink, Written, column_type
from leakline.simulate.formats import ms_to_sf, sf_datetime, to_ms
from leakline.simulate.geo import PLACES
from leakline.simulate.ids import IdFactory, RequestIds, random_text, stream
from leakline.simulate.org import ALL_PERMS, API_VERSION, Org
from leakline.simulate.scenarios.base import Context, Plan, scenario_names, scenario_runner

DEFAULT_END = datetime(2026, 3, 1, tzinfo=UTC)
EMPLOYEES = {"small": 40, "medium": 300, "large": 1500}
SIZES = tuple(EMPLOYEES)
MAX_DAYS = 60
DAY_MS = 86_400_000
Progress = Callable[[str], None]


def _check(out: Path, seed: int, size: str, scenarios: Sequence[str], days: int, end: datetime | None,
           noise: float) -> list[str]:
    if size not in EMPLOYEES:
        raise UsageError(f"unknown size {size!r}", hint="use one of: " + ", ".join(SIZES))
    known = scenario_names()
    if isinstance(scenarios, str):
        scenarios = [scenarios]
    wanted: list[str] = []
    for name in scenarios:
        if name not in known:
            raise UsageError(f"unknown scenario {name!r}", hint="known: " + ", ".join(known))
        if name not in wanted:
            wanted.append(name)
    if not 3 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be between 3 and {MAX_DAYS}, got {days}")
    if seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {seed}")
    if not 0 <= noise <= 5:
        raise UsageError(f"--noise must be between 0 and 5, got {noise}")
    if end is not None and (end.tzinfo is None):
        raise UsageError("--end needs a time zone (e.g. 2026-03-01T00:00:00Z)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"output folder {out} already exists and is not empty", hint="choose a new --out folder")
    return [n for n in known if n in wanted]


def generate(out: Path, *, seed: int, size: str = "small", scenarios: Sequence[str] = (), days: int = 14,
             end: datetime | None = None, noise: float = 1.0, progress: Progress | None = None) -> Path:
    """Write a simulated org folder to ``out`` and return it.

    Same arguments → byte-identical files. ``end`` (UTC, exclusive) defaults to 2026-03-01T00:00Z and
    is rounded down to midnight; the window is the ``days`` before it. ``noise`` scales benign
    look-alikes of attacks (0 = none).
    """
    names = _check(out, seed, size, scenarios, days, end, noise)
    say = progress or (lambda _msg: None)
    end_utc = to_utc(end) if end is not None else DEFAULT_END
    end_utc = end_utc.replace(hour=0, minute=0, second=0, microsecond=0)
    ids = IdFactory(seed)
    say("org and users")
    org = Org(seed, size, end_utc, days, EMPLOYEES[size], ids)
    say("CRM records")
    crm = crm_mod.build(org, size, seed)
    sink = EventSink(org.org_id15, RequestIds(seed))
    act = Activity(org, ids, sink, seed)
    say("benign activity")
    base = baseline_mod.generate(act, crm, size, noise, seed)
    plans: list[Plan] = []
    snapshots: dict[str, list[dict[str, Any]]] = {}
    for slot, name in enumerate(names):
        say(f"scenario {name}")
        ctx = Context(org, crm, act, base, seed, name, slot, len(names), snapshots)
        plans.append(scenario_runner(name)(ctx))
    out.mkdir(parents=True, exist_ok=True)
    say(f"writing {sink.total():,} ELF events")
    written = sink.write(out, DAY_MS)
    say("writing records")
    objects = _org_objects(org, act, seed)
    for obj, records in crm.records.items():
        # Deleted records stay in the file with IsDeleted=true (the recycle bin; queryAll sees them).
        objects[obj] = [rec if "IsDeleted" in rec else {**rec, "IsDeleted": False} for rec in records]
    for k, v in act.records.items():
        if v:
            objects[k] = sorted(v, key=lambda r: (r.get("EventDate") or r.get("LoginTime") or r["CreatedDate"],
                                                  r["Id"]))
    objects["EventLogFile"] = _eventlogfiles(written, ids, seed)
    lines = _write_objects(out, objects)
    (out / "schema.json").write_text(jsonio.dumps(schema_mod.build(objects)) + "\n", encoding="utf-8")
    for snap_name, records in sorted(snapshots.items()):
        folder = out / "snapshots" / snap_name.split("/")[0]
        folder.mkdir(parents=True, exist_ok=True)
        _jsonl(folder / (snap_name.split("/")[1] + ".jsonl"), records)
    say("metadata")
    metadata_mod.write(out / "metadata", org)
    say("ground truth")
    truth = _truth(org, crm, act, plans, written, lines, base, seed, size)
    (out / "ground_truth.json").write_text(truth.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (out / "credentials.json").write_text(jsonio.dumps(_credentials(org, act, plans, seed)) + "\n",
                                          encoding="utf-8")
    meta = {
        "org_id": org.org_id, "name": org.name, "instance_url": org.instance_url, "api_version": API_VERSION,
        "seed": seed, "size": size, "scenarios": names, "noise": noise, "my_domain": org.my_domain,
        "window": {"start": iso(org.start), "end": iso(org.end)}, "generator": "leakline.simulate",
        "format_version": T.FORMAT_VERSION,
        "counts": {"records": {k: len(v) for k, v in sorted(objects.items())},
                   "events": dict(sorted(sink.counts.items()))},
    }
    (out / "org.json").write_text(jsonio.dumps(meta) + "\n", encoding="utf-8")
    return out


# -- org-level sobjects --------------------------------------------------------------------------
def _org_objects(org: Org, act: Activity, seed: int) -> dict[str, list[dict[str, Any]]]:
    created = sf_datetime(org.created)
    admin = org.users["admin1"].id
    objs: dict[str, list[dict[str, Any]]] = {}
    objs["Organization"] = [{
        "Id": org.org_id, "Name": org.name, "OrganizationType": "Enterprise Edition", "InstanceName": "USA244",
        "IsSandbox": False, "Country": "United States", "DefaultLocaleSidKey": "en_US",
        "TimeZoneSidKey": "America/New_York", "LanguageLocaleKey": "en_US", "NamespacePrefix": None,
        "TrialExpirationDate": None, "CreatedDate": created, "CreatedById": admin,
    }]
    last_login: dict[str, int] = {}
    for s in act.sessions:
        if s.ok:
            last_login[s.user.key] = max(last_login.get(s.user.key, 0), s.start)
    objs["User"] = [{
        "Id": u.id, "Username": u.username, "FirstName": u.first, "LastName": u.last, "Name": u.name,
        "Email": u.email, "Alias": (u.first[:1] + u.last[:4]).lower(), "ProfileId": org.profiles[u.profile].id,
        "UserType": u.user_type, "IsActive": u.active, "Title": u.title or None, "Department": u.department or None,
        "Phone": u.phone if u.kind in ("human", "admin") else None,
        "MobilePhone": u.phone if u.kind in ("human", "admin") else None,
        "TimeZoneSidKey": u.tz if u.tz != "UTC" else "GMT", "LocaleSidKey": "en_US", "LanguageLocaleKey": "en_US",
        "EmailEncodingKey": "UTF-8", "CreatedDate": sf_datetime(u.created), "CreatedById": admin,
        "LastLoginDate": ms_to_sf(last_login[u.key]) if u.key in last_login else None,
    } for u in org.users.values()]
    objs["UserLogin"] = [{"Id": org.ids.new("UserLogin"), "UserId": u.id, "IsFrozen": False,
                          "IsPasswordLocked": u.key in org.locked_users,
                          "LastModifiedDate": sf_datetime(u.created)} for u in org.users.values()]

    def perm_fields(perms: frozenset[str]) -> dict[str, bool]:
        return {f"Permissions{p}": p in perms for p in ALL_PERMS}

    objs["Profile"] = [{"Id": p.id, "Name": p.name, "UserType": p.user_type, "UserLicense": p.license,
                        "Description": p.description or None, **perm_fields(p.perms), "CreatedDate": created}
                       for p in org.profiles.values()]
    objs["PermissionSet"] = [
        {"Id": p.owned_ps_id, "Name": "X00e" + p.id[3:15], "Label": p.name, "IsOwnedByProfile": True,
         "ProfileId": p.id, "Description": None, **perm_fields(p.perms), "CreatedDate": created}
        for p in org.profiles.values()
    ] + [
        {"Id": ps.id, "Name": ps.label.replace(" ", "_"), "Label": ps.label, "IsOwnedByProfile": False,
         "ProfileId": None, "Description": ps.description or None, **perm_fields(ps.perms), "CreatedDate": created}
        for ps in org.permsets.values()
    ]
    psa = []
    for u in org.users.values():
        targets = [org.profiles[u.profile].owned_ps_id] + [org.permsets[k].id for k in u.permsets]
        for t in targets:
            psa.append({"Id": org.ids.new("PermissionSetAssignment"), "AssigneeId": u.id, "PermissionSetId": t,
                        "PermissionSetGroupId": None, "ExpirationDate": None, "IsActive": True,
                        "SystemModstamp": sf_datetime(u.created)})
    objs["PermissionSetAssignment"] = psa
    objs["ConnectedApplication"] = [{
        "Id": a.id, "Name": a.name, "OptionsAllowAdminApprovedUsersOnly": a.admin_approved,
        "OptionsRefreshTokenValidityMetric": a.refresh_policy.startswith("specific"),
        "RefreshTokenValidityPeriod": 90 if a.refresh_policy.startswith("specific") else None,
        "OptionsHasSessionLevelPolicy": False, "OptionsAppIssueJwtTokenEnabled": a.jwt,
        "OptionsTokenExchangeManageBitEnabled": False, "StartUrl": None, "MobileStartUrl": None,
        "MobileSessionTimeout": None, "PinLength": None, "Description": a.description,
        "ContactEmail": a.contact_email or None, "CallbackUrl": a.callback, "Scopes": ";".join(a.scopes),
        "IpRelaxation": a.ip_relaxation, "RefreshTokenPolicy": a.refresh_policy, "IsInstalled": a.installed,
        "CreatedDate": sf_datetime(a.created) if a.created else created, "CreatedById": admin,
    } for a in org.apps.values()]
    sea = []
    for a in org.apps.values():
        parents: list[str] = []
        if a.key in ("chat", "marketing", "erp", "dwh"):
            parents = [org.profiles["integration"].owned_ps_id, org.profiles["admin"].owned_ps_id]
        elif a.key.startswith("dataloader"):
            parents = [org.permsets["data_loader"].id, org.profiles["admin"].owned_ps_id]
        for parent in parents:
            sea.append({"Id": org.ids.new("SetupEntityAccess"), "ParentId": parent, "SetupEntityId": a.id,
                        "SetupEntityType": "ConnectedApplication"})
    objs["SetupEntityAccess"] = sea
    users_by_key = org.users
    objs["OauthToken"] = [{
        "Id": t.id, "UserId": users_by_key[t.user_key].id, "AppName": org.apps[t.app_key].name,
        "AppMenuItemId": None, "AccessToken": None, "DeleteToken": t.delete_token, "RequestToken": None,
        "LastUsedDate": sf_datetime(t.last_used), "UseCount": t.use_count, "CreatedDate": sf_datetime(t.created),
    } for t in org.tokens]
    objs["AuthSession"] = _auth_sessions(org, act)
    return objs


def _auth_sessions(org: Org, act: Activity) -> list[dict[str, Any]]:
    end = to_ms(org.end)
    out = []
    live = [s for s in act.sessions if s.ok and s.start < end and s.end + SESSION_SECONDS * 1000 > end]
    live.sort(key=lambda s: (s.start, s.session_key))
    for s in live:
        s.auth_session_id = org.ids.new("AuthSession")
        out.append({
            "Id": s.auth_session_id, "UsersId": s.user.id, "UserType": s.user.user_type, "SourceIp": s.ip,
            "LoginType": s.login_type, "SessionType": s.session_type, "SessionSecurityLevel": "STANDARD",
            "CreatedDate": ms_to_sf(s.start), "LastModifiedDate": ms_to_sf(s.end), "NumSecondsValid": SESSION_SECONDS,
            "IsCurrent": False, "ParentId": None, "LoginHistoryId": s.login_history_id, "LoginGeoId": None,
            "LogoutUrl": None,
        })
    return out


def _eventlogfiles(written: list[Written], ids: IdFactory, seed: int) -> list[dict[str, Any]]:
    rng = stream(seed, "eventlogfile")
    out = []
    for w in sorted(written, key=lambda w: (w.day, w.event_type)):
        day = datetime.fromisoformat(w.day).replace(tzinfo=UTC)
        created = day + timedelta(days=1, hours=2, minutes=int(rng.integers(0, 240)), seconds=int(rng.integers(0, 60)))
        out.append({
            "Id": ids.new("EventLogFile"), "EventType": w.event_type, "LogDate": sf_datetime(day),
            "Interval": "Daily", "Sequence": 0, "LogFileLength": float(w.length), "LogFileContentType": "CSV",
            "LogFileFieldNames": ",".join(COLUMNS[w.event_type]),
            "LogFileFieldTypes": ",".join(column_type(c) for c in COLUMNS[w.event_type]),
            "ApiVersion": float(API_VERSION), "CreatedDate": sf_datetime(created), "path": w.path,
        })
    return out


def _jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


def _write_objects(out: Path, objects: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[str, int]]:
    """Write sobjects/*.jsonl (EventLogFile to eventlogs/); returns record id → (file, 1-based line)."""
    (out / "sobjects").mkdir(exist_ok=True)
    where: dict[str, tuple[str, int]] = {}
    for obj, records in sorted(objects.items()):
        rel = "eventlogs/EventLogFile.jsonl" if obj == "EventLogFile" else f"sobjects/{obj}.jsonl"
        _jsonl(out / rel, records)
        for line, rec in enumerate(records, start=1):
            where[rec["Id"]] = (rel, line)
    return where


# -- ground truth --------------------------------------------------------------------------------
def _truth(org: Org, crm: crm_mod.Crm, act: Activity, plans: list[Plan], written: list[Written],
           lines: dict[str, tuple[str, int]], base: baseline_mod.Baseline, seed: int, size: str) -> T.GroundTruth:
    tagged: dict[str, list[T.MaliciousEvent]] = defaultdict(list)
    for w in written:
        for request_id, row, scenario, step in w.tagged:
            tagged[scenario].append(T.MaliciousEvent(request_id=request_id, event_type=w.event_type, file=w.path,
                                                     row=row, step=step, scenario=scenario))
    rec_tags: dict[str, list[T.MaliciousRecord]] = defaultdict(list)
    for tag in act.tags:
        file, line = lines[tag.id]
        rec_tags[tag.scenario].append(T.MaliciousRecord(object=tag.obj, id=tag.id, file=file, line=line,
                                                        step=tag.step, scenario=tag.scenario))
    user_records = {u.id: u for u in org.users.values()}
    user_dicts = {r["Id"]: r for r in _user_rows(org)}
    by_obj = {obj: {r["Id"]: r for r in recs} for obj, recs in crm.records.items()}
    secrets_by_case: dict[str, list[crm_mod.CaseSecret]] = defaultdict(list)
    for sec in crm.case_secrets:
        secrets_by_case[sec.case_id].append(sec)
    scen: list[T.ScenarioTruth] = []
    for plan in plans:
        st = T.ScenarioTruth(name=plan.name, summary=plan.summary, start=plan.start, end=plan.end)
        for key, role in plan.actors:
            u = org.users[key]
            st.actors.append(T.Actor(user_id=u.id, username=u.username, role=role))
        used_ips = sorted({s.ip for s in plan.sessions})
        st.ips = [T.IpIndicator(ip=ip, kind=plan.ip_kinds.get(ip, "unknown")) for ip in used_ips]
        st.user_agents = sorted({s.ua for s in plan.sessions} | set(plan.extra_user_agents))
        st.session_keys = sorted({s.session_key for s in plan.sessions if s.session_key} | set(plan.incident_session_keys))
        st.login_keys = sorted({s.login_key for s in plan.sessions if s.login_key})
        st.auth_session_ids = sorted({s.auth_session_id for s in plan.sessions if s.auth_session_id})
        for tid in plan.token_ids:
            tok = next(t for t in org.tokens if t.id == tid)
            app = org.apps[tok.app_key]
            st.tokens.append(T.TokenUse(oauth_token_id=tid, connected_app_id=app.id, app_name=app.name,
                                        user_id=org.users[tok.user_key].id))
        st.connected_app_ids = sorted({org.apps[k].id for k in plan.app_keys})
        st.bulk_job_ids = [to18_safe(j) for j in plan.bulk_jobs]
        st.malicious_events = sorted(tagged.get(plan.name, []), key=lambda e: (e.file, e.row))
        st.malicious_records = sorted(rec_tags.get(plan.name, []), key=lambda r: (r.file, r.line))
        subjects: dict[str, tuple[str, set[str], set[str]]] = {}
        secrets: dict[tuple[str, str], T.SecretExposure] = {}
        for ex in plan.exfil:
            st.exfiltrated.append(T.Exfiltration(object=ex.object, fields=ex.fields, record_ids=sorted(ex.record_ids),
                                                 method=ex.method))
            for rid in ex.record_ids:
                if ex.object == "User":
                    rec = user_dicts[rid]
                    person = rid
                    jur = PLACES[user_records[rid].place].jurisdiction
                elif ex.object == "Case":
                    rec = by_obj["Case"][rid]
                    person = rec["ContactId"]
                    jur = crm.jurisdiction.get(person, "")
                    if "Description" in ex.fields:
                        for sec in secrets_by_case.get(rid, []):
                            secrets[(rid, sec.kind)] = T.SecretExposure(
                                object="Case", record_id=rid, field="Description", kind=sec.kind,
                                element=sec.element)
                elif ex.object in ("Contact", "Lead") or (ex.object == "Vendor__c" and rid in crm.vendor_individual):
                    rec = by_obj[ex.object][rid]
                    person = rid
                    jur = crm.jurisdiction.get(rid, "")
                else:
                    continue
                elements = crm_mod.elements_of(ex.object, ex.fields, rec, crm)
                if not elements or not jur:
                    continue
                cur = subjects.setdefault(person, (jur, set(), set()))
                cur[1].update(elements)
                cur[2].add(ex.object)
        for cid in plan.secrets_case_ids:
            for sec in secrets_by_case.get(cid, []):
                secrets[(cid, sec.kind)] = T.SecretExposure(object="Case", record_id=cid, field="Description",
                                                            kind=sec.kind, element=sec.element)
        st.secrets = [secrets[k] for k in sorted(secrets)]
        groups: dict[tuple[str, tuple[str, ...]], tuple[set[str], list[str]]] = {}
        for person, (jur, elements, objs_) in subjects.items():
            group_key = (jur, tuple(sorted(elements)))
            g = groups.setdefault(group_key, (set(), []))
            g[0].update(objs_)
            g[1].append(person)
        st.subjects = [T.SubjectGroup(jurisdiction=j, elements=list(el), objects=sorted(o), count=len(p),
                                      record_ids=sorted(p)) for (j, el), (o, p) in sorted(groups.items())]
        for obj, rid, change, fields in plan.changed:
            st.changed_records.append(T.RecordChange(object=obj, id=rid, change=change, fields=fields,
                                                     snapshot=f"snapshots/pre_incident/{obj}.jsonl"))
        st.containment = T.Containment(
            freeze_users=sorted(org.users[k].id for k in plan.freeze_users),
            revoke_tokens=sorted(plan.revoke_tokens),
            kill_sessions=st.auth_session_ids,
            block_apps=sorted(org.apps[k].id for k in plan.block_apps),
            reset_passwords=sorted(org.users[k].id for k in plan.reset_passwords),
            restore_records=sorted(r.id for r in st.changed_records),
        )
        scen.append(st)
    union = T.Containment()
    for st in scen:
        for name in T.Containment.model_fields:
            merged = sorted(set(getattr(union, name)) | set(getattr(st.containment, name)))
            setattr(union, name, merged)
    flows = [T.AppDataFlow(connected_app_id=a.id, app_name=a.name, user_id=org.app_user(a.key).id,
                           reads=a.reads, writes=a.writes)
             for a in org.apps.values() if a.key in ("chat", "marketing", "erp", "dwh")]
    sod_user = org.users[org.sod_user]
    sod = T.SodViolation(user_id=sod_user.id, username=sod_user.username,
                         duties=["create_vendor", "edit_vendor_bank", "approve_payment"],
                         via=[org.profiles[sod_user.profile].name] + [org.permsets[k].label
                                                                     for k in sod_user.permsets])
    return T.GroundTruth(
        org_id=org.org_id, seed=seed, size=size, window=T.Window(start=org.start, end=org.end), scenarios=scen,
        malicious_events=sorted([e for st in scen for e in st.malicious_events], key=lambda e: (e.file, e.row)),
        containment=union, app_data_flows=flows, sod_violations=[sod],
        benign_lookalikes=[T.BenignLookalike(description=lk.description, user_id=lk.user_id,
                                             request_ids=lk.request_ids) for lk in base.lookalikes],
    )


def to18_safe(value: str) -> str:
    """18-char form of a 15-char id (ids we made are always valid)."""
    return to18(value)


def _user_rows(org: Org) -> list[dict[str, Any]]:
    return [{"Id": u.id, "Username": u.username, "FirstName": u.first, "LastName": u.last, "Name": u.name,
             "Email": u.email, "Phone": u.phone if u.kind in ("human", "admin") else None,
             "MobilePhone": u.phone if u.kind in ("human", "admin") else None} for u in org.users.values()]


# -- credentials ---------------------------------------------------------------------------------
def _credentials(org: Org, act: Activity, plans: list[Plan], seed: int) -> dict[str, Any]:
    rng = stream(seed, "credentials")
    stolen = {t for p in plans for t in p.token_ids}
    apps = []
    for a in org.apps.values():
        entry: dict[str, Any] = {"id": a.id, "name": a.name, "consumer_key": a.consumer_key,
                                 "consumer_secret": a.consumer_secret, "callback_url": a.callback,
                                 "scopes": list(a.scopes), "jwt_cert_pem": None, "jwt_private_key_pem": None,
                                 "client_credentials_user": org.app_user(a.key).id if a.key == "dwh" else None}
        if a.jwt:
            key = deterministic_rsa_key(f"{seed}:{a.key}")
            cert, pem = self_signed(key, f"{a.name} JWT", org.created, 1000 + seed % 100000)
            entry["jwt_cert_pem"] = cert
            entry["jwt_private_key_pem"] = pem
        apps.append(entry)
    tokens = [{"oauth_token_id": t.id, "user_id": org.users[t.user_key].id, "username": org.users[t.user_key].username,
               "connected_app_id": org.apps[t.app_key].id, "app_name": org.apps[t.app_key].name,
               "refresh_token": t.refresh_token, "access_token": t.access_token, "delete_token": t.delete_token,
               "stolen_by_attacker": t.id in stolen, "valid": True} for t in org.tokens]
    live = sorted((s for s in act.sessions if s.auth_session_id), key=lambda s: s.auth_session_id)
    access = random_text(rng, len(live), 96)
    sessions = [{"auth_session_id": s.auth_session_id, "user_id": s.user.id, "session_key": s.session_key,
                 "oauth_token_id": s.token_id or None, "access_token": org.org_id15 + "!AQ" + access[i],
                 "attacker": bool(s.scenario)} for i, s in enumerate(live)]
    security = random_text(rng, len(org.users), 24)
    users = [{"id": u.id, "username": u.username, "password": u.password, "security_token": security[i]}
             for i, u in enumerate(org.users.values()) if u.kind != "guest"]
    return {"org_id": org.org_id, "instance_url": org.instance_url, "login_url": org.instance_url,
            "note": "FAKE credentials for the leakline emulator only", "connected_apps": apps, "users": users,
            "oauth_tokens": tokens, "sessions": sessions}


__all__ = ["DEFAULT_END", "SIZES", "generate"]
