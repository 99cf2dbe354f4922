"""Loading and validating the jurisdiction files (all problems at once, with ``file:line``)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_pkg

from leakline.core.registry import UnitProblem, load_units, validate_file
from leakline.notify.models import Jurisdiction
from leakline.pii.elements import element_ids

JURISDICTIONS_DIR = Path(__file__).with_name("jurisdictions")
_STEM = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,10})*$")


def _extra(unit: Jurisdiction, _located: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Checks beyond the schema: element ids exist, time zone and holiday calendar are known."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    known = element_ids()
    for i, combo in enumerate(unit.covered_data.any_of):
        for j, element in enumerate(combo):
            if element not in known:
                found.append(
                    (
                        ("covered_data", "any_of", i, j),
                        f"unknown element id {element!r} (see pii/elements.yaml)",
                    )
                )
    try:
        ZoneInfo(unit.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append((("timezone",), f"unknown time zone {unit.timezone!r}"))
    try:
        holidays_pkg.country_holidays(unit.holidays.country, subdiv=unit.holidays.subdivision, years=2026)
    except NotImplementedError as exc:
        found.append((("holidays",), f"holidays package has no calendar: {exc}"))
    if unit.reviewed < unit.effective and unit.kind != "international":
        found.append((("reviewed",), "reviewed date is before the effective date"))
    return found


def validate_dir(directory: Path = JURISDICTIONS_DIR) -> list[UnitProblem]:
    """Every problem in every jurisdiction file of ``directory`` (empty list = all valid)."""
    problems: list[UnitProblem] = []
    for path in sorted(directory.glob("*.yaml")):
        if not _STEM.match(path.stem):
            problems.append(
                UnitProblem(str(path), 1, f"file name {path.name!r} is not a regime code like US-CA.yaml")
            )
        _unit, found = validate_file(path, Jurisdiction, _extra)
        problems.extend(found)
    return problems


def load_dir(directory: Path) -> dict[str, Jurisdiction]:
    """Regime id → rules for every file of ``directory``; raises ``UnitLoadError`` listing all problems."""
    return {unit.id: unit.model for unit in load_units(directory, Jurisdiction, extra=_extra)}


@cache
def load_jurisdictions() -> dict[str, Jurisdiction]:
    """The shipped rules (cached)."""
    return load_dir(JURISDICTIONS_DIR)
