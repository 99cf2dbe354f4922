"""Shared foundation: clock, errors, case folder, typed models, unit registry, masking."""

from leakline.core.clock import Clock, FixedClock, SystemClock, parse_utc, to_utc
from leakline.core.errors import (
    BadInputError,
    ConfigError,
    IntegrityError,
    LeaklineError,
    RemoteError,
    UsageError,
)

__all__ = [
    "BadInputError",
    "Clock",
    "ConfigError",
    "FixedClock",
    "IntegrityError",
    "LeaklineError",
    "RemoteError",
    "SystemClock",
    "UsageError",
    "parse_utc",
    "to_utc",
]
