"""Assemble a report's content from a case folder (read-only: reports never compute findings).

Sources, all optional (a missing one is shown as "not yet available", never as "none"):
findings (``work/findings/*.jsonl``), hunt clusters (``work/hunt_clusters.json``), scope tables
(``work/scope/*.json`` and ``subjects_by_jurisdiction.csv``), obligations (``work/obligations.json``),
the containment journal (``journal.jsonl``), the evidence locker, and the event store for charts.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from leakline import __version__
from leakline.core.case import Case
from leakline.core.clock import Clock, iso, parse_utc
from leakline.core.findings import read_findings
from leakline.core.models import Finding, Severity
from leakline.report import svg
from leakline.report.sanitize import sanitize

AUDIENCES = ("exec", "counsel", "regulator", "auditor", "technical")

# Finding entity keys that name a user (short form from hunt rules, long form from the contract).
USER_KEYS = ("user", "user_id", "username")
# Stages whose findings describe attacker activity (the timeline); others describe exposure or posture.
ACTIVITY_STAGES = ("hunt",)

# Which sections each audience sees, in order. Every audience gets the summary.
SECTIONS: dict[str, tuple[str, ...]] = {
    "exec": ("summary", "timeline", "charts", "exposure", "obligations", "containment"),
    "counsel": ("summary", "timeline", "exposure", "obligations", "containment", "findings", "evidence"),
    "regulator": ("summary", "timeline", "exposure", "containment", "obligations"),
    "auditor": ("summary", "incident_record", "timeline", "findings", "containment", "posture", "evidence"),
    "technical": (
        "summary",
        "timeline",
        "charts",
        "findings",
        "clusters",
        "exposure",
        "obligations",
        "containment",
        "posture",
        "incident_record",
        "evidence",
    ),
}

SECTION_TITLES = {
    "summary": "Executive summary",
    "timeline": "Attack timeline",
    "charts": "Activity and exported volume",
    "findings": "Findings",
    "clusters": "Attacker activity clusters",
    "exposure": "Exposure",
    "obligations": "Notification obligations",
    "containment": "Containment journal",
    "posture": "Posture findings and remediation",
    "incident_record": "Incident record (ISO/IEC 27001:2022 5.24–5.28, SOC 2 CC7.3–CC7.5)",
    "evidence": "Evidence manifest and how to verify it",
}

CONTROLS_FILE = Path(__file__).with_name("controls.yaml")


@dataclass
class Report:
    """Everything a renderer needs; values already masked unless ``reveal``."""

    audience: str
    generated_at: str
    case: dict[str, Any]
    sections: tuple[str, ...]
    summary: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    posture: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    exposure_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    subjects: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] | None = None
    journal: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form (charts omitted: they are presentation)."""
        data = {k: v for k, v in self.__dict__.items() if k != "charts"}
        data["tool"] = {"name": "leakline", "version": __version__}
        return data


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "title": f.title,
        "entities": {k: list(v) for k, v in sorted(f.entities.items())},
        "first_seen": iso(f.first_seen) if f.first_seen else None,
        "last_seen": iso(f.last_seen) if f.last_seen else None,
        "evidence": [{"sha256": e.sha256, "rows": list(e.rows[:20]), "row_count": len(e.rows)} for e in f.evidence],
        "data": f.data,
    }


