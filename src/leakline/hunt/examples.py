"""Run a rule's embedded examples: build a small ``events`` table, run, compare exactly.

Example events may omit ``evidence_sha256`` (defaults to :data:`EXAMPLE_SHA`) and
``evidence_row`` (defaults to the event's 1-based position after ``repeat`` expansion), so the
expected evidence in a rule file is easy to read: ``rows: [1, 2, 3]``. In repeated events,
``{i}`` in a string column is replaced by the repetition index (0, 1, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import duckdb
import pyarrow as pa

from leakline.core.clock import parse_utc
from leakline.core.models import Finding
from leakline.hunt import engine
from leakline.hunt.iocs import IocEntry, shipped_iocs
from leakline.hunt.rules import Example, Rule, duration_seconds
from leakline.store.schema import COLUMN_NAMES, EVENT_COLUMNS, create_table_sql

EXAMPLE_SHA = "0" * 64


def expand(example: Example) -> list[dict[str, Any]]:
    """Example events as full rows (``repeat`` expanded, defaults filled)."""
    rows: list[dict[str, Any]] = []
    for event in example.events:
        base = dict(event.model_extra or {})
        start = parse_utc(event.ts, what="example ts")
        count, step = (event.repeat.count, duration_seconds(event.repeat.every)) if event.repeat else (1, 0)
        for i in range(count):
            row: dict[str, Any] = {name: None for name in COLUMN_NAMES}
            row.update({k: v.replace("{i}", str(i)) if isinstance(v, str) else v for k, v in base.items()})
            row["ts"] = (start + timedelta(seconds=step * i)).replace(tzinfo=None)
            row["raw"] = dict(event.raw)
            row.setdefault("evidence_sha256", None)
            if row["evidence_sha256"] is None:
                row["evidence_sha256"] = EXAMPLE_SHA
            if row["evidence_row"] is None:
                row["evidence_row"] = len(rows) + 1
            if row.get("request_id") is None:
                row["request_id"] = f"EX{len(rows) + 1:05d}"
            rows.append(row)
    return rows


_ARROW_TYPES = {
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "MAP(VARCHAR, VARCHAR)": pa.map_(pa.string(), pa.string()),
}


def events_connection(rows: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with an ``events`` table holding ``rows``."""
    con = duckdb.connect()
    con.execute(create_table_sql("events"))
    if rows:
        schema = pa.schema([(name, _ARROW_TYPES[sqltype]) for name, sqltype, _ in EVENT_COLUMNS])
        columns = {
            name: [sorted(row[name].items()) if name == "raw" else row[name] for row in rows] for name in COLUMN_NAMES
        }
        batch = pa.table(columns, schema=schema)
        con.register("__ll_example", batch)
        con.execute("INSERT INTO events SELECT * FROM __ll_example")
        con.unregister("__ll_example")
    return con


def run_example(rule_id: str, rule: Rule, example: Example) -> list[Finding]:
    """The findings ``rule`` produces on ``example`` (shipped IOCs plus the example's own)."""
    con = events_connection(expand(example))
    try:
        iocs: list[IocEntry] = shipped_iocs() + list(example.iocs)
        engine.prepare_connection(con)
        from leakline.hunt import iocs as iocs_mod

        iocs_mod.install(con, iocs)
        return engine.run_rule(con, rule_id, rule, example.params)
    finally:
        con.close()


def finding_dicts(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as the plain JSON shape used in rule files."""
    return [f.model_dump(mode="json") for f in findings]


@dataclass(frozen=True)
class ExampleResult:
    """Outcome of one example."""

    rule_id: str
    example: str
    ok: bool
    detail: str = ""


def check_example(rule_id: str, rule: Rule, example: Example) -> ExampleResult:
    """Compare the produced findings with ``example.expect`` (exact, field by field)."""
    try:
        got = finding_dicts(run_example(rule_id, rule, example))
    except duckdb.Error as exc:
        return ExampleResult(rule_id, example.name, False, f"sql error: {str(exc).splitlines()[0]}")
    want = example.expect
    if got == want:
        return ExampleResult(rule_id, example.name, True)
    if len(got) != len(want):
        return ExampleResult(rule_id, example.name, False, f"expected {len(want)} finding(s), got {len(got)}")
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        for key in sorted(set(g) | set(w)):
            if g.get(key) != w.get(key):
                return ExampleResult(
                    rule_id, example.name, False, f"finding {index}: {key}: expected {w.get(key)!r}, got {g.get(key)!r}"
                )
    return ExampleResult(rule_id, example.name, False, "findings differ")


def check_rule(rule_id: str, rule: Rule) -> list[ExampleResult]:
    """Every example of one rule."""
    return [check_example(rule_id, rule, ex) for ex in rule.examples]
