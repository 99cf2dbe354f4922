"""Playbook format: ordered steps (actions, manual checklist items, decisions) with roles,
approvals and target times. One YAML file per playbook; id = file stem."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leakline.contain.actions import ACTIONS
from leakline.core.registry import Unit, load_units

PLAYBOOK_DIR = Path(__file__).with_name("playbooks")

Role = Literal["incident_commander", "salesforce_admin", "legal", "communications", "integration_owner"]
Selector = Literal["apps", "users", "ips", "remote_sites", "named_credentials"]


class Trigger(BaseModel):
    """When the playbook applies: any finding whose rule id matches a glob at min severity."""

    model_config = ConfigDict(extra="forbid")
    rule_globs: list[str] = Field(min_length=1)
    min_severity: Literal["low", "medium", "high", "critical"] = "high"
    requires_entity: Literal["app", "user_id", "ip", "session_key"] | None = None


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    type: Literal["action", "manual", "decision"]
    role: Role
    target_minutes: int = Field(ge=1, description="minutes after the plan is made")
    action: str | None = None
    for_each: Selector | None = None
    params: dict[str, str] = Field(
        default_factory=dict, description='fixed action parameters; "$name" takes plan input name (e.g. $egress_ranges)'
    )
    instructions: str | None = None
    question: str | None = None
    options: list[str] = Field(default_factory=list)
    approvals: int | None = Field(default=None, ge=0, le=3, description="default: 2 for destructive actions, else 1")

    @model_validator(mode="after")
    def _shape(self) -> Step:
        if self.type == "action":
            if self.action not in ACTIONS:
                raise ValueError(f"action must be one of {sorted(ACTIONS)}")
            if self.for_each is None:
                raise ValueError("an action step needs for_each")
        elif self.type == "manual" and not self.instructions:
            raise ValueError("a manual step needs instructions")
        elif self.type == "decision" and (not self.question or len(self.options) < 2):
            raise ValueError("a decision step needs a question and at least two options")
        return self


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    description: str
    triggers: list[Trigger] = Field(min_length=1)
    roles: dict[Role, str]
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_steps(self) -> Playbook:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids must be unique")
        return self


@cache
def load_playbooks(directory: Path = PLAYBOOK_DIR) -> tuple[Unit[Playbook], ...]:
    """All playbooks, validated (every problem with file:line)."""
    return tuple(load_units(directory, Playbook))
