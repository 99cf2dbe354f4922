"""Precision and recall of hunt findings against a simulator's ground truth.

Event level: the events a finding cites as evidence (sha256 + row) are looked up in ``events``
and matched to the truth by ``request_id`` (malicious ELF rows) or ``record_id`` (malicious
LoginHistory, ApiEvent … records); events with neither cannot be judged and are left out.
Session level: the session keys of the flagged events against the truth's malicious session
keys. Findings below ``min_severity`` are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from leakline.core.models import Finding, Severity
from leakline.simulate.truth import GroundTruth


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


Flag = tuple[str | None, str | None, str | None]


def flagged_events(con: duckdb.DuckDBPyConnection, findings: list[Finding]) -> dict[str, list[Flag]]:
    """rule_id → (request_id, record_id, session_key) of the events cited by that rule's findings."""
    refs = [(f.rule_id, ref.sha256, row) for f in findings for ref in f.evidence for row in ref.rows]
    con.execute("CREATE OR REPLACE TEMP TABLE __ll_flags (rule_id VARCHAR, sha VARCHAR, row BIGINT)")
    if refs:
        con.executemany("INSERT INTO __ll_flags VALUES (?, ?, ?)", refs)
    rows = con.execute(
        "SELECT DISTINCT f.rule_id, e.request_id, e.record_id, e.session_key FROM __ll_flags f "
        "JOIN events e ON e.evidence_sha256 = f.sha AND e.evidence_row = f.row"
    ).fetchall()
    out: dict[str, list[Flag]] = defaultdict(list)
    for rule_id, request_id, record_id, session_key in rows:
        out[rule_id].append((request_id, record_id, session_key))
    return out


def _judge(flags: list[Flag], bad_req: set[str], bad_rec: set[str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(judgeable flagged events, the malicious ones among them) as ("rec"|"req", id) keys."""
    judged: set[tuple[str, str]] = set()
    hits: set[tuple[str, str]] = set()
    for request_id, record_id, _ in flags:
        key = ("rec", record_id) if record_id else ("req", request_id) if request_id else None
        if key is None:
            continue
        judged.add(key)
        if (record_id and record_id in bad_rec) or (request_id and request_id in bad_req):
            hits.add(key)
    return judged, hits


def evaluate(
    con: duckdb.DuckDBPyConnection,
    findings: list[Finding],
    truth: GroundTruth,
    min_severity: Severity = Severity.INFO,
) -> dict[str, Any]:
    """Event- and session-level precision/recall, overall, per scenario and per rule."""
    kept = [f for f in findings if f.severity.rank >= min_severity.rank]
    by_rule = flagged_events(con, kept)
    flags = [flag for pairs in by_rule.values() for flag in pairs]
    bad_req = truth.malicious_request_ids()
    bad_rec = {r.id for sc in truth.scenarios for r in sc.malicious_records}
    bad_rec |= {a for sc in truth.scenarios for a in sc.auth_session_ids}
    bad_sessions = {s for sc in truth.scenarios for s in sc.session_keys}
    judged, hits = _judge(flags, bad_req, bad_rec)
    seen_req = {r for r, _, _ in flags if r} & bad_req
    seen_rec = {r for _, r, _ in flags if r} & bad_rec
    flagged_ses = {s for _, _, s in flags if s}
    tp_s = flagged_ses & bad_sessions
    scenarios = []
    for sc in truth.scenarios:
        sc_req = {e.request_id for e in sc.malicious_events}
        sc_rec = {r.id for r in sc.malicious_records} | set(sc.auth_session_ids)
        sc_ses = set(sc.session_keys)
        scenarios.append(
            {
                "scenario": sc.name,
                "malicious_events": len(sc_req) + len(sc_rec),
                "event_recall": _ratio(len(sc_req & seen_req) + len(sc_rec & seen_rec), len(sc_req) + len(sc_rec)),
                "malicious_sessions": len(sc_ses),
                "session_recall": _ratio(len(sc_ses & flagged_ses), len(sc_ses)),
                "missed_sessions": sorted(sc_ses - flagged_ses),
            }
        )
    rules = []
    for rule_id in sorted(by_rule):
        r_judged, r_hits = _judge(by_rule[rule_id], bad_req, bad_rec)
        rules.append(
            {
                "rule_id": rule_id,
                "findings": sum(1 for f in kept if f.rule_id == rule_id),
                "flagged_events": len(r_judged),
                "true_events": len(r_hits),
                "precision": _ratio(len(r_hits), len(r_judged)),
            }
        )
    total_bad = len(bad_req) + len(bad_rec)
    return {
        "min_severity": min_severity.value,
        "findings": len(kept),
        "event": {
            "flagged": len(judged),
            "malicious": total_bad,
            "true_positives": len(hits),
            "precision": _ratio(len(hits), len(judged)),
            "recall": _ratio(len(seen_req) + len(seen_rec), total_bad),
        },
        "session": {
            "flagged": len(flagged_ses),
            "malicious": len(bad_sessions),
            "true_positives": len(tp_s),
            "precision": _ratio(len(tp_s), len(flagged_ses)),
            "recall": _ratio(len(tp_s), len(bad_sessions)),
        },
        "scenarios": scenarios,
        "rules": rules,
    }
