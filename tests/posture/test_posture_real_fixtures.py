"""Exact posture results on the real coral-cloud fixture (../shared/fixtures/real/coral-cloud).

The fixture README documents its ground truth; every FAIL below is traced to it:

* code_hardcoded_secrets: the redacted fake AWS key pair in config/data-kit-set-s3-credentials.json
  (access key id on line 14, 40-char secret on line 18). Shown masked only.
* guest_object_access: the guest profile "Coral Cloud Profile" (metadata-API format, no -meta.xml)
  has viewAllRecords=true on Experience__c (objectPermissions at line 14) and Session__c (line 23).
* guest_sharing_rules: both sharingGuestRules use the criterion ``Name notEqual <empty>``, which
  matches every record, so all records are shared with the guest user (high severity).
* perm_api_enabled: the Coral_Cloud_Service_Agent permission set (in a ``permissionSets/`` folder,
  capital S) enables ApiEnabled.
* object_view_modify_all_records: Coral_Cloud_Admin grants view/modify all on 7 objects and
  Coral_Cloud_Service_Agent view all on Experience__c and Session__c.

No Security.settings, connected apps, custom metadata, installed packages or non-guest profiles
are in the repository, so those checks are NOT_EVALUATED with the reason; MFA and data retention are MANUAL offline.
Code: no http:// endpoint, TLS bypass, Basic auth, Salesforce credential or PII logging is present
(the data/*.json files hold PII but are not log statements).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.posture.codescan import load_code
from leakline.posture.engine import run_audit
from leakline.posture.loader import load_metadata
from leakline.posture.results import Context

EXPECTED = [
    (
        "admin_login_as_any_user",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    ("apex_hardcoded_credentials", "PASS", "(all)", None, None, "nothing found in 26 Apex file(s)"),
    ("apex_hardcoded_endpoint", "PASS", "(all)", None, None, "nothing found in 26 Apex file(s)"),
    ("apex_soql_injection", "PASS", "(all)", None, None, "no injectable dynamic query in 26 Apex file(s)"),
    ("apex_without_sharing", "PASS", "(all)", None, None, "nothing found in 26 Apex file(s)"),
    (
        "clickjack_protection",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "code_basic_auth_oauth1",
        "PASS",
        "(all)",
        None,
        None,
        "no Basic auth or OAuth 1.0 use found in 150 code file(s)",
    ),
    (
        "code_hardcoded_secrets",
        "FAIL",
        "config/data-kit-set-s3-credentials.json",
        "config/data-kit-set-s3-credentials.json",
        14,
        "AWS access key id AKIA****[20 chars]",
    ),
    (
        "code_hardcoded_secrets",
        "FAIL",
        "config/data-kit-set-s3-credentials.json",
        "config/data-kit-set-s3-credentials.json",
        18,
        "AWS-style secret key FAKE****[40 chars]",
    ),
    ("code_http_endpoints", "PASS", "(all)", None, None, "no plain-HTTP endpoint found in 150 code file(s)"),
    (
        "code_pii_in_logs",
        "PASS",
        "(all)",
        None,
        None,
        "no personal data written to logs found in 150 code file(s)",
    ),
    (
        "code_salesforce_credentials",
        "PASS",
        "(all)",
        None,
        None,
        "no hardcoded Salesforce credential found in 150 code file(s)",
    ),
    (
        "code_tls_verification_disabled",
        "PASS",
        "(all)",
        None,
        None,
        "no disabled TLS verification found in 150 code file(s)",
    ),
    (
        "code_webhook_without_tls",
        "PASS",
        "(all)",
        None,
        None,
        "no webhook over plain HTTP found in 150 code file(s)",
    ),
    (
        "connected_app_full_scope",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "connected_app_ip_relaxation",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "connected_app_no_ip_ranges",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "connected_app_refresh_token_never_expires",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "connected_app_refresh_token_scope",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "connected_app_self_authorize",
        "NOT_EVALUATED",
        "(connected apps)",
        None,
        None,
        "no connected app with OAuth settings in the metadata",
    ),
    (
        "csrf_protection",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "custom_metadata_secrets",
        "NOT_EVALUATED",
        "(custom metadata)",
        None,
        None,
        "no custom metadata records or custom settings in the metadata",
    ),
    (
        "data_retention",
        "MANUAL",
        "(data retention)",
        None,
        None,
        "retention settings are not in retrievable metadata (no sensitive custom field found); confirm a retention and "
        "deletion rule exists for personal data and that event logs are kept at least 30 days",
    ),
    (
        "external_client_app_policy",
        "NOT_EVALUATED",
        "(external client apps)",
        None,
        None,
        "no External Client App OAuth policies in the metadata",
    ),
    (
        "field_pii_broad_access",
        "NOT_EVALUATED",
        "(fields)",
        None,
        None,
        "no sensitive custom field in the metadata",
    ),
    (
        "field_pii_unencrypted",
        "PASS",
        "(all)",
        None,
        None,
        "no unencrypted sensitive field among 62 custom field(s)",
    ),
    (
        "guest_object_access",
        "FAIL",
        "Profile Coral Cloud Profile / Experience__c",
        "guest-profile-metadata/profiles/Coral Cloud Profile.profile",
        14,
        "guest users get view all on Experience__c",
    ),
    (
        "guest_object_access",
        "FAIL",
        "Profile Coral Cloud Profile / Session__c",
        "guest-profile-metadata/profiles/Coral Cloud Profile.profile",
        23,
        "guest users get view all on Session__c",
    ),
    (
        "guest_sharing_rules",
        "FAIL",
        "Experience__c.Experience_guest_visibility",
        "guest-profile-metadata/sharingRules/Experience__c.sharingRules",
        3,
        "shares every Experience__c record (Name notEqual <empty>) with guest user Coral_Cloud at Read access",
    ),
    (
        "guest_sharing_rules",
        "FAIL",
        "Session__c.Session_guest_visibility",
        "guest-profile-metadata/sharingRules/Session__c.sharingRules",
        3,
        "shares every Session__c record (Name notEqual <empty>) with guest user Coral_Cloud at Read access",
    ),
    (
        "guest_user_permissions",
        "PASS",
        "(all)",
        None,
        None,
        "1 guest profile(s) enable none of the risky permissions",
    ),
    (
        "https_required",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "installed_package_broad_permissions",
        "NOT_EVALUATED",
        "(installed packages)",
        None,
        None,
        "no installed packages or namespaced permission sets in the metadata",
    ),
    (
        "lockout_interval",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "lockout_max_attempts",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "mfa_required",
        "MANUAL",
        "(org MFA setting)",
        None,
        None,
        "MFA enforcement is not in retrievable metadata (no --org or --case given); confirm in Setup that MFA is required for UI and API logins",
    ),
    (
        "named_credential_insecure",
        "PASS",
        "(all)",
        None,
        None,
        "1 named credential(s) use HTTPS and hold no secret in source",
    ),
    (
        "object_view_modify_all_records",
        "FAIL",
        "PermissionSet Coral_Cloud_Admin",
        "cc-base-app/main/default/permissionsets/Coral_Cloud_Admin.permissionset-meta.xml",
        574,
        "bypasses sharing on 7 object(s): Account (modify all), Booking__c (modify all), Contact (modify all), Credit__c (modify all), Experience__c (modify all), Guest_Review__c (modify all), Session__c (modify all)",
    ),
    (
        "object_view_modify_all_records",
        "FAIL",
        "PermissionSet Coral_Cloud_Service_Agent",
        "cc-service-app/main/default/permissionSets/Coral_Cloud_Service_Agent.permissionset-meta.xml",
        239,
        "bypasses sharing on 2 object(s): Experience__c (view all), Session__c (view all)",
    ),
    (
        "password_complexity",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "password_expiration",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "password_history",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "password_min_length",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "perm_api_enabled",
        "FAIL",
        "PermissionSet Coral_Cloud_Service_Agent",
        "cc-service-app/main/default/permissionSets/Coral_Cloud_Service_Agent.permissionset-meta.xml",
        259,
        "grants ApiEnabled outside the admin profile",
    ),
    (
        "perm_approve_uninstalled_apps",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants CanApproveUninstalledApps",
    ),
    (
        "perm_bypass_mfa",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants BypassMFAForUiLogins",
    ),
    (
        "perm_config_and_code_change",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants these permissions",
    ),
    (
        "perm_data_export",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants DataExport",
    ),
    (
        "perm_export_reports",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants ExportReport",
    ),
    (
        "perm_manage_users",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants ManageUsers",
    ),
    (
        "perm_modify_all_data",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants ModifyAllData",
    ),
    (
        "perm_super_admin_equivalent",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 is super-admin equivalent",
    ),
    (
        "perm_use_any_api_client",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants UseAnyApiAuth",
    ),
    (
        "perm_view_all_data",
        "PASS",
        "(all)",
        None,
        None,
        "no non-admin profile or permission set of 4 grants ViewAllData",
    ),
    (
        "profile_login_ip_ranges",
        "NOT_EVALUATED",
        "(profiles)",
        None,
        None,
        "no non-guest profile in the metadata",
    ),
    ("remote_site_insecure", "PASS", "(all)", None, None, "1 remote site(s) require HTTPS"),
    (
        "session_force_relogin",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "session_http_only",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "session_lock_to_domain",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "session_lock_to_ip",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "session_timeout",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
    (
        "sharing_external_owd_public",
        "PASS",
        "(all)",
        None,
        None,
        "6 object(s) keep external access private or controlled by parent",
    ),
    ("site_clickjack", "PASS", "(all)", None, None, "2 site(s) restrict framing"),
    (
        "trusted_ip_ranges",
        "NOT_EVALUATED",
        "SecuritySettings",
        None,
        None,
        "no Security.settings in the metadata (retrieve SecuritySettings)",
    ),
]


@pytest.fixture(scope="module")
def coral(real_fixtures: Path) -> Path:
    return real_fixtures / "coral-cloud"


def test_coral_cloud_results_are_exact(coral: Path) -> None:
    audit = run_audit(Context(load_metadata(coral), load_code(coral), {}))
    got = [
        (o.check.id, r.status.value, r.resource, r.file, r.line, r.message)
        for o in audit.outcomes
        for r in o.results
    ]
    assert got == EXPECTED


def test_coral_cloud_score(coral: Path) -> None:
    audit = run_audit(Context(load_metadata(coral), load_code(coral), {}))
    assert (audit.score.value, audit.score.band) == (87, "Very Good")


def test_coral_cloud_secret_never_appears(coral: Path) -> None:
    audit = run_audit(Context(load_metadata(coral), load_code(coral), {}))
    text = repr([r for o in audit.outcomes for r in o.results])
    assert "AKIAFAKEFAKEFAKEFAKE" not in text
    assert "FAKEfakeFAKEfakeFAKE/akeFAKEfakeFAKEfake" not in text
