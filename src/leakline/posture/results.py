"""Result types shared by checks and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from leakline.core.models import Severity
from leakline.posture.codescan import CodeBase
from leakline.posture.model import OrgMetadata, Where


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    MANUAL = "MANUAL"
    NOT_EVALUATED = "NOT_EVALUATED"


@dataclass(frozen=True, slots=True)
class Result:
    """What one check says about one resource. ``message`` never holds a raw secret."""

    status: Status
    resource: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity | None = None  # overrides the check's severity (e.g. a critical tier)

    @classmethod
    def at(cls, status: Status, resource: str, message: str, where: Where | None, **kw: Any) -> Result:
        """A result located at ``where`` (if known)."""
        return cls(
            status, resource, message, where.file if where else None, where.line if where else None, **kw
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status.value,
            "resource": self.resource,
            "message": self.message,
        }
        if self.file is not None:
            data["file"] = self.file
        if self.line is not None:
            data["line"] = self.line
        if self.severity is not None:
            data["severity"] = self.severity.value
        return data


@dataclass(frozen=True, slots=True)
class LiveData:
    """What live mode read from the org (or why it could not)."""

    available: bool
    reason: str = ""
    health_check_risks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """Everything a check may read. Checks are pure functions of this."""

    metadata: OrgMetadata | None
    code: CodeBase | None
    params: dict[str, Any]
    live: LiveData = LiveData(False, "no --org or --case given")
    metadata_reason: str = "no --metadata folder given"
    code_reason: str = "no --code folder given"
