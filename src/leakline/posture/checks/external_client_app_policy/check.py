"""External Client App OAuth policy lets users self-authorize or relaxes IP restrictions."""

from __future__ import annotations

from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per policy whose permitted-users or IP-relaxation value is in the risky lists (parameters)."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.eca_policies:
        return not_evaluated(
            "(external client apps)", "no External Client App OAuth policies in the metadata"
        )
    results = []
    for policy in meta.eca_policies:
        users = policy.values.get("permittedUsersPolicyType")
        if users is not None and users.value in ctx.params["self_authorized"]:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ExternalClientApp {policy.name}",
                    f"permittedUsersPolicyType is {users.value}",
                    users.where,
                )
            )
        relax = policy.values.get("ipRelaxationPolicyType")
        if relax is not None and relax.value in ctx.params["relaxed_ip"]:
            results.append(
                Result.at(
                    Status.FAIL,
                    f"ExternalClientApp {policy.name}",
                    f"ipRelaxationPolicyType is {relax.value}",
                    relax.where,
                )
            )
    return results or passed(
        ALL,
        f"{len(meta.eca_policies)} External Client App polic(ies) are admin-approved and enforce IP restrictions",
    )
