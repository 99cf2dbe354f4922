"""Secrets stored in custom metadata records or custom settings."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed, pii_elements
from leakline.posture.results import Context, Result, Status


def _credential(name: str, categories: list[str]) -> list[str]:
    return [e for e in pii_elements(name, None, sensitive_only=True) if e in categories]


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per custom metadata value or custom-setting field whose name marks it as a credential."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    settings_objects = {o.name for o in meta.objects if o.custom_settings_type}
    if not meta.custom_metadata and not settings_objects:
        return not_evaluated(
            "(custom metadata)", "no custom metadata records or custom settings in the metadata"
        )
    kinds = ctx.params["credential_elements"]
    results = []
    for record in meta.custom_metadata:
        for value in record.values:
            found = _credential(value.field, kinds)
            if found and value.value:
                results.append(
                    Result.at(
                        Status.FAIL,
                        f"{record.type}.{record.name}",
                        f"field {value.field} holds a value that looks like {found[0]} (value not shown)",
                        value.where,
                    )
                )
    for field in meta.fields:
        if field.object in settings_objects:
            found = _credential(field.name, kinds)
            if found:
                results.append(
                    Result.at(
                        Status.FAIL,
                        field.qualified,
                        f"custom setting field looks like {found[0]} storage",
                        field.where,
                    )
                )
    return results or passed(
        ALL,
        f"no credential-like values in {len(meta.custom_metadata)} custom metadata record(s) and {len(settings_objects)} custom setting(s)",
    )
