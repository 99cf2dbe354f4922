"""Metadata API ``retrieve`` over the org folder's ``metadata/`` (Salesforce DX source format).

A real org answers ``retrieve`` with a zip in *Metadata API format* (``package.xml``,
``profiles/Admin.profile``, ``objects/Vendor__c.object`` with its fields inside …). The
simulator writes DX *source* format (``force-app/main/default/profiles/Admin.profile-meta.xml``,
one file per field), so this module converts on the fly: ``-meta.xml`` suffixes are dropped
and decomposed object children (``objects/X/fields/F.field-meta.xml``) are merged into
``objects/X.object`` as ``<fields>`` elements, the way ``sf project convert source`` does.

``deploy`` writes into the state overlay only (``state/metadata/<folder>/<name>.<suffix>-meta.xml``,
the layout :mod:`leakline.emulator.permissions` already reads); the org folder is never modified,
and a later ``retrieve`` returns the overlay's version of a component. Deployable types:
``Profile``, ``RemoteSiteSetting`` and ``NamedCredential`` (others fail per component).
Semantics (Profile merge per element name; whole-file replacement for the others) are the
emulator's model, noted in :func:`deploy_zip`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from leakline.core.errors import BadInputError
from leakline.posture.xmlsafe import local_name, parse_element
from leakline.salesforce import mdxml

# DX folder -> (Metadata API type, file suffix in Metadata API format)
FOLDERS: dict[str, tuple[str, str]] = {
    "profiles": ("Profile", "profile"),
    "permissionsets": ("PermissionSet", "permissionset"),
    "permissionsetgroups": ("PermissionSetGroup", "permissionsetgroup"),
    "connectedApps": ("ConnectedApp", "connectedApp"),
    "customPermissions": ("CustomPermission", "customPermission"),
    "namedCredentials": ("NamedCredential", "namedCredential"),
    "externalCredentials": ("ExternalCredential", "externalCredential"),
    "remoteSiteSettings": ("RemoteSiteSetting", "remoteSite"),
    "settings": ("Settings", "settings"),
    "classes": ("ApexClass", "cls"),
    "triggers": ("ApexTrigger", "trigger"),
    "flows": ("Flow", "flow"),
    "objects": ("CustomObject", "object"),
}
_CHILD_TYPES = {
    "fields": "CustomField",
    "validationRules": "ValidationRule",
    "recordTypes": "RecordType",
    "listViews": "ListView",
    "webLinks": "WebLink",
    "fieldSets": "FieldSet",
    "compactLayouts": "CompactLayout",
    "businessProcesses": "BusinessProcess",
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_ROOT_OPEN = re.compile(r"^<(\w+)(\s[^>]*)?>")


@dataclass(frozen=True)
class Member:
    type: str
    name: str
    path: str  # path inside the zip
    body: bytes


def _source_root(metadata_dir: Path) -> Path | None:
    for candidate in (metadata_dir / "force-app" / "main" / "default", metadata_dir):
        if candidate.is_dir() and any(p.is_dir() and p.name in FOLDERS for p in candidate.iterdir()):
            return candidate
    return None


def _as_child(xml: str, element: str) -> str:
    """``<CustomField xmlns=…>…</CustomField>`` → ``<fields>…</fields>``."""
    body = _XML_DECL.sub("", xml).strip()
    match = _ROOT_OPEN.match(body)
    if not match:
        return ""
    root = match.group(1)
    inner = body[match.end() :]
    inner = re.sub(rf"</{root}>\s*$", "", inner)
    return f"    <{element}>{inner.rstrip()}\n    </{element}>\n"


def _object_member(folder: Path) -> Member:
    name = folder.name
    own = folder / f"{name}.object-meta.xml"
    xml = (
        own.read_text(encoding="utf-8")
        if own.is_file()
        else (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n</CustomObject>\n'
        )
    )
    children = []
    for child_dir, _ in sorted(_CHILD_TYPES.items()):
        for path in sorted((folder / child_dir).glob("*-meta.xml")) if (folder / child_dir).is_dir() else []:
            children.append(_as_child(path.read_text(encoding="utf-8"), child_dir))
    merged = re.sub(r"</CustomObject>\s*$", "".join(children) + "</CustomObject>\n", xml.rstrip() + "\n")
    return Member("CustomObject", name, f"objects/{name}.object", merged.encode("utf-8"))


def members(metadata_dir: Path, overlay_dir: Path | None = None) -> list[Member]:
    """Every component of the org folder's metadata, in Metadata API format (overlay first)."""
    out: list[Member] = []
    seen: set[str] = set()
    if overlay_dir is not None and overlay_dir.is_dir():
        for member in _flat_members(overlay_dir):
            out.append(member)
            seen.add(member.path)
    root = _source_root(metadata_dir)
    if root is None:
        return out
    out.extend(m for m in _flat_members(root) if m.path not in seen)
    return sorted(out, key=lambda m: m.path)


