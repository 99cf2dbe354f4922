"""The map's observed flows against the simulator's ground truth (benign traffic only)."""

from __future__ import annotations

from leakline.flowmap.model import FlowMap, Surface
from leakline.simulate import truth

WRITES = ("create", "edit", "delete")


def _surface(fmap: FlowMap, name: str) -> Surface:
    return next(s for s in fmap.surfaces if s.kind == "connected_app" and s.name == name)


def test_every_integration_app_is_a_surface_with_its_user(fmap: FlowMap, gt: truth.GroundTruth) -> None:
    assert gt.app_data_flows
    for app in gt.app_data_flows:
        surface = _surface(fmap, app.app_name)
        assert surface.details["connected_app_id"] == app.connected_app_id
        assert app.user_id in {u.user_id for u in surface.users}
        assert surface.has_logs is True


def test_observed_objects_never_exceed_the_truth(fmap: FlowMap, gt: truth.GroundTruth) -> None:
    for app in gt.app_data_flows:
        surface = _surface(fmap, app.app_name)
        observed = {f.object: f for f in surface.flows if f.status == "observed"}
        reads = {o for o, f in observed.items() if f.operations.get("read") is not None}
        writes = {o for o, f in observed.items() if any(f.operations.get(op) is not None for op in WRITES)}
        assert reads <= set(app.reads), app.app_name
        assert writes <= set(app.writes), app.app_name


def test_fields_from_soql_match_the_truth_exactly(fmap: FlowMap, gt: truth.GroundTruth) -> None:
    # Fields come only from logged SOQL: the select list is what the app receives (all in the
    # truth) and select + filters cover every field the truth lists for that object.
    checked = 0
    for app in gt.app_data_flows:
        surface = _surface(fmap, app.app_name)
        for flow in surface.flows:
            if flow.status != "observed" or not flow.fields_read:
                continue
            assert set(flow.fields_selected) <= set(app.reads[flow.object]), (app.app_name, flow.object)
            assert set(app.reads[flow.object]) <= set(flow.fields_read), (app.app_name, flow.object)
            checked += 1
    assert checked >= 9


def test_truth_flows_the_logs_do_not_show_are_at_least_possible(fmap: FlowMap, gt: truth.GroundTruth) -> None:
    for app in gt.app_data_flows:
        surface = _surface(fmap, app.app_name)
        shown = {f.object: f for f in surface.flows}
        for obj in app.reads:
            assert "read" in shown[obj].operations, (app.app_name, obj)
        for obj in app.writes:
            assert "edit" in shown[obj].operations or "create" in shown[obj].operations, (app.app_name, obj)


def test_written_fields_are_never_invented(fmap: FlowMap) -> None:
    for surface in fmap.surfaces:
        for flow in surface.flows:
            if any(flow.operations.get(op) is not None for op in WRITES):
                assert flow.fields_written is not None and "not in event logs" in flow.fields_written


def test_personal_elements_from_field_names(fmap: FlowMap) -> None:
    chat = _surface(fmap, "ChatBeacon Support Widget")
    contact = next(f for f in chat.flows if f.object == "Contact" and f.status == "observed")
    assert contact.elements == ["email", "name", "phone"]
    assert contact.personal is True
    assert sum(contact.subjects.values()) > 0


def test_volumes_and_evidence(fmap: FlowMap, org_dir) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    dwh = _surface(fmap, "Snowfall Warehouse Sync")
    account = next(f for f in dwh.flows if f.object == "Account" and f.status == "observed")
    read = account.operations["read"]
    assert read is not None and read.calls == 3 and read.rows > 0  # one Bulk 2.0 job per day, 3 days
    shas = {hashlib.sha256(p.read_bytes()).hexdigest() for p in org_dir.rglob("*") if p.is_file()}
    assert account.evidence and all(e.sha256 in shas for e in account.evidence)
