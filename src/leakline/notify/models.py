"""Schema of a jurisdiction file (``notify/jurisdictions/<REGIME>.yaml``).

A file states one notification regime as cited data: where it applies, what data it
covers, its safe harbors and exceptions, and one ``obligations`` entry per audience (or per
step, e.g. NIS2's early warning / notification / final report). Every group of facts carries
``verified`` + ``sources``; an unverified group must say why in ``note``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Audience = Literal["individuals", "regulator", "consumer_reporting_agencies", "media"]
AUDIENCES: tuple[str, ...] = ("individuals", "regulator", "consumer_reporting_agencies", "media")
Sector = Literal["health", "financial", "public-company", "critical-entity"]
SECTORS: tuple[str, ...] = ("health", "financial", "public-company", "critical-entity")
Unit = Literal["hours", "calendar_days", "business_days", "months"]


class Source(BaseModel):
    """Where a fact was checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://")


class Facts(BaseModel):
    """Provenance shared by every fact group."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verified: bool
    sources: tuple[Source, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> Facts:
        if self.verified and not self.sources:
            raise ValueError("verified: true needs at least one entry in sources")
        if not self.verified and not (self.note and self.note.strip()):
            raise ValueError("verified: false needs a note saying what was not checked")
        return self


class Holidays(BaseModel):
    """Public-holiday calendar for business-day deadlines (``holidays`` package codes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = None


class Scope(BaseModel):
    """When the regime is considered at all.

    ``residence``: subject residence codes it protects (``US-CA``; a bare country code such as
    ``DE`` also matches ``DE-BY``; ``*`` matches everyone). ``establishment``: values of
    ``--establishment`` that bring every subject into scope (GDPR Art. 3(1)). ``sectors``: the
    regime applies only if one of these ``--sector`` values was declared.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    residence: tuple[str, ...] = Field(min_length=1)
    establishment: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    applicability_question: str | None = None


class CoveredData(Facts):
    """Covered data: the row's elements must include every element of at least one combination."""

    description: str
    any_of: tuple[tuple[str, ...], ...] = Field(min_length=1)


class SafeHarbor(Facts):
    """Encryption safe harbor and whether a compromised key voids it."""

    encryption: bool
    key_compromise_exception: bool
    text: str


class RiskOfHarm(Facts):
    """Whether notice may be withheld after a documented risk-of-harm judgement."""

    exception: bool
    question: str | None = None
    text: str

    @model_validator(mode="after")
    def _question(self) -> RiskOfHarm:
        if self.exception and not self.question:
            raise ValueError("a risk-of-harm exception needs the question a person must answer")
        return self


class Deadline(BaseModel):
    """A deadline: ``amount`` ``unit`` after ``anchor`` (``None`` amount = no fixed period)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=3)
    amount: int | None = Field(default=None, ge=0)
    unit: Unit | None = None
    anchor: Literal["discovery", "determination", "step", "year_end"] = "discovery"
    after_step: str | None = None
    clock_start: str = Field(min_length=3)

    @model_validator(mode="after")
    def _shape(self) -> Deadline:
        if (self.amount is None) != (self.unit is None):
            raise ValueError("amount and unit go together (both or neither)")
        if (self.anchor == "step") != (self.after_step is not None):
            raise ValueError("anchor: step needs after_step (and after_step needs anchor: step)")
        return self


class Threshold(BaseModel):
    """Minimum number of affected subjects (``per_subdivision``: counted per residence code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min_affected: int = Field(default=1, ge=1)
    max_affected: int | None = Field(default=None, ge=1)
    per_subdivision: bool = False
    text: str | None = None


class ContentItem(BaseModel):
    """One required element of a notice; ``heading`` is what the linter looks for."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    heading: str = Field(min_length=2)
    guidance: str


class Obligation(Facts):
    """One duty to tell one audience (or one step of a staged duty)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    audience: Audience
    recipient: str
    deadline: Deadline
    threshold: Threshold = Threshold()
    # Regime-level risk-of-harm exception applies to this audience unless set false.
    risk_of_harm_applies: bool = True
    # Encryption safe harbor applies to this audience unless set false (GDPR Art. 33 vs 34).
    safe_harbor_applies: bool = True
    # A judgement the law asks for besides risk of harm (materiality, applicability …).
    assess_question: str | None = None
    # At or above this many affected subjects the judgement is moot: notice is required.
    required_from: int | None = Field(default=None, ge=1)
    content: tuple[ContentItem, ...] = ()


class Jurisdiction(BaseModel):
    """One regime (the file stem is its id, e.g. ``US-CA``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    kind: Literal["us_state", "us_territory", "us_federal", "international"]
    citation: str
    link: str = Field(pattern=r"^https?://")
    effective: date
    reviewed: date
    timezone: str
    holidays: Holidays
    scope: Scope
    covered_data: CoveredData
    safe_harbor: SafeHarbor
    risk_of_harm: RiskOfHarm
    obligations: tuple[Obligation, ...] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _steps(self) -> Jurisdiction:
        ids = [o.id for o in self.obligations]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate obligation ids: {', '.join(dupes)}")
        for ob in self.obligations:
            target = ob.deadline.after_step
            if target is not None and (target not in ids or target == ob.id):
                raise ValueError(f"obligation {ob.id}: after_step {target!r} is not another obligation id")
        return self

    @property
    def verified_groups(self) -> dict[str, bool]:
        """Fact group → verified flag (for reports and the lead's summary)."""
        groups = {
            "covered_data": self.covered_data.verified,
            "safe_harbor": self.safe_harbor.verified,
            "risk_of_harm": self.risk_of_harm.verified,
        }
        for ob in self.obligations:
            groups[f"obligations.{ob.id}"] = ob.verified
        return groups
