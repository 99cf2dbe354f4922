"""Recover records damaged by a corrupted sync: compare a pre-incident snapshot with the
current org, plan a restore ordered by lookup relationships, apply it in batches and check
referential integrity afterwards.

Rules an experienced admin would insist on:
- parents before children (a child can only point at a record that exists);
- a deleted record is re-created (the data APIs cannot undelete from outside the recycle bin
  for every object) and its children are re-linked to the new id; the old→new id map is kept;
- a field changed after the incident by someone other than the damaging actor is a legitimate
  later edit: it is never overwritten silently (three-way compare using field history);
- system fields (audit fields, formulas, ids) are never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from leakline.core.errors import BadInputError

SYSTEM_FIELDS = frozenset(
    {
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "LastActivityDate",
        "LastViewedDate",
        "LastReferencedDate",
        "attributes",
    }
)


class RecordOps(Protocol):
    """Generic record access the restore needs."""

    def records(self, sobject: str, ids: list[str] | None = None) -> list[dict[str, Any]]: ...

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str: ...

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class FieldChange:
    """One field-history row (``<Object>History``): who changed what, when."""

    sobject: str
    record_id: str
    field: str
    changed_at: datetime
    changed_by: str


@dataclass
class RestoreOp:
    op: str  # "update" | "recreate"
    sobject: str
    record_id: str
    fields: dict[str, Any]
    reason: str


@dataclass
class Conflict:
    sobject: str
    record_id: str
    field: str
    snapshot_value: Any
    current_value: Any
    changed_by: str
    changed_at: datetime


@dataclass
class RestorePlan:
    ops: list[RestoreOp] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for op in self.ops:
            out[f"{op.sobject}.{op.op}"] = out.get(f"{op.sobject}.{op.op}", 0) + 1
        return out


def object_order(references: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Topological order of objects so that referenced (parent) objects come first.

    ``references[obj][field] = parent_obj``. Self-references and cycles outside the set are
    ignored for ordering (a self-lookup is re-linked in a second pass).
    """
    objects = sorted(references)
    incoming = {o: {p for p in references[o].values() if p in references and p != o} for o in objects}
    order: list[str] = []
    ready = sorted(o for o in objects if not incoming[o])
    while ready:
        current = ready.pop(0)
        order.append(current)
        for other in objects:
            if current in incoming[other]:
                incoming[other].discard(current)
                if not incoming[other] and other not in order and other not in ready:
                    ready.append(other)
                    ready.sort()
    cyclic = [o for o in objects if o not in order]
    if cyclic:
        raise BadInputError(f"lookup cycle between {', '.join(cyclic)}; restore them separately")
    return order


def plan_restore(
    snapshot: Mapping[str, Iterable[Mapping[str, Any]]],
    current: Mapping[str, Iterable[Mapping[str, Any]]],
    references: Mapping[str, Mapping[str, str]],
    *,
    damaging_actors: Iterable[str] = (),
    since: datetime | None = None,
    history: Iterable[FieldChange] = (),
) -> RestorePlan:
    """Compare snapshot with current records and plan updates and re-creations.

    A field differing from the snapshot is restored unless field history shows it was last
    changed after ``since`` by someone not in ``damaging_actors``: that is a conflict to review.
    """
    actors = set(damaging_actors)
    last_change: dict[tuple[str, str, str], FieldChange] = {}
    for change in history:
        k = (change.sobject, change.record_id, change.field)
        if k not in last_change or change.changed_at > last_change[k].changed_at:
            last_change[k] = change
    plan = RestorePlan(order=object_order(references))
    for sobject in plan.order:
        now = {r["Id"]: r for r in current.get(sobject, ())}
        for old in sorted(snapshot.get(sobject, ()), key=lambda r: str(r["Id"])):
            rid = str(old["Id"])
            writable = {k: v for k, v in old.items() if k not in SYSTEM_FIELDS}
            if rid not in now:
                plan.ops.append(RestoreOp("recreate", sobject, rid, writable, "deleted after snapshot"))
                continue
            diff: dict[str, Any] = {}
            for name, value in writable.items():
                if now[rid].get(name) == value:
                    continue
                edit = last_change.get((sobject, rid, name))
                if edit is not None and edit.changed_by not in actors and (since is None or edit.changed_at >= since):
                    plan.conflicts.append(
                        Conflict(sobject, rid, name, value, now[rid].get(name), edit.changed_by, edit.changed_at)
                    )
                    continue
                diff[name] = value
            if diff:
                plan.ops.append(RestoreOp("update", sobject, rid, diff, "changed after snapshot"))
    return plan


@dataclass
class RestoreResult:
    id_map: dict[str, str]
    applied: int
    dangling: list[tuple[str, str, str, str]]


def apply_restore(
    plan: RestorePlan,
    ops: RecordOps,
    references: Mapping[str, Mapping[str, str]],
    batch_size: int = 200,
) -> RestoreResult:
    """Apply the plan parents-first; re-link children of re-created records; check integrity."""
    id_map: dict[str, str] = {}
    applied = 0
    by_object: dict[str, list[RestoreOp]] = {}
    for op in plan.ops:
        by_object.setdefault(op.sobject, []).append(op)
    deferred_self_links: list[tuple[str, str, str, str]] = []
    for sobject in plan.order:
        refs = references.get(sobject, {})
        pending = by_object.get(sobject, [])
        for start in range(0, len(pending), batch_size):
            for op in pending[start : start + batch_size]:
                fields = dict(op.fields)
                for ref_field, parent in refs.items():
                    value = fields.get(ref_field)
                    if isinstance(value, str) and value in id_map:
                        fields[ref_field] = id_map[value]
                    elif parent == sobject and op.op == "recreate" and value:
                        deferred_self_links.append((sobject, op.record_id, ref_field, str(value)))
                        fields.pop(ref_field)
                if op.op == "recreate":
                    id_map[op.record_id] = ops.create(sobject, fields)
                else:
                    ops.update(sobject, op.record_id, fields)
                applied += 1
        # Children that still point at a re-created parent's old id are re-linked.
        for child, child_refs in references.items():
            for ref_field, parent in child_refs.items():
                if parent != sobject or not id_map:
                    continue
                for row in ops.records(child):
                    old = row.get(ref_field)
                    if isinstance(old, str) and old in id_map:
                        ops.update(child, str(row["Id"]), {ref_field: id_map[old]})
    for sobject, old_id, ref_field, target in deferred_self_links:
        ops.update(sobject, id_map.get(old_id, old_id), {ref_field: id_map.get(target, target)})
    return RestoreResult(id_map, applied, dangling_references(ops, references))


def dangling_references(ops: RecordOps, references: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str, str, str]]:
    """(object, record id, field, missing target) for every lookup pointing at nothing."""
    existing = {o: {str(r["Id"]) for r in ops.records(o)} for o in {p for refs in references.values() for p in refs.values()} | set(references)}
    dangling = []
    for sobject, refs in references.items():
        for row in ops.records(sobject):
            for ref_field, parent in refs.items():
                value = row.get(ref_field)
                if value and parent in existing and str(value) not in existing[parent]:
                    dangling.append((sobject, str(row["Id"]), ref_field, str(value)))
    return sorted(dangling)
