"""The emulator's state: an org folder (read-only) plus an overlay of changes under ``state/``.

The simulator's files are never modified. Every mutation (record create/update/delete, OAuth
grants and revocations, API usage, Event Monitoring files the emulator writes about its own
traffic) is appended to files under ``<org>/state/`` (or another ``state_dir``) and replayed at
start-up, so containment survives a restart. Delete the state folder to reset the org.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakline.core import jsonio
from leakline.core.errors import BadInputError
from leakline.core.sfid import to18

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Well-known key prefixes for objects the schema may not describe (e.g. jobs created at run time).
_DEFAULT_PREFIXES = {
    "Organization": "00D",
    "User": "005",
    "Profile": "00e",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
    "UserLogin": "060",
    "ConnectedApplication": "0H4",
    "SetupEntityAccess": "0J0",
    "OauthToken": "0CQ",
    "AuthSession": "0Ak",
    "LoginHistory": "0Ya",
    "SetupAuditTrail": "0Ym",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Case": "500",
    "Opportunity": "006",
    "Order": "801",
    "EventLogFile": "0AT",
}


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-empty line; bad JSON raises BadInputError."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"not valid JSON ({exc.msg})", path=path, line=number) from None
            if not isinstance(value, dict):
                raise BadInputError("expected a JSON object per line", path=path, line=number)
            yield number, value


def _append_jsonl(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(value, sort_keys=True, ensure_ascii=False) + "\n")
        handle.flush()


@dataclass
class FieldInfo:
    name: str
    type: str
    label: str
    reference_to: tuple[str, ...] = ()


@dataclass
class ObjectInfo:
    name: str
    label: str
    key_prefix: str | None
    fields: dict[str, FieldInfo]

    def field(self, name: str) -> FieldInfo | None:
        """Case-insensitive field lookup."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((f for f in self.fields.values() if f.name.lower() == lowered), None)

    def relationship(self, name: str) -> FieldInfo | None:
        """The reference field behind relationship ``name`` (``Owner`` → ``OwnerId``)."""
        target = name[:-3] + "__c" if name.lower().endswith("__r") else name + "Id"
        found = self.field(target)
        if found is not None and (found.type == "reference" or found.reference_to):
            return found
        return None


