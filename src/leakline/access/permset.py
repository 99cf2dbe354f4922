"""Least-privilege permission sets in Salesforce DX source format, from observed use + an allow-list.

Allow-list (YAML, edited by the user: what the logs cannot show, e.g. fields an integration
writes)::

    integrations:
      ChatBeacon Support Widget:
        objects: {Case: [read, create, edit]}
        fields: {Case: {edit: [Subject, Description], read: [CaseNumber]}}
        user_permissions: [ApiEnabled]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from pydantic import BaseModel, ConfigDict, Field

from leakline.core.registry import UnitLoadError, UnitProblem, validate_file
from leakline.flowmap.flows import ActorFlows

NOT_PERMISSIONABLE_FILE = Path(__file__).with_name("not_permissionable.yaml")
OBJECT_OPS = ("read", "create", "edit", "delete")
# Salesforce dependencies between object permissions (edit needs read, delete needs edit).
_IMPLIES = {"create": ("read",), "edit": ("read",), "delete": ("read", "edit")}
_XML_TAGS = {"read": "allowRead", "create": "allowCreate", "edit": "allowEdit", "delete": "allowDelete"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllowEntry(_Model):
    objects: dict[str, list[str]] = Field(default_factory=dict)
    fields: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    user_permissions: list[str] = Field(default_factory=list)


class AllowList(_Model):
    integrations: dict[str, AllowEntry] = Field(default_factory=dict)

    def for_name(self, *names: str | None) -> AllowEntry:
        for name in names:
            if name and name in self.integrations:
                return self.integrations[name]
        return AllowEntry()


class NotPermissionable(_Model):
    reviewed: str
    any_object: list[str]
    objects: dict[str, list[str]] = Field(default_factory=dict)

    def contains(self, obj: str, name: str) -> bool:
        return name in self.any_object or name in self.objects.get(obj, [])


@cache
def not_permissionable() -> NotPermissionable:
    data, problems = validate_file(NOT_PERMISSIONABLE_FILE, NotPermissionable)
    if problems or data is None:
        raise UnitLoadError(problems or [UnitProblem(str(NOT_PERMISSIONABLE_FILE), 1, "empty")])
    return data


def load_allow_list(path: Path | None) -> AllowList:
    """The user's allow-list (empty when not given)."""
    if path is None:
        return AllowList()
    if not path.is_file():
        raise UnitLoadError([UnitProblem(str(path), 1, "allow-list file not found")])
    data, problems = validate_file(path, AllowList)
    if problems or data is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty allow-list")])
    return data


@dataclass
class LeastPrivilege:
    """The permission set one integration needs, and why each entry is there."""

    api_name: str
    label: str
    objects: dict[str, set[str]] = field(default_factory=dict)
    fields_read: dict[str, set[str]] = field(default_factory=dict)
    fields_edit: dict[str, set[str]] = field(default_factory=dict)
    user_permissions: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)  # "Obj" / "Obj.Field" / perm → observed | allow-list | dependency
    undetermined: list[str] = field(default_factory=list)  # what the logs cannot tell

    def to_xml(self, description: str) -> str:
        """``<name>.permissionset-meta.xml`` content (elements in DX order)."""
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">',
                 f"    <description>{escape(description)}</description>"]
        names = sorted({(o, f) for o, fs in self.fields_read.items() for f in fs}
                       | {(o, f) for o, fs in self.fields_edit.items() for f in fs})
        for obj, fname in names:
            edit = fname in self.fields_edit.get(obj, set())
            lines += ["    <fieldPermissions>", f"        <editable>{str(edit).lower()}</editable>",
                      f"        <field>{escape(obj)}.{escape(fname)}</field>", "        <readable>true</readable>",
                      "    </fieldPermissions>"]
        lines += ["    <hasActivationRequired>false</hasActivationRequired>",
                  f"    <label>{escape(self.label)}</label>"]
        for obj in sorted(self.objects):
            ops = self.objects[obj]
            lines.append("    <objectPermissions>")
            for op in ("create", "delete", "edit", "read"):
                lines.append(f"        <{_XML_TAGS[op]}>{str(op in ops).lower()}</{_XML_TAGS[op]}>")
            lines += ["        <modifyAllRecords>false</modifyAllRecords>", f"        <object>{escape(obj)}</object>",
                      "        <viewAllRecords>false</viewAllRecords>", "    </objectPermissions>"]
        for perm in sorted(self.user_permissions):
            lines += ["    <userPermissions>", "        <enabled>true</enabled>", f"        <name>{escape(perm)}</name>",
                      "    </userPermissions>"]
        lines.append("</PermissionSet>")
        return "\n".join(lines) + "\n"


def api_name(name: str) -> str:
    """A valid permission-set API name: letters, digits, single underscores, starts with a letter, ≤80."""
    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
    base = re.sub(r"_+", "_", base)
    if not base or not base[0].isalpha():
        base = "X_" + base
    return ("LL_Least_" + base)[:80].rstrip("_")


def least_privilege(actor: ActorFlows, name: str, allow: AllowEntry) -> LeastPrivilege:
    """Only what the integration was seen using, plus the allow-list; nothing else."""
    skip = not_permissionable()
    lp = LeastPrivilege(api_name(name), f"Least privilege: {name}"[:80])
    lp.user_permissions.add("ApiEnabled")
    lp.reasons["ApiEnabled"] = "observed (API calls)"
    for obj, flow in sorted(actor.objects.items()):
        ops = {op for op, stat in flow.effective_ops().items() if stat.calls or stat.rows}
        if flow.fields_read:
            ops.add("read")
        if not ops:
            continue
        target = lp.objects.setdefault(obj, set())
        for op in sorted(ops):
            target.add(op)
            lp.reasons[f"{obj}:{op}"] = "observed"
        for fname in sorted(flow.fields_read):
            if "." in fname or skip.contains(obj, fname):
                continue
            lp.fields_read.setdefault(obj, set()).add(fname)
            lp.reasons[f"{obj}.{fname}"] = "observed (SOQL)"
        if flow.unlisted_reads or flow.all_fields:
            lp.undetermined.append(f"{obj}: {flow.unlisted_reads} record read(s) without a field list; "
                                   "add the fields the integration needs to the allow-list")
        writes = sorted(ops & {"create", "edit"})
        if writes:
            lp.undetermined.append(f"{obj}: {'/'.join(writes)} seen, written fields not in the logs; "
                                   "add them to the allow-list")
    for obj, ops_list in allow.objects.items():
        for op in ops_list:
            lp.objects.setdefault(obj, set()).add(op)
            lp.reasons.setdefault(f"{obj}:{op}", "allow-list")
    for obj, by_access in allow.fields.items():
        for access, names in by_access.items():
            for fname in names:
                bucket = lp.fields_edit if access == "edit" else lp.fields_read
                bucket.setdefault(obj, set()).add(fname)
                lp.reasons.setdefault(f"{obj}.{fname}", "allow-list")
            if names:
                lp.objects.setdefault(obj, set()).add("edit" if access == "edit" else "read")
    for perm in allow.user_permissions:
        lp.user_permissions.add(perm)
        lp.reasons.setdefault(perm, "allow-list")
    for obj, ops in lp.objects.items():
        for op in list(ops):
            for needed in _IMPLIES.get(op, ()):
                if needed not in ops:
                    ops.add(needed)
                    lp.reasons[f"{obj}:{needed}"] = f"dependency of {op}"
    return lp
