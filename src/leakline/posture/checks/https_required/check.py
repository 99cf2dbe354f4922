"""HTTPS / TLS not required."""

from __future__ import annotations

from leakline.posture.checklib import metadata_or_reason, not_evaluated
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """PASS/FAIL per HTTPS-related setting present (``settings`` are leaf names, looked up at any depth)."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if meta.security is None:
        return not_evaluated(
            "SecuritySettings", "no Security.settings in the metadata (retrieve SecuritySettings)"
        )
    results = []
    for key, found in sorted(meta.security.values.items()):
        if key.rsplit(".", 1)[-1] not in ctx.params["settings"]:
            continue
        status = Status.PASS if found.value.lower() == "true" else Status.FAIL
        note = "" if status == Status.PASS else ": connections without HTTPS/TLS 1.2 are allowed"
        results.append(
            Result.at(status, f"SecuritySettings.{key}", f"{key} is {found.value}{note}", found.where)
        )
    return results or not_evaluated("SecuritySettings", "no HTTPS/TLS setting in Security.settings")
