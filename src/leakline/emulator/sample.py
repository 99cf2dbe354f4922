"""A minimal org folder in the contract format (docs/contracts.md "Org folder").

For smoke tests, examples and other stages' tests while (or besides) the simulator: a few users,
one connected app with a JWT certificate, an attacker's OAuth grant, 450 accounts, one Login
EventLogFile and one metadata file. All credentials are FAKE and contain ``CANARY`` markers so
tests can assert they never leak into output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from leakline.core.sfid import to18

ORG_ID = to18("00D000000000042")
ADMIN = to18("005000000000001")
INTEG = to18("005000000000002")
VICTIM = to18("005000000000003")
APP_ID = to18("0H4000000000001")
OAUTH_ID = to18("0CQ000000000001")
SESSION_ID = to18("0Ak000000000001")
ELF_ID = to18("0AT000000000001")
N_ACCOUNTS = 450
WINDOW_END = "2026-03-10T00:00:00Z"
ATTACKER_ACCESS = "00D000000000042!ATTACKER-ACCESS-TOKEN-CANARY-7f3a"
ATTACKER_REFRESH = "5AepATTACKER-REFRESH-TOKEN-CANARY-9b1c"
ADMIN_PASSWORD = "correct horse battery staple"


def _field(type_: str = "string", ref: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": type_, "label": type_}
    if ref:
        spec["referenceTo"] = ref
    return spec


def _keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwt-test")])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem


_KEYS: dict[str, tuple[str, str]] = {}


def jwt_keys() -> tuple[str, str]:
    """(certificate PEM, private key PEM) of the sample app's JWT signing key (made once per process)."""
    if "k" not in _KEYS:
        _KEYS["k"] = _keypair()
    return _KEYS["k"]


