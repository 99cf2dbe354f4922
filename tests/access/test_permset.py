"""Least-privilege permission sets: exactly what was used, verified against observed queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.access.permset import (
    AllowEntry,
    AllowList,
    LeastPrivilege,
    least_privilege,
    load_allow_list,
    not_permissionable,
)
from leakline.access.replay import REPLAY_NOTE, ReplayResult, static_check, verify
from leakline.access.review import AccessReview, IntegrationReview, review
from leakline.core.clock import FixedClock
from leakline.flowmap.flows import ActorFlows
from leakline.flowmap.source import OrgData
from leakline.posture.loader import load_metadata
from leakline.simulate import truth
from leakline.soql import parse

BROAD = {"ViewAllData", "ModifyAllData", "ViewSetup", "ManageDataIntegrations"}


def _item(result: AccessReview, name: str) -> IntegrationReview:
    return next(i for i in result.integrations if i.name == name)


def test_generated_set_matches_the_truth(result: AccessReview, gt: truth.GroundTruth) -> None:
    skip = not_permissionable()
    for app in gt.app_data_flows:
        ps = _item(result, app.app_name).permission_set
        assert ps is not None
        assert set(ps.objects) <= set(app.reads) | set(app.writes), app.app_name
        for obj, ops in ps.objects.items():
            if "read" in ops and obj in ps.fields_read:
                expected = {f for f in app.reads[obj] if not skip.contains(obj, f)}
                assert set(ps.fields_read[obj]) == expected, (app.app_name, obj)
            for op in ("create", "edit"):
                if op in ops:
                    assert obj in app.writes, (app.app_name, obj, op)
        assert ps.fields_edit == {}  # written fields are not in the logs: nothing invented
        assert set(ps.user_permissions) == {"ApiEnabled"}


def test_xml_is_dx_source_the_loader_reads_back(result: AccessReview, tmp_path: Path) -> None:
    folder = tmp_path / "permissionsets"
    folder.mkdir()
    for item in result.integrations:
        assert item.permission_set is not None
        (folder / f"{item.permission_set.api_name}.permissionset-meta.xml").write_text(
            item.permission_set.xml
        )
    meta = load_metadata(tmp_path)
    by_name = {h.name: h for h in meta.holders}
    for item in result.integrations:
        ps = item.permission_set
        assert ps is not None
        holder = by_name[ps.api_name]
        assert set(holder.user_permissions) == {"ApiEnabled"} and not BROAD & set(holder.user_permissions)
        got = {
            op.object: {k for k in ("read", "create", "edit", "delete") if getattr(op, k)}
            for op in holder.object_permissions
        }
        assert got == {k: set(v) for k, v in ps.objects.items()}
        assert all(not op.view_all and not op.modify_all for op in holder.object_permissions)
        fields = {fp.field for fp in holder.field_permissions}
        assert fields == {f"{o}.{f}" for o, fs in ps.fields_read.items() for f in fs}


@pytest.mark.slow
def test_observed_queries_pass_static_check_and_replay(org: OrgData, actors: dict[str, ActorFlows]) -> None:
    replayed = review(org, FixedClock("2026-03-02T09:00:00Z"), sod_rules=[], replay=True, actors=actors)
    assert replayed.integrations
    queried = [i for i in replayed.integrations if i.verification is not None and i.verification.queries]
    assert queried
    for item in queried:
        v = item.verification
        assert v is not None
        assert v.static_ok, (item.name, v.missing)
        # replayed as the integration user holding ONLY the generated set, with enforcement on
        assert v.replayed and v.replay_ok, (item.name, v.replay_errors)
        assert v.emulator_enforces_permissions is True and v.note == REPLAY_NOTE


def _warehouse(actors: dict[str, ActorFlows]) -> tuple[ActorFlows, LeastPrivilege]:
    actor = next(a for a in actors.values() if a.app_name == "Snowfall Warehouse Sync")
    return actor, least_privilege(actor, actor.app_name or "x", AllowEntry())


def _uses(query: str, obj: str, field: str | None) -> bool:
    parsed = parse(query)
    if parsed.sobject != obj:
        return False
    return field is None or any(ref.path == (field,) for ref in parsed.field_refs())


def _assert_fail_exactly(result: ReplayResult, obj: str, field: str | None, error: str) -> None:
    """Exactly the queries using ``obj`` (``field``) fail, each with ``error``."""
    failing = {c.query for c in result.checks if c.replay != "ok"}
    expected = {c.query for c in result.checks if _uses(c.query, obj, field)}
    assert expected and failing == expected
    for check in result.checks:
        if check.query in expected:
            assert check.replay is not None and check.replay.startswith(error), check.replay


@pytest.mark.slow
def test_replay_without_a_needed_field_fails_exactly_the_queries_using_it(
    org: OrgData, actors: dict[str, ActorFlows]
) -> None:
    actor, lp = _warehouse(actors)
    lp.fields_read["Contact"].discard("Email")
    result = verify(org, lp, actor.users, actor.app_id, actor.app_name, 200)
    assert result.replayed and result.emulator_enforces_permissions
    _assert_fail_exactly(result, "Contact", "Email", "error: 400 INVALID_FIELD: No such column 'Email' on entity 'Contact'.")


@pytest.mark.slow
def test_replay_without_a_needed_object_fails_with_invalid_type(
    org: OrgData, actors: dict[str, ActorFlows]
) -> None:
    actor, lp = _warehouse(actors)
    del lp.objects["Contact"]
    lp.fields_read.pop("Contact", None)
    result = verify(org, lp, actor.users, actor.app_id, actor.app_name, 200)
    _assert_fail_exactly(result, "Contact", None, "error: 400 INVALID_TYPE: sObject type 'Contact' is not supported.")


def test_replay_overlay_leaves_the_org_folder_alone(org: OrgData, actors: dict[str, ActorFlows]) -> None:
    assert org.org_dir is not None
    before = sorted(p.relative_to(org.org_dir).as_posix() for p in org.org_dir.rglob("*"))
    actor, lp = _warehouse(actors)
    verify(org, lp, actor.users, actor.app_id, actor.app_name, 5)
    assert sorted(p.relative_to(org.org_dir).as_posix() for p in org.org_dir.rglob("*")) == before


def test_static_check_catches_a_missing_field(actors: dict[str, ActorFlows]) -> None:
    actor = next(a for a in actors.values() if a.app_name == "Snowfall Warehouse Sync")
    lp = least_privilege(actor, "x", AllowEntry())
    lp.fields_read["Contact"].discard("Email")
    assert static_check("SELECT Id, Email FROM Contact", lp) == ["Contact.Email"]
    assert static_check("SELECT Id FROM Lead", lp) == ["Lead"]


def test_allow_list_adds_grants_with_reason(actors: dict[str, ActorFlows], tmp_path: Path) -> None:
    path = tmp_path / "allow.yaml"
    path.write_text(
        "integrations:\n  ChatBeacon Support Widget:\n    fields: {Case: {edit: [Subject, Priority]}}\n",
        encoding="utf-8",
    )
    allow: AllowList = load_allow_list(path)
    actor = next(a for a in actors.values() if a.app_name == "ChatBeacon Support Widget")
    lp = least_privilege(actor, "ChatBeacon Support Widget", allow.for_name(actor.app_name))
    assert lp.fields_edit == {"Case": {"Subject", "Priority"}}
    assert lp.reasons["Case.Subject"] == "allow-list"
    assert "<field>Case.Priority</field>" in lp.to_xml("d")


def test_migration_plan_removes_broad_grants(result: AccessReview) -> None:
    for item in result.integrations:
        if {"ViewAllData", "ModifyAllData"} & set(item.high_risk):
            plan = "\n".join(item.migration_plan)
            assert "Remove permission set" in plan and item.permission_set is not None
            assert item.permission_set.api_name in plan
