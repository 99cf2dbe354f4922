"""Relative date literals (``TODAY``, ``LAST_N_DAYS:30``…) as half-open UTC ranges.

Salesforce resolves these in the running user's time zone; leakline evaluates in UTC (the
emulator's users are all UTC), so a range is ``[start, end)`` of UTC midnights. Weeks start
on Sunday and quarters/fiscal years follow the calendar year, as in a default-locale org.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

FIXED_RANGES = frozenset(
    {
        "YESTERDAY",
        "TODAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
        "THIS_QUARTER",
        "LAST_QUARTER",
        "NEXT_QUARTER",
        "THIS_YEAR",
        "LAST_YEAR",
        "NEXT_YEAR",
        "THIS_FISCAL_QUARTER",
        "LAST_FISCAL_QUARTER",
        "NEXT_FISCAL_QUARTER",
        "THIS_FISCAL_YEAR",
        "LAST_FISCAL_YEAR",
        "NEXT_FISCAL_YEAR",
    }
)
N_RANGES = frozenset(
    {
        "LAST_N_DAYS",
        "NEXT_N_DAYS",
        "N_DAYS_AGO",
        "NEXT_N_WEEKS",
        "LAST_N_WEEKS",
        "N_WEEKS_AGO",
        "NEXT_N_MONTHS",
        "LAST_N_MONTHS",
        "N_MONTHS_AGO",
        "NEXT_N_QUARTERS",
        "LAST_N_QUARTERS",
        "N_QUARTERS_AGO",
        "NEXT_N_YEARS",
        "LAST_N_YEARS",
        "N_YEARS_AGO",
        "NEXT_N_FISCAL_QUARTERS",
        "LAST_N_FISCAL_QUARTERS",
        "N_FISCAL_QUARTERS_AGO",
        "NEXT_N_FISCAL_YEARS",
        "LAST_N_FISCAL_YEARS",
        "N_FISCAL_YEARS_AGO",
    }
)


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + (day.month - 1) + shift
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date, shift: int = 0) -> date:
    first = _month_start(day.replace(day=1), -((day.month - 1) % 3))
    return _month_start(first, 3 * shift)


def _week_start(day: date, shift: int = 0) -> date:
    # Python: Monday=0 … Sunday=6; Salesforce's default locale starts weeks on Sunday.
    sunday = day - timedelta(days=(day.weekday() + 1) % 7)
    return sunday + timedelta(weeks=shift)


def date_range(name: str, n: int | None, now: datetime) -> tuple[date, date]:
    """Return ``[first_day, end_day)`` for the literal ``name`` (``n`` for the ``_N_`` forms)."""
    today = now.astimezone(UTC).date()
    day = timedelta(days=1)
    name = name.upper().replace("_FISCAL", "")
    k = n or 0
    fixed: dict[str, tuple[date, date]] = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (_week_start(today, -1), _week_start(today)),
        "THIS_WEEK": (_week_start(today), _week_start(today, 1)),
        "NEXT_WEEK": (_week_start(today, 1), _week_start(today, 2)),
        "LAST_MONTH": (_month_start(today, -1), _month_start(today)),
        "THIS_MONTH": (_month_start(today), _month_start(today, 1)),
        "NEXT_MONTH": (_month_start(today, 1), _month_start(today, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "THIS_QUARTER": (_quarter_start(today), _quarter_start(today, 1)),
        "LAST_QUARTER": (_quarter_start(today, -1), _quarter_start(today)),
        "NEXT_QUARTER": (_quarter_start(today, 1), _quarter_start(today, 2)),
        "THIS_YEAR": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
    }
    if name in fixed:
        return fixed[name]
    relative: dict[str, tuple[date, date]] = {
        # LAST_N_DAYS:n covers the past n days and today (Salesforce counts today in the range).
        "LAST_N_DAYS": (today - k * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (k + 1) * day),
        "N_DAYS_AGO": (today - k * day, today - (k - 1) * day),
        "LAST_N_WEEKS": (_week_start(today, -k), _week_start(today)),
        "NEXT_N_WEEKS": (_week_start(today, 1), _week_start(today, k + 1)),
        "N_WEEKS_AGO": (_week_start(today, -k), _week_start(today, -k + 1)),
        "LAST_N_MONTHS": (_month_start(today, -k), _month_start(today)),
        "NEXT_N_MONTHS": (_month_start(today, 1), _month_start(today, k + 1)),
        "N_MONTHS_AGO": (_month_start(today, -k), _month_start(today, -k + 1)),
        "LAST_N_QUARTERS": (_quarter_start(today, -k), _quarter_start(today)),
        "NEXT_N_QUARTERS": (_quarter_start(today, 1), _quarter_start(today, k + 1)),
        "N_QUARTERS_AGO": (_quarter_start(today, -k), _quarter_start(today, -k + 1)),
        "LAST_N_YEARS": (date(today.year - k, 1, 1), date(today.year, 1, 1)),
        "NEXT_N_YEARS": (date(today.year + 1, 1, 1), date(today.year + k + 1, 1, 1)),
        "N_YEARS_AGO": (date(today.year - k, 1, 1), date(today.year - k + 1, 1, 1)),
    }
    if name in relative:
        return relative[name]
    raise KeyError(name)


def datetime_range(name: str, n: int | None, now: datetime) -> tuple[datetime, datetime]:
    """Same as :func:`date_range` as UTC datetimes (midnight to midnight)."""
    start, end = date_range(name, n, now)
    return (
        datetime(start.year, start.month, start.day, tzinfo=UTC),
        datetime(end.year, end.month, end.day, tzinfo=UTC),
    )
