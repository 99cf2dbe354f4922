"""Precision and recall of hunt findings against a simulator's ground truth.

Event level: the events a finding cites as evidence (sha256 + row) are looked up in ``events``
and matched to the truth by ``request_id`` (only events with a request id take part, since the
truth names malicious ELF rows by REQUEST_ID). Session level: the session keys of the flagged
events against the truth's malicious session keys. Findings below ``min_severity`` are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from leakline.core.models import Finding, Severity
from leakline.simulate.truth import GroundTruth


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def flagged_events(con: duckdb.DuckDBPyConnection, findings: list[Finding]) -> dict[str, list[tuple[str, str]]]:
    """rule_id → list of (request_id, session_key) of the events cited by that rule's findings."""
    refs = [(f.rule_id, ref.sha256, row) for f in findings for ref in f.evidence for row in ref.rows]
    con.execute("CREATE OR REPLACE TEMP TABLE __ll_flags (rule_id VARCHAR, sha VARCHAR, row BIGINT)")
    if refs:
        con.executemany("INSERT INTO __ll_flags VALUES (?, ?, ?)", refs)
    rows = con.execute(
        "SELECT DISTINCT f.rule_id, e.request_id, e.session_key FROM __ll_flags f "
        "JOIN events e ON e.evidence_sha256 = f.sha AND e.evidence_row = f.row"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rule_id, request_id, session_key in rows:
        out[rule_id].append((request_id, session_key))
    return out


def evaluate(
    con: duckdb.DuckDBPyConnection,
    findings: list[Finding],
    truth: GroundTruth,
    min_severity: Severity = Severity.INFO,
) -> dict[str, Any]:
    """Event- and session-level precision/recall, overall, per scenario and per rule."""
    kept = [f for f in findings if f.severity.rank >= min_severity.rank]
    by_rule = flagged_events(con, kept)
    bad_requests = truth.malicious_request_ids()
    bad_sessions = {s for sc in truth.scenarios for s in sc.session_keys}
    flagged_req = {r for pairs in by_rule.values() for r, _ in pairs if r}
    flagged_ses = {s for pairs in by_rule.values() for _, s in pairs if s}
    tp_e, tp_s = flagged_req & bad_requests, flagged_ses & bad_sessions
    scenarios = []
    for sc in truth.scenarios:
        sc_req = {e.request_id for e in sc.malicious_events}
        sc_ses = set(sc.session_keys)
        scenarios.append(
            {
                "scenario": sc.name,
                "malicious_events": len(sc_req),
                "event_recall": _ratio(len(sc_req & flagged_req), len(sc_req)),
                "malicious_sessions": len(sc_ses),
                "session_recall": _ratio(len(sc_ses & flagged_ses), len(sc_ses)),
                "missed_sessions": sorted(sc_ses - flagged_ses),
            }
        )
    rules = []
    for rule_id in sorted(by_rule):
        reqs = {r for r, _ in by_rule[rule_id] if r}
        rules.append(
            {
                "rule_id": rule_id,
                "findings": sum(1 for f in kept if f.rule_id == rule_id),
                "flagged_events": len(reqs),
                "true_events": len(reqs & bad_requests),
                "precision": _ratio(len(reqs & bad_requests), len(reqs)),
            }
        )
    return {
        "min_severity": min_severity.value,
        "findings": len(kept),
        "event": {
            "flagged": len(flagged_req),
            "malicious": len(bad_requests),
            "true_positives": len(tp_e),
            "precision": _ratio(len(tp_e), len(flagged_req)),
            "recall": _ratio(len(tp_e), len(bad_requests)),
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
