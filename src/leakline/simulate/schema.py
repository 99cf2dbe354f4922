"""``schema.json``: labels, key prefixes and field types per object (drives the emulator's describe)."""

from __future__ import annotations

import re
from typing import Any

from leakline.simulate.ids import KEY_PREFIX

_DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")
_D = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[a-zA-Z0-9]{18}$")
_REF = {"AccountId": ["Account"], "ContactId": ["Contact"], "ShipToContactId": ["Contact"], "OwnerId": ["User"],
        "CreatedById": ["User"], "LastModifiedById": ["User"], "UserId": ["User"], "UsersId": ["User"],
        "ProfileId": ["Profile"], "PermissionSetId": ["PermissionSet"], "AssigneeId": ["User"],
        "ParentId": ["PermissionSet"], "SetupEntityId": ["ConnectedApplication"], "Vendor__c": ["Vendor__c"],
        "Approved_By__c": ["User"], "ManagerId": ["User"], "LoginHistoryId": ["LoginHistory"],
        "ReportId": ["Report"]}
_PICKLIST = {"Type", "Industry", "Status", "Priority", "Origin", "StageName", "LeadSource", "Rating", "LoginType",
             "SessionType", "Status__c", "Vendor_Type__c", "Payment_Terms__c", "UserType", "EventType", "Interval",
             "LoginSubType", "SessionSecurityLevel"}
_LABELS = {"Vendor__c": ("Vendor", "Vendors"), "Payment__c": ("Vendor Payment", "Vendor Payments")}


def _field_type(name: str, values: list[Any]) -> dict[str, Any]:
    sample = next((v for v in values if v is not None), None)
    if name == "Id":
        return {"type": "id"}
    if name in _REF:
        return {"type": "reference", "referenceTo": _REF[name]}
    if isinstance(sample, bool):
        return {"type": "boolean"}
    if isinstance(sample, int):
        return {"type": "int"}
    if isinstance(sample, float):
        return {"type": "currency" if "Amount" in name or "Revenue" in name or "Value" in name else "double"}
    if isinstance(sample, str):
        if _DT.match(sample):
            return {"type": "datetime"}
        if _D.match(sample) and ("Date" in name or name.endswith("__c")):
            return {"type": "date"}
        if "Email" in name or (name == "Username" and "@" in sample):
            return {"type": "email"}
        if "Phone" in name:
            return {"type": "phone"}
        if name in ("Description", "Display", "Query", "Records", "LogFileFieldNames", "LogFileFieldTypes"):
            return {"type": "textarea"}
        if name in _PICKLIST:
            return {"type": "picklist"}
        if name.endswith("Id") and _ID.match(sample):
            return {"type": "reference", "referenceTo": []}
    return {"type": "string"}


def _label(name: str) -> str:
    base = name.removesuffix("__c").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base)


def build(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Describe every object from its records (field order = first record's key order)."""
    out: dict[str, Any] = {}
    for obj in sorted(objects):
        records = objects[obj]
        names: dict[str, None] = {}
        for rec in records:
            names.update(dict.fromkeys(rec))
        fields = {}
        for name in names:
            info = _field_type(name, [r.get(name) for r in records[:200]])
            info["label"] = _label(name)
            fields[name] = info
        label, plural = _LABELS.get(obj, (_label(obj), _label(obj) + "s"))
        out[obj] = {"label": label, "labelPlural": plural, "keyPrefix": KEY_PREFIX.get(obj),
                    "custom": obj.endswith("__c"), "queryable": True, "fields": fields}
    return out
