"""The map on real, externally written files: 2015 ELF samples and the coral-cloud DX metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from leakline.core.clock import FixedClock
from leakline.core.sfid import to18
from leakline.flowmap.build import build_map
from leakline.flowmap.source import load_org_dir

ELF = "logstash-input-sfdc_elf/spec/fixtures/queue_util"


def _org(tmp_path: Path, real: Path) -> Path:
    org = tmp_path / "org"
    for name, etype in (("sample_data1.csv", "API"), ("sample_data2.csv", "BulkApi"), ("sample_data5.csv", "RestApi")):
        target = org / "eventlogs" / etype / "2015-07-26.csv"
        target.parent.mkdir(parents=True)
        shutil.copy(real / ELF / name, target)
    # Make the Bulk API user an integration user (API-only profile) so its traffic is a surface.
    (org / "sobjects").mkdir()
    (org / "sobjects" / "Profile.jsonl").write_text(json.dumps(
        {"Id": "00e300000000001AAA", "Name": "API Only", "PermissionsApiUserOnly": True}) + "\n")
    (org / "sobjects" / "User.jsonl").write_text(json.dumps(
        {"Id": to18("0053000000ALCw8"), "Username": "sync@example.com", "ProfileId": "00e300000000001AAA",
         "IsActive": True}) + "\n")
    return org


def test_bulk_reads_of_an_integration_user(tmp_path: Path, real_fixtures: Path) -> None:
    org = load_org_dir(_org(tmp_path, real_fixtures), real_fixtures / "coral-cloud")
    fmap = build_map(org, FixedClock("2026-03-02T09:00:00Z"))
    [surface] = [s for s in fmap.surfaces if s.kind == "integration_user"]
    assert surface.users[0].user_id == to18("0053000000ALCw8")
    flows = {f.object: f for f in surface.flows if f.status == "observed"}
    bulk = {"Account", "Opportunity", "User", "UserRole"}
    assert bulk <= set(flows)
    assert sum(flows[o].operations["read"].rows for o in bulk) == 144  # type: ignore[union-attr]
    assert "Bulk API" in flows["Account"].api_families


def test_coral_cloud_callouts_and_no_plaintext(tmp_path: Path, real_fixtures: Path) -> None:
    org = load_org_dir(_org(tmp_path, real_fixtures), real_fixtures / "coral-cloud")
    fmap = build_map(org, FixedClock("2026-03-02T09:00:00Z"))
    callouts = {(s.kind, s.name): s for s in fmap.surfaces if s.kind in ("named_credential", "remote_site")}
    assert set(callouts) == {("named_credential", "Weather_Endpoint"), ("remote_site", "GitHub_Data")}
    assert callouts[("named_credential", "Weather_Endpoint")].destination.host == "api.brightsky.dev"  # type: ignore[union-attr]
    assert not [f for _, f in fmap.flags() if f.id == "plaintext_http"]
    assert not [s for s in fmap.surfaces if s.kind == "connected_app"]
