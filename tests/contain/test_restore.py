from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from leakline.contain.restore import FieldChange, apply_restore, object_order, plan_restore
from leakline.core.errors import BadInputError

REFS = {"Account": {"ParentId": "Account"}, "Contact": {"AccountId": "Account"}, "Vendor__c": {}}


class MemoryOrg:
    """The org's record store as plain dicts (restore logic test; emulator tests cover the API)."""

    def __init__(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = {k: {r["Id"]: dict(r) for r in v} for k, v in data.items()}
        self.counter = 0

    def records(self, sobject: str, ids: list[str] | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in self.data.get(sobject, {}).values()]

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        self.counter += 1
        new_id = f"NEW{self.counter:03d}"
        self.data.setdefault(sobject, {})[new_id] = {"Id": new_id, **fields}
        return new_id

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        self.data[sobject][record_id].update(fields)


SNAPSHOT = {
    "Account": [{"Id": "A1", "Name": "Acme", "ParentId": None}, {"Id": "A2", "Name": "Beta", "ParentId": "A1"}],
    "Contact": [
        {"Id": "C1", "LastName": "Ng", "AccountId": "A2", "Email": "ng@example.com"},
        {"Id": "C2", "LastName": "Ode", "AccountId": "A1", "Email": "ode@example.com"},
    ],
    "Vendor__c": [{"Id": "V1", "Bank_Account__c": "DE89370400440532013000", "LastModifiedDate": "x"}],
}


def damaged() -> dict[str, list[dict[str, Any]]]:
    return {
        "Account": [{"Id": "A1", "Name": "Acme", "ParentId": None}],
        "Contact": [
            {"Id": "C1", "LastName": "Ng", "AccountId": "A2", "Email": "ng@example.com"},
            {"Id": "C2", "LastName": "", "AccountId": "A1", "Email": "new@example.com"},
        ],
        "Vendor__c": [{"Id": "V1", "Bank_Account__c": "XX", "LastModifiedDate": "y"}],
    }


def test_object_order_parents_first() -> None:
    assert object_order(REFS) == ["Account", "Contact", "Vendor__c"]


def test_cycle_is_reported() -> None:
    with pytest.raises(BadInputError, match="lookup cycle"):
        object_order({"A": {"b": "B"}, "B": {"a": "A"}})


def test_restore_recreates_relinks_and_leaves_no_dangling_reference() -> None:
    org = MemoryOrg(damaged())
    plan = plan_restore(SNAPSHOT, damaged(), REFS)
    assert plan.counts() == {"Account.recreate": 1, "Contact.update": 1, "Vendor__c.update": 1}
    result = apply_restore(plan, org, REFS)
    assert result.id_map == {"A2": "NEW001"}
    assert result.dangling == []
    assert org.data["Contact"]["C1"]["AccountId"] == "NEW001"
    assert org.data["Contact"]["C2"] == {"Id": "C2", "LastName": "Ode", "AccountId": "A1", "Email": "ode@example.com"}
    assert org.data["Account"]["NEW001"] == {"Id": "NEW001", "Name": "Beta", "ParentId": "A1"}
    assert org.data["Vendor__c"]["V1"]["Bank_Account__c"] == "DE89370400440532013000"
    assert org.data["Vendor__c"]["V1"]["LastModifiedDate"] == "y"  # system fields are never written


def test_legitimate_later_edit_is_a_conflict_not_overwritten() -> None:
    edit = FieldChange("Contact", "C2", "Email", datetime(2026, 3, 2, tzinfo=UTC), "005ADMIN")
    sync = FieldChange("Contact", "C2", "LastName", datetime(2026, 3, 1, tzinfo=UTC), "005SYNC")
    plan = plan_restore(
        SNAPSHOT, damaged(), REFS, damaging_actors=["005SYNC"], since=datetime(2026, 2, 28, tzinfo=UTC), history=[edit, sync]
    )
    assert [(c.record_id, c.field, c.changed_by) for c in plan.conflicts] == [("C2", "Email", "005ADMIN")]
    contact_ops = [op for op in plan.ops if op.sobject == "Contact"]
    assert [(op.record_id, op.fields) for op in contact_ops] == [("C2", {"LastName": "Ode"})]
