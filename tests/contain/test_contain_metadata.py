"""Profile login IP ranges and remote sites, contained through the Metadata API deploy of the emulator
(reached through simple-salesforce), and the emulator refusing logins from outside the ranges."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from leakline.contain.engine import Containment
from leakline.core.clock import FixedClock
from leakline.core.errors import BadInputError
from leakline.core.models import Finding, Severity
from leakline.salesforce import mdxml
from leakline.simulate.truth import load as load_truth

from .conftest import Live
from .test_contain_emulator import make_case


class _From(HTTPAdapter):
    """Connect from another loopback address (Linux routes all of 127.0.0.0/8 to lo)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def login_from(live: Live, username: str, source: str) -> requests.Response:
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", _From(source))
    return live.password_login(username, session)


def finding(**entities: tuple[str, ...]) -> Finding:
    return Finding(
        id=Finding.make_id("ioc_ip_match", sorted(entities)),
        rule_id="ioc_ip_match",
        severity=Severity.HIGH,
        title="listed address",
        entities=entities,
        first_seen=datetime.fromisoformat("2026-02-28T10:00:00+00:00"),
    )


def run_step(engine: Containment, live: Live, findings: list[Finding], step_id: str, **inputs: str) -> str:
    plan = engine.plan(findings, live.ops, ["compromised_integration_token"], inputs=inputs)
    key = next(s["key"] for s in plan["steps"] if s["step_id"] == step_id)
    engine.approve([key], "Incident commander")
    engine.approve([key], "Salesforce admin")
    engine.apply(live.ops)
    return key


def states(engine: Containment) -> dict[str, str]:
    return {r["key"]: r["state"] for r in engine.status()}


@pytest.mark.slow
def test_restrict_integration_profile_ips(live: Live, tmp_path: Path, passphrase_env: str) -> None:
    actor = load_truth(live.org).scenarios[0].actors[0]
    assert login_from(live, actor.username, "127.0.0.1").status_code == 200  # no ranges yet: anywhere
    case = make_case(tmp_path)
    engine = Containment(case, FixedClock("2026-03-02T09:00:00Z"))
    findings = [finding(user=(actor.user_id,))]

    # Without the egress ranges the step stays a person's job, saying what to provide.
    plan = engine.plan(findings, live.ops, ["compromised_integration_token"])
    manual = next(s for s in plan["steps"] if s["step_id"] == "restrict_integration_profile_ips")
    assert manual["type"] == "manual" and "egress_ranges" in manual["instructions"]
    # Remote-site and named-credential steps only exist when a finding names one.
    assert not any(s["step_id"].startswith("disable_named") for s in plan["steps"])

    key = run_step(engine, live, findings, "restrict_integration_profile_ips", egress_ranges="127.0.0.2/32")
    assert states(engine)[key] == "verified"
    assert next(s for s in engine.load_plan()["steps"] if s["key"] == key)["approvals_required"] == 2

    refused = login_from(live, actor.username, "127.0.0.1")
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant", "error_description": "ip restricted"}
    assert login_from(live, actor.username, "127.0.0.2").status_code == 200
    history = live.ops.client.query(
        f"SELECT Status, SourceIp FROM LoginHistory WHERE UserId = '{actor.user_id}' AND Status = 'Restricted IP'"
    )
    assert [r.get("SourceIp") for r in history] == ["127.0.0.1"]
    profile = live.ops.user_profile(actor.user_id)
    xml = live.ops.read_metadata("Profile", profile)
    assert xml is not None and [(r["start"], r["end"]) for r in mdxml.profile_ranges(xml, "p")] == [("127.0.0.2", "127.0.0.2")]
    assert not (live.org / "state").exists() or not list((live.org / "state").rglob("*.profile-meta.xml"))

    # The profile had no ranges: a deploy cannot remove them all, so undo says what to do instead.
    with pytest.raises(BadInputError, match="Login IP Ranges"):
        engine.undo(live.ops, key, "Salesforce admin")

    # Applying the same restriction again (a new plan) changes nothing, and the journal says so.
    again = Containment(case, FixedClock("2026-03-02T10:00:00Z"))
    key2 = run_step(again, live, findings, "restrict_integration_profile_ips", egress_ranges="127.0.0.2/32")
    plan_id = again.load_plan()["plan_id"]
    events = [e for e in again.journal.entries() if e.get("step") == key2 and e.get("plan_id") == plan_id]
    assert [e["event"] for e in events if e["event"] not in ("approved",)] == ["noop"]



