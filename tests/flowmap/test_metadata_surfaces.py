"""Surfaces that only metadata shows: outbound messages, external services, event subscribers, packages."""

from __future__ import annotations

from pathlib import Path

from leakline.core.clock import FixedClock
from leakline.flowmap.build import build_map
from leakline.flowmap.source import load_org_dir

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
FILES = {
    "workflows/Case.workflow-meta.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<Workflow {NS}>
    <outboundMessages>
        <fullName>Notify_Helpdesk</fullName>
        <apiVersion>62.0</apiVersion>
        <endpointUrl>http://helpdesk.example.net/sfdc</endpointUrl>
        <fields>Id</fields>
        <fields>SuppliedEmail</fields>
        <integrationUser>sync.user@example.com</integrationUser>
        <name>Notify Helpdesk</name>
    </outboundMessages>
</Workflow>
""",
    "externalServiceRegistrations/Payments.externalServiceRegistration-meta.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<ExternalServiceRegistration {NS}>
    <label>Payments</label>
    <namedCredentialReference>https://pay.example.org/api</namedCredentialReference>
    <status>Complete</status>
</ExternalServiceRegistration>
""",
    "PlatformEventSubscriberConfigs/OrderSub.platformEventSubscriberConfig-meta.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<PlatformEventSubscriberConfig {NS}>
    <platformEventConsumer>OrderEventTrigger</platformEventConsumer>
    <user>automation@example.com</user>
</PlatformEventSubscriberConfig>
""",
    "installedPackages/acme.installedPackage-meta.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<InstalledPackage {NS}>
    <versionNumber>1.2</versionNumber>
</InstalledPackage>
""",
}


def test_metadata_only_surfaces(tmp_path: Path) -> None:
    org = tmp_path / "org"
    (org / "sobjects").mkdir(parents=True)
    base = org / "metadata" / "force-app" / "main" / "default"
    for rel, text in FILES.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    fmap = build_map(load_org_dir(org), FixedClock("2026-03-02T09:00:00Z"))
    kinds = {(s.kind, s.name): s for s in fmap.surfaces}
    outbound = kinds[("outbound_message", "Case.Notify_Helpdesk")]
    assert outbound.details["fields"] == ["Id", "SuppliedEmail"]
    assert outbound.details["integration_user"] == "s***@example.com"
    assert [f.id for f in outbound.flags if f.status == "FAIL"] == ["plaintext_http"]
    assert kinds[("external_service", "Payments")].urls == ["https://pay.example.org/api"]
    assert ("platform_event_subscriber", "OrderSub") in kinds
    assert ("installed_package", "acme") in kinds
