"""Installed (namespaced) packages whose permission sets grant broad permissions."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per namespaced profile/permission set granting any of ``broad_permissions``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    namespaces = {p.namespace for p in meta.installed_packages}
    packaged = [h for h in meta.holders if h.namespace and (not namespaces or h.namespace in namespaces)]
    if not namespaces and not packaged:
        return not_evaluated(
            "(installed packages)", "no installed packages or namespaced permission sets in the metadata"
        )
    results = []
    for holder in packaged:
        held = [p for p in ctx.params["broad_permissions"] if p in holder.user_permissions]
        if held:
            first = min((holder.user_permissions[p] for p in held), key=lambda w: w.line or 0)
            results.append(
                Result.at(
                    Status.FAIL, holder.label, f"package {holder.namespace} grants {', '.join(held)}", first
                )
            )
    return results or passed(
        ALL,
        f"{len(packaged)} packaged permission set(s) of {len(namespaces)} installed package(s) grant no broad permission",
    )
