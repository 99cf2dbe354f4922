"""Exposure estimate as a labelled range (not legal advice); amounts come from ``exposure.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leakline.core.registry import UnitLoadError, UnitProblem, validate_file
from leakline.notify.engine import NOT_LEGAL_ADVICE, affected_count
from leakline.notify.models import Jurisdiction
from leakline.notify.rules import load_jurisdictions
from leakline.notify.subjects import SubjectRow

EXPOSURE_FILE = Path(__file__).with_name("exposure.yaml")


class ExposureItem(BaseModel):
    """One penalty or damages provision."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    citation: str
    link: str = Field(pattern=r"^https?://")
    currency: Literal["USD", "EUR"]
    basis: Literal["qualifying_california_residents", "turnover"]
    low_per_unit: Decimal | None = None
    high_per_unit: Decimal | None = None
    fixed_max: Decimal | None = None
    turnover_pct: Decimal | None = None
    verified: bool
    note: str


class ExposureData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reviewed: date
    items: dict[str, ExposureItem]


@dataclass(frozen=True)
class ExposureLine:
    """One estimated range."""

    item: str
    label: str
    citation: str
    currency: str
    low: Decimal | None
    high: Decimal | None
    basis: str
    verified: bool
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "label": self.label,
            "citation": self.citation,
            "currency": self.currency,
            "low": str(self.low) if self.low is not None else None,
            "high": str(self.high) if self.high is not None else None,
            "basis": self.basis,
            "verified": self.verified,
            "note": self.note,
        }


@cache
def load_exposure(path: Path = EXPOSURE_FILE) -> ExposureData:
    """The exposure data file, validated (all problems with ``file:line``)."""
    data, problems = validate_file(path, ExposureData)
    if problems or data is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty exposure file")])
    return data


def _california(rows: list[SubjectRow], rules: dict[str, Jurisdiction]) -> int:
    rule = rules.get("US-CA")
    if rule is None:
        return 0
    individuals = next(o for o in rule.obligations if o.audience == "individuals")
    return affected_count(rule, individuals, [r for r in rows if r.residence == "US-CA"])


def estimate(
    rows: list[SubjectRow], turnover_eur: Decimal | None = None, rules: dict[str, Jurisdiction] | None = None
) -> dict[str, Any]:
    """Ranges per provision; turnover-based lines are left open (``None``) without a turnover."""
    rules = load_jurisdictions() if rules is None else rules
    data = load_exposure()
    ca = _california(rows, rules)
    lines: list[ExposureLine] = []
    for key, item in sorted(data.items.items()):
        low: Decimal | None
        high: Decimal | None
        if item.basis == "qualifying_california_residents":
            low = (item.low_per_unit or Decimal(0)) * ca
            high = (item.high_per_unit or Decimal(0)) * ca
            basis = f"{ca} qualifying California resident(s) (unencrypted, covered data)"
        elif turnover_eur is None:
            low, high, basis = None, None, "needs --turnover (worldwide annual turnover, EUR)"
        else:
            pct = (item.turnover_pct or Decimal(0)) / Decimal(100)
            low = Decimal(0)
            high = max(item.fixed_max or Decimal(0), (turnover_eur * pct).quantize(Decimal(1)))
            basis = f"maximum for turnover EUR {turnover_eur}"
        lines.append(
            ExposureLine(
                key, item.label, item.citation, item.currency, low, high, basis, item.verified, item.note
            )
        )
    return {
        "label": "Estimated exposure range — " + NOT_LEGAL_ADVICE,
        "reviewed": data.reviewed.isoformat(),
        "lines": [line.to_json() for line in lines],
    }
