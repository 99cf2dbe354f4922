"""Benchmark: the whole hunt rule pack over N synthetic events vs one full DuckDB scan.

Bar (issue 6): running every rule over 10M events takes <= 3x one ``GROUP BY event_type``
count over the same Parquet, measured in the same run.

    .venv/bin/python benchmarks/bench_hunt.py                 # 10M events
    .venv/bin/python benchmarks/bench_hunt.py --events 1000000

The events are generated with DuckDB's own generators (``range``, ``hash``) with a realistic
mix of event types, users, sessions and addresses, written as Parquet in the event store's
layout (``source=/event_type=/``), then read through a view ``events`` the way the store
exposes them. Prints one markdown table row (and per-rule timings with ``--verbose``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from leakline.hunt import engine
from leakline.hunt.iocs import shipped_iocs
from leakline.hunt.rules import load_rules
from leakline.store.schema import EVENT_COLUMNS, create_table_sql

# (event_type, source, share of events)
MIX = (
    ("RestApi", "elf", 0.38),
    ("ApiTotalUsage", "elf", 0.25),
    ("URI", "elf", 0.15),
    ("Login", "elf", 0.05),
    ("API", "elf", 0.06),
    ("Report", "elf", 0.04),
    ("ReportExport", "elf", 0.01),
    ("BulkApi2", "elf", 0.02),
    ("BulkApi", "elf", 0.02),
    ("LoginHistory", "login_history", 0.019),
    ("SetupAuditTrail", "setup_audit_trail", 0.001),
)


def _generate(out: Path, events: int, con: duckdb.DuckDBPyConnection) -> None:
    cases = []
    low = 0.0
    for event_type, source, share in MIX:
        high = low + share
        cases.append((low, high, event_type, source))
        low = high
    et = " ".join(f"WHEN u < {hi} THEN '{t}'" for lo, hi, t, _ in cases)
    src = " ".join(f"WHEN u < {hi} THEN '{s}'" for lo, hi, _, s in cases)
    casts = {name: sqltype for name, sqltype, _ in EVENT_COLUMNS}
    select = {
        "ts": "TIMESTAMP '2026-03-01' + to_seconds(i * 2592000 // n)",
        "source": f"CASE {src} ELSE 'elf' END",
        "event_type": f"CASE {et} ELSE 'RestApi' END",
        "org_id": "'00D000000000001AAA'",
        "user_id": "'005' || lpad(CAST(hash(i // 97) % 2000 AS VARCHAR), 15, '0')",
        "username": "'user' || CAST(hash(i // 97) % 2000 AS VARCHAR) || '@example.com'",
        # Sessions stay inside one user's run of 97 events (a session never changes hands).
        "session_key": "'S' || CAST(i // 97 AS VARCHAR) || '-' || CAST(i % 97 // 50 AS VARCHAR)",
        "login_key": "'L' || CAST(i // 97 AS VARCHAR) || '-' || CAST(i % 97 // 50 AS VARCHAR)",
        "request_id": "'R' || CAST(i AS VARCHAR)",
        "src_ip": "'10.' || CAST(hash(i // 97) % 200 AS VARCHAR) || '.' || CAST(hash(i // 97) % 250 AS VARCHAR) || '.'"
        " || CAST(hash(i // 20) % 8 AS VARCHAR)",
        "user_agent": "CASE WHEN hash(i // 97) % 5 = 0 THEN 'python-requests/2.31.0' ELSE 'Mozilla/5.0' END",
        "client": "NULL",
        "connected_app_id": "CASE WHEN hash(i // 97) % 3 = 0 THEN '0H4' || lpad(CAST(hash(i // 97) % 20 AS VARCHAR), 15, '0') END",
        "app_name": "NULL",
        "entity": "['Account', 'Contact', 'Case', 'Lead', 'Opportunity'][CAST(1 + hash(i) % 5 AS BIGINT)]",
        "operation": "['GET', 'GET', 'GET', 'PATCH', 'POST'][CAST(1 + hash(i) % 5 AS BIGINT)]",
        "query": "CASE WHEN hash(i) % 50 = 0 THEN 'SELECT COUNT() FROM Account' ELSE 'SELECT Id FROM Contact' END",
        "rows": "hash(i) % 500",
        "bytes": "hash(i) % 100000",
        "status": "CASE WHEN hash(i) % 40 = 0 THEN 'failure' ELSE 'success' END",
        "status_detail": "CASE WHEN hash(i) % 40 = 0 THEN '400' ELSE '200' END",
        "login_type": "'Remote Access 2.0'",
        "job_id": "'750' || CAST(i // 4 AS VARCHAR)",
        "uri": "'/services/data/v62.0/query'",
        "country": "['US', 'US', 'DE', 'GB'][CAST(1 + hash(i // 97) % 4 AS BIGINT)]",
        "record_id": "NULL",
        "event_key": "NULL",
        "evidence_sha256": "sha256(CAST(i // 100000 AS VARCHAR))",
        "evidence_row": "i % 100000 + 1",
        "raw": "MAP {'EVENT_TYPE': 'x', 'CPU_TIME': CAST(hash(i) % 90 AS VARCHAR)}",
    }
    cols = ", ".join(f'CAST({select[name]} AS {casts[name]}) AS "{name}"' for name in casts)
    con.execute(
        f"COPY (SELECT {cols} FROM (SELECT i, {events} AS n, (hash(i * 7919) % 1000000) / 1000000.0 AS u "
        f"FROM range({events}) t(i))) TO '{out}' (FORMAT parquet, PARTITION_BY (source, event_type), "
        "WRITE_PARTITION_COLUMNS true)"
    )


def _floor(units: list[Any]) -> float:
    """The rule pack over two events of every type it reads: its fixed cost (planning, setup).

    No rule is skipped for missing event types, so every rule's SQL is parsed, planned and run.
    """
    con = duckdb.connect()
    con.execute(create_table_sql("events"))
    types = sorted({t for unit in units for t in unit.model.event_types})
    for day in ("2026-03-01", "2026-03-30"):
        con.executemany(
            "INSERT INTO events (ts, event_type, source) VALUES (CAST($1 AS TIMESTAMP), $2, 'elf')",
            [(day, t) for t in types],
        )
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = engine.run(con, units, iocs=shipped_iocs())
        best = min(best, time.perf_counter() - start)
        assert all(run.status == "ok" for run in result.runs), [
            r.reason for r in result.runs if r.status != "ok"
        ]
    return best


def main() -> None:
    """Generate, time the baseline scan and the rule pack, print one markdown row."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_hunt_") as tmp:
        out = Path(tmp) / "events"
        con = duckdb.connect()
        start = time.perf_counter()
        _generate(out, args.events, con)
        gen = time.perf_counter() - start
        con.execute(
            f"CREATE VIEW events AS SELECT * FROM read_parquet('{out}/*/*/*.parquet', hive_partitioning = false)"
        )
        units = load_rules()
        start = time.perf_counter()
        counts = con.execute("SELECT event_type, count(*) FROM events GROUP BY event_type").fetchall()
        scan = time.perf_counter() - start
        assert sum(c for _, c in counts) == args.events
        # Context only (the bar is the GROUP BY above): a scan that reads every column.
        start = time.perf_counter()
        every = ", ".join(f'count("{name}")' for name, _, _ in EVENT_COLUMNS)
        con.execute(f"SELECT {every} FROM events").fetchall()
        full = time.perf_counter() - start
        start = time.perf_counter()
        result = engine.run(con, units, iocs=shipped_iocs())
        pack = time.perf_counter() - start
        if args.verbose:
            for run in sorted(result.runs, key=lambda r: -r.seconds):
                print(f"{run.rule_id:40s} {run.status:14s} {run.seconds:7.2f}s {run.findings} {run.reason}")
        errors = [r.rule_id for r in result.runs if r.status == "error"]
        floor = _floor(units)
        print(
            "| events | rules | scan GROUP BY event_type (s) | rule pack (s) | ratio | bar | every-column scan (s) "
            "| pack / every-column | pack over 2 events per type (s) | that / scan | generate (s) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        ratio = pack / scan
        print(
            f"| {args.events:,} | {len(units)} ({len(errors)} errors) | {scan:.2f} | {pack:.2f} | {ratio:.1f}x | "
            f"{'PASS' if ratio <= 3 else 'FAIL'} (<= 3x) | {full:.2f} | {pack / full:.1f}x | {floor:.3f} "
            f"| {floor / scan:.1f}x | {gen:.1f} |"
        )


if __name__ == "__main__":
    main()
