"""Org metadata in Salesforce DX source format (``metadata/force-app/main/default/...``).

Deliberately realistic weaknesses for the posture audit: integration profile without login IP
ranges, connected apps with ``Full``/``RefreshToken`` scopes, relaxed IP policy and tokens valid
until revoked, a plaintext ``http://`` remote site, vendor bank and tax fields stored as plain text,
a guest profile that can read every Contact and Case, weak session and password settings.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from leakline.simulate.crm import FIELD_ELEMENTS
from leakline.simulate.org import Org, ProfileSpec

NS = "http://soap.sforce.com/2006/04/metadata"
Node = tuple[str, "str | bool | int | list[Node]"]


def _render(root: str, children: list[Node]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{NS}">']

    def emit(node: Node, depth: int) -> None:
        tag, value = node
        pad = "    " * depth
        if isinstance(value, list):
            lines.append(f"{pad}<{tag}>")
            for child in value:
                emit(child, depth + 1)
            lines.append(f"{pad}</{tag}>")
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else escape(str(value))
            lines.append(f"{pad}<{tag}>{text}</{tag}>")

    for child in children:
        emit(child, 1)
    lines.append(f"</{root}>")
    return "\n".join(lines) + "\n"


def _obj_perm(obj: str, level: str) -> Node:
    full = level == "ALL"
    return ("objectPermissions", [
        ("allowCreate", full or "C" in level), ("allowDelete", full or "D" in level),
        ("allowEdit", full or "E" in level), ("allowRead", True), ("modifyAllRecords", full),
        ("object", obj), ("viewAllRecords", full),
    ])


def _profile(org: Org, p: ProfileSpec) -> str:
    nodes: list[Node] = [("custom", p.key not in ("admin", "readonly")), ("description", p.description or p.name)]
    if p.key == "guest":
        nodes += [("objectPermissions", [
            ("allowCreate", False), ("allowDelete", False), ("allowEdit", False), ("allowRead", True),
            ("modifyAllRecords", False), ("object", obj), ("viewAllRecords", True)]) for obj in ("Account", "Case",
                                                                                                  "Contact")]
        nodes += [("fieldPermissions", [("editable", False), ("field", f"Contact.{f}"), ("readable", True)])
                  for f in ("Email", "Phone", "MailingStreet", "MailingCity", "Birthdate")]
    else:
        nodes += [_obj_perm(obj, level) for obj, level in sorted(p.objects.items())]
    if p.key in ("admin", "procurement", "finance", "integration"):
        nodes += [("fieldPermissions", [("editable", p.key in ("admin", "integration")),
                                        ("field", f"Vendor__c.{f}"), ("readable", True)])
                  for f in ("Bank_Account_Number__c", "IBAN__c", "Routing_Number__c", "Tax_Id__c")]
    if p.key == "admin":
        nodes.append(("loginIpRanges", [("description", "HQ and VPN"), ("endAddress", "64.124.36.255"),
                                        ("startAddress", "64.124.36.0")]))
        nodes.append(("loginIpRanges", [("description", "Anywhere (temporary, 2023 migration)"),
                                        ("endAddress", "255.255.255.255"), ("startAddress", "0.0.0.0")]))  # noqa: S104 - planted weakness
    nodes.append(("userLicense", p.license))
    nodes += [("userPermissions", [("enabled", True), ("name", perm)]) for perm in sorted(p.perms)]
    return _render("Profile", nodes)


def write(root: Path, org: Org) -> None:
    """Write the metadata tree under ``root``."""
    base = root / "force-app" / "main" / "default"
    files: dict[str, str] = {}
    for p in org.profiles.values():
        files[f"profiles/{p.name}.profile-meta.xml"] = _profile(org, p)
    for ps in org.permsets.values():
        nodes: list[Node] = [("customPermissions", [("enabled", True), ("name", c)]) for c in ps.custom_perms]
        nodes.append(("description", ps.description or ps.label))
        nodes += [("fieldPermissions", [("editable", True), ("field", f), ("readable", True)])
                  for f in ps.fields_edit]
        nodes += [("hasActivationRequired", False), ("label", ps.label)]
        nodes += [_obj_perm(obj, level) for obj, level in sorted(ps.objects.items())]
        nodes += [("userPermissions", [("enabled", True), ("name", perm)]) for perm in sorted(ps.perms)]
        files[f"permissionsets/{ps.label.replace(' ', '_')}.permissionset-meta.xml"] = _render("PermissionSet", nodes)
    for app in org.apps.values():
        oauth: list[Node] = [("callbackUrl", app.callback)]
        if app.jwt:
            oauth.append(("certificate", f"{app.key}_jwt"))
        oauth += [("consumerKey", app.consumer_key), ("isAdminApproved", app.admin_approved),
                  ("isConsumerSecretOptional", False), ("isIntrospectAllTokens", False)]
        oauth += [("scopes", s) for s in app.scopes]
        nodes = [("contactEmail", app.contact_email or f"admin@{org.domain}"), ("description", app.description),
                 ("label", app.name), ("oauthConfig", oauth),
                 ("oauthPolicy", [("ipRelaxation", app.ip_relaxation), ("refreshTokenPolicy", app.refresh_policy)])]
        if app.admin_approved:
            nodes.append(("profileName", org.profiles["integration"].name))
        files[f"connectedApps/{app.name.replace(' ', '_')}.connectedApp-meta.xml"] = _render("ConnectedApp", nodes)
    files["settings/Security.settings-meta.xml"] = _render("SecuritySettings", [
        ("enableAdminLoginAsAnyUser", True), ("enableAuditFieldsInactiveOwner", False),
        ("enableRequireHttpsConnection", True), ("isTLSv12Required", True),
        ("networkAccess", [("ipRanges", [("description", "HQ New York"), ("end", "64.124.36.255"),
                                         ("start", "64.124.36.0")])]),
        ("passwordPolicies", [("apiOnlyUserHomePageURL", ""), ("complexity", "AlphaNumeric"),
                              ("enableSetPasswordInApi", True), ("expiration", "OneYear"),
                              ("historyRestriction", "3"), ("lockoutInterval", "FifteenMinutes"),
                              ("maxLoginAttempts", "TenAttempts"), ("minimumPasswordLength", "8"),
                              ("minimumPasswordLifetime", False), ("obscureSecretAnswer", False),
                              ("questionRestriction", "None")]),
        ("sessionSettings", [("allowUserAuthenticationByCertificate", False), ("enableCSPOnEmail", True),
                             ("enableCSRFOnGet", True), ("enableCSRFOnPost", True),
                             ("enableClickjackNonsetupSFDC", True), ("enableClickjackNonsetupUser", False),
                             ("enableClickjackNonsetupUserHeaderless", False), ("enableClickjackSetup", True),
                             ("enableContentSniffingProtection", True), ("enableSMSIdentity", False),
                             ("enforceIpRangesEveryRequest", False), ("forceLogoutOnSessionTimeout", False),
                             ("forceRelogin", True), ("lockSessionsToDomain", True), ("lockSessionsToIp", False),
                             ("requireHttpOnly", True), ("sessionTimeout", "TwelveHours")]),
    ])
    sites = (("ChatBeacon_API", "https://api.chatbeacon.io", False, "Support chat widget callbacks"),
             ("Ledgerline_ERP", "https://erp.ledgerline.net", False, "ERP connector"),
             ("Label_Printer_3PL", "http://labels.3pl-partner.example.com", True,
              "Legacy 3PL label printer (plain HTTP)"),
             ("Snowfall_Warehouse", "https://ingest.snowfall-analytics.example.com", False, "Warehouse sync"))
    for name, url, insecure, desc in sites:
        files[f"remoteSiteSettings/{name}.remoteSite-meta.xml"] = _render("RemoteSiteSetting", [
            ("description", desc), ("disableProtocolSecurity", insecure), ("isActive", True), ("url", url)])
    files["namedCredentials/Ledgerline_ERP.namedCredential-meta.xml"] = _render("NamedCredential", [
        ("allowMergeFieldsInBody", True), ("allowMergeFieldsInHeader", True), ("calloutStatus", "Enabled"),
        ("endpoint", "https://erp.ledgerline.net/api/v2"), ("generateAuthorizationHeader", True),
        ("label", "Ledgerline ERP"), ("principalType", "NamedUser"), ("protocol", "Password"),
        ("username", "sfdc-sync@" + org.domain)])
    files["namedCredentials/Snowfall_Warehouse.namedCredential-meta.xml"] = _render("NamedCredential", [
        ("allowMergeFieldsInBody", False), ("allowMergeFieldsInHeader", False), ("calloutStatus", "Enabled"),
        ("endpoint", "https://ingest.snowfall-analytics.example.com"), ("generateAuthorizationHeader", True),
        ("label", "Snowfall Warehouse"), ("oauthScope", "ingest"), ("principalType", "NamedUser"),
        ("protocol", "Oauth")])
    files["customPermissions/Approve_Vendor_Payments.customPermission-meta.xml"] = _render("CustomPermission", [
        ("description", "Approve outgoing vendor payments"), ("isLicensed", False),
        ("label", "Approve Vendor Payments")])
    _objects(files)
    for rel, text in sorted(files.items()):
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "sfdx-project.json").write_text(
        '{\n  "packageDirectories": [{"path": "force-app", "default": true}],\n'
        '  "sourceApiVersion": "62.0"\n}\n', encoding="utf-8")


_VENDOR_FIELDS = (
    ("Vendor_Number__c", "Text", "Vendor Number", 20), ("Vendor_Type__c", "Picklist", "Vendor Type", 0),
    ("Contact_Name__c", "Text", "Contact Name", 120), ("Email__c", "Email", "Email", 0),
    ("Phone__c", "Phone", "Phone", 0), ("Street__c", "Text", "Street", 255), ("City__c", "Text", "City", 80),
    ("State__c", "Text", "State", 20), ("Postal_Code__c", "Text", "Postal Code", 20),
    ("Country__c", "Text", "Country", 2), ("Tax_Id__c", "Text", "Tax ID", 30),
    ("Bank_Name__c", "Text", "Bank Name", 80), ("Bank_Account_Number__c", "Text", "Bank Account Number", 34),
    ("Routing_Number__c", "Text", "Routing Number", 9), ("IBAN__c", "Text", "IBAN", 42),
    ("SWIFT_BIC__c", "Text", "SWIFT/BIC", 11), ("Payment_Terms__c", "Picklist", "Payment Terms", 0),
    ("Contract_Start__c", "Date", "Contract Start", 0), ("Contract_End__c", "Date", "Contract End", 0),
    ("Contract_Value__c", "Currency", "Contract Value", 0), ("Status__c", "Picklist", "Status", 0),
)
_PAYMENT_FIELDS = (("Vendor__c", "Lookup", "Vendor", 0), ("Amount__c", "Currency", "Amount", 0),
                   ("Status__c", "Picklist", "Status", 0), ("Approved_By__c", "Lookup", "Approved By", 0),
                   ("Due_Date__c", "Date", "Due Date", 0))


def _field(name: str, kind: str, label: str, length: int, obj: str) -> str:
    nodes: list[Node] = [("fullName", name), ("externalId", name == "Vendor_Number__c"), ("label", label)]
    if kind == "Text":
        nodes.append(("length", length))
    if kind == "Currency":
        nodes += [("precision", 18), ("scale", 2)]
    if kind == "Lookup":
        nodes += [("deleteConstraint", "Restrict"),
                  ("referenceTo", "Vendor__c" if name == "Vendor__c" else "User"),
                  ("relationshipName", name.removesuffix("__c") + "_Payments")]
    if kind == "Picklist":
        values = {"Vendor_Type__c": ("Company", "Individual"), "Status__c": ("Active", "Inactive", "Pending",
                                                                             "Approved", "Paid"),
                  "Payment_Terms__c": ("Net 15", "Net 30", "Net 45", "Net 60", "2/10 Net 30")}[name]
        nodes.append(("valueSet", [("valueSetDefinition", [("sorted", False)] + [
            ("value", [("fullName", v), ("default", False), ("label", v)]) for v in values])]))
    nodes += [("required", False), ("trackHistory", False), ("type", kind)]
    if FIELD_ELEMENTS.get(obj, {}).get(name) in ("financial_account", "tax_id"):
        nodes.insert(2, ("description", "Copied from the ERP; stored in plain text"))
    return _render("CustomField", nodes)


def _objects(files: dict[str, str]) -> None:
    for obj, label, plural, fields in (("Vendor__c", "Vendor", "Vendors", _VENDOR_FIELDS),
                                       ("Payment__c", "Vendor Payment", "Vendor Payments", _PAYMENT_FIELDS)):
        files[f"objects/{obj}/{obj}.object-meta.xml"] = _render("CustomObject", [
            ("deploymentStatus", "Deployed"), ("enableHistory", False), ("enableReports", True), ("label", label),
            ("nameField", [("label", f"{label} Name"), ("type", "Text")]), ("pluralLabel", plural),
            ("sharingModel", "ReadWrite"), ("visibility", "Public")])
        for name, kind, flabel, length in fields:
            files[f"objects/{obj}/fields/{name}.field-meta.xml"] = _field(name, kind, flabel, length, obj)
