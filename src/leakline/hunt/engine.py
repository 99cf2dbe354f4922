"""Run rules over an ``events`` table and turn result rows into ``Finding`` objects.

The engine is pure: it takes a DuckDB connection whose ``events`` table/view exists, the rules,
parameter overrides, IOCs and an optional time window, and returns findings plus one status per
rule (``ok``, ``not_evaluated`` with a reason, or ``error``). It never prints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from leakline.core.clock import iso
from leakline.core.models import EvidenceRef, Finding, Severity
from leakline.core.registry import Unit
from leakline.hunt import iocs as iocs_mod
from leakline.hunt.iocs import IocEntry
from leakline.hunt.rules import Rule
from leakline.store.schema import create_table_sql

# Helper macros every rule may use. IPv4 addresses become integers so CIDR IOCs and network
# prefixes are plain integer arithmetic (no extension to download).
_MACROS = (
    # One regular expression per value, then the octets folded (3x faster than four split_parts).
    r"""CREATE OR REPLACE TEMP MACRO ll_ip4(ip) AS CASE
          WHEN regexp_full_match(ip, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') THEN
            list_reduce(list_transform(string_split(ip, '.'), octet -> TRY_CAST(octet AS BIGINT)), (a, b) -> (a << 8) + b)
        END""",
    # ll_ip4 is written once, so it is evaluated once per value.
    r"""CREATE OR REPLACE TEMP MACRO ll_net(ip, bits) AS CASE
          WHEN ip IS NULL OR ip = '' THEN NULL
          ELSE coalesce('v4:' || CAST(ll_ip4(ip) >> (32 - bits) AS VARCHAR) || '/' || CAST(bits AS VARCHAR),
                        'v6:' || lower(array_to_string(string_split(ip, ':')[1:4], ':')))
        END""",
    r"""CREATE OR REPLACE TEMP MACRO ll_soql(q, u) AS coalesce(nullif(q, ''),
          nullif(url_decode(replace(regexp_extract(coalesce(u, ''), '[?&]q=([^&]*)', 1), '+', ' ')), ''))""",
    r"""CREATE OR REPLACE TEMP MACRO ll_ev(sha, r) AS {'sha256': sha, 'row': r}""",
)


def prepare_connection(con: duckdb.DuckDBPyConnection, *, create_empty: bool = False) -> None:
    """Install the helper macros (and, for validation, an empty ``events`` table and ``iocs``)."""
    if create_empty:
        con.execute(create_table_sql("events"))
        iocs_mod.install(con, [])
    for macro in _MACROS:
        con.execute(macro)


@dataclass(frozen=True)
class RuleRun:
    """What happened to one rule in a hunt."""

    rule_id: str
    status: str  # ok | not_evaluated | error
    findings: int = 0
    reason: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class HuntResult:
    """Findings (sorted by first_seen, id) and one status per rule."""

    findings: list[Finding]
    runs: list[RuleRun]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _entity_values(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(sorted({str(v) for v in items if v is not None and str(v) != ""}))


def _evidence(value: Any) -> tuple[EvidenceRef, ...]:
    rows: dict[str, set[int]] = {}
    for item in value or []:
        if not item:
            continue
        sha, row = item.get("sha256"), item.get("row")
        if sha:
            cited = rows.setdefault(str(sha), set())
            if row is not None:
                cited.add(int(row))
    return tuple(EvidenceRef(sha256=sha, rows=tuple(sorted(r))) for sha, r in sorted(rows.items()))


def _title(template: str, row: dict[str, Any]) -> str:
    shown = {}
    for key, value in row.items():
        if isinstance(value, (list, tuple)):
            shown[key] = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            shown[key] = f"{value:g}"
        elif isinstance(value, datetime):
            shown[key] = iso(_utc(value) or value)
        else:
            shown[key] = "-" if value is None else value
    return template.format(**shown)


def row_to_finding(rule_id: str, rule: Rule, row: dict[str, Any]) -> Finding:
    """One SQL result row → one Finding (deterministic id from rule, entities and first_seen)."""
    entities = {}
    for kind, col in sorted(rule.output.entities.items()):
        values = _entity_values(row.get(col))
        if values:
            entities[kind] = values
    first_seen, last_seen = _utc(row.get("first_seen")), _utc(row.get("last_seen"))
    key = [sorted(entities.items()), first_seen.isoformat() if first_seen else None]
    return Finding(
        id=Finding.make_id(rule_id, key),
        rule_id=rule_id,
        severity=Severity(rule.severity),
        title=_title(rule.output.title, row),
        entities=entities,
        first_seen=first_seen,
        last_seen=last_seen,
        evidence=_evidence(row.get("evidence")),
        data={col: _jsonable(row.get(col)) for col in rule.output.data},
    )


def _naive_bounds(window: tuple[datetime | None, datetime | None]) -> tuple[datetime, datetime]:
    """A hunt window as the naive UTC bounds ``ts`` is compared with (open ends made far away)."""
    since, until = window
    return (
        (since or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None),
        (until or datetime(9999, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None),
    )


def run_rule(
    con: duckdb.DuckDBPyConnection,
    rule_id: str,
    rule: Rule,
    params: dict[str, Any] | None = None,
    window: tuple[datetime | None, datetime | None] = (None, None),
) -> list[Finding]:
    """Execute one rule and map its rows to findings."""
    sql = rule.sql
    bound = rule.bound_params(params)
    since, until = window
    if since is not None or until is not None:
        sql = (
            "WITH events AS NOT MATERIALIZED (SELECT * FROM events WHERE ts >= $__since AND ts < $__until) "
            f"SELECT * FROM ({sql})"
        )
        bound["__since"], bound["__until"] = _naive_bounds(window)
    cur = con.execute(sql, bound)
    names = [d[0] for d in cur.description or []]
    findings = [row_to_finding(rule_id, rule, dict(zip(names, values, strict=True))) for values in cur.fetchall()]
    if rule.output.expand_sessions:
        findings = _expand_all(con, findings, window)
    return sorted(findings, key=lambda f: (f.first_seen or datetime.min.replace(tzinfo=UTC), f.id))


def _expand_all(
    con: duckdb.DuckDBPyConnection, findings: list[Finding], window: tuple[datetime | None, datetime | None]
) -> list[Finding]:
    """Add the events sharing a session key with each finding to its evidence (same time window).

    Where a finding names addresses, only events from those addresses are added: a hijacked
    session also holds the victim's own requests, which are not the attacker's. One query
    serves every finding of the rule.
    """
    f_idx: list[int] = []
    f_sess: list[str] = []
    i_idx: list[int] = []
    i_ip: list[str] = []
    for idx, finding in enumerate(findings):
        for session in finding.entities.get("session", ()):
            f_idx.append(idx)
            f_sess.append(session)
        for ip in finding.entities.get("ip", ()):
            i_idx.append(idx)
            i_ip.append(ip)
    if not f_idx:
        return findings
    low, high = _naive_bounds(window)
    rows = con.execute(
        "WITH fs AS (SELECT unnest(CAST($f_idx AS INTEGER[])) AS idx, unnest(CAST($f_sess AS VARCHAR[])) AS s), "
        "fi AS (SELECT unnest(CAST($i_idx AS INTEGER[])) AS idx, unnest(CAST($i_ip AS VARCHAR[])) AS ip), "
        "hasip AS (SELECT DISTINCT idx FROM fi) "
        "SELECT DISTINCT fs.idx, e.evidence_sha256, e.evidence_row FROM events e JOIN fs ON e.session_key = fs.s "
        "LEFT JOIN fi ON fi.idx = fs.idx AND fi.ip = e.src_ip "
        "WHERE e.ts >= $since AND e.ts < $until AND e.evidence_sha256 IS NOT NULL "
        "AND (fi.ip IS NOT NULL OR fs.idx NOT IN (SELECT idx FROM hasip))",
        {
            "f_idx": f_idx,
            "f_sess": f_sess,
            "i_idx": i_idx,
            "i_ip": i_ip,
            "since": low,
            "until": high,
        },
    ).fetchall()
    added: dict[int, list[dict[str, Any]]] = {}
    for idx, sha, row in rows:
        added.setdefault(int(idx), []).append({"sha256": sha, "row": row})
    out = []
    for idx, finding in enumerate(findings):
        if idx not in added:
            out.append(finding)
            continue
        current = [{"sha256": ref.sha256, "row": row} for ref in finding.evidence for row in ref.rows]
        out.append(finding.model_copy(update={"evidence": _evidence(current + added[idx])}))
    return out


def span_days(con: duckdb.DuckDBPyConnection, since: datetime | None, until: datetime | None) -> float:
    """Days between the first and the last event (inside the hunt window)."""
    low, high = _naive_bounds((since, until))
    row = con.execute(
        "SELECT date_diff('second', min(ts), max(ts)) FROM events WHERE ts >= $since AND ts < $until",
        {
            "since": low,
            "until": high,
        },
    ).fetchone()
    return float(row[0]) / 86400.0 if row and row[0] is not None else 0.0


def present_event_types(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Event types that occur in ``events`` at all (decides NOT_EVALUATED)."""
    return {row[0] for row in con.execute("SELECT DISTINCT event_type FROM events").fetchall() if row[0]}


def run(
    con: duckdb.DuckDBPyConnection,
    units: list[Unit[Rule]],
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    iocs: list[IocEntry] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> HuntResult:
    """Run ``units`` over ``con``'s ``events``; a failing rule is reported, not fatal."""
    prepare_connection(con)
    iocs_mod.install(con, iocs or [])
    present = present_event_types(con)
    span = span_days(con, since, until)
    findings: list[Finding] = []
    runs: list[RuleRun] = []
    for unit in units:
        rule = unit.model
        missing = not present.intersection(rule.event_types)
        if missing:
            reason = f"no events of type {', '.join(rule.event_types)} in the store"
            runs.append(RuleRun(unit.id, "not_evaluated", reason=reason))
            continue
        if rule.min_span_days is not None and span < rule.min_span_days:
            reason = (
                f"needs at least {rule.min_span_days:g} days of events to learn a baseline; "
                f"the events span {span:.1f} days (collect a longer window)"
            )
            runs.append(RuleRun(unit.id, "not_evaluated", reason=reason))
            continue
        if "ioc" in rule.sources and not iocs:
            runs.append(RuleRun(unit.id, "not_evaluated", reason="no IOCs loaded"))
            continue
        start = time.perf_counter()
        try:
            found = run_rule(con, unit.id, rule, (overrides or {}).get(unit.id), (since, until))
        except duckdb.Error as exc:
            runs.append(RuleRun(unit.id, "error", reason=str(exc).splitlines()[0]))
            continue
        findings.extend(found)
        runs.append(RuleRun(unit.id, "ok", findings=len(found), seconds=time.perf_counter() - start))
    findings.sort(key=lambda f: (f.first_seen or datetime.min.replace(tzinfo=UTC), f.id))
    return HuntResult(findings, runs)
