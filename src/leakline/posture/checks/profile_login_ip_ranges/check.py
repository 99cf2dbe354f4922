"""Profiles without login IP ranges, or with ranges that are too broad."""

from __future__ import annotations

import ipaddress

from leakline.posture.checklib import ALL, holder_detail_or_reason, metadata_or_reason, not_evaluated, passed
from leakline.posture.model import IpRange
from leakline.posture.results import Context, Result, Status


def _size(rng: IpRange) -> int | None:
    try:
        return int(ipaddress.ip_address(rng.end)) - int(ipaddress.ip_address(rng.start)) + 1
    except ValueError:
        return None


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per non-guest profile with no loginIpRanges, or with one wider than ``max_addresses_per_range``."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if missing := holder_detail_or_reason(meta):
        return missing
    profiles = [h for h in meta.profiles if not h.is_guest]
    if not profiles:
        return not_evaluated("(profiles)", "no non-guest profile in the metadata")
    limit = int(ctx.params["max_addresses_per_range"])
    results = []
    for profile in profiles:
        if not profile.login_ip_ranges:
            results.append(
                Result.at(
                    Status.FAIL,
                    profile.label,
                    "no login IP ranges: users of this profile can log in from any address",
                    profile.where,
                )
            )
            continue
        for rng in profile.login_ip_ranges:
            size = _size(rng)
            if size is None:
                results.append(
                    Result.at(
                        Status.NOT_EVALUATED,
                        profile.label,
                        f"unreadable login IP range {rng.start}-{rng.end}",
                        rng.where,
                    )
                )
            elif size > limit:
                results.append(
                    Result.at(
                        Status.FAIL,
                        profile.label,
                        f"login IP range {rng.start}-{rng.end} covers {size} addresses (more than {limit})",
                        rng.where,
                    )
                )
    return results or passed(ALL, f"{len(profiles)} profile(s) restrict logins to narrow IP ranges")
