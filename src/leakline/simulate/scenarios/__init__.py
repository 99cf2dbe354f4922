"""Attack scenarios. Each module exposes ``NAME``, ``SUMMARY`` and ``run(ctx) -> Plan``.

Scenarios compose: each draws from its own random stream and its own time slot in the window, so
any combination can be simulated together and the benign baseline stays the same.
"""

from __future__ import annotations

from leakline.simulate.scenarios.base import Context, Plan, scenario_names, scenario_runner

__all__ = ["Context", "Plan", "scenario_names", "scenario_runner"]
