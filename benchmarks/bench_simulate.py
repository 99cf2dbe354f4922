"""Benchmark: medium org + one scenario (≈100k CRM records, ≈1M ELF events); bar ≤ 60 s on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_simulate.py [small|medium|large]`` — prints a markdown
table (header + one row). Wall time counts; CPU time is shown because the machine may be shared.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from leakline.simulate import generate

BAR_SECONDS = 60.0
CRM = ("Account", "Contact", "Lead", "Case", "Opportunity", "Order", "Vendor__c", "Payment__c")


def main() -> None:
    """Generate once and print the result row."""
    size = sys.argv[1] if len(sys.argv) > 1 else "medium"
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        out = generate(Path(tmp) / "org", seed=1, size=size, scenarios=["stolen_integration_token"], days=14)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        counts = json.loads((out / "org.json").read_text())["counts"]
    crm = sum(counts["records"].get(k, 0) for k in CRM)
    records = sum(counts["records"].values())
    events = sum(counts["events"].values())
    print("| case | CRM records | all records | ELF events | wall (s) | CPU (s) | bar ≤60 s |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {size} + stolen_integration_token, 14 days | {crm:,} | {records:,} | {events:,} | {wall:.1f} "
          f"| {cpu:.1f} | {'pass' if wall <= BAR_SECONDS else 'FAIL'} |")


if __name__ == "__main__":
    main()
