"""Engine behaviour: windows, overrides, NOT_EVALUATED, determinism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leakline.core.errors import UsageError
from leakline.hunt import engine
from leakline.hunt.examples import events_connection
from leakline.hunt.rules import load_rules, parse_param_overrides, select_rules
from tests.hunt.helpers import rows

JOB = [
    {"ts": "2026-03-02T10:02:00Z", "event_type": "BulkApi2", "source": "elf", "job_id": "750A", "status_detail": "JobComplete", "user_id": "005U1"},
    {"ts": "2026-03-02T10:30:00Z", "event_type": "BulkApi2", "source": "elf", "job_id": "750A", "status_detail": "Deleted", "user_id": "005U1"},
]


@pytest.fixture(scope="module")
def units():  # type: ignore[no-untyped-def]
    return load_rules()


def test_rule_fires_and_reports_status(units) -> None:  # type: ignore[no-untyped-def]
    con = events_connection(rows(JOB))
    result = engine.run(con, select_rules(units, ["bulk_job_deleted_after_complete"]))
    assert [f.rule_id for f in result.findings] == ["bulk_job_deleted_after_complete"]
    assert [(r.rule_id, r.status, r.findings) for r in result.runs] == [("bulk_job_deleted_after_complete", "ok", 1)]
    assert result.findings[0].data == {"objects": None, "seconds_to_delete": 1680}


def test_parameter_override_changes_the_outcome(units) -> None:  # type: ignore[no-untyped-def]
    overrides = parse_param_overrides(["bulk_job_deleted_after_complete.max_minutes=10"], units)
    assert overrides == {"bulk_job_deleted_after_complete": {"max_minutes": 10}}
    con = events_connection(rows(JOB))
    result = engine.run(con, select_rules(units, ["bulk_job_deleted_after_complete"]), overrides=overrides)
    assert result.findings == []


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("nope", "expected RULE.NAME=VALUE"),
        ("no_rule.x=1", "unknown rule 'no_rule'"),
        ("bulk_job_deleted_after_complete.x=1", "has no parameter 'x' (has: max_minutes)"),
        ("bulk_job_deleted_after_complete.max_minutes=abc", "expected a number"),
    ],
)
def test_bad_overrides_are_usage_errors(units, item: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_param_overrides([item], units)


def test_window_excludes_events_outside(units) -> None:  # type: ignore[no-untyped-def]
    con = events_connection(rows(JOB))
    chosen = select_rules(units, ["bulk_job_deleted_after_complete"])
    inside = engine.run(con, chosen, since=datetime(2026, 3, 2, tzinfo=UTC), until=datetime(2026, 3, 3, tzinfo=UTC))
    outside = engine.run(con, chosen, since=datetime(2026, 3, 2, 10, 10, tzinfo=UTC))
    assert len(inside.findings) == 1
    assert outside.findings == []


def test_missing_event_types_are_not_evaluated_with_reason(units) -> None:  # type: ignore[no-untyped-def]
    con = events_connection(rows(JOB))
    result = engine.run(con, select_rules(units, ["sync_error_rate_spike", "ioc_ip_match"]))
    assert [(r.rule_id, r.status, r.reason) for r in result.runs] == [
        ("sync_error_rate_spike", "not_evaluated", "no events of type ApiTotalUsage in the store"),
        ("ioc_ip_match", "not_evaluated", "no IOCs loaded"),
    ]


def test_unknown_rule_id_is_a_usage_error(units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="unknown rule id"):
        select_rules(units, ["nope"])


def test_whole_pack_runs_on_an_empty_store_without_findings(units) -> None:  # type: ignore[no-untyped-def]
    con = events_connection([])
    result = engine.run(con, units)
    assert result.findings == []
    assert {r.status for r in result.runs} == {"not_evaluated"}


def test_whole_pack_on_all_examples_is_deterministic(units) -> None:  # type: ignore[no-untyped-def]
    events = [e.model_dump(exclude_none=True) for u in units for ex in u.model.examples for e in ex.events]
    first = engine.run(events_connection(rows(events)), units)
    second = engine.run(events_connection(rows(events)), units)
    assert [r.status for r in first.runs if r.status == "error"] == []
    assert [f.model_dump() for f in first.findings] == [f.model_dump() for f in second.findings]
    assert len(first.findings) > 0


def test_baseline_rules_are_not_evaluated_on_too_short_a_window(units) -> None:  # type: ignore[no-untyped-def]
    """Unknown is not pass: a rule that learns from history says so when the data is too short."""
    short = [
        {"ts": "2026-03-02T10:00:00Z", "event_type": "RestApi", "source": "elf", "user_id": "005U1", "src_ip": "198.51.100.1",
         "operation": "delete", "entity": "Contact", "rows": 500},
        {"ts": "2026-03-02T20:00:00Z", "event_type": "ReportExport", "source": "elf", "user_id": "005U1", "src_ip": "198.51.100.1"},
    ]
    con = events_connection(rows(short))
    picked = select_rules(units, ["mass_update_delete", "off_hours_export", "bulk_job_deleted_after_complete"])
    runs = {r.rule_id: r for r in engine.run(con, picked).runs}
    assert runs["mass_update_delete"].status == "not_evaluated"
    assert runs["mass_update_delete"].reason.startswith("needs at least 2 days of events to learn a baseline; the events span 0.4 days")
    assert runs["off_hours_export"].status == "not_evaluated"
    assert runs["bulk_job_deleted_after_complete"].status == "not_evaluated"  # no BulkApi2 events at all
    assert all(u.model.min_span_days for u in units if u.id in {"off_hours_export", "report_export_spike", "scripting_user_agent_new"})
