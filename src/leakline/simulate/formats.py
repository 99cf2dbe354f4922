"""Value formats exactly as Salesforce writes them (sobject datetimes, ELF timestamps)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sf_datetime(value: datetime) -> str:
    """``2026-03-01T09:00:00.000+0000`` (the REST API's datetime form)."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def sf_date(value: date) -> str:
    """``2026-03-01``."""
    return value.isoformat()


def to_ms(value: datetime) -> int:
    """Milliseconds since the epoch (UTC)."""
    return round((value - EPOCH).total_seconds() * 1000)


def from_ms(ms: int) -> datetime:
    """Inverse of :func:`to_ms`."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def ms_to_sf(ms: int) -> str:
    """Epoch milliseconds → sobject datetime text."""
    return sf_datetime(from_ms(ms))


def elf_timestamps(ms: np.ndarray) -> tuple[list[str], list[str]]:
    """Epoch ms → (TIMESTAMP ``yyyyMMddHHmmss.SSS``, TIMESTAMP_DERIVED ``YYYY-MM-DDTHH:MM:SS.sssZ``)."""
    iso = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    derived = [s + "Z" for s in iso.tolist()]
    compact = [s[0:4] + s[5:7] + s[8:10] + s[11:13] + s[14:16] + s[17:19] + s[19:23] for s in iso.tolist()]
    return compact, derived


def ms_to_sf_many(ms: np.ndarray) -> list[str]:
    """Epoch ms array → sobject datetime texts."""
    iso = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [s + "+0000" for s in iso.tolist()]