class OrgState:
    """Records of one org (base files + overlay), loaded lazily per object. Thread-safe via ``lock``."""

    def __init__(self, org_dir: Path, state_dir: Path | None = None) -> None:
        self.org_dir = Path(org_dir)
        if not (self.org_dir / "org.json").is_file():
            raise BadInputError("not an org folder (org.json missing)", path=self.org_dir)
        self.state_dir = Path(state_dir) if state_dir is not None else self.org_dir / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.org: dict[str, Any] = jsonio.read(self.org_dir / "org.json", "org.json")
        self.org_id: str = to18(str(self.org.get("org_id") or "00D000000000001"))
        self.api_version: str = str(self.org.get("api_version") or "62.0").lstrip("v")
        self.schema: dict[str, ObjectInfo] = self._load_schema()
        self._tables: dict[str, dict[str, dict[str, Any]]] = {}
        self._changes: dict[str, list[dict[str, Any]]] = {}
        self._counter = 0
        self._elf_paths: dict[str, Path] = {}
        self._load_changes()

    # -- schema --------------------------------------------------------------------------
    def _load_schema(self) -> dict[str, ObjectInfo]:
        raw: dict[str, Any] = jsonio.read(self.org_dir / "schema.json", "schema.json") or {}
        schema: dict[str, ObjectInfo] = {}
        for name, spec in raw.items():
            fields = {
                fname: FieldInfo(
                    fname,
                    str(fspec.get("type", "string")),
                    str(fspec.get("label", fname)),
                    tuple(fspec.get("referenceTo") or ()),
                )
                for fname, fspec in (spec.get("fields") or {}).items()
            }
            schema[name] = ObjectInfo(
                name,
                str(spec.get("label", name)),
                spec.get("keyPrefix") or _DEFAULT_PREFIXES.get(name),
                fields,
            )
        # Objects with data but no schema entry get fields from their records' keys.
        for path_ in (
            sorted((self.org_dir / "sobjects").glob("*.jsonl"))
            if (self.org_dir / "sobjects").is_dir()
            else []
        ):
            if path_.stem not in schema:
                keys: dict[str, None] = {}
                for _, rec in read_jsonl(path_):
                    keys.update(dict.fromkeys(rec))
                    if len(keys) > 500:
                        break
                schema[path_.stem] = ObjectInfo(
                    path_.stem,
                    path_.stem,
                    _DEFAULT_PREFIXES.get(path_.stem),
                    {k: FieldInfo(k, "id" if k == "Id" else "string", k) for k in keys},
                )
        if "EventLogFile" not in schema:
            names = [
                "Id",
                "EventType",
                "LogDate",
                "Interval",
                "Sequence",
                "LogFile",
                "LogFileLength",
                "LogFileContentType",
                "LogFileFieldNames",
                "LogFileFieldTypes",
                "ApiVersion",
                "CreatedDate",
            ]
            types = {
                "Id": "id",
                "LogDate": "datetime",
                "CreatedDate": "datetime",
                "Sequence": "int",
                "LogFileLength": "double",
                "ApiVersion": "double",
                "LogFile": "base64",
            }
            schema["EventLogFile"] = ObjectInfo(
                "EventLogFile",
                "Event Log File",
                "0AT",
                {n: FieldInfo(n, types.get(n, "string"), n) for n in names},
            )
        elif "LogFile" not in schema["EventLogFile"].fields:
            schema["EventLogFile"].fields["LogFile"] = FieldInfo("LogFile", "base64", "Log File")
        return schema

    def object_info(self, name: str) -> ObjectInfo | None:
        """Case-insensitive object lookup."""
        found = self.schema.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((o for o in self.schema.values() if o.name.lower() == lowered), None)

    def object_for_id(self, record_id: str) -> str | None:
        """Which object a record id belongs to (by key prefix)."""
        prefix = record_id[:3]
        for info in self.schema.values():
            if info.key_prefix == prefix:
                return info.name
        return None

    # -- records -------------------------------------------------------------------------
    def _load_changes(self) -> None:
        path = self.state_dir / "changes.jsonl"
        if not path.is_file():
            return
        for _, change in read_jsonl(path):
            self._changes.setdefault(change["object"], []).append(change)
            self._counter = max(self._counter, int(change.get("seq", 0)))

    def table(self, sobject: str) -> dict[str, dict[str, Any]]:
        """All records of ``sobject`` by 18-char id, including deleted ones (``IsDeleted`` true)."""
        with self.lock:
            found = self._tables.get(sobject)
            if found is not None:
                return found
            table: dict[str, dict[str, Any]] = {}
            if sobject == "EventLogFile":
                self._load_elf(table)
            else:
                path = self.org_dir / "sobjects" / f"{sobject}.jsonl"
                if path.is_file():
                    for number, rec in read_jsonl(path):
                        rid = rec.get("Id")
                        if not isinstance(rid, str):
                            raise BadInputError("record without an Id", path=path, line=number)
                        table[to18(rid)] = rec
            for change in self._changes.get(sobject, []):
                self._apply(table, change)
            self._tables[sobject] = table
            return table

    def _load_elf(self, table: dict[str, dict[str, Any]]) -> None:
        # ``path`` is relative to the folder holding ``eventlogs/`` (the simulator writes
        # ``eventlogs/Login/2026-03-01.csv``); a path relative to ``eventlogs/`` itself is accepted too.
        for root in (self.org_dir, self.state_dir):
            base = root / "eventlogs"
            index = base / "EventLogFile.jsonl"
            if not index.is_file():
                continue
            for number, rec in read_jsonl(index):
                rec = dict(rec)
                rel = rec.pop("path", None)
                rid = rec.get("Id")
                if not isinstance(rid, str) or not isinstance(rel, str):
                    raise BadInputError("EventLogFile record needs Id and path", path=index, line=number)
                rid = to18(rid)
                table[rid] = rec
                candidate = root / rel
                self._elf_paths[rid] = candidate if candidate.is_file() else base / rel

    def elf_path(self, record_id: str) -> Path | None:
        """The CSV body of an EventLogFile record."""
        self.table("EventLogFile")
        return self._elf_paths.get(to18(record_id)) if len(record_id) in (15, 18) else None

    @staticmethod
    def _apply(table: dict[str, dict[str, Any]], change: dict[str, Any]) -> None:
        rid = change["id"]
        if change["op"] == "create":
            table[rid] = dict(change["fields"])
        elif change["op"] == "update" and rid in table:
            table[rid] = {**table[rid], **change["fields"]}
        elif change["op"] == "delete" and rid in table:
            table[rid] = {**table[rid], "IsDeleted": True}

    def _record_change(self, change: dict[str, Any]) -> None:
        self._counter += 1
        change["seq"] = self._counter
        _append_jsonl(self.state_dir / "changes.jsonl", change)
        self._changes.setdefault(change["object"], []).append(change)

    def get(self, sobject: str, record_id: str, include_deleted: bool = False) -> dict[str, Any] | None:
        """One record by id (15 or 18 chars) or None."""
        try:
            rid = to18(record_id)
        except ValueError:
            return None
        rec = self.table(sobject).get(rid)
        if rec is None and len(record_id) == 18:
            # ids compare case-insensitively in their 18-char form
            rec = next((r for k, r in self.table(sobject).items() if k.lower() == rid.lower()), None)
        if rec is None or (rec.get("IsDeleted") and not include_deleted):
            return None
        return rec

    def find(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """Find a live record of any object by id."""
        sobject = self.object_for_id(record_id)
        if sobject is None:
            return None
        rec = self.get(sobject, record_id)
        return (sobject, rec) if rec is not None else None

    def new_id(self, sobject: str, prefix: str | None = None) -> str:
        """A fresh 18-char id with the object's key prefix (deterministic sequence per state)."""
        with self.lock:
            info = self.object_info(sobject)
            prefix = prefix or (info.key_prefix if info else None) or _DEFAULT_PREFIXES.get(sobject) or "a00"
            self._counter += 1
            n = self._counter + 7_000_000
            digits = ""
            while n:
                n, r = divmod(n, 62)
                digits = _BASE62[r] + digits
            return to18((prefix + "8E" + digits.rjust(10, "0"))[:15])

    def create(self, sobject: str, fields: dict[str, Any], record_id: str | None = None) -> str:
        """Insert a record; returns its id."""
        with self.lock:
            rid = record_id or self.new_id(sobject)
            rec = {"Id": rid, **{k: v for k, v in fields.items() if k != "Id"}}
            change = {"op": "create", "object": sobject, "id": rid, "fields": rec}
            self._apply(self.table(sobject), change)
            self._record_change(change)
            return rid

    def update(self, sobject: str, record_id: str, fields: dict[str, Any]) -> None:
        """Change fields of an existing record."""
        with self.lock:
            rid = to18(record_id)
            change = {"op": "update", "object": sobject, "id": rid, "fields": fields}
            self._apply(self.table(sobject), change)
            self._record_change(change)

    def delete(self, sobject: str, record_id: str) -> None:
        """Soft-delete (``IsDeleted`` true: gone from query, visible to queryAll)."""
        with self.lock:
            rid = to18(record_id)
            change = {"op": "delete", "object": sobject, "id": rid}
            self._apply(self.table(sobject), change)
            self._record_change(change)

    def add_event_log_file(self, record: dict[str, Any], relative_path: str) -> None:
        """Register an ELF file the emulator wrote (``relative_path`` from the state folder)."""
        with self.lock:
            _append_jsonl(
                self.state_dir / "eventlogs" / "EventLogFile.jsonl", {**record, "path": relative_path}
            )
            rid = to18(record["Id"])
            self.table("EventLogFile")[rid] = dict(record)
            self._elf_paths[rid] = self.state_dir / relative_path

    # -- small persisted documents ---------------------------------------------------------
    def load_doc(self, name: str) -> dict[str, Any]:
        """Read ``state/<name>.json`` (empty dict if absent)."""
        value = jsonio.read(self.state_dir / f"{name}.json", "emulator state")
        return value if isinstance(value, dict) else {}

    def save_doc(self, name: str, value: dict[str, Any]) -> None:
        """Write ``state/<name>.json`` atomically."""
        path = self.state_dir / f"{name}.json"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(value, sort_keys=True, indent=1), encoding="utf-8")
        tmp.replace(path)

    def append_doc_line(self, name: str, value: dict[str, Any]) -> None:
        """Append one line to ``state/<name>.jsonl``."""
        _append_jsonl(self.state_dir / f"{name}.jsonl", value)

    def save_doc_lines_reset(self, name: str) -> None:
        """Empty ``state/<name>.jsonl`` (after its lines were consumed)."""
        path = self.state_dir / f"{name}.jsonl"
        if path.exists():
            path.unlink()

    def read_doc_lines(self, name: str) -> list[dict[str, Any]]:
        """All lines of ``state/<name>.jsonl``."""
        path = self.state_dir / f"{name}.jsonl"
        return [v for _, v in read_jsonl(path)] if path.is_file() else []
