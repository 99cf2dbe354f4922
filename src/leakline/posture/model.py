"""Typed model of an org's security-relevant metadata (what the checks read).

Every item keeps ``file`` (path relative to the metadata folder, ``/``-separated) and ``line``
so a result can point at the exact place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the input: relative file and 1-based line (``None`` for records read live)."""

    file: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class ObjectPermission:
    object: str
    read: bool
    create: bool
    edit: bool
    delete: bool
    view_all: bool
    modify_all: bool
    where: Where


@dataclass(frozen=True, slots=True)
class FieldPermission:
    field: str
    readable: bool
    editable: bool
    where: Where


@dataclass(frozen=True, slots=True)
class IpRange:
    start: str
    end: str
    where: Where


@dataclass(frozen=True, slots=True)
class PermissionHolder:
    """A profile or a permission set (they grant the same kinds of access)."""

    kind: str  # "profile" | "permission_set"
    name: str
    where: Where
    user_license: str | None = None
    custom: bool | None = None
    user_permissions: dict[str, Where] = field(default_factory=dict)  # enabled permissions only
    object_permissions: tuple[ObjectPermission, ...] = ()
    field_permissions: tuple[FieldPermission, ...] = ()
    login_ip_ranges: tuple[IpRange, ...] = ()

    @property
    def label(self) -> str:
        return f"{'Profile' if self.kind == 'profile' else 'PermissionSet'} {self.name}"

    @property
    def is_guest(self) -> bool:
        return self.kind == "profile" and "guest" in (self.user_license or "").lower()

    @property
    def namespace(self) -> str | None:
        head, sep, _ = self.name.partition("__")
        return head if sep and head else None


@dataclass(frozen=True, slots=True)
class ConnectedApp:
    name: str
    where: Where
    scopes: tuple[str, ...] = ()
    scopes_where: Where | None = None
    is_admin_approved: bool | None = None
    admin_approved_where: Where | None = None
    ip_relaxation: str | None = None
    ip_relaxation_where: Where | None = None
    refresh_token_policy: str | None = None
    refresh_token_where: Where | None = None
    has_oauth: bool = False
    ip_ranges: tuple[IpRange, ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalClientAppPolicy:
    """``ExtlClntAppOauthConfigurablePolicies`` (``.ecaOauthPlcy``): an External Client App's OAuth policy."""

    name: str
    where: Where
    values: dict[str, Setting]  # element name → value and place


@dataclass(frozen=True, slots=True)
class Setting:
    value: str
    where: Where


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """``Security.settings``: dotted field path (``sessionSettings.sessionTimeout``) → value."""

    file: str
    values: dict[str, Setting] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteSite:
    name: str
    url: str
    is_active: bool
    disable_protocol_security: bool
    where: Where


@dataclass(frozen=True, slots=True)
class NamedCredential:
    name: str
    endpoint: str | None
    principal_type: str | None
    protocol: str | None
    stored_secret_fields: tuple[str, ...]
    where: Where


@dataclass(frozen=True, slots=True)
class CustomField:
    object: str
    name: str
    where: Where
    type: str | None = None
    label: str | None = None
    description: str | None = None
    encryption_scheme: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.object}.{self.name}"


@dataclass(frozen=True, slots=True)
class CustomObject:
    name: str
    where: Where
    sharing_model: str | None = None
    external_sharing_model: str | None = None
    custom_settings_type: str | None = None
    sharing_model_where: Where | None = None
    external_sharing_where: Where | None = None


@dataclass(frozen=True, slots=True)
class CriteriaItem:
    field: str
    operation: str
    value: str


@dataclass(frozen=True, slots=True)
class SharingRule:
    object: str
    name: str
    kind: str  # criteria | owner | guest | territory
    access_level: str | None
    shared_to: tuple[tuple[str, str], ...]
    criteria: tuple[CriteriaItem, ...]
    boolean_filter: str | None
    where: Where


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    where: Where
    active: bool | None = None
    clickjack_level: str | None = None
    clickjack_where: Where | None = None
    guest_profile: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A text source (Apex class or trigger): path and lines (no trailing newlines)."""

    name: str
    file: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomMetadataValue:
    field: str
    value: str
    where: Where


@dataclass(frozen=True, slots=True)
class CustomMetadataRecord:
    type: str
    name: str
    values: tuple[CustomMetadataValue, ...]
    where: Where


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    namespace: str
    where: Where


@dataclass
class OrgMetadata:
    """Everything the loader found in one metadata folder."""

    root: str
    holders: list[PermissionHolder] = field(default_factory=list)
    connected_apps: list[ConnectedApp] = field(default_factory=list)
    eca_policies: list[ExternalClientAppPolicy] = field(default_factory=list)
    security: SecuritySettings | None = None
    settings_files: list[str] = field(default_factory=list)
    remote_sites: list[RemoteSite] = field(default_factory=list)
    named_credentials: list[NamedCredential] = field(default_factory=list)
    objects: list[CustomObject] = field(default_factory=list)
    fields: list[CustomField] = field(default_factory=list)
    sharing_rules: list[SharingRule] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    apex: list[SourceFile] = field(default_factory=list)
    custom_metadata: list[CustomMetadataRecord] = field(default_factory=list)
    installed_packages: list[InstalledPackage] = field(default_factory=list)
    files_read: int = 0
    # Live mode reads profiles and permission sets as records: user permissions only. Checks that
    # need object/field permissions or login IP ranges say NOT_EVALUATED with this reason.
    holder_detail_missing: str | None = None

    @property
    def profiles(self) -> list[PermissionHolder]:
        return [h for h in self.holders if h.kind == "profile"]
