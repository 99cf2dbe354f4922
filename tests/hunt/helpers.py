"""Build small event stores for hunt tests (real DuckDB tables / Parquet in the store layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leakline.core.case import Case
from leakline.hunt.examples import events_connection, expand
from leakline.hunt.rules import Example


def rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Full event rows from compact dicts (same format as rule examples)."""
    return expand(Example(name="t", kind="negative", events=events, expect=[]))  # type: ignore[arg-type]


def write_store(case: Case, events: list[dict[str, Any]], sha: str = "a" * 64) -> None:
    """Write ``events`` as Parquet in the event store layout of ``case`` (one file per type)."""
    con = events_connection(rows(events))
    try:
        for source, event_type in con.execute("SELECT DISTINCT source, event_type FROM events").fetchall():
            folder = Path(case.events_dir) / f"source={source}" / f"event_type={event_type}" / "date=2026-03-02"
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"COPY (SELECT * REPLACE ('{sha}' AS evidence_sha256) FROM events "
                f"WHERE source = '{source}' AND event_type = '{event_type}') TO '{folder / (sha + '.parquet')}' (FORMAT parquet)"
            )
    finally:
        con.close()
