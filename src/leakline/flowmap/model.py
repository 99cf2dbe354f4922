"""The map's output shape (``--format json``; stable: GRC tools parse it). Version in ``format_version``.

Its JSON Schema is published next to this file as ``map.schema.json`` (a test keeps it current).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1
FlagStatus = Literal["FAIL", "NOT_EVALUATED", "PASS"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    sha256: str
    rows: list[int]


class OpVolume(_Model):
    calls: int
    rows: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class Flow(_Model):
    """One object an integration reads or writes."""

    object: str
    status: Literal["observed", "possible"]
    operations: dict[str, OpVolume | None] = Field(description="read/create/edit/delete; null volume = possible")
    fields_read: list[str] = Field(default_factory=list, description="from SOQL (select list and filters)")
    fields_selected: list[str] = Field(default_factory=list)
    fields_filtered: list[str] = Field(default_factory=list)
    fields_possible: list[str] = Field(default_factory=list, description="readable by field permissions, not seen")
    all_fields: bool = Field(default=False, description="FIELDS(ALL/CUSTOM/STANDARD) or record retrieves without a field list")
    unlisted_reads: int = Field(default=0, description="record retrieves whose fields the logs do not name")
    fields_written: str | None = Field(
        default=None, description="written fields cannot be read from event logs; states that plainly"
    )
    elements: list[str] = Field(default_factory=list, description="element ids (pii/elements.yaml)")
    personal: bool = False
    secrets: bool = False
    api_families: list[str] = Field(default_factory=list)
    subjects: dict[str, int] = Field(default_factory=dict, description="records per subject country (ISO)")
    evidence: list[Evidence] = Field(default_factory=list)


class Flag(_Model):
    id: str = Field(description="cross_border_transfer | plaintext_http | no_logs | data_minimisation | destination_unknown")
    status: FlagStatus
    severity: Literal["high", "medium", "low", "info"]
    title: str
    detail: str
    citation: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class DestinationInfo(_Model):
    host: str | None
    country: str | None
    country_source: Literal["registry", "login_geolocation"] | None = None
    region: str | None = None
    transfer_mechanism: dict[str, Any] | None = None
    observed_client_countries: dict[str, int] = Field(default_factory=dict)
    in_registry: bool = False


class SurfaceUser(_Model):
    user_id: str
    username: str
    integration_user: bool


class Surface(_Model):
    id: str
    kind: Literal[
        "connected_app",
        "integration_user",
        "named_credential",
        "remote_site",
        "outbound_message",
        "external_service",
        "platform_event_subscriber",
        "installed_package",
    ]
    name: str
    details: dict[str, Any] = Field(default_factory=dict)
    urls: list[str] = Field(default_factory=list)
    users: list[SurfaceUser] = Field(default_factory=list)
    destination: DestinationInfo | None = None
    has_logs: bool | None = Field(description="null = the logs that would show it were not collected")
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    flows: list[Flow] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)


class FlowMap(_Model):
    format_version: int = FORMAT_VERSION
    source: str
    org_id: str | None
    window_start: datetime | None
    window_end: datetime | None
    generated_at: datetime
    rules_reviewed: str
    surfaces: list[Surface]
    subjects: dict[str, dict[str, int]] = Field(default_factory=dict, description="object → country → records")
    notes: list[str] = Field(default_factory=list)

    def flags(self) -> list[tuple[Surface, Flag]]:
        return [(s, f) for s in self.surfaces for f in s.flags]
