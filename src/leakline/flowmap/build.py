"""Build the data-flow map: integration surfaces, their observed and possible flows, destinations, flags."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pycountry

from leakline.access.grants import Grants, effective_grants
from leakline.core.clock import Clock
from leakline.core.masking import mask_email
from leakline.flowmap.config import Destination, Registry, TransferRules, load_rules
from leakline.flowmap.flows import ActorFlows, ObjectFlow, as_id18, integration_users, observed_flows
from leakline.flowmap.model import (
    DestinationInfo,
    Evidence,
    Flag,
    Flow,
    FlowMap,
    OpVolume,
    Surface,
    SurfaceUser,
)
from leakline.flowmap.source import OrgData, truthy
from leakline.pii.elements import load_elements
from leakline.pii.scanner import column_hints
from leakline.posture.xmlsafe import parse_file

WRITE_OPS = ("create", "edit", "delete")
# Typed text columns the ELF normaliser fills from log columns (kept out of ``raw``, see
# leakline.store.elf.mapped_columns): searched together with ``raw`` for callout hosts.
_LOGGED_TEXT = (
    "[uri, query, username, user_agent, client, app_name, entity, operation, status_detail, login_type, "
    "job_id, src_ip, request_id, session_key, login_key, org_id, user_id, connected_app_id]"
)
_SCHEMA_ELEMENTS = {"email": "email", "phone": "phone"}
# Field types whose values are enumerations, numbers or ids: a name hint (StageName, Amount) on
# them never means a person's data. Dates can only be a date of birth.
_NO_HINT_TYPES = frozenset({"boolean", "currency", "double", "int", "percent", "picklist", "reference", "id"})
# Audit fields every record has; they carry no personal data of their own.
_SYSTEM_FIELDS = frozenset(
    {"Id", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp", "IsDeleted"}
)


@cache
def country_code(value: str) -> str | None:
    """``Germany`` / ``DE`` / ``deu`` → ``DE`` (None when unknown)."""
    text = value.strip()
    if not text:
        return None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def field_elements(obj: str, name: str, org: OrgData, rules: TransferRules) -> set[str]:
    """Element ids a field holds, from its name (element column hints) and its schema type."""
    if name in _SYSTEM_FIELDS or f"{obj}.{name}" in rules.not_personal:
        return set()
    ftype = (((org.schema.get(obj) or {}).get("fields") or {}).get(name) or {}).get("type")
    if ftype in _NO_HINT_TYPES:
        return set()
    found = set(column_hints(name))
    if ftype in ("date", "datetime"):
        found &= {"dob"}
    if ftype in _SCHEMA_ELEMENTS:
        found.add(_SCHEMA_ELEMENTS[ftype])
    return found


def _host(url: str) -> str | None:
    host = urlsplit(url.strip()).hostname
    return host.lower() if host else None


def _norm(name: str) -> str:
    return name.replace("_", " ").strip().lower()


def _vol(stat: Any) -> OpVolume:
    return OpVolume(calls=stat.calls, rows=stat.rows, first_seen=stat.first, last_seen=stat.last)


class _Builder:
    def __init__(self, org: OrgData, registry: Registry, rules: TransferRules, reveal: bool) -> None:
        self.org = org
        self.registry = registry
        self.rules = rules
        self.reveal = reveal
        self.elements = load_elements()
        self.grants: dict[str, Grants] = effective_grants(org, org.window_end)
        self.integ = integration_users(org)
        self.users = {str(u["Id"]): u for u in org.objects("User")}
        self.subjects: dict[str, dict[str, int]] = {}
        self.event_types = {r[0] for r in org.con.execute("SELECT DISTINCT event_type FROM events").fetchall()}

    # --- helpers -----------------------------------------------------------------------------
    def _mask(self, username: str | None) -> str | None:
        return username if username is None or self.reveal else mask_email(username)

    def username(self, user_id: str) -> str:
        name = str((self.users.get(user_id) or {}).get("Username") or user_id)
        return name if self.reveal else mask_email(name)

    def subjects_of(self, obj: str) -> dict[str, int]:
        if obj in self.subjects:
            return self.subjects[obj]
        counts: Counter[str] = Counter()
        candidates = self.rules.country_fields.get(obj, [])
        if candidates:
            for rec in self.org.load_object(obj):
                for fname in candidates:
                    value = rec.get(fname)
                    if value:
                        code = country_code(str(value))
                        if code:
                            counts[code] += 1
                        break
        self.subjects[obj] = dict(sorted(counts.items()))
        return self.subjects[obj]

    def classify(self, obj: str, fields: set[str]) -> tuple[list[str], bool, bool]:
        found: set[str] = set()
        for name in fields:
            if "." not in name:
                found |= field_elements(obj, name, self.org, self.rules)
        personal = any(self.elements[e].category in self.rules.personal_categories for e in found if e in self.elements)
        secrets = any(self.elements[e].category == "credential" for e in found if e in self.elements)
        return sorted(found), personal, secrets

    def client_countries(self, users: set[str], app_name: str | None) -> dict[str, int]:
        if not users:
            return {}
        marks = ", ".join("?" for _ in users)
        params: list[Any] = sorted(users)
        sql = (
            "SELECT country, count(*) FROM events WHERE country IS NOT NULL AND event_type IN "
            f"('LoginEvent', 'LoginHistory') AND user_id IN ({marks})"
        )
        if app_name:
            sql += " AND lower(app_name) = ?"
            params.append(app_name.lower())
        rows = self.org.con.execute(sql + " GROUP BY country ORDER BY country", params).fetchall()
        return {str(c): int(n) for c, n in rows if country_code(str(c))}

    def destination(self, name: str, hosts: list[str], users: set[str], app_name: str | None) -> DestinationInfo:
        entry: Destination | None = self.registry.for_surface(name, hosts)
        observed = self.client_countries(users, app_name)
        if entry is not None:
            return DestinationInfo(
                host=entry.host if "*" not in entry.host else (hosts[0] if hosts else entry.host),
                country=entry.country,
                country_source="registry" if entry.country else None,
                region=entry.region,
                transfer_mechanism=entry.transfer_mechanism.model_dump() if entry.transfer_mechanism else None,
                observed_client_countries=observed,
                in_registry=True,
            )
        country = next(iter(observed)) if len(observed) == 1 else None
        return DestinationInfo(
            host=hosts[0] if hosts else None,
            country=country,
            country_source="login_geolocation" if country else None,
            observed_client_countries=observed,
        )

    # --- flows -------------------------------------------------------------------------------
    def observed(self, flow: ObjectFlow) -> Flow:
        ops = flow.effective_ops()
        read = flow.fields_read
        elements, personal, secrets = self.classify(flow.object, read)
        writes = [op for op in WRITE_OPS if op in ops]
        return Flow(
            object=flow.object,
            status="observed",
            operations={op: _vol(ops[op]) for op in ("read", *WRITE_OPS) if op in ops},
            fields_read=sorted(read),
            fields_selected=sorted(flow.selected),
            fields_filtered=sorted(flow.filtered - flow.selected),
            all_fields=flow.all_fields or flow.unlisted_reads > 0,
            unlisted_reads=flow.unlisted_reads,
            fields_written="not in event logs (ask the integration owner or use field history)" if writes else None,
            elements=elements,
            personal=personal,
            secrets=secrets,
            api_families=sorted(flow.families),
            subjects=self.subjects_of(flow.object) if personal else {},
            evidence=[Evidence(sha256=s, rows=sorted(r)) for s, r in sorted(flow.evidence.items())],
        )

    def possible(self, users: set[str], seen: dict[str, Flow]) -> list[Flow]:
        objects: set[str] = set(self.org.schema) if self.org.schema else set()
        for uid in users:
            g = self.grants.get(uid)
            if g is not None:
                objects |= g.objects()
        out: list[Flow] = []
        for obj in sorted(objects):
            ops: set[str] = set()
            fields: set[str] = set()
            for uid in users:
                g = self.grants.get(uid)
                if g is None:
                    continue
                ops |= {op for op in ("read", *WRITE_OPS) if g.can(op, obj)}
                fields |= {f.split(".", 1)[1] for f in g.fields() if f.startswith(obj + ".") and g.field_access(f)}
            got = seen.get(obj)
            missing = ops - set(got.operations) if got else ops
            unseen_fields = fields - set(got.fields_read) if got else fields
            if got is not None:
                got.fields_possible = sorted(unseen_fields)
                if missing:
                    got.operations.update({op: None for op in sorted(missing)})
                continue
            if not missing:
                continue
            elements, personal, secrets = self.classify(obj, fields)
            out.append(
                Flow(
                    object=obj,
                    status="possible",
                    operations={op: None for op in ("read", *WRITE_OPS) if op in missing},
                    fields_possible=sorted(fields),
                    elements=elements,
                    personal=personal,
                    secrets=secrets,
                )
            )
        return out

    # --- flags -------------------------------------------------------------------------------
    def transfer_flags(self, surface: Surface) -> list[Flag]:
        dest = surface.destination
        personal = [f for f in surface.flows if f.status == "observed" and f.personal]
        if not personal or dest is None:
            return []
        if dest.country is None:
            return [
                Flag(
                    id="destination_unknown",
                    status="NOT_EVALUATED",
                    severity="medium",
                    title="destination country unknown",
                    detail="personal data flows here but no country is known: add the destination to the registry "
                    "(--destinations FILE)",
                    data={"objects": [f.object for f in personal]},
                )
            ]
        flags: list[Flag] = []
        for region_name, region in self.rules.regions.items():
            if dest.country in region.countries or dest.country in region.adequate:
                continue
            affected = {
                f.object: sum(n for c, n in f.subjects.items() if c in region.countries) for f in personal
            }
            affected = {k: v for k, v in affected.items() if v}
            if not affected:
                continue
            elements = sorted({e for f in personal if f.object in affected for e in f.elements})
            if dest.transfer_mechanism:
                flags.append(
                    Flag(
                        id="cross_border_transfer",
                        status="PASS",
                        severity="info",
                        title=f"transfer from {region_name} to {dest.country} with a recorded mechanism",
                        detail=f"mechanism: {dest.transfer_mechanism.get('type')}",
                        citation=region.citation,
                        data={"region": region_name, "country": dest.country, "subjects": affected},
                    )
                )
                continue
            flags.append(
                Flag(
                    id="cross_border_transfer",
                    status="FAIL",
                    severity="high",
                    title=f"personal data of {region_name} subjects goes to {dest.country} without a recorded "
                    "transfer mechanism",
                    detail=f"{dest.country} is outside {region_name} and has no {region.law} adequacy decision in "
                    f"the rules file; record SCCs/BCRs/other safeguards in the destinations registry "
                    f"(country from {dest.country_source})",
                    citation=region.citation,
                    data={"region": region_name, "country": dest.country, "subjects": affected, "elements": elements},
                )
            )
        return flags

    def http_flags(self, surface: Surface) -> list[Flag]:
        # Loopback callbacks (CLI tools' http://localhost:1717) never leave the machine.
        plain = [u for u in surface.urls if u.strip().lower().startswith("http://")
                 and _host(u) not in ("localhost", "127.0.0.1", "::1")]
        flags = [
            Flag(
                id="plaintext_http",
                status="FAIL",
                severity="high",
                title="plaintext transport (http://)",
                detail="data to this endpoint travels unencrypted: " + ", ".join(plain),
                data={"urls": plain},
            )
        ] if plain else []
        if surface.details.get("disable_protocol_security") and not plain:
            flags.append(
                Flag(
                    id="plaintext_http",
                    status="FAIL",
                    severity="medium",
                    title="remote site allows http (disableProtocolSecurity)",
                    detail="Salesforce will follow http:// for this remote site",
                )
            )
        return flags

    def minimisation_flags(self, surface: Surface, entry: Destination | None) -> list[Flag]:
        flows = [f for f in surface.flows if f.status == "observed" and "read" in f.operations]
        if not flows:
            return []
        flags: list[Flag] = []
        broad = [f.object for f in flows if f.all_fields]
        if broad:
            flags.append(
                Flag(
                    id="data_minimisation",
                    status="FAIL",
                    severity="low",
                    title="reads whole records (no field list)",
                    detail="record retrieves without ?fields= or FIELDS(...) return every visible field: "
                    + ", ".join(sorted(broad)),
                    citation="GDPR Art. 5(1)(c) (data minimisation)",
                    data={"objects": sorted(broad)},
                )
            )
        if entry is None or entry.uses is None:
            flags.append(
                Flag(
                    id="data_minimisation",
                    status="NOT_EVALUATED",
                    severity="info",
                    title="fields used by the consumer unknown",
                    detail="declare the fields the consumer needs (`uses:` in the destinations registry) to find "
                    "fields read but never used",
                )
            )
            return flags
        unused = {
            f.object: sorted(set(f.fields_selected) - set(entry.uses.get(f.object, [])) - _SYSTEM_FIELDS)
            for f in flows
        }
        unused = {k: v for k, v in unused.items() if v}
        flags.append(
            Flag(
                id="data_minimisation",
                status="FAIL" if unused else "PASS",
                severity="medium" if unused else "info",
                title="fields read but not used by the consumer" if unused else "every field read is declared used",
                detail="; ".join(f"{k}: {', '.join(v)}" for k, v in unused.items()) or "-",
                citation="GDPR Art. 5(1)(c) (data minimisation)",
                data={"unused": unused},
            )
        )
        return flags

    def no_logs_flag(self, surface: Surface) -> list[Flag]:
        if surface.has_logs is None:
            return [
                Flag(
                    id="no_logs",
                    status="NOT_EVALUATED",
                    severity="info",
                    title="activity logs for this kind of surface were not collected",
                    detail=str(surface.details.get("logs_needed", "collect the matching event types")),
                )
            ]
        if surface.has_logs:
            return []
        return [
            Flag(
                id="no_logs",
                status="FAIL",
                severity="medium",
                title="no activity in the logs over the window",
                detail="either unused (remove it) or its traffic is not logged (check event monitoring coverage)",
            )
        ]

    # --- surfaces ----------------------------------------------------------------------------
    def app_surfaces(self, actors: dict[str, ActorFlows]) -> list[Surface]:
        meta_apps = {_norm(a.name): a for a in (self.org.metadata.connected_apps if self.org.metadata else [])}
        extra = self._app_extras()
        records = {str(as_id18(r.get("Id"))): r for r in self.org.objects("ConnectedApplication")}
        names = {str(r.get("Name") or k): k for k, r in records.items()}
        for key in meta_apps:
            if key not in {_norm(n) for n in names}:
                names[meta_apps[key].name] = ""
        for seen in actors.values():
            if seen.app_id and seen.app_id not in records:
                names[seen.app_name or seen.app_id] = seen.app_id
        tokens: dict[str, list[dict[str, Any]]] = {}
        for tok in self.org.objects("OauthToken"):
            tokens.setdefault(_norm(str(tok.get("AppName") or "")), []).append(tok)
        access = self._app_access()
        out: list[Surface] = []
        for name, app_id in sorted(names.items(), key=lambda kv: kv[0].lower()):
            rec = records.get(app_id, {})
            meta = meta_apps.get(_norm(name))
            actor = actors.get(f"app:{app_id}") if app_id else None
            ext = extra.get(_norm(name), {})
            callback = str(ext.get("callback_url") or rec.get("CallbackUrl") or "")
            urls = [u for u in (callback,) if u]
            hosts = [h for h in (_host(u) for u in urls) if h and not self.rules.is_salesforce(h)]
            users = set(actor.users) if actor else set()
            users |= {str(as_id18(t.get("UserId"))) for t in tokens.get(_norm(name), []) if t.get("UserId")}
            scopes = list(meta.scopes) if meta and meta.scopes else [s for s in str(rec.get("Scopes") or "").split(";") if s]
            details: dict[str, Any] = {
                "connected_app_id": app_id or None,
                "description": ext.get("description") or rec.get("Description"),
                "scopes": scopes,
                "admin_approved_only": meta.is_admin_approved if meta and meta.is_admin_approved is not None
                else (truthy(rec.get("OptionsAllowAdminApprovedUsersOnly")) if rec else None),
                "ip_relaxation": (meta.ip_relaxation if meta else None) or rec.get("IpRelaxation"),
                "refresh_token_policy": (meta.refresh_token_policy if meta else None) or rec.get("RefreshTokenPolicy"),
                "permitted": sorted(set(access.get(app_id, [])) | set(ext.get("permitted", []))),
                "oauth_tokens": len(tokens.get(_norm(name), [])),
                "in_metadata": meta is not None,
            }
            surface = Surface(
                id=f"connected_app:{name}",
                kind="connected_app",
                name=name,
                details=details,
                urls=urls,
                users=[SurfaceUser(user_id=u, username=self.username(u), integration_user=u in self.integ)
                       for u in sorted(users)],
                has_logs=actor is not None,
                first_seen=actor.first_seen if actor else None,
                last_seen=actor.last_seen if actor else None,
            )
            observed = {f.object: self.observed(f) for f in (actor.objects.values() if actor else [])}
            surface.flows = [observed[k] for k in sorted(observed)] + self.possible(users, observed)
            surface.destination = self.destination(name, hosts, users, name)
            out.append(surface)
        return out

    def user_surfaces(self, actors: dict[str, ActorFlows], covered: set[str]) -> list[Surface]:
        out: list[Surface] = []
        for uid in sorted(self.integ - covered):
            actor = actors.get(f"user:{uid}")
            users = {uid}
            surface = Surface(
                id=f"integration_user:{uid}",
                kind="integration_user",
                name=self.username(uid),
                details={"profile": (self.grants.get(uid).profile if self.grants.get(uid) else None),  # type: ignore[union-attr]
                         "active": truthy((self.users.get(uid) or {}).get("IsActive"))},
                users=[SurfaceUser(user_id=uid, username=self.username(uid), integration_user=True)],
                has_logs=actor is not None,
                first_seen=actor.first_seen if actor else None,
                last_seen=actor.last_seen if actor else None,
            )
            observed = {f.object: self.observed(f) for f in (actor.objects.values() if actor else [])}
            surface.flows = [observed[k] for k in sorted(observed)] + self.possible(users, observed)
            surface.destination = self.destination(surface.name, [], users, None)
            out.append(surface)
        return out

    def callout_surfaces(self) -> list[Surface]:
        meta = self.org.metadata
        if meta is None:
            return []
        callout_logs = self.event_types & {"ApexCallout", "NamedCredential", "ExternalCustomApexCallout"}
        out: list[Surface] = []
        items: list[tuple[str, str, str, dict[str, Any]]] = []
        for nc in meta.named_credentials:
            items.append(("named_credential", nc.name, nc.endpoint or "", {
                "principal_type": nc.principal_type, "protocol": nc.protocol,
                "stored_secrets": list(nc.stored_secret_fields), "file": nc.where.file}))
        for rs in meta.remote_sites:
            items.append(("remote_site", rs.name, rs.url, {
                "active": rs.is_active, "disable_protocol_security": rs.disable_protocol_security,
                "file": rs.where.file}))
        for kind, name, url, details in self._other_metadata():
            items.append((kind, name, url, details))
        for kind, name, url, details in items:
            host = _host(url) if url else None
            has_logs: bool | None = None
            if callout_logs and host:
                hit = self.org.con.execute(
                    "SELECT max(ts), min(ts), count(*) FROM events WHERE event_type IN ('ApexCallout', "
                    "'NamedCredential', 'ExternalCustomApexCallout') AND (uri ILIKE ? OR "
                    f"array_to_string(list_concat({_LOGGED_TEXT}, map_values(raw)), ' ') ILIKE ?)",
                    [f"%{host}%", f"%{host}%"],
                ).fetchone()
                has_logs = bool(hit and hit[2])
            if kind == "installed_package":
                has_logs = None
            details["logs_needed"] = "ApexCallout / NamedCredential event log files"
            surface = Surface(
                id=f"{kind}:{name}",
                kind=kind,  # type: ignore[arg-type]
                name=name,
                details=details,
                urls=[url] if url else [],
                has_logs=has_logs,
            )
            surface.destination = self.destination(name, [host] if host else [], set(), None) if host else None
            out.append(surface)
        return out

    def _other_metadata(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Outbound messages, external services, platform event subscribers, installed packages."""
        base = self.org.metadata_dir
        out: list[tuple[str, str, str, dict[str, Any]]] = []
        if base is None:
            return out
        for path in sorted(base.rglob("*")):
            lower = path.name.lower()
            rel = path.relative_to(base).as_posix()
            if lower.endswith((".workflow-meta.xml", ".workflow")):
                root = parse_file(path, rel)
                obj = path.name.split(".")[0]
                for om in root.findall("outboundMessages"):
                    out.append(("outbound_message", f"{obj}.{om.get('fullName') or ''}", om.get("endpointUrl") or "",
                                {"object": obj, "fields": [f.text.strip() for f in om.findall("fields")],
                                 "integration_user": self._mask(om.get("integrationUser")), "file": rel}))
            elif lower.endswith((".externalserviceregistration-meta.xml", ".externalserviceregistration")):
                root = parse_file(path, rel)
                out.append(("external_service", path.name.split(".")[0], root.get("namedCredentialReference")
                            or root.get("schemaUrl") or "", {"file": rel, "status": root.get("status")}))
            elif lower.endswith((".platformeventsubscriberconfig-meta.xml", ".platformeventsubscriberconfig")):
                root = parse_file(path, rel)
                out.append(("platform_event_subscriber", path.name.split(".")[0], "",
                            {"file": rel, "user": root.get("user"), "trigger": root.get("platformEventConsumer")}))
        for pkg in self.org.metadata.installed_packages if self.org.metadata else []:
            out.append(("installed_package", pkg.namespace, "", {"file": pkg.where.file}))
        return out

    def _app_extras(self) -> dict[str, dict[str, Any]]:
        """Connected-app fields the posture loader does not keep (callback, description, permitted)."""
        meta = self.org.metadata
        out: dict[str, dict[str, Any]] = {}
        if meta is None or self.org.metadata_dir is None:
            return out
        for app in meta.connected_apps:
            if app.where.file is None:
                continue
            root = parse_file(self.org.metadata_dir / app.where.file, app.where.file)
            oauth = root.find("oauthConfig")
            label = root.get("label") or app.name
            entry = {
                "callback_url": oauth.get("callbackUrl") if oauth is not None else None,
                "description": root.get("description"),
                "permitted": [f"Profile {p.text.strip()}" for p in root.findall("profileName")]
                + [f"PermissionSet {p.text.strip()}" for p in root.findall("permissionSetName")],
            }
            out[_norm(app.name)] = entry
            out[_norm(label)] = entry
        return out

    def _app_access(self) -> dict[str, list[str]]:
        """Connected app id → profiles / permission sets allowed to use it (SetupEntityAccess)."""
        sets = {str(r["Id"]): r for r in self.org.objects("PermissionSet")}
        profiles = {str(r["Id"]): str(r.get("Name")) for r in self.org.objects("Profile")}
        out: dict[str, list[str]] = {}
        for row in self.org.objects("SetupEntityAccess"):
            if str(row.get("SetupEntityType")) != "ConnectedApplication":
                continue
            ps = sets.get(str(row.get("ParentId")), {})
            if truthy(ps.get("IsOwnedByProfile")):
                label = f"Profile {profiles.get(str(ps.get('ProfileId')), ps.get('Label'))}"
            else:
                label = f"PermissionSet {ps.get('Label') or ps.get('Name') or row.get('ParentId')}"
            out.setdefault(str(as_id18(row.get("SetupEntityId"))), []).append(label)
        return out


