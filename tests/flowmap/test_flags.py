"""Flags: cross-border transfers, plaintext transport, no logs, data minimisation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from leakline.core.clock import FixedClock
from leakline.core.registry import UnitLoadError
from leakline.flowmap.build import build_map, country_code
from leakline.flowmap.config import load_registry, load_rules
from leakline.flowmap.flows import ActorFlows
from leakline.flowmap.model import FlowMap
from leakline.flowmap.source import OrgData

CLOCK = FixedClock("2026-03-02T09:00:00Z")
WAREHOUSE = "Snowfall Warehouse Sync"


def _registry(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "destinations.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _flags(fmap: FlowMap, name: str, flag_id: str) -> list:  # type: ignore[type-arg]
    surface = next(s for s in fmap.surfaces if s.name == name)
    return [f for f in surface.flags if f.id == flag_id]


def _eea_contacts(org_dir: Path) -> int:
    eea = set(load_rules().regions["EEA"].countries)
    count = 0
    for line in (org_dir / "sobjects" / "Contact.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        code = country_code(rec.get("MailingCountryCode") or rec.get("MailingCountry") or "")
        count += code in eea
    return count


def test_transfer_without_mechanism_fails_with_subject_count(
    tmp_path: Path, org: OrgData, actors: dict[str, ActorFlows], org_dir: Path
) -> None:
    reg = load_registry(_registry(tmp_path, f"destinations:\n  - host: dwh.example.com\n    country: US\n"
                                            f"    surfaces: [{WAREHOUSE}]\n"))
    fmap = build_map(org, CLOCK, reg, actors=actors)
    flags = {f.data["region"]: f for f in _flags(fmap, WAREHOUSE, "cross_border_transfer")}
    assert flags["EEA"].status == "FAIL" and flags["GB"].status == "FAIL"
    assert flags["EEA"].data["subjects"] == {"Contact": _eea_contacts(org_dir)}
    assert "Art. 4" in (flags["EEA"].citation or "")
    dest = next(s for s in fmap.surfaces if s.name == WAREHOUSE).destination
    assert dest is not None and dest.country_source == "registry" and dest.host == "dwh.example.com"


def test_recorded_mechanism_passes(tmp_path: Path, org: OrgData, actors: dict[str, ActorFlows]) -> None:
    reg = load_registry(_registry(tmp_path, f"destinations:\n  - host: dwh.example.com\n    country: US\n"
                                            f"    surfaces: [{WAREHOUSE}]\n"
                                            "    transfer_mechanism: {type: SCCs, date: '2024-03'}\n"))
    fmap = build_map(org, CLOCK, reg, actors=actors)
    flags = _flags(fmap, WAREHOUSE, "cross_border_transfer")
    assert flags and {f.status for f in flags} == {"PASS"}


def test_destination_inside_the_region_or_adequate_is_not_a_transfer(
    tmp_path: Path, org: OrgData, actors: dict[str, ActorFlows]
) -> None:
    reg = load_registry(_registry(tmp_path, f"destinations:\n  - host: warehouse.example.com\n    country: DE\n"
                                            f"    surfaces: [{WAREHOUSE}]\n"))
    fmap = build_map(org, CLOCK, reg, actors=actors)
    assert _flags(fmap, WAREHOUSE, "cross_border_transfer") == []


def test_unknown_destination_country_is_not_evaluated(
    tmp_path: Path, org: OrgData, actors: dict[str, ActorFlows]
) -> None:
    reg = load_registry(_registry(tmp_path, f"destinations:\n  - host: dwh.example.com\n"
                                            f"    surfaces: [{WAREHOUSE}]\n"))
    fmap = build_map(org, CLOCK, reg, actors=actors)
    [flag] = _flags(fmap, WAREHOUSE, "destination_unknown")
    assert flag.status == "NOT_EVALUATED"
    assert _flags(fmap, WAREHOUSE, "cross_border_transfer") == []


def test_http_flag_matches_plain_http_urls_in_metadata(fmap: FlowMap, org_dir: Path) -> None:
    plain = set()
    for path in (org_dir / "metadata").rglob("*-meta.xml"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<(url|endpoint|endpointUrl|callbackUrl)>http://(?!localhost|127\.0\.0\.1)", text):
            plain.add(path.name.split(".")[0].replace("_", " "))
    assert plain  # the simulator plants one
    flagged = {s.name.replace("_", " ") for s in fmap.surfaces for f in s.flags if f.id == "plaintext_http" and f.status == "FAIL"}
    assert flagged == plain


def test_unused_connected_apps_are_flagged_no_logs(fmap: FlowMap) -> None:
    for surface in fmap.surfaces:
        if surface.kind != "connected_app":
            continue
        no_logs = [f for f in surface.flags if f.id == "no_logs"]
        assert bool(no_logs) == (not surface.has_logs)


def test_minimisation_with_declared_uses(tmp_path: Path, org: OrgData, actors: dict[str, ActorFlows]) -> None:
    reg = load_registry(_registry(tmp_path, f"destinations:\n  - host: dwh.example.com\n    country: DE\n"
                                            f"    surfaces: [{WAREHOUSE}]\n"
                                            "    uses: {Contact: [Id, AccountId, Email], Account: [Id, Name, Industry,"
                                            " BillingCountry, AnnualRevenue], Opportunity: [Id, AccountId, Amount,"
                                            " StageName, CloseDate], Order: [Id, AccountId, TotalAmount, Status,"
                                            " EffectiveDate], Case: [Id, AccountId, Status, Priority, Origin]}\n"))
    fmap = build_map(org, CLOCK, reg, actors=actors)
    [flag] = [f for f in _flags(fmap, WAREHOUSE, "data_minimisation") if f.status != "NOT_EVALUATED"]
    assert flag.status == "FAIL"
    assert flag.data["unused"] == {"Contact": ["MailingCountry"]}


def test_bad_registry_reports_file_and_line(tmp_path: Path) -> None:
    path = _registry(tmp_path, "destinations:\n  - host: x.example.com\n    country: Germany\n")
    with pytest.raises(UnitLoadError) as info:
        load_registry(path)
    assert info.value.line == 3


def test_example_registry_is_valid() -> None:
    from leakline.flowmap import config

    registry = load_registry(Path(config.__file__).with_name("destinations.example.yaml"))
    assert registry.for_surface("MarketPulse Sync", ["sync.marketpulse.com"]) is not None
