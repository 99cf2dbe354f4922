"""Granted vs exercised, dormant tokens, retention, and the ``leakline access-review`` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.access.retention import evaluate_retention, load_policy
from leakline.access.review import AccessReview
from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.clock import parse_utc
from leakline.flowmap.source import OrgData

runner = CliRunner()


def test_exercised_is_a_subset_of_granted(result: AccessReview) -> None:
    for item in result.integrations:
        for obj, ops in item.exercised_objects.items():
            assert set(ops) <= set(item.granted_objects.get(obj, [])), (item.name, obj)


def test_dormant_tokens_follow_last_used(result: AccessReview, org_dir: Path) -> None:
    cutoff = datetime(2026, 3, 1, tzinfo=UTC) - timedelta(days=90)
    tokens = [json.loads(x) for x in (org_dir / "sobjects" / "OauthToken.jsonl").read_text().splitlines()]
    expected = {t["Id"] for t in tokens if not t["LastUsedDate"] or parse_utc(t["LastUsedDate"]) < cutoff}
    assert {t.token_id for t in result.dormant_tokens} == expected


def test_retention_counts(org: OrgData, org_dir: Path, tmp_path: Path) -> None:
    policy = tmp_path / "retention.yaml"
    policy.write_text("reviewed: '2026-03-01'\ncitation: schedule v1\npolicies:\n"
                      "  - {object: Contact, retain_days: 365, date_field: CreatedDate}\n", encoding="utf-8")
    now = datetime(2026, 3, 1, tzinfo=UTC)
    [res] = evaluate_retention(org, load_policy(policy), now)
    rows = [json.loads(x) for x in (org_dir / "sobjects" / "Contact.jsonl").read_text().splitlines()]
    old = [r for r in rows if parse_utc(r["CreatedDate"]) < now - timedelta(days=365)]
    assert res.over_retention == len(old) and res.records == len(rows)
    assert res.personal_fields["Email"] == sum(1 for r in old if r["Email"])
    assert res.status == ("FAIL" if old else "PASS")


@pytest.mark.slow
def test_cli_writes_permission_sets_and_masks(org_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.json"
    result = runner.invoke(app, ["access-review", "--org", str(org_dir), "--no-replay", "--format", "json",
                                 "-o", str(out), "--permsets-dir", str(tmp_path / "ps")])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    data = json.loads(text)
    assert data["integrations"] and data["retention"] is None
    files = sorted(p.name for p in (tmp_path / "ps" / "permissionsets").iterdir())
    assert files and all(f.endswith(".permissionset-meta.xml") for f in files)
    for line in (org_dir / "sobjects" / "User.jsonl").read_text().splitlines():
        assert json.loads(line)["Username"] not in text
    for line in (org_dir / "sobjects" / "Contact.jsonl").read_text().splitlines():
        email = json.loads(line)["Email"]
        assert not email or email not in text


def test_cli_missing_allow_list_is_bad_input(org_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["access-review", "--org", str(org_dir), "--allow-list", str(tmp_path / "no.yaml")])
    assert result.exit_code == 3
    assert "allow-list file not found" in result.output


def test_cli_case_without_metadata_says_what_it_cannot_evaluate(tmp_case: Case) -> None:
    result = runner.invoke(app, ["access-review", "--case", str(tmp_case.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_case.work_dir / "access.json").read_text())
    assert data["metadata_known"] is False and data["sod_conflicts"] == []
    assert any("NOT_EVALUATED" in n for n in data["notes"])
    assert (tmp_case.work_dir / "findings" / "access.jsonl").is_file()


def test_unused_fields_are_granted_and_never_read(result: AccessReview) -> None:
    erp = next(i for i in result.integrations if i.name == "Ledgerline ERP Connector")
    # The integration profile makes the bank fields readable; the ERP's logged queries never read them.
    assert {"Bank_Account_Number__c", "IBAN__c"} <= set(erp.unused_fields["Vendor__c"])
    for obj, names in erp.unused_fields.items():
        assert not set(names) & set(erp.exercised_fields.get(obj, []))
