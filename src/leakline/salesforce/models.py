"""Typed records the salesforce package returns (no raw API dict leaves the package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from leakline.core.masking import mask_secret

FieldValue = str | int | float | bool | None


@dataclass(frozen=True)
class Secret:
    """A token or password: its ``repr``/``str`` never show the value (use ``.reveal()``)."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self._value

    def __str__(self) -> str:
        return mask_secret(self._value)

    def __repr__(self) -> str:
        return f"Secret({mask_secret(self._value)})"


@dataclass(frozen=True)
class Token:
    """An OAuth access token and the instance it is valid for."""

    access_token: Secret
    instance_url: str
    issued_by: str  # grant used: jwt-bearer | client-credentials | session


@dataclass(frozen=True)
class ApiUsage:
    """Org-wide API use from ``Sforce-Limit-Info`` and the calls this client made."""

    used: int | None
    limit: int | None
    calls: int

    @property
    def fraction(self) -> float | None:
        """used / limit, if known."""
        if self.used is None or not self.limit:
            return None
        return self.used / self.limit


@dataclass(frozen=True)
class Limit:
    """One entry of ``/limits``."""

    name: str
    max: int
    remaining: int


@dataclass(frozen=True)
class Record:
    """One sObject record: its type, 18-char Id (if any) and fields (relationships flattened one level)."""

    sobject: str
    id: str | None
    fields: Mapping[str, Any]

    @staticmethod
    def from_api(data: Mapping[str, Any], sobject: str | None = None) -> Record:
        """Build from an API record (``attributes`` dropped, nested relationship records kept as mappings)."""
        attributes = data.get("attributes") or {}
        kind = str(attributes.get("type") or sobject or "")
        values = {k: _freeze(v) for k, v in data.items() if k != "attributes"}
        rec_id = values.get("Id")
        return Record(sobject=kind, id=str(rec_id) if rec_id else None, fields=MappingProxyType(values))

    def get(self, name: str, default: Any = None) -> Any:
        """A field (``Parent.Field`` for one-level relationships)."""
        if "." in name:
            parent, child = name.split(".", 1)
            value = self.fields.get(parent)
            return value.get(child, default) if isinstance(value, Mapping) else default
        return self.fields.get(name, default)

    def to_json(self) -> dict[str, Any]:
        """The record in API shape (``attributes.type`` + fields), for writing evidence."""
        return {"attributes": {"type": self.sobject}, **{k: _thaw(v) for k, v in self.fields.items()}}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items() if k != "attributes"})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class QueryPage:
    """One page of a SOQL query (for provenance: which request returned which records)."""

    records: tuple[Record, ...]
    total_size: int
    request_id: str
    endpoint: str


@dataclass(frozen=True)
class EventLogFileInfo:
    """One EventLogFile record (the CSV body is downloaded separately)."""

    id: str
    event_type: str
    log_date: datetime
    interval: str  # Daily | Hourly
    sequence: int
    length: int | None
    field_names: tuple[str, ...]
    field_types: tuple[str, ...]
    api_version: str | None
    created_date: datetime | None
    log_file_path: str | None

    @property
    def name(self) -> str:
        """Evidence name that maps back to the record: ``elf/<Type>/<date>/<Interval>[-<seq>]/<Id>.csv``."""
        day = self.log_date.strftime("%Y-%m-%d")
        slot = (
            self.interval
            if self.interval == "Daily"
            else f"{self.interval}-{self.log_date:%H}00-{self.sequence}"
        )
        return f"elf/{self.event_type}/{day}/{slot}/{self.id}.csv"


@dataclass(frozen=True)
class Download:
    """A body streamed to disk."""

    path: Path
    size: int
    sha256: str
    request_id: str
    endpoint: str


@dataclass(frozen=True)
class UserLoginState:
    """``UserLogin`` of one user (freeze state)."""

    id: str
    user_id: str
    is_frozen: bool
    is_password_locked: bool


@dataclass(frozen=True)
class OauthGrant:
    """An ``OauthToken`` record; ``delete_token`` is what the revoke endpoint takes."""

    id: str
    user_id: str | None
    app_name: str | None
    delete_token: Secret | None
    last_used: datetime | None
    use_count: int | None


@dataclass(frozen=True)
class BulkQueryResult:
    """A Bulk API 2.0 query job's CSV results, concatenated into one file (one header)."""

    job_id: str
    path: Path
    records: int
    sha256: str
