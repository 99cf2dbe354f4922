"""The map's data files: transfer rules (``transfer_rules.yaml``) and the user's destinations registry.

Destinations registry (YAML, edited by the user)::

    destinations:
      - host: warehouse.example.com          # exact host, or "*.example.com"
        country: DE                          # ISO 3166-1 alpha-2
        region: eu-central                   # free text (cloud region, city …), optional
        surfaces: [Snowfall Warehouse Sync]  # connected apps / named credentials sending data here
        transfer_mechanism: {type: SCCs, date: "2024-03", reference: "DPA v3 annex 2"}
        uses: {Contact: [Id, Email]}         # fields the consumer declares it needs (minimisation)
"""

from __future__ import annotations

import fnmatch
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from leakline.core.registry import UnitLoadError, UnitProblem, validate_file

RULES_FILE = Path(__file__).with_name("transfer_rules.yaml")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Region(_Model):
    law: str
    citation: str
    source: str
    countries: list[str] = Field(min_length=1)
    adequate: list[str] = Field(default_factory=list)


class TransferRules(_Model):
    reviewed: str
    note: str = ""
    regions: dict[str, Region]
    country_fields: dict[str, list[str]] = Field(default_factory=dict)
    not_personal: list[str] = Field(default_factory=list)
    personal_categories: list[str] = Field(default_factory=list)
    salesforce_hosts: list[str] = Field(default_factory=list)

    def region_of(self, country: str) -> str | None:
        for name, region in self.regions.items():
            if country in region.countries:
                return name
        return None

    def is_salesforce(self, host: str) -> bool:
        return any(fnmatch.fnmatch(host.lower(), pattern) for pattern in self.salesforce_hosts)


class Mechanism(_Model):
    type: str = Field(min_length=1, description="SCCs, BCRs, DPF, derogation (Art. 49) …")
    date: str | None = None
    reference: str | None = None


class Destination(_Model):
    host: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    region: str | None = None
    surfaces: list[str] = Field(default_factory=list)
    transfer_mechanism: Mechanism | None = None
    uses: dict[str, list[str]] | None = None
    note: str | None = None

    @field_validator("host")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    def matches_host(self, host: str) -> bool:
        return fnmatch.fnmatch(host.lower(), self.host)


class Registry(_Model):
    destinations: list[Destination] = Field(default_factory=list)

    def for_surface(self, name: str, hosts: list[str]) -> Destination | None:
        """The entry naming this surface, else the first whose host matches one of ``hosts``."""
        for entry in self.destinations:
            if any(s.lower() == name.lower() for s in entry.surfaces):
                return entry
        for entry in self.destinations:
            if any(entry.matches_host(h) for h in hosts):
                return entry
        return None


@cache
def load_rules(path: Path = RULES_FILE) -> TransferRules:
    """The transfer rules; every problem reported with file:line."""
    rules, problems = validate_file(path, TransferRules)
    if problems or rules is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty rules file")])
    return rules


def load_registry(path: Path | None) -> Registry:
    """The user's destinations registry (empty when not given)."""
    if path is None:
        return Registry()
    if not path.is_file():
        raise UnitLoadError([UnitProblem(str(path), 1, "destinations file not found")])
    registry, problems = validate_file(path, Registry)
    if problems or registry is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty destinations file")])
    return registry
