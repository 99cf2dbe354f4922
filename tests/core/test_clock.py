from datetime import UTC, datetime, timedelta

import pytest

from leakline.core.clock import FixedClock, SystemClock, iso, parse_utc
from leakline.core.errors import BadInputError


def test_fixed_clock_steps() -> None:
    clock = FixedClock("2026-03-02T09:00:00Z", step=timedelta(seconds=1))
    assert clock.now() == datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    assert clock.now() == datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)


def test_parse_offset_is_converted_to_utc() -> None:
    assert parse_utc("2026-03-02T10:00:00+01:00") == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_parse_bare_date_is_midnight_utc() -> None:
    assert parse_utc("2026-03-02") == datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-03-02T09:00:00", "yesterday", "2026-13-01T00:00:00Z"])
def test_parse_rejects_naive_or_garbage(text: str) -> None:
    with pytest.raises(BadInputError):
        parse_utc(text)


def test_iso_is_canonical() -> None:
    assert iso(datetime(2026, 3, 2, 9, tzinfo=UTC)) == "2026-03-02T09:00:00Z"
    assert iso(datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)) == "2026-03-02T09:00:00.123Z"


def test_system_clock_can_be_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKLINE_NOW", "2026-01-01T00:00:00Z")
    assert SystemClock().now() == datetime(2026, 1, 1, tzinfo=UTC)
