"""Canonical JSON: sorted keys, UTC timestamps, stable across runs (reproducible output)."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from leakline.core.clock import iso
from leakline.core.errors import BadInputError


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any, indent: int | None = 2) -> str:
    """Serialise deterministically."""
    return json.dumps(value, default=_default, sort_keys=True, indent=indent, ensure_ascii=False)


def read(path: Path, what: str) -> Any:
    """The JSON value in the file at ``path``, or None when there is no such file.

    Invalid JSON is a user error naming the file: ``<what> is not valid JSON (<reason>)``.
    """
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{what} is not valid JSON ({exc.msg})", path=path) from None


def write(path: Path, value: Any) -> None:
    """Write canonical JSON atomically (temp file + rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(value) + "\n", encoding="utf-8")
    tmp.replace(path)