def _read_json(path: Path) -> Any | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _table_rows(value: Any) -> list[dict[str, Any]] | None:
    """A JSON value that is a list of flat records, else None."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return [{k: v for k, v in r.items() if not isinstance(v, (dict, list))} for r in value]
    return None


def _scope_tables(case: Case) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    folder = case.work_dir / "scope"
    for path in sorted(folder.glob("*.json")):
        data = _read_json(path)
        rows = _table_rows(data)
        if rows is not None:
            tables[path.stem] = rows
        elif isinstance(data, dict):
            for key, value in sorted(data.items()):
                sub = _table_rows(value)
                if sub is not None:
                    tables[f"{path.stem}.{key}"] = sub
    return tables


def _subjects(case: Case) -> list[dict[str, Any]]:
    path = case.work_dir / "scope" / "subjects_by_jurisdiction.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return [dict(row) for row in csv.DictReader(fh)]


def _journal(case: Case) -> list[dict[str, Any]]:
    if not case.journal_path.is_file():
        return []
    rows = []
    for line in case.journal_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def _evidence(case: Case) -> list[dict[str, Any]] | None:
    from leakline.evidence import Locker

    if not (case.locker_dir / "locker.json").is_file():
        return None  # never create a locker (or a key) just to write a report
    locker = Locker.open(case)
    rows = []
    for info in locker.list():
        rows.append(
            {
                "sha256": info.sha256,
                "name": getattr(info, "name", None),
                "kind": getattr(info, "kind", None),
                "size": getattr(info, "size", None),
                "acquired_at": str(getattr(info, "acquired_at", "")),
            }
        )
    return sorted(rows, key=lambda r: (str(r["name"]), r["sha256"]))


def _charts(case: Case, findings: list[Finding]) -> dict[str, str]:
    """Events per hour and exported rows per user/app, from the event store if it exists."""
    try:
        from leakline.store import EventStore
    except ImportError:
        return {}
    try:
        con = EventStore(case).connect()
        # The last 30 days of activity (stray old records, e.g. user creation dates, would
        # otherwise stretch the axis over years).
        hourly = con.execute(
            "SELECT date_trunc('hour', ts) AS h, count(*) FROM events "
            "WHERE ts >= (SELECT max(ts) FROM events) - INTERVAL 30 DAY GROUP BY 1 ORDER BY 1"
        ).fetchall()
        users = sorted({u for f in findings for k in USER_KEYS for u in f.entities.get(k, ())})
        volume: list[tuple[str, float]] = []
        if users:
            placeholders = ",".join("?" for _ in users)
            volume = [
                (str(label), float(total))
                for label, total in con.execute(
                    "SELECT coalesce(app_name, username, user_id) AS who, sum(rows) AS total FROM events "
                    f"WHERE rows IS NOT NULL AND (username IN ({placeholders}) OR user_id IN ({placeholders})) "
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT 12",
                    [*users, *users],
                ).fetchall()
                if total
            ]
    except Exception as exc:  # charts are optional; a broken store must not block a report
        return {"error": f"charts unavailable: {type(exc).__name__}"}
    charts = {"events_per_hour": svg.histogram([(h, float(c)) for h, c in hourly], "Events per hour (UTC)")}
    if volume:
        charts["volume"] = svg.bars([(str(sanitize(k)), v) for k, v in volume], "Rows read per actor", " rows")
    return charts


def _usernames(case: Case) -> dict[str, str]:
    """user id → username from the event store (so reports can name accounts, masked)."""
    try:
        from leakline.store import EventStore

        con = EventStore(case).connect()
        rows = con.execute(
            "SELECT user_id, any_value(username) FROM events WHERE user_id IS NOT NULL AND username IS NOT NULL GROUP BY 1"
        ).fetchall()
    except Exception:  # naming accounts is a convenience; ids are shown otherwise
        return {}
    return {str(u): str(n) for u, n in rows}


def _summary(
    findings: list[Finding],
    subjects: list[dict[str, Any]],
    obligations: list[dict[str, Any]] | None,
    journal: list[dict[str, Any]],
    now: datetime,
    names: dict[str, str],
) -> dict[str, Any]:
    incident = [f for f in findings if f.rule_id and not f.id.startswith("posture")]
    timed = [f for f in incident if f.first_seen]
    by_sev = Counter(f.severity.value for f in incident)
    people = sum(int(r.get("count") or 0) for r in subjects) if subjects else None
    upcoming = []
    for ob in obligations or []:
        deadline = ob.get("deadline_utc")
        if ob.get("status") in ("required", "assess") and deadline:
            upcoming.append(ob)
    upcoming.sort(key=lambda o: str(o["deadline_utc"]))
    applied = [e for e in journal if e.get("event") == "applied"]
    return {
        "what": sorted({f.title for f in incident if f.severity.rank >= Severity.HIGH.rank})[:10],
        "first_activity": iso(min(f.first_seen for f in timed if f.first_seen)) if timed else None,
        "last_activity": iso(max((f.last_seen or f.first_seen) for f in timed if f.first_seen)) if timed else None,
        "findings_by_severity": {k: by_sev[k] for k in ("critical", "high", "medium", "low", "info") if by_sev[k]},
        "actors": sorted({names.get(u, u) for f in incident for k in USER_KEYS for u in f.entities.get(k, ())})[:10],
        "apps": sorted({a for f in incident for a in f.entities.get("app", ()) if not a.startswith("0H4")})[:10],
        "ips": sorted({a for f in incident for a in f.entities.get("ip", ())})[:15],
        "affected_people": people,
        "containment_actions_applied": len(applied),
        "next_deadlines": [
            {
                "regime": o.get("regime"),
                "audience": o.get("audience"),
                "deadline_utc": o.get("deadline_utc"),
                "hours_left": round((parse_utc(str(o["deadline_utc"])) - now).total_seconds() / 3600, 1),
                "status": o.get("status"),
            }
            for o in upcoming[:5]
        ],
    }


@dataclass
class CaseView:
    """What every audience's report reads from the case, loaded once per run."""

    incident: list[Finding]
    activity: list[Finding]
    posture: list[Finding]
    charts: dict[str, str]
    evidence: list[dict[str, Any]] | None
    names: dict[str, str]


