"""Custom fields that look like sensitive personal data or secrets, without encryption."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed, pii_elements
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per custom field matched to a sensitive element that is neither EncryptedText nor Shield-encrypted."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    custom = [f for f in meta.fields if f.name.endswith("__c")]
    if not custom:
        return not_evaluated("(fields)", "no custom fields in the metadata")
    results = []
    for field in custom:
        elements = pii_elements(field.name, field.description, sensitive_only=True)
        if not elements or field.type in ctx.params["skip_types"]:
            continue
        encrypted = field.type == "EncryptedText" or (field.encryption_scheme or "None") != "None"
        if not encrypted:
            results.append(
                Result.at(
                    Status.FAIL,
                    field.qualified,
                    f"looks like {', '.join(elements)} and is not encrypted (type {field.type})",
                    field.where,
                )
            )
    return results or passed(ALL, f"no unencrypted sensitive field among {len(custom)} custom field(s)")
