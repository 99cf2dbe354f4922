"""Hunt a case: run the rule pack over the case's event store, write findings and clusters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.findings import write_findings
from leakline.core.registry import Unit
from leakline.hunt import correlate, engine
from leakline.hunt.iocs import all_iocs
from leakline.hunt.rules import Rule

CLUSTERS_FILE = "hunt_clusters.json"


@dataclass(frozen=True)
class CaseHunt:
    """Result of hunting one case."""

    result: engine.HuntResult
    clusters: list[dict[str, Any]]
    findings_path: Path
    clusters_path: Path


def open_events(case: Case) -> duckdb.DuckDBPyConnection:
    """The case's event store connection (``events`` view)."""
    from leakline.store import EventStore

    return EventStore(case).connect()


def hunt_case(
    case: Case,
    units: list[Unit[Rule]],
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> CaseHunt:
    """Run ``units`` over the case, write ``work/findings/hunt.jsonl`` and ``work/hunt_clusters.json``."""
    own = con is None
    connection = open_events(case) if con is None else con
    try:
        result = engine.run(connection, units, overrides=overrides, iocs=all_iocs(case), since=since, until=until)
    finally:
        if own:
            connection.close()
    groups = correlate.clusters(result.findings)
    findings_path = write_findings(case, "hunt", result.findings)
    case.work_dir.mkdir(parents=True, exist_ok=True)
    clusters_path = case.work_dir / CLUSTERS_FILE
    jsonio.write(clusters_path, {"clusters": groups, "rules": [run.__dict__ for run in result.runs]})
    return CaseHunt(result, groups, findings_path, clusters_path)
