"""Benchmark: data-flow map and access review of a simulated org.

No target is set in issue 12; this records the figures. Usage:
``python benchmarks/bench_flowmap.py [SIZE] [DAYS]`` (default small 14, every scenario). Prints one
markdown table row: size | days | events | load s | flows s | map s | review s (no replay) | surfaces.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from leakline.access.review import review
from leakline.access.sod import load_rules
from leakline.core.clock import FixedClock
from leakline.flowmap.build import build_map
from leakline.flowmap.flows import observed_flows
from leakline.flowmap.source import load_org_dir
from leakline.simulate import SCENARIOS, generate


def main() -> None:
    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 14
    clock = FixedClock("2026-03-02T00:00:00Z")
    with tempfile.TemporaryDirectory() as tmp:
        org_dir = generate(Path(tmp) / "org", seed=5, size=size, scenarios=list(SCENARIOS), days=days)
        t0 = time.perf_counter()
        org = load_org_dir(org_dir)
        t1 = time.perf_counter()
        actors = observed_flows(org)
        t2 = time.perf_counter()
        fmap = build_map(org, clock, actors=actors)
        t3 = time.perf_counter()
        review(org, clock, sod_rules=load_rules(), replay=False, actors=actors)
        t4 = time.perf_counter()
        events = org.con.execute("SELECT count(*) FROM events").fetchone()
    print("| size | days | events | load s | flows s | map s | review s | surfaces |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {size} | {days} | {events[0] if events else 0} | {t1 - t0:.1f} | {t2 - t1:.1f} | {t3 - t2:.1f} | "
          f"{t4 - t3:.1f} | {len(fmap.surfaces)} |")


if __name__ == "__main__":
    main()
