"""Live mode: read what the checks need from the org through ``leakline.salesforce``.

Through the data API (SOQL) the org exposes profiles and permission sets with their
``Permissions<Name>`` flags (reference §3.6), so live mode feeds the permission checks. Object
and field permissions, login IP ranges, connected-app OAuth policies and Security settings need
a Metadata API retrieve, which the client does not offer yet: checks that need them say
NOT_EVALUATED with that reason instead of passing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from leakline.posture.model import OrgMetadata, PermissionHolder, Where
from leakline.posture.results import LiveData

PREFIX = "Permissions"
LIVE_DETAIL_REASON = (
    "live mode reads profiles and permission sets as records (user permissions only); "
    "object/field permissions and login IP ranges need --metadata (a Metadata API retrieve)"
)


class Record(Protocol):
    @property
    def id(self) -> str | None: ...

    def get(self, name: str, default: object = None) -> object: ...


class OrgReader(Protocol):
    """The part of ``leakline.salesforce.SalesforceClient`` live mode uses."""

    def describe_fields(self, sobject: str) -> list[tuple[str, str]]: ...

    def query(self, soql: str) -> Sequence[Record]: ...


def read_org(client: OrgReader, origin: str) -> tuple[OrgMetadata, LiveData]:
    """Profiles and permission sets with their enabled user permissions, read by SOQL."""
    ps_fields = {name for name, _type in client.describe_fields("PermissionSet")}
    permission_fields = sorted(f for f in ps_fields if f.startswith(PREFIX) and len(f) > len(PREFIX))
    wanted = [f for f in ("Id", "Name", "Label", "IsOwnedByProfile", "ProfileId") if f in ps_fields]
    records = client.query(f"SELECT {', '.join(wanted + permission_fields)} FROM PermissionSet")
    profile_fields = {name for name, _type in client.describe_fields("Profile")}
    columns = [f for f in ("Id", "Name", "UserType", "UserLicense") if f in profile_fields]
    profiles = {r.id: r for r in client.query(f"SELECT {', '.join(columns)} FROM Profile")}
    meta = OrgMetadata(root=origin, holder_detail_missing=LIVE_DETAIL_REASON)
    for record in records:
        where = Where(None, None)
        perms = {f[len(PREFIX) :]: where for f in permission_fields if record.get(f) is True}
        profile = profiles.get(str(record.get("ProfileId"))) if record.get("IsOwnedByProfile") else None
        if profile is not None:
            guest = str(profile.get("UserType") or "") == "Guest"
            license_name = "Guest User License" if guest else str(profile.get("UserLicense") or "") or None
            meta.holders.append(
                PermissionHolder(
                    "profile",
                    str(profile.get("Name")),
                    where,
                    user_license=license_name,
                    user_permissions=perms,
                )
            )
        else:
            meta.holders.append(
                PermissionHolder("permission_set", str(record.get("Name")), where, user_permissions=perms)
            )
    meta.holders.sort(key=lambda h: (h.kind, h.name))
    return meta, LiveData(True, f"read {len(records)} permission set(s) from {origin}")
