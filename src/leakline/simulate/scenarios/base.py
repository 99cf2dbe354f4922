"""What a scenario gets (``Context``) and what it reports back (``Plan``) for the ground truth."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from leakline.simulate.activity import Activity, Sess
from leakline.simulate.baseline import Baseline
from leakline.simulate.crm import Crm
from leakline.simulate.formats import to_ms
from leakline.simulate.ids import stream
from leakline.simulate.org import Org

ORDER = (
    "stolen_integration_token",
    "vishing_rogue_dataloader",
    "insider_report_export",
    "credential_stuffing",
    "guest_user_exposure",
    "session_hijack",
    "corrupted_sync",
)


@dataclass
class Context:
    """Everything a scenario may use."""

    org: Org
    crm: Crm
    act: Activity
    baseline: Baseline
    seed: int
    name: str
    slot: int  # position among the requested scenarios (spreads them over the window)
    n_slots: int
    snapshots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def rng(self) -> np.random.Generator:
        """A fresh random stream for this scenario (independent of the other scenarios)."""
        return stream(self.seed, "scenario:" + self.name)

    def day_ms(self, index_from_end: int) -> int:
        """Midnight UTC ``index_from_end`` days before the window end."""
        end = to_ms(self.org.end)
        return end - (end % 86_400_000) - index_from_end * 86_400_000

    def attack_day(self) -> int:
        """The day this scenario starts, chosen so scenarios do not overlap when composed."""
        days = (to_ms(self.org.end) - to_ms(self.org.start)) // 86_400_000
        back = max(2, min(days - 1, 3 + self.slot * max(1, (days - 4) // max(self.n_slots, 1))))
        return self.day_ms(back)


@dataclass
class Exfil:
    """Records read by the attacker."""

    object: str
    fields: list[str]
    record_ids: list[str]
    method: str


@dataclass
class Plan:
    """A scenario's account of itself (sessions carry keys, IPs, user agents)."""

    name: str
    summary: str
    start: datetime
    end: datetime
    sessions: list[Sess] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)  # (user key, role)
    ip_kinds: dict[str, str] = field(default_factory=dict)
    token_ids: list[str] = field(default_factory=list)
    app_keys: list[str] = field(default_factory=list)
    bulk_jobs: list[str] = field(default_factory=list)
    exfil: list[Exfil] = field(default_factory=list)
    secrets_case_ids: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # obj, id, change, fields
    freeze_users: list[str] = field(default_factory=list)  # user keys
    reset_passwords: list[str] = field(default_factory=list)
    block_apps: list[str] = field(default_factory=list)  # app keys
    revoke_tokens: list[str] = field(default_factory=list)  # OauthToken ids
    extra_user_agents: list[str] = field(default_factory=list)
    # Sessions of a legitimate actor in which the incident's events happened (a faulty sync run):
    # listed as incident sessions in the truth (for evaluation), but not indicators (no IPs, no agents).
    incident_session_keys: list[str] = field(default_factory=list)


def scenario_names() -> tuple[str, ...]:
    """Names accepted by ``--scenario``, in canonical order."""
    return ORDER


def scenario_runner(name: str) -> Callable[[Context], Plan]:
    """The ``run`` function of a scenario module."""
    module = importlib.import_module(f"leakline.simulate.scenarios.{name}")
    runner: Callable[[Context], Plan] = module.run
    return runner
