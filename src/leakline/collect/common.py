"""What every collector shares: the source names, options, report and progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from leakline.core.errors import LeaklineError, UsageError

SOURCES = (
    "elf",
    "login_history",
    "setup_audit_trail",
    "sessions",
    "tokens",
    "permissions",
    "metadata",
    "rtem",
    "records",
)

# Objects per source (live). Windowed ones are sliced by UTC day on their time field.
WINDOWED = {
    "login_history": {"LoginHistory": "LoginTime"},
    "setup_audit_trail": {"SetupAuditTrail": "CreatedDate"},
}
RTEM_OBJECTS = (
    "ApiEvent",
    "LoginEvent",
    "LoginAsEvent",
    "ReportEvent",
    "ListViewEvent",
    "UriEvent",
    "LightningUriEvent",
    "BulkApiResultEventStore",
    "FileEventStore",
    "PermissionSetEventStore",
    "SessionHijackingEventStore",
    "CredentialStuffingEventStore",
    "ReportAnomalyEventStore",
    "ApiAnomalyEventStore",
    "GuestUserAnomalyEventStore",
)
SNAPSHOTS = {
    "sessions": ("AuthSession",),
    "tokens": ("OauthToken",),
    "permissions": (
        "User",
        "Profile",
        "PermissionSet",
        "PermissionSetAssignment",
        "UserLogin",
        "ConnectedApplication",
        "SetupEntityAccess",
    ),
    "metadata": ("Organization",),
}
DEFAULT_RECORD_OBJECTS = ("Account", "Contact", "Lead", "Case", "Opportunity", "Order")
# Metadata API types the posture audit reads (source "metadata", one retrieve → one zip).
POSTURE_METADATA = {
    "Profile": ("*",),
    "PermissionSet": ("*",),
    "ConnectedApp": ("*",),
    "Settings": ("Security",),
    "RemoteSiteSetting": ("*",),
    "NamedCredential": ("*",),
    "CustomPermission": ("*",),
    "CustomObject": ("*",),
}
# Relationship fields worth one extra join (SOQL allows one level).
EXTRA_FIELDS = {"SetupAuditTrail": ("CreatedBy.Username",)}

KIND_METADATA = "metadata"
KIND_METADATA_ZIP = "metadata_zip"
KIND_DESCRIBE = "describe"
KIND_BACKUP = "backup_records"
KIND_OTHER = "file"


def parse_sources(text: str | None) -> tuple[str, ...]:
    """``elf,login_history`` → validated tuple (all sources when empty)."""
    if not text:
        return SOURCES
    wanted = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in wanted if s not in SOURCES]
    if unknown:
        raise UsageError(f"unknown source(s) {', '.join(unknown)}", hint="choose from: " + ",".join(SOURCES))
    return tuple(s for s in SOURCES if s in wanted)


@dataclass(frozen=True)
class Window:
    """The time window of a collection, UTC, end exclusive."""

    since: datetime
    until: datetime


@dataclass
class CollectReport:
    """What one run did."""

    stored: list[str] = field(default_factory=list)  # evidence names added by this run
    already: int = 0  # steps found done by an earlier run
    skipped: list[str] = field(default_factory=list)  # objects/files not collected, with reason
    api_calls: int | None = None
    api_usage: str | None = None
    stopped: str | None = None  # budget or error that ended the run early
    events_loaded: int = 0
    ingest_problems: list[str] = field(default_factory=list)
    error: LeaklineError | None = None


Progress = Callable[[str, int, int], None]
"""``(label, steps done, steps total)``; called before each step and once at the end."""


def no_progress(label: str, done: int, total: int) -> None:
    """The default progress callback."""
