"""Ground truth of a simulated org (``ground_truth.json``): what really happened, for evaluation.

Every scenario contributes one :class:`ScenarioTruth`; the top level repeats the union of the
malicious events and containment targets so an evaluator needs to read only one list.
Ids are 18-char record ids; ELF rows are named by file (relative to the org folder) and 1-based
data row (the header is row 0), plus their unique ``REQUEST_ID``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from leakline.core.clock import iso
from leakline.core.errors import BadInputError

# UTC instants are written as leakline writes every time: 2026-03-01T09:00:00.123Z.
UtcTime = Annotated[datetime, PlainSerializer(iso, return_type=str)]

FORMAT_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Window(_Model):
    """The simulated period: ``start`` inclusive, ``end`` exclusive (UTC)."""

    start: UtcTime
    end: UtcTime


class MaliciousEvent(_Model):
    """One attacker-caused ELF row."""

    request_id: str = Field(description="REQUEST_ID of the row (unique across every ELF file)")
    event_type: str = Field(description="ELF EventType, e.g. RestApi")
    file: str = Field(description="CSV path relative to the org folder")
    row: int = Field(ge=1, description="1-based data row in that file (header not counted)")
    step: str = Field(description="attack step, e.g. recon_count, bulk_export, job_delete")
    scenario: str


class MaliciousRecord(_Model):
    """One attacker-caused sobject record (LoginHistory, ApiEvent, AuthSession, OauthToken …)."""

    object: str
    id: str
    file: str = Field(description="JSONL path relative to the org folder")
    line: int = Field(ge=1, description="1-based line in that file")
    step: str
    scenario: str


class Actor(_Model):
    """A user account the attack used or abused."""

    user_id: str
    username: str
    role: str = Field(description="compromised_integration | victim | insider | guest | stuffed_account")


class IpIndicator(_Model):
    """A source address used by the attacker."""

    ip: str
    kind: str = Field(description="tor | vps | vpn | residential | cloud")


class TokenUse(_Model):
    """An OAuth grant used by the attacker."""

    oauth_token_id: str
    connected_app_id: str
    app_name: str
    user_id: str
    still_valid: bool = True


class Exfiltration(_Model):
    """Records of one object the attacker read, with the fields read."""

    object: str
    fields: list[str]
    record_ids: list[str]
    method: str = Field(description="bulk2 | rest_query | report_export | soap_query | site_page")


class SecretExposure(_Model):
    """A secret found in free text that the attacker obtained."""

    object: str
    record_id: str
    field: str
    kind: str = Field(description="aws_access_key | aws_secret_key | password | snowflake")
    element: str = Field(description="element id from pii/elements.yaml")


class SubjectGroup(_Model):
    """Data subjects of one jurisdiction whose records exposed the same set of data elements."""

    jurisdiction: str = Field(description="ISO 3166-2 subdivision (US-CA, CA-ON) or country (DE)")
    elements: list[str] = Field(description="element ids from pii/elements.yaml, sorted")
    objects: list[str]
    count: int
    record_ids: list[str]


class RecordChange(_Model):
    """A record damaged by a faulty integration (restore target)."""

    object: str
    id: str
    change: str = Field(description="overwritten | deleted")
    fields: list[str] = Field(default_factory=list)
    snapshot: str = Field(description="JSONL in snapshots/ holding the good version")


class Containment(_Model):
    """What a responder should do: every list holds 18-char ids (or names for apps)."""

    freeze_users: list[str] = Field(default_factory=list)
    revoke_tokens: list[str] = Field(default_factory=list, description="OauthToken ids")
    kill_sessions: list[str] = Field(default_factory=list, description="AuthSession ids")
    block_apps: list[str] = Field(default_factory=list, description="ConnectedApplication ids")
    reset_passwords: list[str] = Field(default_factory=list, description="User ids")
    restore_records: list[str] = Field(default_factory=list, description="record ids to restore")


class ScenarioTruth(_Model):
    """Everything one scenario did."""

    name: str
    summary: str
    start: UtcTime
    end: UtcTime
    actors: list[Actor] = Field(default_factory=list)
    ips: list[IpIndicator] = Field(default_factory=list)
    user_agents: list[str] = Field(default_factory=list)
    session_keys: list[str] = Field(default_factory=list)
    login_keys: list[str] = Field(default_factory=list)
    auth_session_ids: list[str] = Field(default_factory=list)
    tokens: list[TokenUse] = Field(default_factory=list)
    connected_app_ids: list[str] = Field(default_factory=list)
    bulk_job_ids: list[str] = Field(default_factory=list)
    malicious_events: list[MaliciousEvent] = Field(default_factory=list)
    malicious_records: list[MaliciousRecord] = Field(default_factory=list)
    exfiltrated: list[Exfiltration] = Field(default_factory=list)
    secrets: list[SecretExposure] = Field(default_factory=list)
    subjects: list[SubjectGroup] = Field(default_factory=list)
    changed_records: list[RecordChange] = Field(default_factory=list)
    containment: Containment = Field(default_factory=Containment)


class AppDataFlow(_Model):
    """What a connected app's benign traffic reads and writes (object → fields)."""

    connected_app_id: str
    app_name: str
    user_id: str
    reads: dict[str, list[str]]
    writes: dict[str, list[str]]


class SodViolation(_Model):
    """A user holding conflicting procurement duties (planted on purpose)."""

    user_id: str
    username: str
    duties: list[str] = Field(description="create_vendor, edit_vendor_bank, approve_payment")
    via: list[str] = Field(description="profile / permission set names that grant them")


class BenignLookalike(_Model):
    """Benign activity that resembles an attack (a detector should not flag it)."""

    description: str
    user_id: str
    request_ids: list[str]


class GroundTruth(_Model):
    """Root of ``ground_truth.json``."""

    format_version: int = FORMAT_VERSION
    org_id: str
    seed: int
    size: str
    window: Window
    scenarios: list[ScenarioTruth] = Field(default_factory=list)
    malicious_events: list[MaliciousEvent] = Field(default_factory=list, description="union of scenarios")
    containment: Containment = Field(default_factory=Containment, description="union of scenarios")
    app_data_flows: list[AppDataFlow] = Field(default_factory=list)
    sod_violations: list[SodViolation] = Field(default_factory=list)
    benign_lookalikes: list[BenignLookalike] = Field(default_factory=list)

    def scenario(self, name: str) -> ScenarioTruth:
        """The truth of one scenario by name (KeyError if it was not simulated)."""
        for item in self.scenarios:
            if item.name == name:
                return item
        raise KeyError(name)

    def malicious_request_ids(self) -> set[str]:
        """REQUEST_IDs of every malicious ELF row."""
        return {event.request_id for event in self.malicious_events}


def load(org_dir: Path) -> GroundTruth:
    """Read ``<org_dir>/ground_truth.json``."""
    path = org_dir / "ground_truth.json"
    try:
        return GroundTruth.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise BadInputError("no ground_truth.json (not a simulated org?)", path=path) from None
    except ValueError as exc:
        raise BadInputError(f"invalid ground truth: {str(exc).splitlines()[0]}", path=path) from None