def build_org(root: Path) -> Path:
    """Write a small org folder following docs/contracts.md 'Org folder'."""
    org = root / "org"
    (org / "sobjects").mkdir(parents=True)
    (org / "eventlogs" / "Login").mkdir(parents=True)
    (org / "metadata" / "force-app" / "main" / "default" / "settings").mkdir(parents=True)
    (org / "org.json").write_text(
        json.dumps(
            {
                "org_id": ORG_ID,
                "name": "Acme Test",
                "instance_url": "https://acme.my.salesforce.com",
                "api_version": "62.0",
                "seed": 1,
                "size": "tiny",
                "scenarios": [],
                "window": {"start": "2026-03-01T00:00:00Z", "end": WINDOW_END},
                "my_domain": "acme",
            }
        )
    )
    schema = {
        "User": {
            "label": "User",
            "keyPrefix": "005",
            "fields": {
                "Id": _field("id"),
                "Username": _field(),
                "Name": _field(),
                "Email": _field("email"),
                "IsActive": _field("boolean"),
                "ProfileId": _field("reference", ["Profile"]),
                "LastLoginDate": _field("datetime"),
            },
        },
        "UserLogin": {
            "label": "User Login",
            "keyPrefix": "060",
            "fields": {
                "Id": _field("id"),
                "UserId": _field("reference", ["User"]),
                "IsFrozen": _field("boolean"),
                "IsPasswordLocked": _field("boolean"),
            },
        },
        "AuthSession": {
            "label": "Auth Session",
            "keyPrefix": "0Ak",
            "fields": {
                "Id": _field("id"),
                "UsersId": _field("reference", ["User"]),
                "SourceIp": _field(),
                "LoginType": _field(),
                "SessionType": _field(),
                "SessionSecurityLevel": _field(),
                "UserType": _field(),
                "CreatedDate": _field("datetime"),
                "LastModifiedDate": _field("datetime"),
                "NumSecondsValid": _field("int"),
                "IsCurrent": _field("boolean"),
                "LoginHistoryId": _field("reference", ["LoginHistory"]),
            },
        },
        "OauthToken": {
            "label": "OAuth Token",
            "keyPrefix": "0CQ",
            "fields": {
                "Id": _field("id"),
                "UserId": _field("reference", ["User"]),
                "AppName": _field(),
                "AppMenuItemId": _field("reference", ["AppMenuItem"]),
                "DeleteToken": _field(),
                "RequestToken": _field(),
                "LastUsedDate": _field("datetime"),
                "UseCount": _field("int"),
                "CreatedDate": _field("datetime"),
            },
        },
        "LoginHistory": {
            "label": "Login History",
            "keyPrefix": "0Ya",
            "fields": {
                "Id": _field("id"),
                "UserId": _field("reference", ["User"]),
                "LoginTime": _field("datetime"),
                "LoginType": _field(),
                "LoginSubType": _field(),
                "SourceIp": _field(),
                "Status": _field(),
                "Application": _field(),
                "Browser": _field(),
                "Platform": _field(),
                "ApiType": _field(),
                "ApiVersion": _field(),
                "LoginUrl": _field(),
                "CreatedDate": _field("datetime"),
            },
        },
        "SetupAuditTrail": {
            "label": "Setup Audit Trail",
            "keyPrefix": "0Ym",
            "fields": {
                "Id": _field("id"),
                "Action": _field(),
                "Section": _field(),
                "Display": _field(),
                "CreatedDate": _field("datetime"),
                "CreatedById": _field("reference", ["User"]),
                "DelegateUser": _field(),
            },
        },
        "Account": {
            "label": "Account",
            "keyPrefix": "001",
            "fields": {
                "Id": _field("id"),
                "Name": _field(),
                "Industry": _field("picklist"),
                "AnnualRevenue": _field("currency"),
                "OwnerId": _field("reference", ["User"]),
                "CreatedDate": _field("datetime"),
                "LastModifiedDate": _field("datetime"),
                "SystemModstamp": _field("datetime"),
                "IsDeleted": _field("boolean"),
                "Secret__c": _field("textarea"),
            },
        },
        "Contact": {
            "label": "Contact",
            "keyPrefix": "003",
            "fields": {
                "Id": _field("id"),
                "LastName": _field(),
                "Email": _field("email"),
                "AccountId": _field("reference", ["Account"]),
                "CreatedDate": _field("datetime"),
            },
        },
        "EventLogFile": {
            "label": "Event Log File",
            "keyPrefix": "0AT",
            "fields": {
                "Id": _field("id"),
                "EventType": _field("picklist"),
                "LogDate": _field("datetime"),
                "Interval": _field("picklist"),
                "Sequence": _field("int"),
                "LogFile": _field("base64"),
                "LogFileLength": _field("double"),
                "LogFileContentType": _field(),
                "LogFileFieldNames": _field(),
                "LogFileFieldTypes": _field(),
                "ApiVersion": _field("double"),
                "CreatedDate": _field("datetime"),
            },
        },
    }
    (org / "schema.json").write_text(json.dumps(schema))

    def jsonl(name: str, rows: list[dict[str, Any]]) -> None:
        (org / "sobjects" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    jsonl(
        "User",
        [
            {
                "Id": ADMIN,
                "Username": "admin@acme.test",
                "Name": "Ada Admin",
                "Email": "ada@acme.test",
                "IsActive": True,
            },
            {
                "Id": INTEG,
                "Username": "drift@acme.test",
                "Name": "Drift Integration",
                "Email": "drift@acme.test",
                "IsActive": True,
            },
            {
                "Id": VICTIM,
                "Username": "vic@acme.test",
                "Name": "Vic Victim",
                "Email": "vic@acme.test",
                "IsActive": True,
            },
        ],
    )
    jsonl(
        "UserLogin",
        [
            {"Id": to18(f"06000000000000{i}"), "UserId": uid, "IsFrozen": False, "IsPasswordLocked": False}
            for i, uid in enumerate((ADMIN, INTEG, VICTIM), start=1)
        ],
    )
    jsonl(
        "AuthSession",
        [
            {
                "Id": SESSION_ID,
                "UsersId": INTEG,
                "SourceIp": "185.220.101.33",
                "LoginType": "Remote Access 2.0",
                "SessionType": "Oauth2",
                "CreatedDate": "2026-03-08T10:00:00.000+0000",
                "LastModifiedDate": "2026-03-08T10:00:00.000+0000",
                "NumSecondsValid": 7200,
            },
        ],
    )
    jsonl(
        "OauthToken",
        [
            {
                "Id": OAUTH_ID,
                "UserId": INTEG,
                "AppName": "Drift",
                "DeleteToken": "DELETE-TOKEN-CANARY-11",
                "LastUsedDate": "2026-03-08T10:00:00.000+0000",
                "UseCount": 40,
                "CreatedDate": "2026-01-02T10:00:00.000+0000",
            },
        ],
    )
    industries = ["Banking", "Retail", None, "Energy"]
    jsonl(
        "Account",
        [
            {
                "Id": to18(f"001{i:012d}"),
                "Name": f"Account {i:03d}",
                "Industry": industries[i % 4],
                "AnnualRevenue": i * 1000,
                "OwnerId": ADMIN if i % 2 else VICTIM,
                "CreatedDate": f"2026-03-0{1 + i % 9}T09:00:00.000+0000",
                "IsDeleted": False,
                "Secret__c": "AKIAEXAMPLECANARY" if i == 7 else None,
            }
            for i in range(N_ACCOUNTS)
        ],
    )
    jsonl(
        "Contact",
        [
            {
                "Id": to18(f"003{i:012d}"),
                "LastName": f"O'Brien {i}",
                "Email": f"c{i}@example.com",
                "AccountId": to18(f"001{i:012d}"),
                "CreatedDate": "2026-03-02T09:00:00.000+0000",
            }
            for i in range(5)
        ],
    )
    csv_body = (
        '"EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","CLIENT_IP","URI","LOGIN_STATUS"\n'
        + "".join(
            f'"Login","2026030{d}100000.000","4req{d}","{ORG_ID[:15]}","{INTEG[:15]}","185.220.101.33",'
            f'"/services/oauth2/token","LOGIN_NO_ERROR"\n'
            for d in range(1, 4)
        )
    )
    (org / "eventlogs" / "Login" / "2026-03-01.csv").write_text(csv_body)
    (org / "eventlogs" / "EventLogFile.jsonl").write_text(
        json.dumps(
            {
                "Id": ELF_ID,
                "EventType": "Login",
                "LogDate": "2026-03-01T00:00:00.000+0000",
                "Interval": "Daily",
                "Sequence": 0,
                "LogFileLength": len(csv_body.encode()),
                "LogFileContentType": "CSV",
                "LogFileFieldNames": "EVENT_TYPE,TIMESTAMP,REQUEST_ID,ORGANIZATION_ID,USER_ID,CLIENT_IP,URI,LOGIN_STATUS",
                "LogFileFieldTypes": "String,String,String,Id,Id,IP,String,String",
                "ApiVersion": 62.0,
                "CreatedDate": "2026-03-02T03:00:00.000+0000",
                "path": "eventlogs/Login/2026-03-01.csv",
            }
        )
        + "\n"
    )
    (
        org / "metadata" / "force-app" / "main" / "default" / "settings" / "Security.settings-meta.xml"
    ).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<sessionSettings><sessionTimeout>TwentyFourHours</sessionTimeout></sessionSettings></SecuritySettings>\n"
    )
    objects = org / "metadata" / "force-app" / "main" / "default" / "objects" / "Account" / "fields"
    objects.mkdir(parents=True)
    (objects / "Secret__c.field-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <fullName>Secret__c</fullName>\n    <label>Secret</label>\n    <type>LongTextArea</type>\n"
        "</CustomField>\n"
    )
    # Tooling API objects (optional in an org folder): answered by GET …/tooling/query
    (org / "tooling").mkdir()
    (org / "tooling" / "SecurityHealthCheck.jsonl").write_text(
        json.dumps({"Id": "0Xf000000000001AAA", "Score": "62", "CustomBaselineId": None}) + "\n"
    )
    cert_pem, _ = jwt_keys()
    (org / "credentials.json").write_text(
        json.dumps(
            {
                "connected_apps": [
                    {
                        "id": APP_ID,
                        "name": "Drift",
                        "consumer_key": "DRIFT-CONSUMER-KEY",
                        "consumer_secret": "drift-secret",
                        "certificate": cert_pem,
                        "client_credentials_user": INTEG,
                    },
                ],
                "users": [
                    {"id": ADMIN, "username": "admin@acme.test", "password": ADMIN_PASSWORD},
                    {
                        "id": VICTIM,
                        "username": "vic@acme.test",
                        "password": "victim-pass",
                        "security_token": "TOK",
                    },
                ],
                "tokens": [
                    {
                        "access_token": ATTACKER_ACCESS,
                        "refresh_token": ATTACKER_REFRESH,
                        "user_id": INTEG,
                        "app_id": APP_ID,
                        "oauth_token_id": OAUTH_ID,
                        "auth_session_id": SESSION_ID,
                        "label": "attacker",
                    },
                ],
            }
        )
    )
    return org
