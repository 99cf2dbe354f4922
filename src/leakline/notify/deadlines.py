"""Deadline arithmetic: hours, calendar days, business days (with public holidays), months.

Periods run from the exact instant the clock starts and keep its time of day, so a deadline
is known to the minute. Business days are counted in the jurisdiction's own time zone and
skip Saturdays, Sundays and the public holidays of its ``holidays`` calendar; the day the
clock starts is not counted (the common rule for "within N days").
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holidays_pkg

from leakline.notify.models import Holidays, Unit


@cache
def _calendar(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_pkg.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_business_day(day: date, cal: Holidays) -> bool:
    """Monday–Friday and not a public holiday of ``cal``."""
    return day.weekday() < 5 and day not in _calendar(cal.country, cal.subdivision, day.year)


def add_business_days(start: datetime, days: int, cal: Holidays, zone: ZoneInfo) -> datetime:
    """``start`` plus ``days`` business days, same local time of day, returned in UTC."""
    local = start.astimezone(zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, cal):
            counted += 1
    naive = datetime.combine(day, local.time())
    return naive.replace(tzinfo=zone).astimezone(UTC)


def add_months(start: datetime, months: int, zone: ZoneInfo) -> datetime:
    """Same day-of-month ``months`` later in local time (clamped to the month's last day)."""
    local = start.astimezone(zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def add_period(start: datetime, amount: int, unit: Unit, cal: Holidays, zone: ZoneInfo) -> datetime:
    """``start`` + ``amount`` ``unit`` (UTC in, UTC out)."""
    if unit == "hours":
        return start + timedelta(hours=amount)
    if unit == "calendar_days":
        return start + timedelta(days=amount)
    if unit == "business_days":
        return add_business_days(start, amount, cal, zone)
    return add_months(start, amount, zone)


def year_end(start: datetime, zone: ZoneInfo) -> datetime:
    """Midnight at the start of the next calendar year (local), in UTC: the end of ``start``'s year."""
    local = start.astimezone(zone)
    return datetime(local.year + 1, 1, 1, tzinfo=zone).astimezone(UTC)


def remaining(deadline: datetime, now: datetime) -> str:
    """Human countdown: ``2d 03h 15m`` or ``OVERDUE 1d 02h 00m``."""
    delta = deadline - now
    overdue = delta.total_seconds() < 0
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = f"{days}d {hours:02d}h {mins:02d}m"
    return f"OVERDUE {text}" if overdue else text
