"""Typed records of the evidence locker (see docs/contracts.md, "Evidence locker")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from leakline.core.clock import to_utc

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Provenance(BaseModel):
    """Where a piece of evidence came from: an API call, a file, or leakline itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    source: Literal["api", "file", "leakline"]
    endpoint: str | None = None
    request_id: str | None = None
    original_path: str | None = None
    original_mtime: datetime | None = None
    note: str | None = None

    @field_validator("original_path", mode="before")
    @classmethod
    def _path_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value

    @field_validator("original_mtime")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return to_utc(value) if value is not None else None


class ObjectInfo(BaseModel):
    """One object in the locker, as first acquired."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int
    name: str
    kind: str
    acquired_at: datetime
    provenance: Provenance
    stored_size: int


class Hold(BaseModel):
    """An active legal hold (on one object, or on the whole locker when ``sha256`` is None)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    hold_id: str
    sha256: str | None
    reason: str
    matter: str | None = None
    retain_until: datetime | None = None
    placed_at: datetime
    placed_by: str