def load_view(case: Case) -> CaseView:
    """Read findings, charts, evidence list and account names from the case."""
    posture = read_findings(case, "posture")
    posture_ids = {f.id for f in posture}
    incident = [f for f in read_findings(case) if f.id not in posture_ids]
    incident.sort(key=lambda f: (-f.severity.rank, f.first_seen.isoformat() if f.first_seen else "", f.id))
    activity = [f for stage in ACTIVITY_STAGES for f in read_findings(case, stage)]
    return CaseView(incident, activity, posture, _charts(case, activity), _evidence(case), _usernames(case))


def build_report(
    case: Case, audience: str, clock: Clock, *, reveal: bool = False, view: CaseView | None = None
) -> Report:
    """Read the case (or a preloaded ``view``) and assemble the report for ``audience``."""
    now = clock.now()
    view = view or load_view(case)
    incident, posture_findings = view.incident, view.posture
    missing = []
    clusters_data = _read_json(case.work_dir / "hunt_clusters.json")
    clusters = clusters_data.get("clusters", []) if isinstance(clusters_data, dict) else (clusters_data or [])
    obligations_data = _read_json(case.work_dir / "obligations.json")
    obligations = obligations_data.get("obligations") if isinstance(obligations_data, dict) else None
    if obligations is None:
        missing.append("obligations (run: leakline obligations --case DIR --format json -o work/obligations.json)")
    subjects = _subjects(case)
    if not subjects:
        missing.append("affected subjects (run: leakline scope --case DIR)")
    journal = _journal(case)
    evidence = view.evidence
    controls = yaml.safe_load(CONTROLS_FILE.read_text(encoding="utf-8"))

    spans = [
        svg.Span(f"{f.rule_id}", f.first_seen, f.last_seen or f.first_seen, f.severity.value)
        for f in sorted(view.activity, key=lambda f: (f.first_seen.isoformat() if f.first_seen else "", f.id))
        if f.first_seen and f.severity.rank >= Severity.MEDIUM.rank
    ][:40]
    marks = []
    for entry in journal:
        at = entry.get("ts") or entry.get("at")
        if at and entry.get("event") == "applied":
            marks.append(svg.Mark(str(entry.get("step", entry.get("action", ""))), parse_utc(str(at))))
    charts = {"timeline": svg.timeline(spans, marks)}
    charts.update(view.charts)

    report = Report(
        audience=audience,
        generated_at=iso(now),
        case={
            "id": case.meta.id,
            "title": case.meta.title,
            "opened_at": iso(case.meta.opened_at),
            "timezone": case.meta.timezone,
            "legal_entity": case.meta.legal_entity,
        },
        sections=SECTIONS[audience],
        summary=_summary(incident, subjects, obligations, journal, now, view.names),
        findings=[_finding_dict(f) for f in incident],
        posture=[_finding_dict(f) for f in sorted(posture_findings, key=lambda f: (-f.severity.rank, f.id))],
        clusters=clusters if isinstance(clusters, list) else [],
        exposure_tables=_scope_tables(case),
        subjects=subjects,
        obligations=obligations,
        journal=journal,
        evidence=evidence,
        controls=controls,
        charts=charts,
        missing=missing,
    )
    if not reveal:
        for name in ("case", "summary", "findings", "posture", "clusters", "exposure_tables", "journal"):
            setattr(report, name, sanitize(getattr(report, name)))
    return report
