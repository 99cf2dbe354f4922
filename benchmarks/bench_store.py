"""Benchmark: normalising ELF rows into Parquet vs a bare DuckDB ``read_csv → COPY TO parquet``.

Target (issue 4): leakline's normaliser takes ≤ 2× the bare DuckDB copy of the same file,
both measured in this run. Usage: ``python benchmarks/bench_store.py [ROWS]`` (default 1,000,000).
Prints one markdown table row: rows | file MB | duckdb s | leakline s | ratio | target met
(best of three alternating runs of each).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from leakline.core.case import Case
from leakline.core.clock import FixedClock
from leakline.store.elf import normalize_elf_csv
from leakline.store.eventstore import EventStore

REPEAT = 3
HEADER = (
    "EVENT_TYPE,TIMESTAMP,REQUEST_ID,ORGANIZATION_ID,USER_ID,RUN_TIME,CPU_TIME,URI,SESSION_KEY,LOGIN_KEY,"
    "USER_TYPE,REQUEST_STATUS,DB_TOTAL_TIME,LOGIN_STATUS,DB_BLOCKS,DB_CPU_TIME,REQUEST_SIZE,RESPONSE_SIZE,"
    "URI_ID_DERIVED,METHOD,MEDIA_TYPE,STATUS_CODE,USER_AGENT,ROWS_PROCESSED,NUMBER_FIELDS,ENTITY_NAME,"
    "CLIENT_IP,USER_ID_DERIVED,CONNECTED_APP_ID,TIMESTAMP_DERIVED"
).split(",")


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A RestApi-shaped ELF file: quoted header, every field quoted, LF line ends."""
    rng = random.Random(seed)
    users = [f"005{rng.randrange(10**11, 10**12)}AB" for _ in range(50)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(f'"{h}"' for h in HEADER) + "\n")
        for i in range(rows):
            sec = i % 86400
            hh, mm, ss = sec // 3600, (sec % 3600) // 60, sec % 60
            user = users[i % len(users)]
            vals = [
                "RestApi",
                f"20260301{hh:02d}{mm:02d}{ss:02d}.{i % 1000:03d}",
                f"4{i:020d}-",
                "00D5g000000AbcD",
                user,
                str(rng.randrange(5, 500)),
                str(rng.randrange(1, 90)),
                f"/services/data/v62.0/query/{i % 97}",
                f"sk{i % 5000:08d}",
                f"lk{i % 3000:08d}",
                "S",
                "S",
                str(rng.randrange(10**5, 10**8)),
                "",
                str(rng.randrange(0, 900)),
                str(rng.randrange(0, 50)),
                "0",
                str(rng.randrange(100, 10**6)),
                "",
                "GET",
                "application/json",
                "200",
                "python-requests/2.32.4",
                str(rng.randrange(0, 2000)),
                str(rng.randrange(1, 40)),
                "Contact",
                f"203.0.113.{i % 250}",
                user + "AAA",
                "0H4000000000001",
                "",
            ]
            out.write(",".join(f'"{v}"' for v in vals) + "\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        src = base / "RestApi-2026-03-01.csv"
        make_csv(src, rows)
        case = Case.init(base / "case", title="bench", clock=FixedClock("2026-03-02T00:00:00Z"))
        store = EventStore(case)
        bare_runs, our_runs = [], []
        # Alternate the two, best of REPEAT each: the machine is shared, load comes and goes.
        for _ in range(REPEAT):
            con = duckdb.connect()
            t0 = time.perf_counter()
            con.execute(
                f"COPY (SELECT * FROM read_csv('{src}')) TO '{base / 'bare.parquet'}' (FORMAT parquet)"
            )
            bare_runs.append(time.perf_counter() - t0)
            con.close()
            t0 = time.perf_counter()
            with src.open("rb") as stream:
                table, problems = normalize_elf_csv(stream, "0" * 64, src.name)
            store._write_events(table, "0" * 64)
            our_runs.append(time.perf_counter() - t0)
            assert table.num_rows == rows and not problems
            del table
        bare, ours = min(bare_runs), min(our_runs)
        ratio = ours / bare
        mb = src.stat().st_size / 1e6
        print("| rows | file MB | duckdb read_csv→parquet s | leakline normalise→parquet s | ratio | ≤2× |")
        print("|---|---|---|---|---|---|")
        print(
            f"| {rows:,} | {mb:.0f} | {bare:.2f} | {ours:.2f} | {ratio:.2f} | {'yes' if ratio <= 2 else 'NO'} |"
        )


if __name__ == "__main__":
    main()
