"""Run every benchmark (or those named on the command line), one after the other.

Each ``bench_<area>.py`` prints its own table row(s); figures are recorded in docs/benchmarks.md.
Benchmarks generate their inputs in a temporary folder and delete them afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted)
    failed = 0
    for script in scripts:
        print(f"\n## {script.stem}\n", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"\n({script.stem}: exit {code}, {time.perf_counter() - started:.0f} s wall)", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
