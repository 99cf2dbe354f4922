"""Metadata loader: both formats, safe XML, errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.core.errors import BadInputError
from leakline.core.registry import UnitLoadError
from leakline.posture.codescan import load_code
from leakline.posture.loader import load_metadata

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "profiles/Bad.profile-meta.xml",
        f"<Profile {NS}>\n  <custom>true</custom>\n  <oops>\n</Profile>\n",
    )
    with pytest.raises(BadInputError) as info:
        load_metadata(tmp_path)
    assert str(info.value).startswith("profiles/Bad.profile-meta.xml:4: malformed XML")


def test_every_malformed_file_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "profiles/A.profile-meta.xml", f"<Profile {NS}>\n<x>\n</Profile>\n")
    _write(
        tmp_path,
        "permissionsets/B.permissionset-meta.xml",
        f"<PermissionSet {NS}>\n\n<y></z>\n</PermissionSet>\n",
    )
    with pytest.raises(UnitLoadError) as info:
        load_metadata(tmp_path)
    assert [(p.path, p.line) for p in info.value.problems] == [
        ("permissionsets/B.permissionset-meta.xml", 3),
        ("profiles/A.profile-meta.xml", 3),
    ]
    assert all(p.message.startswith("malformed XML") for p in info.value.problems)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        f"<Profile {NS}><description>&lol2;</description></Profile>\n"
    )
    _write(tmp_path, "profiles/Bomb.profile", bomb)
    with pytest.raises(BadInputError) as info:
        load_metadata(tmp_path)
    assert "profiles/Bomb.profile:2:" in str(info.value)
    assert "document type declarations are not accepted" in str(info.value)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<Profile {NS}>&e;</Profile>\n'
    _write(tmp_path, "profiles/X.profile-meta.xml", xxe)
    with pytest.raises(BadInputError):
        load_metadata(tmp_path)


def test_both_formats_and_folder_case(tmp_path: Path) -> None:
    perm = f"<PermissionSet {NS}>\n<userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>\n</PermissionSet>\n"
    _write(tmp_path, "dx/main/default/permissionSets/Sync.permissionset-meta.xml", perm)
    _write(tmp_path, "mdapi/permissionsets/Old.permissionset", perm)
    obj = (
        f"<CustomObject {NS}>\n<externalSharingModel>Private</externalSharingModel>\n"
        "<fields><fullName>SSN__c</fullName><type>Text</type></fields>\n</CustomObject>\n"
    )
    _write(tmp_path, "mdapi/objects/Contact.object", obj)
    _write(tmp_path, "mdapi/package.xml", f"<Package {NS}><version>60.0</version></Package>\n")
    _write(tmp_path, "README.md", "# not custom metadata\n")
    meta = load_metadata(tmp_path)
    assert sorted((h.name, h.where.file) for h in meta.holders) == [
        ("Old", "mdapi/permissionsets/Old.permissionset"),
        ("Sync", "dx/main/default/permissionSets/Sync.permissionset-meta.xml"),
    ]
    assert all("ApiEnabled" in h.user_permissions for h in meta.holders)
    assert [(f.qualified, f.where.line) for f in meta.fields] == [("Contact.SSN__c", 3)]
    assert meta.custom_metadata == []


def test_experience_bundle_site_file_is_not_a_custom_site(real_fixtures: Path) -> None:
    meta = load_metadata(real_fixtures / "coral-cloud")
    assert sorted(s.name for s in meta.sites) == ["Coral_Cloud", "ESA_Deployment"]


def test_code_loader_skips_vendored_and_binary(tmp_path: Path) -> None:
    _write(tmp_path, "app/sync.py", "print('x')\n")
    _write(tmp_path, "node_modules/lib/index.js", "var a = 1;\n")
    (tmp_path / "app" / "blob.json").write_bytes(b"\x00\x01binary")
    _write(tmp_path, ".env", "SF_PASSWORD=${SECRET}\n")
    assert [f.file for f in load_code(tmp_path).files] == [".env", "app/sync.py"]


def test_missing_folder_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        load_metadata(tmp_path / "nope")
