"""The one injected clock. Nothing outside this module calls ``datetime.now()``.

All times in leakline are timezone-aware UTC. Code that needs "now" takes a ``Clock``;
tests pass a ``FixedClock`` so output is reproducible.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Protocol

from leakline.core.errors import BadInputError


class Clock(Protocol):
    """Source of the current time (UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC. ``LEAKLINE_NOW`` (ISO-8601) pins it, for reproducible runs."""

    def now(self) -> datetime:
        pinned = os.environ.get("LEAKLINE_NOW")
        if pinned:
            return parse_utc(pinned, what="LEAKLINE_NOW")
        return datetime.now(UTC)


class FixedClock:
    """A clock that returns a fixed instant, optionally advancing by ``step`` on each call."""

    def __init__(self, start: datetime | str, step: timedelta = timedelta(0)) -> None:
        self._now = parse_utc(start) if isinstance(start, str) else to_utc(start)
        self._step = step

    def now(self) -> datetime:
        current = self._now
        self._now = current + self._step
        return current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta


def to_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive datetimes are rejected (their zone is unknown)."""
    if value.tzinfo is None:
        raise BadInputError(f"timestamp {value.isoformat()} has no time zone; give it in UTC (…Z)")
    return value.astimezone(UTC)


def parse_utc(text: str, what: str = "timestamp") -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` or an offset) or a bare date (midnight UTC)."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return datetime.fromisoformat(raw).replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadInputError(
            f"{what} {text!r} is not an ISO-8601 time", hint="example: 2026-03-02T09:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise BadInputError(f"{what} {text!r} has no time zone", hint="append Z for UTC")
    return parsed.astimezone(UTC)


def iso(value: datetime) -> str:
    """Canonical UTC text form used in every output: ``2026-03-02T09:00:00Z``."""
    utc = to_utc(value)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
