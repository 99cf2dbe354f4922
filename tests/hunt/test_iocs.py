"""IOC feeds and imports (CSV, STIX 2.1, Tor lists) and matching through the rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.core.errors import BadInputError
from leakline.hunt import engine
from leakline.hunt.examples import events_connection
from leakline.hunt.iocs import case_iocs, import_file, parse_csv, parse_stix, parse_tor_list, shipped_iocs
from leakline.hunt.rules import load_rules, select_rules
from tests.hunt.helpers import rows


def test_shipped_feed_has_the_published_indicators_with_source_and_review_date() -> None:
    entries = shipped_iocs()
    values = {e.value for e in entries}
    assert {"208.68.36.90", "44.215.108.109", "185.220.101.33", "3.239.45.43"} <= values
    assert {"Salesforce-Multi-Org-Fetcher/1.0", "python-requests/2.32.4", "Python/3.11 aiohttp/3.12.15"} <= values
    assert len([e for e in entries if e.kind == "ip"]) == 21
    assert all(e.source.startswith("https://") and isinstance(e.reviewed, date) for e in entries)


def test_csv_import_with_kind_guess(tmp_path: Path) -> None:
    path = tmp_path / "intel.csv"
    path.write_text("value,tags,campaign\n198.51.100.7,vpn,\n203.0.113.0/24,user;vps,Op X\nEvilBot/2.0,,\n", encoding="utf-8")
    got = [(e.kind, e.value, e.tags, e.campaign) for e in parse_csv(path)]
    assert got == [
        ("ip", "198.51.100.7", ("vpn",), None),
        ("cidr", "203.0.113.0/24", ("user", "vps"), "Op X"),
        ("user_agent", "EvilBot/2.0", ("user",), None),
    ]


def test_csv_bad_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "intel.csv"
    path.write_text("value,kind\n198.51.100.7,ip\nnot-an-ip,ip\n", encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        parse_csv(path)
    assert err.value.path == str(path) and err.value.line == 3


def test_stix_bundle_indicators_and_observables(tmp_path: Path) -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--1",
        "objects": [
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "name": "Op Y",
             "pattern": "[ipv4-addr:value = '192.0.2.9'] OR [ipv4-addr:value = '198.51.100.0/25']",
             "pattern_type": "stix", "valid_from": "2025-08-01T00:00:00Z",
             "external_references": [{"source_name": "vendor", "url": "https://intel.example/op-y"}]},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--2",
             "pattern": "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Fetch/9']",
             "pattern_type": "stix", "valid_from": "2025-08-01T00:00:00Z"},
            {"type": "ipv6-addr", "spec_version": "2.1", "id": "ipv6-addr--1", "value": "2001:db8::1"},
        ],
    }
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    got = [(e.kind, e.value, e.campaign, e.source) for e in parse_stix(path)]
    assert got == [
        ("ip", "192.0.2.9", "Op Y", "https://intel.example/op-y"),
        ("cidr", "198.51.100.0/25", "Op Y", "https://intel.example/op-y"),
        ("user_agent", "Fetch/9", None, "b.json"),
        ("ip", "2001:db8::1", None, "b.json"),
    ]


def test_stix_that_is_not_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"type": "indicator"}', encoding="utf-8")
    with pytest.raises(BadInputError, match=r"not a STIX 2\.1 bundle"):
        parse_stix(path)


def test_tor_list_plain_and_exit_address_lines(tmp_path: Path) -> None:
    path = tmp_path / "tor.txt"
    path.write_text("# exits\n192.0.2.66\nExitNode ABC\nExitAddress 192.0.2.67 2026-03-01 10:00:00\n\n", encoding="utf-8")
    assert [(e.value, e.tags) for e in parse_tor_list(path)] == [("192.0.2.66", ("tor",)), ("192.0.2.67", ("tor",))]
    path.write_text("192.0.2.66\nbogus\n", encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        parse_tor_list(path)
    assert err.value.line == 2


def test_imported_tor_list_makes_matches_findings(tmp_case: Case, tmp_path: Path) -> None:
    path = tmp_path / "exits.txt"
    path.write_text("192.0.2.66\n", encoding="utf-8")
    stored, count = import_file(tmp_case, path)
    assert (stored.name, count) == ("exits.json", 1)
    iocs = shipped_iocs() + case_iocs(tmp_case)
    con = events_connection(rows([
        {"ts": "2026-03-02T10:00:00Z", "event_type": "RestApi", "source": "elf", "user_id": "005X", "src_ip": "192.0.2.66", "rows": 5},
    ]))
    result = engine.run(con, select_rules(load_rules(), ["anonymizer_ip_access"]), iocs=iocs)
    assert [(f.rule_id, f.entities["ip"]) for f in result.findings] == [("anonymizer_ip_access", ("192.0.2.66",))]
