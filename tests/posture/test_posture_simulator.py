"""The audit finds the weaknesses the simulator plants in its org metadata (``metadata/`` SFDX tree).

The simulator belongs to another package; this test asserts only the weaknesses its
``leakline.simulate.metadata`` documents, not its full output, so it survives unrelated changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leakline.posture.engine import run_audit
from leakline.posture.loader import load_metadata
from leakline.posture.results import Context, Status

simulate = pytest.importorskip("leakline.simulate")


@pytest.mark.slow
def test_planted_weaknesses_are_found(tmp_path: Path) -> None:
    if not hasattr(simulate, "generate"):
        pytest.skip("leakline.simulate.generate not available in this build")
    org = simulate.generate(tmp_path / "org", seed=7, size="small", scenarios=[], days=3)
    audit = run_audit(Context(load_metadata(org / "metadata"), None, {}))
    failed = {(o.check.id, r.resource) for o in audit.outcomes for r in o.results if r.status == Status.FAIL}
    failed_checks = {check for check, _ in failed}
    assert {
        "connected_app_full_scope",
        "connected_app_refresh_token_scope",
        "connected_app_ip_relaxation",
        "connected_app_refresh_token_never_expires",
        "remote_site_insecure",
        "field_pii_unencrypted",
        "guest_object_access",
        "session_timeout",
        "password_complexity",
        "lockout_max_attempts",
        "profile_login_ip_ranges",
        "perm_view_all_data",
    } <= failed_checks
    assert ("field_pii_unencrypted", "Vendor__c.Bank_Account_Number__c") in failed
    assert any(
        check == "guest_object_access" and resource.endswith("/ Contact") for check, resource in failed
    )
    every_file = {r.file for o in audit.outcomes for r in o.results if r.file}
    assert all((org / "metadata" / f).is_file() for f in every_file)
    assert audit.score.value is not None and audit.score.value < 70