@pytest.mark.slow
def test_restrict_admin_profile_then_undo_restores_ranges(live: Live, tmp_path: Path, passphrase_env: str) -> None:
    admin = live.creds["users"][0]
    admin_id = live.ops.find_user(admin["username"]).id  # type: ignore[union-attr]
    profile = live.ops.user_profile(admin_id)
    original = mdxml.profile_ranges(live.ops.read_metadata("Profile", profile) or b"", "p")
    assert len(original) == 2  # the simulator's HQ range and a planted 0.0.0.0-255.255.255.255
    assert login_from(live, admin["username"], "127.0.0.5").status_code == 200

    engine = Containment(make_case(tmp_path), FixedClock("2026-03-02T09:00:00Z"))
    key = run_step(engine, live, [finding(user=(admin_id,))], "restrict_integration_profile_ips", egress_ranges="127.0.0.0/30")
    assert states(engine)[key] == "verified"
    assert login_from(live, admin["username"], "127.0.0.5").json()["error_description"] == "ip restricted"
    assert login_from(live, admin["username"], "127.0.0.1").status_code == 200

    engine.undo(live.ops, key, "Salesforce admin")
    assert states(engine)[key] == "undone"
    restored = mdxml.profile_ranges(live.ops.read_metadata("Profile", profile) or b"", "p")
    assert sorted((r["start"], r["end"], r["description"]) for r in restored) == sorted(
        (r["start"], r["end"], r["description"]) for r in original
    )
    assert login_from(live, admin["username"], "127.0.0.5").status_code == 200


@pytest.mark.slow
def test_remote_site_named_in_a_finding_is_disabled_and_undo_restores_it(
    live: Live, tmp_path: Path, passphrase_env: str
) -> None:
    site = "Label_Printer_3PL"
    before = live.ops.read_metadata("RemoteSiteSetting", site)
    assert before is not None and mdxml.get_value(before, "isActive", site) == "true"
    engine = Containment(make_case(tmp_path), FixedClock("2026-03-02T09:00:00Z"))
    key = run_step(engine, live, [finding(user=(load_truth(live.org).scenarios[0].actors[0].user_id,), remote_site=(site,))], "disable_named_remote_sites")
    assert states(engine)[key] == "verified"
    after = live.ops.read_metadata("RemoteSiteSetting", site)
    assert after is not None and mdxml.get_value(after, "isActive", site) == "false"
    assert mdxml.get_value(after, "url", site) == "http://labels.3pl-partner.example.com"
    audit = live.ops.client.query("SELECT Action, Display FROM SetupAuditTrail WHERE Action = 'changedRemoteProxy'")
    assert audit and site in str(audit[0].get("Display"))

    engine.undo(live.ops, key, "Salesforce admin")
    restored = live.ops.read_metadata("RemoteSiteSetting", site)
    assert restored is not None and mdxml.get_value(restored, "isActive", site) == "true"
    assert mdxml.get_value(restored, "description", site) == mdxml.get_value(before, "description", site)


def test_deploy_failure_is_reported_and_changes_nothing(live: Live) -> None:
    from leakline.core.errors import RemoteError

    with pytest.raises(RemoteError, match="does not deploy ApexClass"):
        live.ops.client.metadata_deploy(
            {"ApexClass": ["X"], "RemoteSiteSetting": ["ChatBeacon_API"]},
            {
                "classes/X.cls": b"public class X {}",
                "remoteSiteSettings/ChatBeacon_API.remoteSite": mdxml.set_value(
                    live.ops.read_metadata("RemoteSiteSetting", "ChatBeacon_API") or b"", "isActive", "false", "r"
                ),
            },
        )
    xml = live.ops.read_metadata("RemoteSiteSetting", "ChatBeacon_API")
    assert xml is not None and mdxml.get_value(xml, "isActive", "r") == "true"  # rolled back