def _flat_members(root: Path) -> list[Member]:
    out: list[Member] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        mapped = FOLDERS.get(folder.name)
        if mapped is None:
            continue
        type_name, suffix = mapped
        if folder.name == "objects":
            out.extend(_object_member(obj) for obj in sorted(folder.iterdir()) if obj.is_dir())
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            file_name = path.name.removesuffix("-meta.xml")
            name = (
                file_name.removesuffix("." + suffix)
                if file_name.endswith("." + suffix)
                else file_name.split(".")[0]
            )
            out.append(Member(type_name, name, f"{folder.name}/{file_name}", path.read_bytes()))
    return out


def _package_xml(chosen: list[Member], api_version: str) -> bytes:
    by_type: dict[str, list[str]] = defaultdict(list)
    for member in chosen:
        if not member.path.endswith("-meta.xml") and member.name not in by_type[member.type]:
            by_type[member.type].append(member.name)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<Package xmlns="http://soap.sforce.com/2006/04/metadata">',
    ]
    for type_name in sorted(by_type):
        lines.append("    <types>")
        lines.extend(f"        <members>{name}</members>" for name in sorted(by_type[type_name]))
        lines.append(f"        <name>{type_name}</name>")
        lines.append("    </types>")
    lines.append(f"    <version>{api_version}</version>")
    lines.append("</Package>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def requested_types(soap_body: str) -> dict[str, list[str]]:
    """``{type: [members]}`` from the ``<unpackaged>`` part of a retrieve request."""
    wanted: dict[str, list[str]] = {}
    for block in re.findall(r"<(?:\w+:)?types>(.*?)</(?:\w+:)?types>", soap_body, re.DOTALL):
        name = re.search(r"<(?:\w+:)?name>(.*?)</(?:\w+:)?name>", block, re.DOTALL)
        if name:
            found = re.findall(r"<(?:\w+:)?members>(.*?)</(?:\w+:)?members>", block, re.DOTALL)
            wanted[name.group(1).strip()] = [m.strip() for m in found]
    return wanted


def retrieve_zip(
    metadata_dir: Path,
    wanted: dict[str, list[str]],
    api_version: str,
    single_package: bool,
    overlay_dir: Path | None = None,
) -> bytes:
    """The zip a retrieve returns: ``package.xml`` plus the chosen components (all if none asked)."""
    chosen = []
    for member in members(metadata_dir, overlay_dir):
        type_name = (
            "CustomObject" if member.type == "CustomObject" and "CustomField" in wanted else member.type
        )
        names = wanted.get(type_name) or (
            wanted.get("CustomField") if member.type == "CustomObject" else None
        )
        if not wanted or (
            names is not None
            and ("*" in names or member.name in names or any(n.split(".")[0] == member.name for n in names))
        ):
            chosen.append(member)
    prefix = "" if single_package else "unpackaged/"
    buffer = io.BytesIO()
    entries = [(f"{prefix}package.xml", _package_xml(chosen, api_version))]
    entries += [(prefix + member.path, member.body) for member in chosen]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            # fixed timestamps: the same org gives byte-identical zips
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# -- deploy ----------------------------------------------------------------------------------
DEPLOYABLE = frozenset({"Profile", "RemoteSiteSetting", "NamedCredential"})
_BY_SUFFIX = {suffix: (folder, type_name) for folder, (type_name, suffix) in FOLDERS.items()}


@dataclass(frozen=True)
class DeployMessage:
    type: str
    name: str
    file: str
    success: bool
    problem: str = ""
    changed: bool = False


def _current(metadata_dir: Path, overlay_dir: Path, folder: str, file_name: str) -> bytes | None:
    for base in (overlay_dir, _source_root(metadata_dir)):
        if base is None:
            continue
        path = base / folder / f"{file_name}-meta.xml"
        if path.is_file():
            return path.read_bytes()
    return None


def _merge_profile(existing: bytes, deployed: bytes) -> bytes:
    """Profile deploys update what the file names: every top-level element name present in the
    deployed file replaces all existing elements of that name; names it omits stay as they were
    (emulator model of Salesforce's "profiles deploy only what they contain" — unverified for
    removing *every* ``loginIpRanges``, which this model cannot express)."""
    old = parse_element(existing, "existing profile", for_edit=True)
    new = parse_element(deployed, "deployed profile", for_edit=True)
    replaced = {local_name(child.tag) for child in new}
    kept = [child for child in old if local_name(child.tag) not in replaced]
    merged = etree.Element(old.tag, nsmap=old.nsmap)
    for child in sorted([*kept, *list(new)], key=lambda c: local_name(c.tag)):
        merged.append(child)
    body: bytes = etree.tostring(merged, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body


def deploy_zip(zip_bytes: bytes, metadata_dir: Path, overlay_dir: Path, check_only: bool) -> list[DeployMessage]:
    """Apply a deploy zip (Metadata API format) to the overlay; one message per component.

    ``RemoteSiteSetting`` / ``NamedCredential`` files replace the component; ``Profile`` files
    are merged (:func:`_merge_profile`). A component whose XML is unchanged reports success
    with ``changed=False``. Nothing is written when any component fails (rollbackOnError).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile:
        return [DeployMessage("", "", "", False, "the zip file is not valid")]
    names = archive.namelist()
    if not any(n.rsplit("/", 1)[-1] == "package.xml" for n in names):
        return [DeployMessage("", "package.xml", "package.xml", False, "No package.xml found")]
    messages: list[DeployMessage] = []
    writes: list[tuple[Path, bytes]] = []
    for name in sorted(names):
        parts = name.split("/")
        if name.endswith("/") or parts[-1] == "package.xml" or len(parts) < 2:
            continue
        folder, file_name = parts[-2], parts[-1]
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        mapped = _BY_SUFFIX.get(suffix)
        type_name = mapped[1] if mapped else (FOLDERS.get(folder, ("", ""))[0] or folder)
        member = file_name.removesuffix("." + suffix)
        shown = f"{folder}/{file_name}"
        if mapped is None or mapped[0] != folder or type_name not in DEPLOYABLE:
            messages.append(DeployMessage(type_name, member, shown, False, f"the emulator does not deploy {type_name}"))
            continue
        body = archive.read(name)
        try:
            root = parse_element(body, shown, for_edit=True)
        except BadInputError as exc:
            messages.append(DeployMessage(type_name, member, shown, False, f"Error parsing file: {exc.message}"))
            continue
        if local_name(root.tag) != type_name:
            messages.append(DeployMessage(type_name, member, shown, False, f"expected a {type_name} root element"))
            continue
        existing = _current(metadata_dir, overlay_dir, folder, file_name)
        if type_name == "Profile" and existing is not None:
            try:
                body = _merge_profile(existing, body)
            except BadInputError as exc:
                messages.append(DeployMessage(type_name, member, shown, False, exc.message))
                continue
        changed = existing is None or _canonical(existing) != _canonical(body)
        messages.append(DeployMessage(type_name, member, shown, True, changed=changed))
        if changed:
            writes.append((overlay_dir / folder / f"{file_name}-meta.xml", body))
    if check_only or any(not m.success for m in messages):
        return messages
    for path, body in writes:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(body)
        tmp.replace(path)
    return messages


def _canonical(xml: bytes) -> bytes:
    try:
        out: bytes = etree.tostring(parse_element(xml, "component", for_edit=True), method="c14n")
        return out
    except BadInputError:
        return xml


def login_ip_ranges(metadata_dir: Path, overlay_dir: Path, profile: str) -> list[tuple[str, str]]:
    """``(startAddress, endAddress)`` of a profile's ``loginIpRanges`` (overlay first; [] if none)."""
    body = _current(metadata_dir, overlay_dir, "profiles", f"{profile}.profile")
    if body is None:
        return []
    try:
        ranges = mdxml.profile_ranges(body, f"profiles/{profile}.profile")
    except BadInputError:
        return []
    return [(r["start"], r["end"]) for r in ranges if r["start"] and r["end"]]
