"""Typed models shared by every stage.

Nothing outside ``leakline.salesforce`` sees raw API dicts: records come out as these models.
Field names are snake_case; ``sf_alias`` gives the Salesforce API name where it differs.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """Finding severity, ordered (``Severity.rank``)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse case-insensitively (``High`` → ``HIGH``)."""
        return cls(text.strip().lower())


_SEVERITY_ORDER = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Profile(_Model):
    id: str
    name: str
    user_license: str | None = None
    permissions: frozenset[str] = frozenset()
    login_ip_ranges: tuple[tuple[str, str], ...] = ()


class PermissionSet(_Model):
    id: str
    name: str
    label: str | None = None
    is_owned_by_profile: bool = False
    permissions: frozenset[str] = frozenset()


class User(_Model):
    id: str
    username: str
    email: str | None = None
    name: str | None = None
    profile_id: str | None = None
    user_type: str = "Standard"
    is_active: bool = True
    is_frozen: bool = False
    is_integration: bool = False
    last_login: datetime | None = None


class ConnectedApp(_Model):
    id: str
    name: str
    scopes: frozenset[str] = frozenset()
    admin_approved_only: bool = False
    ip_relaxation: str | None = None
    refresh_token_policy: str | None = None
    ip_ranges: tuple[tuple[str, str], ...] = ()


class OAuthToken(_Model):
    id: str
    user_id: str
    app_name: str
    created: datetime | None = None
    last_used: datetime | None = None
    use_count: int | None = None


class Session(_Model):
    id: str
    user_id: str
    source_ip: str | None = None
    session_type: str | None = None
    login_type: str | None = None
    created: datetime | None = None
    last_modified: datetime | None = None
    seconds_valid: int | None = None


class EvidenceRef(_Model):
    """Where a derived result comes from: an evidence object by hash, and rows within it."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: tuple[int, ...] = ()


class Finding(_Model):
    """The one output shape of every stage; the report reads only findings."""

    id: str
    rule_id: str
    severity: Severity
    title: str
    entities: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    data: dict[str, Any] = Field(default_factory=dict)

    @staticmethod
    def make_id(rule_id: str, key: Any) -> str:
        """Deterministic id: same rule and key → same id across runs."""
        blob = json.dumps([rule_id, key], sort_keys=True, default=str).encode()
        return f"{rule_id}:{hashlib.sha256(blob).hexdigest()[:12]}"
