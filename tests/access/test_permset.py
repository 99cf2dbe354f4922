"""Least-privilege permission sets: exactly what was used, verified against observed queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.access.permset import (
    AllowEntry,
    AllowList,
    least_privilege,
    load_allow_list,
    not_permissionable,
)
from leakline.access.replay import static_check
from leakline.access.review import AccessReview, IntegrationReview, review
from leakline.core.clock import FixedClock
from leakline.flowmap.flows import ActorFlows
from leakline.flowmap.source import OrgData
from leakline.posture.loader import load_metadata
from leakline.simulate import truth

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
        (folder / f"{item.permission_set.api_name}.permissionset-meta.xml").write_text(item.permission_set.xml)
    meta = load_metadata(tmp_path)
    by_name = {h.name: h for h in meta.holders}
    for item in result.integrations:
        ps = item.permission_set
        assert ps is not None
        holder = by_name[ps.api_name]
        assert set(holder.user_permissions) == {"ApiEnabled"} and not BROAD & set(holder.user_permissions)
        got = {op.object: {k for k in ("read", "create", "edit", "delete") if getattr(op, k)}
               for op in holder.object_permissions}
        assert got == {k: set(v) for k, v in ps.objects.items()}
        assert all(not op.view_all and not op.modify_all for op in holder.object_permissions)
        fields = {fp.field for fp in holder.field_permissions}
        assert fields == {f"{o}.{f}" for o, fs in ps.fields_read.items() for f in fs}


@pytest.mark.slow
def test_observed_queries_pass_static_check_and_replay(org: OrgData, actors: dict[str, ActorFlows]) -> None:
    replayed = review(org, FixedClock("2026-03-02T09:00:00Z"), sod_rules=[], replay=True, actors=actors)
    assert replayed.integrations
    for item in replayed.integrations:
        v = item.verification
        assert v is not None
        if v.queries:
            assert v.static_ok, (item.name, v.missing)
            assert v.replayed and v.replay_ok, (item.name, v.replay_errors)
            assert v.emulator_enforces_permissions is False and "does not enforce" in v.note


def test_static_check_catches_a_missing_field(actors: dict[str, ActorFlows]) -> None:
    actor = next(a for a in actors.values() if a.app_name == "Snowfall Warehouse Sync")
    lp = least_privilege(actor, "x", AllowEntry())
    lp.fields_read["Contact"].discard("Email")
    assert static_check("SELECT Id, Email FROM Contact", lp) == ["Contact.Email"]
    assert static_check("SELECT Id FROM Lead", lp) == ["Lead"]


def test_allow_list_adds_grants_with_reason(actors: dict[str, ActorFlows], tmp_path: Path) -> None:
    path = tmp_path / "allow.yaml"
    path.write_text("integrations:\n  ChatBeacon Support Widget:\n    fields: {Case: {edit: [Subject, Priority]}}\n",
                    encoding="utf-8")
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
