"""Benchmark: posture audit of a full metadata folder (~5,000 files) plus a code folder.

Target (issue 9): loading and auditing a ~5k-file metadata folder takes ≤ 10 s. The folder is
synthetic and generated here (deterministic for the seed): profiles and permission sets with
hundreds of object/field permissions, custom objects with fields, Apex classes, connected apps,
remote sites, sharing rules and a Security.settings. Usage:
``python benchmarks/bench_posture.py [FILES]`` (default 5000). Runs once and prints one markdown
table row: files | MB | load s | audit s | total s (wall, and CPU: on a shared machine the wall
time includes waiting for a core) | checks | results | target met.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from leakline.posture.codescan import load_code
from leakline.posture.engine import run_audit
from leakline.posture.loader import load_metadata
from leakline.posture.registry import load_checks
from leakline.posture.results import Context

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
PERMS = ["ApiEnabled", "ViewAllData", "RunReports", "ExportReport", "EditTask", "ManageUsers", "AuthorApex"]


def _holder(kind: str, rng: random.Random, objects: list[str], fields: list[str]) -> str:
    tag = "Profile" if kind == "profile" else "PermissionSet"
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} {NS}>\n']
    if kind == "profile":
        parts.append("    <custom>true</custom>\n    <userLicense>Salesforce</userLicense>\n")
    for name in rng.sample(PERMS, 3):
        parts.append(
            f"    <userPermissions>\n        <enabled>true</enabled>\n        <name>{name}</name>\n    </userPermissions>\n"
        )
    for obj in rng.sample(objects, min(40, len(objects))):
        parts.append(
            f"    <objectPermissions>\n        <allowCreate>true</allowCreate>\n        <allowDelete>false</allowDelete>\n"
            f"        <allowEdit>true</allowEdit>\n        <allowRead>true</allowRead>\n"
            f"        <modifyAllRecords>false</modifyAllRecords>\n        <object>{obj}</object>\n"
            f"        <viewAllRecords>{'true' if rng.random() < 0.05 else 'false'}</viewAllRecords>\n    </objectPermissions>\n"
        )
    for field in rng.sample(fields, min(300, len(fields))):
        parts.append(
            f"    <fieldPermissions>\n        <editable>false</editable>\n        <field>{field}</field>\n"
            "        <readable>true</readable>\n    </fieldPermissions>\n"
        )
    parts.append(f"</{tag}>\n")
    return "".join(parts)


def make_folder(root: Path, files: int, seed: int = 9) -> int:
    """Write about ``files`` metadata files under ``root``; return how many were written."""
    rng = random.Random(seed)
    base = root / "force-app" / "main" / "default"
    written = 0

    def put(rel: str, text: str) -> None:
        nonlocal written
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1

    n_objects = max(10, files // 50)
    field_names = [
        "SSN",
        "Passport_Number",
        "Email_Alt",
        "Notes",
        "Amount",
        "Status",
        "Region",
        "Api_Key",
        "Birthdate",
    ]
    objects = [f"Obj{i}__c" for i in range(n_objects)]
    all_fields: list[str] = []
    n_fields = int(files * 0.7)
    for i in range(n_fields):
        obj = objects[i % n_objects]
        name = f"{field_names[i % len(field_names)]}_{i}__c"
        all_fields.append(f"{obj}.{name}")
        typ = "EncryptedText" if i % 7 == 0 else "Text"
        put(
            f"objects/{obj}/fields/{name}.field-meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField {NS}>\n    <fullName>{name}</fullName>\n'
            f"    <label>{name}</label>\n    <type>{typ}</type>\n</CustomField>\n",
        )
    for obj in objects:
        put(
            f"objects/{obj}/{obj}.object-meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject {NS}>\n    <externalSharingModel>Private</externalSharingModel>\n'
            "    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n",
        )
    for i in range(files // 100):
        put(f"profiles/Profile{i}.profile-meta.xml", _holder("profile", rng, objects, all_fields))
    for i in range(files // 25):
        put(
            f"permissionsets/Set{i}.permissionset-meta.xml",
            _holder("permission_set", rng, objects, all_fields),
        )
    for i in range(files // 100):
        put(
            f"connectedApps/App{i}.connectedApp-meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp {NS}>\n    <label>App{i}</label>\n    <oauthConfig>\n'
            "        <callbackUrl>https://example.com/cb</callbackUrl>\n        <scopes>Api</scopes>\n"
            "        <scopes>RefreshToken</scopes>\n    </oauthConfig>\n</ConnectedApp>\n",
        )
        put(
            f"remoteSiteSettings/Site{i}.remoteSite-meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<RemoteSiteSetting {NS}>\n    <isActive>true</isActive>\n'
            f"    <url>{'http' if i % 5 == 0 else 'https'}://host{i}.example.com</url>\n</RemoteSiteSetting>\n",
        )
    put(
        "settings/Security.settings-meta.xml",
        f'<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings {NS}>\n    <sessionSettings>\n'
        "        <sessionTimeout>EightHours</sessionTimeout>\n        <lockSessionsToIp>false</lockSessionsToIp>\n"
        "    </sessionSettings>\n</SecuritySettings>\n",
    )
    body = "\n".join(
        f"    public static List<Account> q{j}(String name) {{\n"
        f"        return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\'');\n    }}"
        for j in range(20)
    )
    while written < files:
        put(f"classes/Class{written}.cls", f"public with sharing class Class{written} {{\n{body}\n}}\n")
    return written


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    checks = load_checks()
    with tempfile.TemporaryDirectory(prefix="leakline-bench-posture-") as tmp:
        root = Path(tmp)
        written = make_folder(root, target)
        size_mb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
        start, cpu_start = time.perf_counter(), time.process_time()
        metadata = load_metadata(root)
        code = load_code(root / "force-app" / "main" / "default" / "classes")
        loaded = time.perf_counter()
        audit = run_audit(Context(metadata, code, {}), checks)
        done, cpu_done = time.perf_counter(), time.process_time()
    results = sum(len(o.results) for o in audit.outcomes)
    total = done - start
    print(
        "| files | MB | load s | audit s | total s (wall) | total s (CPU) | checks | results | target ≤ 10 s met |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {written} | {size_mb:.1f} | {loaded - start:.2f} | {done - loaded:.2f} | {total:.2f} | "
        f"{cpu_done - cpu_start:.2f} | {len(checks)} | {results} | {'yes' if total <= 10 else 'NO'} |"
    )


if __name__ == "__main__":
    main()