def build_map(
    org: OrgData,
    clock: Clock,
    registry: Registry | None = None,
    *,
    rules: TransferRules | None = None,
    reveal: bool = False,
    actors: dict[str, ActorFlows] | None = None,
) -> FlowMap:
    """The data-flow map of one org (pure: same input and clock → same map)."""
    registry = registry or Registry()
    rules = rules or load_rules()
    builder = _Builder(org, registry, rules, reveal)
    actors = actors if actors is not None else observed_flows(org)
    apps = builder.app_surfaces(actors)
    covered = {u.user_id for s in apps for u in s.users}
    surfaces = apps + builder.user_surfaces(actors, covered) + builder.callout_surfaces()
    for surface in surfaces:
        hosts = [h for h in (_host(u) for u in surface.urls) if h]
        entry = registry.for_surface(surface.name, hosts)
        surface.flags = (
            builder.no_logs_flag(surface)
            + builder.http_flags(surface)
            + builder.transfer_flags(surface)
            + (builder.minimisation_flags(surface, entry) if surface.kind in ("connected_app", "integration_user") else [])
        )
    notes = [
        "observed = seen in the logs over the window; possible = granted by permissions, never seen",
        "written fields are not in Salesforce event logs: writes are shown per object only",
    ]
    if org.metadata is None:
        notes.append("no metadata folder: object/field permissions, named credentials and remote sites unknown")
    notes.extend(f"input problem: {p}" for p in org.problems[:10])
    return FlowMap(
        source=org.label,
        org_id=org.org_id,
        window_start=org.window_start,
        window_end=org.window_end,
        generated_at=clock.now(),
        rules_reviewed=rules.reviewed,
        surfaces=surfaces,
        subjects=dict(sorted(builder.subjects.items())),
        notes=notes,
    )
