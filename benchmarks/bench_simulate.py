"""Benchmark: medium org + one scenario (≈100k records, ≈1M events); target ≤ 60 s on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_simulate.py`` — prints one markdown table row.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from leakline.simulate import generate


def main() -> None:
    """Generate once, print ``| area | case | seconds | records | events |``."""
    size = sys.argv[1] if len(sys.argv) > 1 else "medium"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = generate(Path(tmp) / "org", seed=1, size=size, scenarios=["stolen_integration_token"], days=14)
        elapsed = time.perf_counter() - start
        counts = json.loads((out / "org.json").read_text())["counts"]
    records = sum(v for k, v in counts["records"].items())
    events = sum(counts["events"].values())
    print(f"| simulate | {size} + stolen_integration_token, 14 days | {elapsed:.1f} s | {records:,} records "
          f"| {events:,} ELF events |")


if __name__ == "__main__":
    main()
