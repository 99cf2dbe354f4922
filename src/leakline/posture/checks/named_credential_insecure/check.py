"""Named credentials over HTTP or with secrets in the metadata."""

from __future__ import annotations

import re

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per named credential with an http:// endpoint or a stored secret in the retrieved file."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.named_credentials:
        return not_evaluated("(named credentials)", "no named credentials in the metadata")
    results = []
    for cred in meta.named_credentials:
        if cred.endpoint and re.match(r"(?i)http://", cred.endpoint):
            results.append(
                Result.at(
                    Status.FAIL,
                    f"NamedCredential {cred.name}",
                    f"endpoint {cred.endpoint} is plain HTTP",
                    cred.where,
                )
            )
        if cred.stored_secret_fields:
            fields = ", ".join(cred.stored_secret_fields)
            results.append(
                Result.at(
                    Status.FAIL,
                    f"NamedCredential {cred.name}",
                    f"metadata file holds a secret in {fields} (value not shown)",
                    cred.where,
                )
            )
    return results or passed(
        ALL, f"{len(meta.named_credentials)} named credential(s) use HTTPS and hold no secret in source"
    )
