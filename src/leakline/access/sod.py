"""Segregation-of-duties rules (``sod_rules/*.yaml``, id = file stem) and their evaluation.

A rule names duties; a duty is held if any of its alternatives holds; an alternative holds if
all of its requirements do. A user holding every duty of a rule is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leakline.access.grants import Grants, Holder
from leakline.core.registry import Unit, load_units

RULES_DIR = Path(__file__).with_name("sod_rules")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Requirement(_Model):
    object: str | None = None
    op: Literal["read", "create", "edit", "delete", "view_all", "modify_all"] | None = None
    field_any: list[str] | None = None
    access: Literal["read", "edit"] | None = None
    user_permission: str | None = None
    custom_permission: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Requirement:
        kinds = [
            self.object is not None,
            self.field_any is not None,
            self.user_permission is not None,
            self.custom_permission is not None,
        ]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of object, field_any, user_permission, custom_permission")
        if self.object is not None and self.op is None:
            raise ValueError("object needs op")
        if self.field_any is not None and self.access is None:
            raise ValueError("field_any needs access")
        return self

    def held(self, grants: Grants) -> list[str]:
        """Holders that satisfy this requirement (empty = not held)."""
        if self.object is not None and self.op is not None:
            return grants.object_ops(self.object).get(self.op, [])
        if self.field_any is not None and self.access is not None:
            via: list[str] = []
            for name in self.field_any:
                via += grants.field_access(name).get(self.access, [])
            return sorted(set(via))
        if self.user_permission is not None:
            return grants.user_permission_via(self.user_permission)
        return grants.custom_permission_via(str(self.custom_permission))


class Example(_Model):
    name: str
    objects: dict[str, list[str]] = Field(default_factory=dict)
    fields: dict[str, list[str]] = Field(default_factory=dict)
    user_permissions: list[str] = Field(default_factory=list)
    custom_permissions: list[str] = Field(default_factory=list)
    conflict: bool


class SodRule(_Model):
    title: str
    severity: Literal["critical", "high", "medium", "low"]
    rationale: str
    citation: str
    reviewed: str
    duties: dict[str, list[list[Requirement]]] = Field(min_length=2)
    examples: list[Example] = Field(min_length=2)


@dataclass(frozen=True)
class Conflict:
    rule_id: str
    rule: SodRule
    user_id: str
    username: str
    duties: dict[str, list[str]]  # duty → holders that grant it


def load_rules(directory: Path = RULES_DIR, extra: Path | None = None) -> list[Unit[SodRule]]:
    """Built-in rules plus a user folder of more rules (same format)."""
    units = load_units(directory, SodRule)
    if extra is not None:
        units += load_units(extra, SodRule)
    return units


def duty_holders(rule: SodRule, grants: Grants) -> dict[str, list[str]]:
    """Duty → holders granting it (duties not held are absent)."""
    held: dict[str, list[str]] = {}
    for duty, alternatives in rule.duties.items():
        for alternative in alternatives:
            parts = [req.held(grants) for req in alternative]
            if all(parts):
                held[duty] = sorted({v for p in parts for v in p})
                break
    return held


def evaluate(rules: list[Unit[SodRule]], grants: dict[str, Grants], active_only: bool = True) -> list[Conflict]:
    """Every (rule, user) conflict, sorted by rule id then user id."""
    out: list[Conflict] = []
    for unit in rules:
        for uid in sorted(grants):
            g = grants[uid]
            if active_only and not g.active:
                continue
            held = duty_holders(unit.model, g)
            if len(held) == len(unit.model.duties):
                out.append(Conflict(unit.id, unit.model, uid, g.username, held))
    return out


def example_grants(example: Example) -> Grants:
    """A synthetic user for a rule's embedded example."""
    holder = Holder("permission_set", "example", "example", None, in_metadata=True)
    holder.objects = {k: set(v) for k, v in example.objects.items()}
    holder.fields = {k: set(v) for k, v in example.fields.items()}
    holder.user_permissions = set(example.user_permissions)
    holder.custom_permissions = set(example.custom_permissions)
    return Grants("005000000000000AAA", "example", True, None, [holder], True)


def run_examples(rules: list[Unit[SodRule]]) -> list[tuple[str, str, bool]]:
    """(rule id, example name, passed) for every embedded example."""
    results = []
    for unit in rules:
        for ex in unit.model.examples:
            got = len(duty_holders(unit.model, example_grants(ex))) == len(unit.model.duties)
            results.append((unit.id, ex.name, got == ex.conflict))
    return results
