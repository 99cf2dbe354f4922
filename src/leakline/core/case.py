"""The case folder: the unit a responder works in (see docs/design: one flow, one folder).

```
case.yaml       id, title, opened_at, org(s), legal entity, timezone, key id (no secrets)
locker/         evidence (immutable)
events/         Parquet (derived, rebuildable)
case.duckdb     views + derived tables (derived, rebuildable)
journal.jsonl   actions taken or approved (append-only, hash-chained)
reports/        generated outputs
```
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from leakline.core.clock import Clock, iso
from leakline.core.errors import BadInputError, ConfigError, UsageError
from leakline.core.registry import UnitLoadError, validate_file

CASE_FILE = "case.yaml"
SCHEMA_VERSION = 1


class OrgRef(BaseModel):
    """An org in scope of the case."""

    model_config = ConfigDict(extra="forbid")
    org_id: str | None = Field(default=None, pattern=r"^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$")
    name: str | None = None
    instance_url: str | None = Field(default=None, pattern=r"^https?://")


class CaseFile(BaseModel):
    """Schema of ``case.yaml``."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = SCHEMA_VERSION
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    title: str = Field(min_length=1, max_length=200)
    opened_at: datetime
    timezone: str = "UTC"
    legal_entity: str | None = None
    orgs: list[OrgRef] = Field(default_factory=list)
    key_id: str | None = None
    discovered_at: datetime | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    @field_validator("opened_at", "discovered_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone (append Z for UTC)")
        return value

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema_version {value} (this leakline reads {SCHEMA_VERSION})")
        return value


@dataclass(frozen=True)
class Case:
    """An opened case folder."""

    root: Path
    meta: CaseFile

    @property
    def locker_dir(self) -> Path:
        return self.root / "locker"

    @property
    def events_dir(self) -> Path:
        return self.root / "events"

    @property
    def db_path(self) -> Path:
        return self.root / "case.duckdb"

    @property
    def journal_path(self) -> Path:
        return self.root / "journal.jsonl"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def work_dir(self) -> Path:
        """Scratch space for derived, rebuildable state (collection progress, caches)."""
        return self.root / "work"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.meta.timezone)

    @classmethod
    def init(
        cls,
        root: Path,
        *,
        title: str,
        clock: Clock,
        timezone: str = "UTC",
        case_id: str | None = None,
        legal_entity: str | None = None,
        discovered_at: datetime | None = None,
    ) -> Case:
        """Create a new case folder; refuses to overwrite an existing case."""
        if (root / CASE_FILE).exists():
            raise UsageError(f"{root} already holds a case", hint="open it with --case, or pick another folder")
        if root.exists() and any(root.iterdir()):
            raise UsageError(f"{root} is not empty", hint="a new case needs an empty or new folder")
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", root.resolve().name).strip("-.") or "case"
        try:
            meta = CaseFile(
                id=case_id or f"{slug[:40]}-{uuid.uuid4().hex[:8]}",
                title=title,
                opened_at=clock.now(),
                timezone=timezone,
                legal_entity=legal_entity,
                discovered_at=discovered_at,
            )
        except ValueError as exc:
            raise UsageError(_first_error(exc)) from None
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("locker", "events", "reports", "work"):
            (root / sub).mkdir(exist_ok=True)
        case = cls(root, meta)
        case.save()
        return case

    @classmethod
    def load(cls, root: Path) -> Case:
        """Open and validate a case folder; every bad field is reported with its line."""
        path = root / CASE_FILE
        if not path.is_file():
            raise ConfigError(f"{root} is not a case folder (no {CASE_FILE})", hint="create one: leakline case init DIR")
        try:
            meta, problems = validate_file(path, CaseFile)
        except UnitLoadError as exc:
            problems, meta = exc.problems, None
        if problems or meta is None:
            raise UnitLoadError(problems or [])
        return cls(root, meta)

    @classmethod
    def resolve(cls, option: Path | None) -> Case:
        """The case named by ``--case``, else ``$LEAKLINE_CASE``, else the current folder."""
        if option is not None:
            return cls.load(option)
        env = os.environ.get("LEAKLINE_CASE")
        if env:
            return cls.load(Path(env))
        if (Path.cwd() / CASE_FILE).is_file():
            return cls.load(Path.cwd())
        raise UsageError("no case given", hint="pass --case DIR, set LEAKLINE_CASE, or run inside a case folder")

    def save(self) -> None:
        """Write ``case.yaml`` atomically."""
        data = self.meta.model_dump(mode="python", exclude_none=True)
        data["opened_at"] = iso(self.meta.opened_at)
        if self.meta.discovered_at is not None:
            data["discovered_at"] = iso(self.meta.discovered_at)
        tmp = self.root / (CASE_FILE + ".tmp")
        tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        tmp.replace(self.root / CASE_FILE)

    def ensure_dirs(self) -> None:
        """Recreate derived folders (events/, reports/, work/) if they were removed."""
        for sub in (self.events_dir, self.reports_dir, self.work_dir, self.locker_dir):
            sub.mkdir(parents=True, exist_ok=True)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return f"{loc}: {str(first['msg']).removeprefix('Value error, ')}"
    raise BadInputError(str(exc))
