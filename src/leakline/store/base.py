"""Pieces shared by the normalizers: row problems, the Arrow schema, time parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import pyarrow as pa

from leakline.core import sfid
from leakline.store.schema import EVENT_COLUMNS

_ARROW_TYPES: dict[str, pa.DataType] = {
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "MAP(VARCHAR, VARCHAR)": pa.map_(pa.string(), pa.string()),
}

EVENTS_ARROW_SCHEMA = pa.schema([pa.field(name, _ARROW_TYPES[sqltype]) for name, sqltype, _ in EVENT_COLUMNS])


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be loaded: where it is and why (the rest of the file still loads)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def empty_events() -> pa.Table:
    """An events table with no rows (the schema every normalizer returns)."""
    return EVENTS_ARROW_SCHEMA.empty_table()


def id18(value: str | None) -> str | None:
    """18-char form of a Salesforce id; anything that is not a 15/18-char id is kept as given."""
    if not value:
        return None
    try:
        return sfid.to18(value)
    except ValueError:
        return value


# Zone abbreviations seen in Salesforce UI exports (the export writes the viewer's zone).
# Ambiguous abbreviations (IST, CST in Asia …) are deliberately left out: unknown → row problem.
_ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120,
    "EET": 120, "EEST": 180, "PST": -480, "PDT": -420, "MST": -420, "MDT": -360, "CST": -360,
    "CDT": -300, "EST": -300, "EDT": -240, "AKST": -540, "AKDT": -480, "HST": -600,
    "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}  # fmt: skip

_SF_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}T")
_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y%m%d%H%M%S.%f",
)


def parse_sf_time(text: str | None, default_zone: tzinfo | None = None) -> datetime | None:
    """Parse a Salesforce or export timestamp into naive UTC (the store's convention).

    Accepts API form (``2026-03-01T09:00:00.000+0000``), ISO-8601 with ``Z``/offset, ELF
    ``yyyyMMddHHmmss.SSS`` and the UI export forms (``3/1/2026 9:00:00 AM PST``). A time
    without a zone is read in ``default_zone``; without one, ``None`` (unknown is not UTC).
    Raises ``ValueError`` on text that is not a time.
    """
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    if _ISO_START.match(raw):
        iso = _SF_OFFSET.sub(r"\1:\2", raw.replace("Z", "+00:00"))
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            parsed = None
        if parsed is not None:
            return _to_naive_utc(parsed, default_zone)
    zone: tzinfo | None = None
    body = raw
    parts = raw.rsplit(" ", 1)
    if len(parts) == 2 and parts[1].isalpha() and parts[1].upper() not in ("AM", "PM"):
        abbrev = parts[1].upper()
        if abbrev not in _ZONE_ABBREVIATIONS:
            raise ValueError(f"unknown time zone abbreviation {parts[1]!r} in {raw!r}")
        zone = timezone(timedelta(minutes=_ZONE_ABBREVIATIONS[abbrev]))
        body = parts[0]
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(body, fmt)  # noqa: DTZ007 - zone attached below
        except ValueError:
            continue
        if fmt.startswith("%Y%m%d"):
            zone = UTC
        return _to_naive_utc(parsed.replace(tzinfo=zone) if zone else parsed, default_zone)
    raise ValueError(f"not a recognised timestamp: {raw!r}")


def _to_naive_utc(value: datetime, default_zone: tzinfo | None) -> datetime | None:
    if value.tzinfo is None:
        if default_zone is None:
            return None
        value = value.replace(tzinfo=default_zone)
    return value.astimezone(UTC).replace(tzinfo=None)


def to_text(value: Any) -> str | None:
    """Record field → text as it would appear in a CSV export (JSON for nested values)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        from leakline.core.jsonio import dumps

        return dumps(value, indent=None)
    return str(value)


def safe_part(value: str) -> str:
    """A value usable as one path segment of the hive layout."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", value).strip(".")
    return cleaned or "_"
