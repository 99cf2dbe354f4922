"""Sensitive custom fields readable by guests or by many profiles and permission sets."""

from __future__ import annotations

from leakline.posture.checklib import (
    ALL,
    holder_detail_or_reason,
    is_admin,
    metadata_or_reason,
    not_evaluated,
    passed,
    pii_elements,
)
from leakline.posture.model import PermissionHolder
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per sensitive field readable by a guest profile or by more than ``max_readers`` non-admin holders."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if missing := holder_detail_or_reason(meta):
        return missing
    sensitive = {
        f.qualified: f for f in meta.fields if pii_elements(f.name, f.description, sensitive_only=True)
    }
    if not sensitive:
        return not_evaluated("(fields)", "no sensitive custom field in the metadata")
    if not meta.holders:
        return not_evaluated("(profiles)", "no profiles or permission sets in the metadata")
    limit = int(ctx.params["max_readers"])
    readers_of: dict[str, list[PermissionHolder]] = {name: [] for name in sensitive}
    for holder in meta.holders:
        if is_admin(holder, ctx.params["admin_profiles"]):
            continue
        for name in {fp.field for fp in holder.field_permissions if fp.readable and fp.field in readers_of}:
            readers_of[name].append(holder)
    results = []
    for name, field in sorted(sensitive.items()):
        readers = readers_of[name]
        guests = [h.name for h in readers if h.is_guest]
        if guests:
            results.append(
                Result.at(Status.FAIL, name, f"readable by guest profile(s) {', '.join(guests)}", field.where)
            )
        elif len(readers) > limit:
            results.append(
                Result.at(
                    Status.FAIL,
                    name,
                    f"readable by {len(readers)} profiles/permission sets (more than {limit})",
                    field.where,
                )
            )
    return results or passed(ALL, f"{len(sensitive)} sensitive field(s) have narrow field-level access")
