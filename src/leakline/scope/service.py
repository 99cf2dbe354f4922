"""``leakline scope``: findings + tables under ``case/work/scope/``.

Writes (all derived, rebuildable; counts, ids, field names and masked filters only):

* ``work/findings/scope.jsonl``: one finding per exposed object, one for affected subjects;
* ``work/scope/exposure.json``: per object fields, record counts (logged / estimated), users, apps;
* ``work/scope/accesses.json``: each suspect access (object, fields, masked filter, basis);
* ``work/scope/lineage.json``: app × user × object × operation with first/last seen and rows;
* ``work/scope/exposed_records.jsonl``: record ids per object with how each was found;
* ``work/scope/subjects_by_jurisdiction.csv``: the obligations engine's input;
* ``work/scope/affected_subjects.csv.enc``: the encrypted mailing list.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.errors import UsageError
from leakline.core.findings import read_findings, write_findings
from leakline.core.models import EvidenceRef, Finding, Severity
from leakline.pii.elements import load_elements
from leakline.scope.exposure import (
    Access,
    ObjectExposure,
    Resolver,
    Snapshot,
    finding_keys,
    job_queries,
    lineage,
    mask_literals,
    report_objects,
    summarise,
    suspect_events,
)
from leakline.scope.subjects import (
    ExposedSet,
    SubjectResult,
    resolve_subjects,
    write_subject_list,
    write_subjects_csv,
)

MAX_EVIDENCE_ROWS = 500


@dataclass
class ScopeResult:
    """What ``run_scope`` produced (paths and in-memory summaries for the CLI)."""

    accesses: list[Access]
    exposures: dict[str, ObjectExposure]
    subjects: SubjectResult
    findings: list[Finding]
    folder: Path


def load_org_snapshot(org: Path) -> Snapshot:
    """Snapshot from an org folder (``sobjects/*.jsonl`` + ``schema.json``)."""
    from leakline.core.errors import BadInputError

    if not (org / "sobjects").is_dir():
        raise UsageError(f"{org} is not an org folder (no sobjects/)")
    records: dict[str, dict[str, dict[str, Any]]] = {}
    for path in sorted((org / "sobjects").glob("*.jsonl")):
        table: dict[str, dict[str, Any]] = {}
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise BadInputError("not valid JSON", path=path, line=number) from None
                if isinstance(record, dict) and record.get("Id"):
                    record.pop("attributes", None)
                    table[str(record["Id"])] = record
        records[path.stem] = table
    schema_path = org / "schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8")) if schema_path.is_file() else {}
    return Snapshot(records, schema)


def load_store_snapshot(case: Case) -> Snapshot:
    """Snapshot from the event store's ``sf_<Object>`` views (collected records)."""
    from leakline.store import EventStore

    store = EventStore(case)
    con = store.connect()
    records: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        for obj in store.objects():
            cursor = con.execute(f'SELECT * FROM "sf_{obj}"')
            names = [d[0] for d in cursor.description or ()]
            table: dict[str, dict[str, Any]] = {}
            for row in cursor.fetchall():
                record = {n: v for n, v in zip(names, row, strict=True) if not n.startswith("_")}
                if record.get("Id"):
                    table[str(record["Id"])] = record
            records[obj] = table
    finally:
        con.close()
    return Snapshot(records)


def _severity(elements: set[str]) -> Severity:
    vocabulary = load_elements()
    if any(vocabulary[e].sensitive for e in elements if e in vocabulary):
        return Severity.HIGH
    return Severity.MEDIUM if elements else Severity.LOW


def _evidence(exposure: ObjectExposure) -> tuple[EvidenceRef, ...]:
    return tuple(
        EvidenceRef(sha256=sha, rows=tuple(sorted(rows)[:MAX_EVIDENCE_ROWS]))
        for sha, rows in sorted(exposure.evidence.items())
    )


def run_scope(
    case: Case, snapshot: Snapshot | None = None, *, min_severity: Severity = Severity.LOW
) -> ScopeResult:
    """Compute exposure, lineage and subjects for the case and write every output.

    Only hunt findings at or above ``min_severity`` make events suspect.
    """
    from leakline.store import EventStore

    findings = [f for f in read_findings(case, "hunt") if f.severity.rank >= min_severity.rank]
    if not findings:
        raise UsageError(
            f"no hunt findings at or above {min_severity.value} in this case",
            hint="run: leakline hunt --case DIR",
        )
    snapshot = snapshot if snapshot is not None else load_store_snapshot(case)
    con = EventStore(case).connect()
    try:
        events = suspect_events(con, finding_keys(findings))
        jobs = job_queries(con)
        reports = report_objects(con)
        resolver = Resolver(snapshot)
        accesses = [resolver.resolve(event, jobs, reports) for event in events]
        lineage_rows = lineage(con)
    finally:
        con.close()
    exposures = summarise(accesses)
    exposed_sets = _exposed_sets(accesses)
    subjects = resolve_subjects(exposed_sets, snapshot.of, snapshot.schema)
    element_by_object = subjects.object_elements
    folder = case.work_dir / "scope"
    folder.mkdir(parents=True, exist_ok=True)
    scope_findings = _findings(exposures, subjects, element_by_object)
    write_findings(case, "scope", scope_findings)
    jsonio.write(folder / "exposure.json", {"objects": [_exposure_row(e) for e in _ordered(exposures)]})
    jsonio.write(folder / "accesses.json", {"accesses": [_access_row(a) for a in accesses]})
    jsonio.write(folder / "lineage.json", {"lineage": lineage_rows})
    with (folder / "exposed_records.jsonl").open("w", encoding="utf-8") as fh:
        for exposure in _ordered(exposures):
            for rid in sorted(exposure.record_ids):
                basis = "logged" if rid in exposure.logged else "estimate"
                fh.write(
                    jsonio.dumps({"object": exposure.object, "id": rid, "basis": basis}, indent=None) + "\n"
                )
    write_subjects_csv(subjects, folder / "subjects_by_jurisdiction.csv")
    write_subject_list(case, subjects, snapshot.of, folder / "affected_subjects.csv.enc")
    return ScopeResult(accesses, exposures, subjects, scope_findings, folder)


def _exposed_sets(accesses: list[Access]) -> list[ExposedSet]:
    """Per object and field set: the records read with exactly those fields (elements are per access)."""
    grouped: dict[tuple[str, frozenset[str], bool], set[str]] = {}
    for access in accesses:
        if access.object and access.record_ids and access.fields and access.basis != "count_only":
            key = (access.object, access.fields, access.basis != "logged")
            grouped.setdefault(key, set()).update(access.record_ids)
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1]), kv[0][2]))
    return [ExposedSet(obj, fields, frozenset(ids), estimate) for (obj, fields, estimate), ids in ordered]


def _ordered(exposures: dict[str, ObjectExposure]) -> list[ObjectExposure]:
    return [exposures[k] for k in sorted(exposures)]


def _exposure_row(e: ObjectExposure) -> dict[str, Any]:
    return {
        "object": e.object,
        "fields": ";".join(sorted(e.fields)),
        "records": len(e.record_ids),
        "records_logged": len(e.logged),
        "records_estimated": len(e.estimated),
        "estimate": e.estimate,
        "basis": ";".join(sorted(e.bases)),
        "rows_processed": e.rows_processed,
        "accesses": e.accesses,
        "users": ";".join(sorted(e.users)),
        "apps": ";".join(sorted(e.apps)),
        "first_seen": e.first_seen,
        "last_seen": e.last_seen,
    }


def _access_row(a: Access) -> dict[str, Any]:
    return {
        "ts": a.ts,
        "event_type": a.event_type,
        "user": a.user,
        "app": a.app,
        "object": a.object,
        "fields": ";".join(sorted(a.fields)),
        "filter": mask_literals(a.filter),
        "rows": a.rows,
        "records": len(a.record_ids) if a.record_ids is not None else None,
        "basis": a.basis,
        "job_id": a.job_id,
        "note": a.note,
    }


def _findings(
    exposures: dict[str, ObjectExposure], subjects: SubjectResult, element_by_object: dict[str, set[str]]
) -> list[Finding]:
    out: list[Finding] = []
    for exposure in _ordered(exposures):
        elements = element_by_object.get(exposure.object, set())
        label = "estimated " if exposure.estimate else ""
        out.append(
            Finding(
                id=Finding.make_id("scope_exposed_object", exposure.object),
                rule_id="scope_exposed_object",
                severity=_severity(elements),
                title=f"{exposure.object}: {len(exposure.record_ids)} {label}records, {len(exposure.fields)} fields exposed",
                entities={
                    "entity": (exposure.object,),
                    "user": tuple(sorted(exposure.users)),
                    "app": tuple(sorted(exposure.apps)),
                },
                first_seen=exposure.first_seen,
                last_seen=exposure.last_seen,
                evidence=_evidence(exposure),
                data={
                    "object": exposure.object,
                    "fields": sorted(exposure.fields),
                    "records": len(exposure.record_ids),
                    "records_logged": len(exposure.logged),
                    "records_estimated": len(exposure.estimated),
                    "estimate": exposure.estimate,
                    "basis": sorted(exposure.bases),
                    "elements": sorted(elements),
                },
            )
        )
    groups = subjects.groups()
    if groups:
        per_residence: Counter[str] = Counter()
        all_elements: set[str] = set()
        for (residence, group_elements), count in groups.items():
            per_residence[residence] += count
            all_elements.update(group_elements)
        total = sum(per_residence.values())
        out.append(
            Finding(
                id=Finding.make_id("scope_affected_subjects", "all"),
                rule_id="scope_affected_subjects",
                severity=_severity(all_elements),
                title=f"{total} affected data subjects in {len(per_residence)} jurisdictions",
                entities={"jurisdiction": tuple(sorted(per_residence))},
                data={
                    "subjects": total,
                    "by_jurisdiction": dict(sorted(per_residence.items())),
                    "elements": sorted(all_elements),
                    "estimate": any(s.estimate for s in subjects.subjects),
                    "unattributed_records": subjects.unattributed_records,
                    "residence_conflicts": subjects.residence_conflicts,
                },
            )
        )
    return out
