"""Read a Salesforce metadata folder into ``OrgMetadata``.

Accepts both the Salesforce DX source format (``*.profile-meta.xml``, fields in
``objects/<Obj>/fields/``) and the metadata-API format (``*.profile``, fields inside
``*.object``, a ``package.xml``). Types are recognised by file suffix (case-insensitive, so
``permissionSets/`` and ``permissionsets/`` both work) and confirmed by the root element;
a file whose root element does not match its suffix is skipped (it is another type that
shares the suffix, such as an ExperienceBundle ``.site-meta.xml``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from leakline.core.errors import BadInputError
from leakline.core.registry import UnitLoadError, UnitProblem
from leakline.posture.model import (
    ConnectedApp,
    CriteriaItem,
    CustomField,
    CustomMetadataRecord,
    CustomMetadataValue,
    CustomObject,
    ExternalClientAppPolicy,
    FieldPermission,
    InstalledPackage,
    IpRange,
    NamedCredential,
    ObjectPermission,
    OrgMetadata,
    PermissionHolder,
    RemoteSite,
    SecuritySettings,
    Setting,
    SharingRule,
    Site,
    SourceFile,
    Where,
)
from leakline.posture.xmlsafe import Node, parse_file

SKIP_DIRS = frozenset({".git", "node_modules", ".sfdx", ".sf", "__pycache__", ".venv"})
APEX_SUFFIXES = frozenset({"cls", "trigger"})
# Named-credential elements that hold a stored secret (reference §6.5).
SECRET_CREDENTIAL_FIELDS = ("password", "oauthToken", "oauthRefreshToken")

Handler = Callable[[OrgMetadata, Node, str, str, Path], None]


def _split(name: str) -> tuple[str, str]:
    """``Admin.profile-meta.xml`` → (``Admin``, ``profile``); ``X.profile`` → same."""
    base = name[:-9] if name.lower().endswith("-meta.xml") else name
    stem, dot, suffix = base.rpartition(".")
    return (stem, suffix.lower()) if dot else (base, "")


def _w(rel: str, node: Node) -> Where:
    return Where(rel, node.line)


def _ip_ranges(node: Node, tag: str, start: str, end: str, rel: str) -> tuple[IpRange, ...]:
    return tuple(IpRange(r.get(start) or "", r.get(end) or "", _w(rel, r)) for r in node.findall(tag))


def _true(values: dict[str, str], key: str) -> bool:
    return values.get(key, "").lower() == "true"


def _holder(kind: str) -> Handler:
    def handle(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
        perms: dict[str, Where] = {}
        for up in root.findall("userPermissions"):
            values = up.texts()
            name = values.get("name")
            if name and _true(values, "enabled"):
                perms.setdefault(name, _w(rel, up))
        objects = []
        for op in root.findall("objectPermissions"):
            v = op.texts()
            objects.append(
                ObjectPermission(
                    v.get("object", ""),
                    _true(v, "allowRead"),
                    _true(v, "allowCreate"),
                    _true(v, "allowEdit"),
                    _true(v, "allowDelete"),
                    _true(v, "viewAllRecords"),
                    _true(v, "modifyAllRecords"),
                    _w(rel, op),
                )
            )
        fields = []
        for fp in root.findall("fieldPermissions"):
            v = fp.texts()
            fields.append(
                FieldPermission(v.get("field", ""), _true(v, "readable"), _true(v, "editable"), _w(rel, fp))
            )
        meta.holders.append(
            PermissionHolder(
                kind,
                root.get("fullName") or stem,
                _w(rel, root),
                user_license=root.get("userLicense") or root.get("license"),
                custom=root.flag("custom"),
                user_permissions=perms,
                object_permissions=tuple(objects),
                field_permissions=tuple(fields),
                login_ip_ranges=_ip_ranges(root, "loginIpRanges", "startAddress", "endAddress", rel),
            )
        )

    return handle


def read_holder(root: Node, kind: str, rel: str) -> PermissionHolder:
    """One parsed profile (``kind="profile"``) or permission set file, as the audit reads it."""
    meta = OrgMetadata(rel)
    _holder(kind)(meta, root, rel, _split(Path(rel).name)[0], Path(rel))
    return meta.holders[0]


def _connected_app(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    oauth = root.find("oauthConfig")
    policy = root.find("oauthPolicy")
    scopes_nodes = list(oauth.findall("scopes")) if oauth is not None else []
    approved = oauth.find("isAdminApproved") if oauth is not None else None
    relax = policy.find("ipRelaxation") if policy is not None else None
    refresh = policy.find("refreshTokenPolicy") if policy is not None else None
    meta.connected_apps.append(
        ConnectedApp(
            root.get("fullName") or stem,
            _w(rel, root),
            scopes=tuple(s.text.strip() for s in scopes_nodes),
            scopes_where=_w(rel, scopes_nodes[0]) if scopes_nodes else None,
            is_admin_approved=approved.text.strip().lower() == "true" if approved is not None else None,
            admin_approved_where=_w(rel, approved) if approved is not None else None,
            ip_relaxation=relax.text.strip() if relax is not None else None,
            ip_relaxation_where=_w(rel, relax) if relax is not None else None,
            refresh_token_policy=refresh.text.strip() if refresh is not None else None,
            refresh_token_where=_w(rel, refresh) if refresh is not None else None,
            has_oauth=oauth is not None,
            ip_ranges=_ip_ranges(root, "ipRanges", "start", "end", rel),
        )
    )


def _eca_policy(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    values = {c.tag: Setting(c.text.strip(), _w(rel, c)) for c in root.children if not c.children}
    meta.eca_policies.append(ExternalClientAppPolicy(root.get("fullName") or stem, _w(rel, root), values))


def _flatten(node: Node, prefix: str, rel: str, out: dict[str, Setting]) -> None:
    counts: dict[str, int] = {}
    for child in node.children:
        key = f"{prefix}{child.tag}"
        counts[key] = counts.get(key, 0) + 1
        if child.children:
            _flatten(child, key + ".", rel, out)
        else:
            out.setdefault(key, Setting(child.text.strip(), _w(rel, child)))
    for key, count in counts.items():
        out[key + "#count"] = Setting(str(count), _w(rel, node))


def _settings(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    meta.settings_files.append(rel)
    if root.tag == "SecuritySettings":
        values: dict[str, Setting] = {}
        _flatten(root, "", rel, values)
        meta.security = SecuritySettings(rel, values)


def _remote_site(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    meta.remote_sites.append(
        RemoteSite(
            root.get("fullName") or stem,
            root.get("url") or "",
            root.flag("isActive") is not False,
            root.flag("disableProtocolSecurity") is True,
            _w(rel, root.find("url") or root),
        )
    )


def _named_credential(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    endpoint_node = root.find("endpoint")
    for param in root.findall("namedCredentialParameters"):
        if param.get("parameterType") == "Url":
            endpoint_node = param.find("parameterValue") or endpoint_node
    secrets = tuple(f for f in SECRET_CREDENTIAL_FIELDS if (root.get(f) or "").strip())
    meta.named_credentials.append(
        NamedCredential(
            root.get("fullName") or stem,
            endpoint_node.text.strip() if endpoint_node is not None else None,
            root.get("principalType"),
            root.get("protocol"),
            secrets,
            _w(rel, endpoint_node or root),
        )
    )


def _field(meta: OrgMetadata, node: Node, rel: str, obj: str, name: str) -> None:
    meta.fields.append(
        CustomField(
            obj,
            node.get("fullName") or name,
            _w(rel, node),
            type=node.get("type"),
            label=node.get("label"),
            description=" ".join(filter(None, (node.get("description"), node.get("inlineHelpText")))) or None,
            encryption_scheme=node.get("encryptionScheme"),
        )
    )


def _object(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    sharing = root.find("sharingModel")
    external = root.find("externalSharingModel")
    meta.objects.append(
        CustomObject(
            stem,
            _w(rel, root),
            sharing_model=sharing.text.strip() if sharing is not None else None,
            external_sharing_model=external.text.strip() if external is not None else None,
            custom_settings_type=root.get("customSettingsType"),
            sharing_model_where=_w(rel, sharing) if sharing is not None else None,
            external_sharing_where=_w(rel, external) if external is not None else None,
        )
    )
    # Metadata-API format keeps the fields inside the object file.
    for child in root.findall("fields"):
        _field(meta, child, rel, stem, child.get("fullName") or "")


def _custom_field(meta: OrgMetadata, root: Node, rel: str, stem: str, path: Path) -> None:
    # DX source: objects/<Object>/fields/<Field>.field-meta.xml
    obj = path.parent.parent.name if path.parent.name.lower() == "fields" else path.parent.name
    _field(meta, root, rel, obj, stem)


_RULE_KINDS = {
    "sharingCriteriaRules": "criteria",
    "sharingOwnerRules": "owner",
    "sharingGuestRules": "guest",
    "sharingTerritoryRules": "territory",
}


def _sharing_rules(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    for child in root.children:
        kind = _RULE_KINDS.get(child.tag)
        if kind is None:
            continue
        shared = child.find("sharedTo")
        meta.sharing_rules.append(
            SharingRule(
                stem,
                child.get("fullName") or "",
                kind,
                child.get("accessLevel"),
                tuple((s.tag, s.text.strip()) for s in shared.children) if shared is not None else (),
                tuple(
                    CriteriaItem(c.get("field") or "", c.get("operation") or "", c.get("value") or "")
                    for c in child.findall("criteriaItems")
                ),
                child.get("booleanFilter"),
                _w(rel, child),
            )
        )


def _site(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    click = root.find("clickjackProtectionLevel")
    meta.sites.append(
        Site(
            stem,
            _w(rel, root),
            active=root.flag("active"),
            clickjack_level=click.text.strip() if click is not None else None,
            clickjack_where=_w(rel, click) if click is not None else None,
            guest_profile=root.get("guestProfile"),
        )
    )


def _custom_metadata(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    type_name, _, record = stem.partition(".")
    values = tuple(
        CustomMetadataValue(v.get("field") or "", (v.get("value") or "").strip(), _w(rel, v))
        for v in root.findall("values")
    )
    meta.custom_metadata.append(CustomMetadataRecord(type_name, record or stem, values, _w(rel, root)))


def _installed_package(meta: OrgMetadata, root: Node, rel: str, stem: str, _path: Path) -> None:
    meta.installed_packages.append(InstalledPackage(stem, _w(rel, root)))


# suffix → (expected root element, handler)
HANDLERS: dict[str, tuple[frozenset[str], Handler]] = {
    "profile": (frozenset({"Profile"}), _holder("profile")),
    "permissionset": (frozenset({"PermissionSet"}), _holder("permission_set")),
    "connectedapp": (frozenset({"ConnectedApp"}), _connected_app),
    "ecaoauthplcy": (frozenset({"ExtlClntAppOauthConfigurablePolicies"}), _eca_policy),
    "settings": (frozenset(), _settings),  # every settings file is listed; Security is parsed
    "remotesite": (frozenset({"RemoteSiteSetting"}), _remote_site),
    "namedcredential": (frozenset({"NamedCredential"}), _named_credential),
    "object": (frozenset({"CustomObject"}), _object),
    "field": (frozenset({"CustomField"}), _custom_field),
    "sharingrules": (frozenset({"SharingRules"}), _sharing_rules),
    "site": (frozenset({"CustomSite"}), _site),
    "md": (frozenset({"CustomMetadata"}), _custom_metadata),
    "installedpackage": (frozenset({"InstalledPackage"}), _installed_package),
}


def _read_source(path: Path, rel: str) -> tuple[str, ...]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", path=rel) from None
    return tuple(text.splitlines())


def load_metadata(directory: Path) -> OrgMetadata:
    """Load every recognised metadata file under ``directory`` (sorted, deterministic).

    Malformed XML in any file raises ``UnitLoadError`` (a ``BadInputError``) listing every bad
    file with its line, after reading the whole folder.
    """
    if not directory.is_dir():
        raise BadInputError("metadata folder not found", path=directory)
    meta = OrgMetadata(root=str(directory))
    problems: list[UnitProblem] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        base = Path(current)
        for name in sorted(files):
            path = base / name
            rel = path.relative_to(directory).as_posix()
            stem, suffix = _split(name)
            is_meta = name.lower().endswith("-meta.xml")
            if suffix in APEX_SUFFIXES and not is_meta:
                meta.apex.append(SourceFile(stem, rel, _read_source(path, rel)))
                meta.files_read += 1
                continue
            entry = HANDLERS.get(suffix)
            if entry is None:
                continue
            if suffix == "md" and not is_meta and base.name.lower() != "custommetadata":
                continue  # a Markdown file, not a custom metadata record
            if suffix == "settings" and base.name.lower() != "settings":
                continue
            try:
                root = parse_file(path, rel)
            except BadInputError as exc:
                where = f"{exc.path}:{exc.line}: " if exc.line is not None else f"{exc.path}: "
                problems.append(UnitProblem(rel, exc.line or 1, exc.message.removeprefix(where)))
                continue
            meta.files_read += 1
            expected, handler = entry
            if suffix == "settings" or root.tag in expected:
                handler(meta, root, rel, stem, path)
    if problems:
        raise UnitLoadError(problems)
    return meta
