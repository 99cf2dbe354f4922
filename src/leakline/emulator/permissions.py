"""Object read permission and field-level read security, as Salesforce applies them to a user.

Effective permissions = the user's profile + every active, unexpired permission-set
assignment (``PermissionSetAssignment``; permission set groups are not modelled). User
permissions (``ViewAllData`` …) come from the ``Profile`` / ``PermissionSet`` records
(``Permissions<Name>`` booleans) and the metadata files; object and field permissions only from
the metadata files (``objectPermissions`` / ``fieldPermissions`` of
``metadata/force-app/main/default/{profiles,permissionsets}``).

Salesforce semantics applied (a REST query is answered as for the UI, see ``docs/contracts.md``):

* an object is readable with ``allowRead``, ``viewAllRecords`` or ``modifyAllRecords`` on it, or
  with the **View All Data** / **Modify All Data** user permission;
* a field is readable when a ``fieldPermissions`` entry grants ``readable`` (or ``editable``) or
  when it is always readable (system fields, required name fields — leakline's
  ``access/not_permissionable.yaml``). View All Data does **not** bypass field-level security;
* an object or field the user cannot read is indistinguishable from one that does not exist:
  ``INVALID_TYPE`` / ``INVALID_FIELD`` with the "does not exist" wording.

When it applies (opt-in, so flows that log in against a simulated org keep working — the
simulator's profiles list only a few ``fieldPermissions``, so its users' recorded traffic would
not pass a strict check):

* ``enforce_all=True`` (``EmulatorServer(enforce_permissions=True)``): every user, from the org
  folder's records and metadata;
* always, for each user the state overlay declares in ``state/permissions.json``::

      {"users": {"<user id>": {"profile": "<profile name>", "permission_sets": ["<name>", …]}}}

  which replaces that user's profile and assignments. Holder files are looked up first in the
  overlay (``state/metadata/{profiles,permissionsets}/<name>.<kind>-meta.xml``), then in the org
  folder; the org folder is never modified.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from leakline.core.clock import parse_utc
from leakline.core.sfid import to18
from leakline.emulator.org import OrgState

OVERLAY_DOC = "permissions"
_ALL_DATA = ("viewalldata", "modifyalldata")
_SUFFIX = {"profile": ".profile-meta.xml", "permission_set": ".permissionset-meta.xml"}
_FOLDER = {"profile": "profiles", "permission_set": "permissionsets"}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


@dataclass
class Holder:
    """What one profile or permission set grants (names lower-cased for case-insensitive lookup)."""

    user_permissions: set[str] = field(default_factory=set)
    readable_objects: set[str] = field(default_factory=set)
    readable_fields: set[str] = field(default_factory=set)  # "object.field"


class Access(Holder):
    """A user's effective read access: the union of its holders."""

    def add(self, holder: Holder) -> None:
        self.user_permissions |= holder.user_permissions
        self.readable_objects |= holder.readable_objects
        self.readable_fields |= holder.readable_fields

    def can_read_object(self, obj: str) -> bool:
        """Read on the object (View All Data / Modify All Data read every object)."""
        return any(p in self.user_permissions for p in _ALL_DATA) or obj.lower() in self.readable_objects

    def can_read_field(self, obj: str, name: str) -> bool:
        """Field-level read security; ``obj`` and ``name`` in their canonical (schema) spelling."""
        from leakline.access.permset import not_permissionable

        if not_permissionable().contains(obj, name):
            return True
        return f"{obj}.{name}".lower() in self.readable_fields


def _parse_holder(path: Path, display: str, kind: str) -> Holder:
    """Read grants of one holder file, parsed by the posture audit's loader."""
    from leakline.posture.loader import read_holder
    from leakline.posture.xmlsafe import parse_file

    parsed = read_holder(parse_file(path, display), kind, display)
    return Holder(
        user_permissions={name.lower() for name in parsed.user_permissions},
        readable_objects={
            o.object.lower() for o in parsed.object_permissions if o.object and (o.read or o.view_all or o.modify_all)
        },
        readable_fields={f.field.lower() for f in parsed.field_permissions if f.field and (f.readable or f.editable)},
    )


def _record_permissions(record: dict[str, Any]) -> set[str]:
    return {
        k[len("Permissions") :].lower()
        for k, v in record.items()
        if k.startswith("Permissions") and _truthy(v)
    }


class Permissions:
    """Resolves who is checked and what they may read; holder files are parsed once per change."""

    def __init__(self, org: OrgState, enforce_all: bool = False) -> None:
        self.org = org
        self.enforce_all = enforce_all
        self._files: dict[Path, tuple[float, Holder]] = {}
        self._lock = threading.Lock()

    def _holder_file(self, kind: str, *names: str) -> tuple[Path, str] | None:
        roots = (
            (self.org.state_dir / "metadata", "state/metadata"),
            (self.org.org_dir / "metadata" / "force-app" / "main" / "default", "metadata"),
        )
        for root, shown in roots:
            folder = root / _FOLDER[kind]
            for name in names:
                if not name:
                    continue
                path = folder / f"{name}{_SUFFIX[kind]}"
                if path.is_file():
                    return path, f"{shown}/{_FOLDER[kind]}/{path.name}"
        return None

    def _holder(self, kind: str, *names: str) -> Holder:
        found = self._holder_file(kind, *names)
        if found is None:
            return Holder()
        path, display = found
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._files.get(path)
            if cached is not None and cached[0] == mtime:
                return cached[1]
        holder = _parse_holder(path, display, kind)
        with self._lock:
            self._files[path] = (mtime, holder)
        return holder

    def access_for(self, user_id: str, now: datetime) -> Access | None:
        """The user's read access, or None when permissions are not enforced for this user."""
        try:
            uid = to18(user_id)
        except ValueError:
            uid = user_id
        declared = self.org.load_doc(OVERLAY_DOC).get("users") or {}
        overlay = declared.get(uid) or declared.get(user_id)
        if overlay is not None:
            access = Access()
            profile = str(overlay.get("profile") or "")
            if profile:
                access.add(self._holder("profile", profile))
            for name in overlay.get("permission_sets") or []:
                access.add(self._holder("permission_set", str(name)))
            return access
        if not self.enforce_all:
            return None
        return self._from_org(uid, now)

    def _from_org(self, uid: str, now: datetime) -> Access:
        access = Access()
        user = self.org.get("User", uid) or {}
        profile_id = str(user.get("ProfileId") or "")
        if profile_id:
            profile = self.org.get("Profile", profile_id) or {}
            access.user_permissions |= _record_permissions(profile)
            name = str(profile.get("Name") or "")
            access.add(self._holder("profile", name))
        permsets = self.org.table("PermissionSet")
        for assignment in self.org.table("PermissionSetAssignment").values():
            if assignment.get("IsDeleted") or str(assignment.get("AssigneeId") or "") not in (uid, uid[:15]):
                continue
            if assignment.get("IsActive") is not None and not _truthy(assignment.get("IsActive")):
                continue
            expiry = assignment.get("ExpirationDate")
            if expiry and parse_utc(str(expiry)) <= now:
                continue
            try:
                ps = permsets.get(to18(str(assignment.get("PermissionSetId") or "")))
            except ValueError:
                ps = None
            if ps is None or ps.get("IsDeleted"):
                continue
            access.user_permissions |= _record_permissions(ps)
            if not _truthy(ps.get("IsOwnedByProfile")):
                access.add(
                    self._holder("permission_set", str(ps.get("Name") or ""), str(ps.get("Label") or ""))
                )
        return access
