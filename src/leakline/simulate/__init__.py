"""Seeded synthetic Salesforce org with attack scenarios and exact ground truth.

``generate(out, seed=..., size=..., scenarios=...)`` writes an org folder (see FORMAT.md);
``leakline.simulate.truth`` models its ``ground_truth.json``.
"""

from __future__ import annotations

from leakline.simulate import truth
from leakline.simulate.generate import DEFAULT_END, SIZES, generate
from leakline.simulate.scenarios.base import scenario_names

SCENARIOS = scenario_names()

__all__ = ["DEFAULT_END", "SCENARIOS", "SIZES", "generate", "truth"]
