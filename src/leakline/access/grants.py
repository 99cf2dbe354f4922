"""Effective permissions of each user: profile + active permission-set assignments.

User-level permissions (``ViewAllData`` …) come from the ``PermissionSet`` records
(``Permissions<Name>`` booleans; a profile has an owned permission set) or, failing that, the
metadata files. Object, field and custom permissions exist only in metadata
(``objectPermissions`` / ``fieldPermissions`` / ``customPermissions`` of profiles and permission
sets); without a metadata folder they are unknown and :attr:`Grants.metadata_known` is False.

Salesforce semantics applied here (reference §6.4): Modify All Data implies every object
permission on every object; View All Data implies read and View All on every object. Neither
bypasses field-level security, so field access is only what ``fieldPermissions`` grant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from leakline.core.clock import parse_utc
from leakline.flowmap.source import OrgData, truthy
from leakline.posture.model import PermissionHolder
from leakline.posture.xmlsafe import parse_file

OBJECT_OPS = ("read", "create", "edit", "delete", "view_all", "modify_all")
HIGH_RISK = (
    "ModifyAllData",
    "ViewAllData",
    "ManageUsers",
    "AuthorApex",
    "CustomizeApplication",
    "ModifyMetadata",
    "ManageProfilesPermissionsets",
    "AssignPermissionSets",
    "ViewAllUsers",
    "DataExport",
    "ManageDataIntegrations",
    "ViewSetup",
    "UseAnyApiAuth",
    "CanApproveUninstalledApps",
)


@dataclass
class Holder:
    """A profile or permission set as granted to users (record + metadata merged)."""

    kind: str  # profile | permission_set
    name: str  # API name (metadata file stem)
    label: str
    record_id: str | None
    user_permissions: set[str] = field(default_factory=set)
    objects: dict[str, set[str]] = field(default_factory=dict)  # object → ops
    fields: dict[str, set[str]] = field(default_factory=dict)  # Obj.Field → {"read","edit"}
    custom_permissions: set[str] = field(default_factory=set)
    in_metadata: bool = False

    @property
    def via(self) -> str:
        return f"{'Profile' if self.kind == 'profile' else 'PermissionSet'} {self.label}"


@dataclass
class Grants:
    """What one user may do, with the holders that grant each thing."""

    user_id: str
    username: str
    active: bool
    profile: str | None
    holders: list[Holder]
    metadata_known: bool
    expiring: dict[str, datetime] = field(default_factory=dict)  # permission set → assignment expiry

    def user_permission_via(self, name: str) -> list[str]:
        return [h.via for h in self.holders if name in h.user_permissions]

    def has_user_permission(self, name: str) -> bool:
        return any(name in h.user_permissions for h in self.holders)

    def object_ops(self, obj: str) -> dict[str, list[str]]:
        """op → holders granting it on ``obj`` (Modify/View All Data included)."""
        out: dict[str, list[str]] = defaultdict(list)
        for h in self.holders:
            for op in sorted(h.objects.get(obj, ())):
                out[op].append(h.via)
            if "ModifyAllData" in h.user_permissions:
                for op in OBJECT_OPS:
                    out[op].append(f"{h.via} (Modify All Data)")
            elif "ViewAllData" in h.user_permissions:
                for op in ("read", "view_all"):
                    out[op].append(f"{h.via} (View All Data)")
        return dict(out)

    def can(self, op: str, obj: str) -> bool:
        return bool(self.object_ops(obj).get(op))

    def field_access(self, qualified: str) -> dict[str, list[str]]:
        """``read``/``edit`` → holders granting it on ``Obj.Field``."""
        out: dict[str, list[str]] = defaultdict(list)
        for h in self.holders:
            for access in sorted(h.fields.get(qualified, ())):
                out[access].append(h.via)
        return dict(out)

    def custom_permission_via(self, name: str) -> list[str]:
        return [h.via for h in self.holders if name in h.custom_permissions]

    def objects(self) -> set[str]:
        names: set[str] = set()
        for h in self.holders:
            names.update(h.objects)
        return names

    def fields(self) -> set[str]:
        names: set[str] = set()
        for h in self.holders:
            names.update(h.fields)
        return names

    def high_risk(self) -> dict[str, list[str]]:
        return {p: self.user_permission_via(p) for p in HIGH_RISK if self.has_user_permission(p)}


def _custom_permissions(meta_dir: Path | None, holder: PermissionHolder) -> set[str]:
    # The posture loader does not keep customPermissions; read them from the same file.
    if meta_dir is None or holder.where.file is None:
        return set()
    root = parse_file(meta_dir / holder.where.file, holder.where.file)
    return {
        v.get("name", "")
        for v in (c.texts() for c in root.findall("customPermissions"))
        if v.get("enabled", "").lower() == "true" and v.get("name")
    }


def _from_metadata(holder: Holder, meta: PermissionHolder, meta_dir: Path | None) -> None:
    holder.in_metadata = True
    holder.user_permissions.update(meta.user_permissions)
    for op in meta.object_permissions:
        ops = holder.objects.setdefault(op.object, set())
        for name, flag in (
            ("read", op.read),
            ("create", op.create),
            ("edit", op.edit),
            ("delete", op.delete),
            ("view_all", op.view_all),
            ("modify_all", op.modify_all),
        ):
            if flag:
                ops.add(name)
    for fp in meta.field_permissions:
        access = holder.fields.setdefault(fp.field, set())
        if fp.readable:
            access.add("read")
        if fp.editable:
            access.update(("read", "edit"))
    holder.custom_permissions |= _custom_permissions(meta_dir, meta)


def _record_perms(record: dict[str, Any]) -> set[str]:
    return {k[len("Permissions"):] for k, v in record.items() if k.startswith("Permissions") and truthy(v)}


def _norm(name: str) -> str:
    return name.replace(" ", "_").lower()


def effective_grants(org: OrgData, at: datetime | None = None) -> dict[str, Grants]:
    """Grants per user id. ``at`` drops permission-set assignments that expired before it."""
    meta = org.metadata
    meta_profiles = {_norm(h.name): h for h in meta.holders if h.kind == "profile"} if meta else {}
    meta_sets = {_norm(h.name): h for h in meta.holders if h.kind == "permission_set"} if meta else {}
    profiles = {str(r["Id"]): r for r in org.objects("Profile")}
    owned = {str(r.get("ProfileId")): r for r in org.objects("PermissionSet") if truthy(r.get("IsOwnedByProfile"))}
    permsets = {str(r["Id"]): r for r in org.objects("PermissionSet")}
    holders: dict[str, Holder] = {}

    def profile_holder(profile_id: str) -> Holder | None:
        if profile_id in holders:
            return holders[profile_id]
        rec = profiles.get(profile_id)
        if rec is None:
            return None
        name = str(rec.get("Name") or profile_id)
        h = Holder("profile", name, name, profile_id)
        h.user_permissions |= _record_perms(rec) | _record_perms(owned.get(profile_id, {}))
        m = meta_profiles.get(_norm(name))
        if m is not None:
            _from_metadata(h, m, org.metadata_dir)
        holders[profile_id] = h
        return h

    def set_holder(ps_id: str) -> Holder | None:
        if ps_id in holders:
            return holders[ps_id]
        rec = permsets.get(ps_id)
        if rec is None or truthy(rec.get("IsOwnedByProfile")):
            return None
        name = str(rec.get("Name") or ps_id)
        h = Holder("permission_set", name, str(rec.get("Label") or name), ps_id)
        h.user_permissions |= _record_perms(rec)
        m = meta_sets.get(_norm(name)) or meta_sets.get(_norm(str(rec.get("Label") or "")))
        if m is not None:
            _from_metadata(h, m, org.metadata_dir)
        holders[ps_id] = h
        return h

    assignments: dict[str, list[tuple[str, datetime | None]]] = defaultdict(list)
    for a in org.objects("PermissionSetAssignment"):
        if a.get("IsActive") is not None and not truthy(a.get("IsActive")):
            continue
        expiry = parse_utc(str(a["ExpirationDate"])) if a.get("ExpirationDate") else None
        if at is not None and expiry is not None and expiry <= at:
            continue
        assignments[str(a.get("AssigneeId"))].append((str(a.get("PermissionSetId")), expiry))
    out: dict[str, Grants] = {}
    for user in org.objects("User"):
        uid = str(user["Id"])
        user_holders: list[Holder] = []
        prof = profile_holder(str(user.get("ProfileId")))
        if prof is not None:
            user_holders.append(prof)
        expiring: dict[str, datetime] = {}
        for ps_id, expiry in assignments.get(uid, []):
            h = set_holder(ps_id)
            if h is not None:
                user_holders.append(h)
                if expiry is not None:
                    expiring[h.label] = expiry
        out[uid] = Grants(
            user_id=uid,
            username=str(user.get("Username") or uid),
            active=truthy(user.get("IsActive")),
            profile=prof.label if prof else None,
            holders=user_holders,
            metadata_known=meta is not None and all(h.in_metadata for h in user_holders),
            expiring=expiring,
        )
    return out
