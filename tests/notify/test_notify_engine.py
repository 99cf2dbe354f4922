"""Table-driven tests of the obligations engine; each id names the provision it exercises.

The rule files are the shipped ones: these tests pin both the engine and the data (a change to
a threshold or deadline in a jurisdiction file must come with a change here).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from leakline.core.clock import iso, parse_utc
from leakline.core.errors import UsageError
from leakline.notify.engine import Context, ObligationResult, countdown, evaluate, to_document
from leakline.notify.subjects import SubjectRow

MON = "2026-03-02T09:00:00Z"


def row(residence: str, elements: str, count: int, encrypted: bool = False, key: bool = False) -> SubjectRow:
    return SubjectRow(residence, frozenset(elements.split(";")), encrypted, key, count)


def run(
    rows: list[SubjectRow],
    at: str = MON,
    sectors: tuple[str, ...] = (),
    est: tuple[str, ...] = (),
    zone: str = "UTC",
) -> dict[tuple[str, str], ObligationResult]:
    ctx = Context(parse_utc(at), frozenset(est), frozenset(sectors), ZoneInfo(zone))
    return {(r.regime, r.step): r for r in evaluate(rows, ctx)}


# (rows, kwargs, regime, step, expected status, expected deadline_utc or None)
CASES = [
    pytest.param(
        [row("US-CA", "name;ssn", 500)],
        {},
        "US-CA",
        "regulator",
        "not_required",
        None,
        id="CA-Civ1798.82(f)-500-residents-no-AG",
    ),
    pytest.param(
        [row("US-CA", "name;ssn", 501)],
        {},
        "US-CA",
        "regulator",
        "required",
        "2026-04-16T09:00:00Z",
        id="CA-Civ1798.82(f)-501-residents-AG-15d-after-individuals",
    ),
    pytest.param(
        [row("US-CA", "name;ssn", 1)],
        {},
        "US-CA",
        "individuals",
        "required",
        "2026-04-01T09:00:00Z",
        id="CA-Civ1798.82(a)-SB446-30-calendar-days",
    ),
    pytest.param(
        [row("US-CA", "name;ssn", 10, encrypted=True)],
        {},
        "US-CA",
        "individuals",
        "not_required",
        None,
        id="CA-Civ1798.82(a)-encrypted-safe-harbor",
    ),
    pytest.param(
        [row("US-CA", "name;ssn", 10, encrypted=True, key=True)],
        {},
        "US-CA",
        "individuals",
        "required",
        "2026-04-01T09:00:00Z",
        id="CA-Civ1798.82(a)-encrypted-key-compromised",
    ),
    pytest.param(
        [row("US-CA", "name;email", 900)],
        {},
        "US-CA",
        "individuals",
        "not_required",
        None,
        id="CA-Civ1798.82(h)-name-email-not-covered",
    ),
    pytest.param(
        [row("US-CA", "username_password", 3)],
        {},
        "US-CA",
        "individuals",
        "required",
        "2026-04-01T09:00:00Z",
        id="CA-Civ1798.82(h)(2)-credentials-alone-covered",
    ),
    pytest.param(
        [row("US-TX", "name;drivers_license", 249)],
        {},
        "US-TX",
        "regulator",
        "not_required",
        None,
        id="TX-BusCom521.053(i)-249-residents-no-AG",
    ),
    pytest.param(
        [row("US-TX", "name;drivers_license", 250)],
        {},
        "US-TX",
        "regulator",
        "required",
        "2026-04-01T09:00:00Z",
        id="TX-BusCom521.053(i)-250-residents-AG-30d",
    ),
    pytest.param(
        [row("US-TX", "name;ssn", 1)],
        {},
        "US-TX",
        "individuals",
        "required",
        "2026-05-01T09:00:00Z",
        id="TX-BusCom521.053(b)-60-days",
    ),
    pytest.param(
        [row("US-TX", "name;ssn", 10000)],
        {},
        "US-TX",
        "consumer_reporting_agencies",
        "not_required",
        None,
        id="TX-BusCom521.053(h)-10000-no-CRA",
    ),
    pytest.param(
        [row("US-TX", "name;ssn", 10001)],
        {},
        "US-TX",
        "consumer_reporting_agencies",
        "required",
        None,
        id="TX-BusCom521.053(h)-10001-CRA",
    ),
    pytest.param(
        [row("US-FL", "name;ssn", 499)],
        {},
        "US-FL",
        "regulator",
        "not_required",
        None,
        id="FL-Stat501.171(3)-499-no-AG",
    ),
    pytest.param(
        [row("US-FL", "name;ssn", 500)],
        {},
        "US-FL",
        "regulator",
        "assess",
        "2026-04-01T09:00:00Z",
        id="FL-Stat501.171(3)-500-AG-risk-assess",
    ),
    pytest.param(
        [row("US-ND", "name;dob", 251)],
        {},
        "US-ND",
        "regulator",
        "required",
        None,
        id="ND-CentCode51-30-02-251-AG-dob-covered",
    ),
    pytest.param(
        [row("US-VT", "name;ssn", 1)],
        {},
        "US-VT",
        "regulator",
        "assess",
        "2026-03-23T08:00:00Z",
        id="VT-9VSA2435(b)(3)-14-business-days-skips-Town-Meeting-Day-and-DST",
    ),
    pytest.param(
        [row("US-IA", "name;ssn", 501)],
        {},
        "US-IA",
        "regulator",
        "assess",
        None,
        id="IA-Code715C.2(8)-5-business-days-after-open-ended-individual-notice",
    ),
    pytest.param(
        [row("PR", "name;ssn", 5)],
        {},
        "US-PR",
        "regulator",
        "required",
        "2026-03-12T09:00:00Z",
        id="PR-10LPRA4052-DACO-10-days-bare-country-code",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 501), row("US-TX", "name;medical", 500)],
        {"sectors": ("health",)},
        "US-HIPAA",
        "media",
        "assess",
        "2026-05-01T09:00:00Z",
        id="HIPAA-45CFR164.406-501-in-one-state",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 500), row("US-TX", "name;medical", 500)],
        {"sectors": ("health",)},
        "US-HIPAA",
        "media",
        "not_required",
        None,
        id="HIPAA-45CFR164.406-500-per-state-not-more",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 500)],
        {"sectors": ("health",)},
        "US-HIPAA",
        "regulator",
        "assess",
        "2026-05-01T09:00:00Z",
        id="HIPAA-45CFR164.408(b)-500-contemporaneous",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 499)],
        {"sectors": ("health",)},
        "US-HIPAA",
        "regulator_annual_log",
        "assess",
        "2027-03-02T05:00:00Z",
        id="HIPAA-45CFR164.408(c)-499-annual-60d-after-year-end",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 499)],
        {},
        "US-HIPAA",
        "individuals",
        "not_required",
        None,
        id="HIPAA-sector-not-declared",
    ),
    pytest.param(
        [row("US-CA", "name;medical", 5, encrypted=True)],
        {"sectors": ("health",)},
        "US-HIPAA",
        "individuals",
        "not_required",
        None,
        id="HIPAA-45CFR164.402-secured-PHI",
    ),
    pytest.param(
        [row("US-NY", "name;email", 499)],
        {"sectors": ("financial",)},
        "US-GLBA",
        "regulator",
        "not_required",
        None,
        id="GLBA-16CFR314.4(j)-499-consumers",
    ),
    pytest.param(
        [row("US-NY", "name;email", 500)],
        {"sectors": ("financial",)},
        "US-GLBA",
        "regulator",
        "assess",
        "2026-04-01T09:00:00Z",
        id="GLBA-16CFR314.4(j)-500-consumers-30d",
    ),
    pytest.param(
        [row("US-NY", "name;email", 1)],
        {"sectors": ("financial",)},
        "US-NYDFS",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="NYDFS-23NYCRR500.17(a)-72h",
    ),
    pytest.param(
        [row("US-CA", "email", 1)],
        {"sectors": ("public-company",)},
        "US-SEC-8K",
        "form_8k",
        "assess",
        "2026-03-06T09:00:00Z",
        id="SEC-8K-Item1.05-4-business-days",
    ),
    pytest.param(
        [row("US-CA", "email", 1)],
        {"sectors": ("public-company",), "at": "2026-03-05T09:00:00Z"},
        "US-SEC-8K",
        "form_8k",
        "assess",
        "2026-03-11T08:00:00Z",
        id="SEC-8K-Item1.05-over-weekend-and-DST",
    ),
    pytest.param(
        [row("US-CA", "email", 1)],
        {"sectors": ("public-company",), "at": "2026-11-25T09:00:00Z"},
        "US-SEC-8K",
        "form_8k",
        "assess",
        "2026-12-02T09:00:00Z",
        id="SEC-8K-Item1.05-skips-Thanksgiving",
    ),
    pytest.param(
        [row("DE", "name;email", 10)],
        {},
        "EU-GDPR",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="GDPR-Art33(1)-72h-assess-risk",
    ),
    pytest.param(
        [row("DE", "name;email", 10, encrypted=True)],
        {},
        "EU-GDPR",
        "individuals",
        "not_required",
        None,
        id="GDPR-Art34(3)(a)-unintelligible-data",
    ),
    pytest.param(
        [row("DE", "name;email", 10, encrypted=True)],
        {},
        "EU-GDPR",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="GDPR-Art33-not-excused-by-encryption",
    ),
    pytest.param(
        [row("FR", "email", 10, encrypted=True, key=True)],
        {},
        "EU-GDPR",
        "individuals",
        "assess",
        None,
        id="GDPR-Art34(3)(a)-key-compromised-high-risk-question",
    ),
    pytest.param(
        [row("GB", "email", 3)],
        {},
        "UK-GDPR",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="UKGDPR-Art33-ICO-72h",
    ),
    pytest.param(
        [row("DE", "email", 3)],
        {"sectors": ("critical-entity",)},
        "EU-NIS2",
        "early_warning",
        "assess",
        "2026-03-03T09:00:00Z",
        id="NIS2-Art23(4)(a)-early-warning-24h",
    ),
    pytest.param(
        [row("DE", "email", 3)],
        {"sectors": ("critical-entity",)},
        "EU-NIS2",
        "final_report",
        "assess",
        "2026-04-05T08:00:00Z",
        id="NIS2-Art23(4)(d)-final-report-one-month-after-notification-DST",
    ),
    pytest.param(
        [row("BR", "name;email", 3)],
        {"at": "2026-04-17T12:00:00Z"},
        "BR-LGPD",
        "regulator",
        "assess",
        "2026-04-23T12:00:00Z",
        id="LGPD-Res15-2024-3-business-days-skips-weekend-and-Tiradentes",
    ),
    pytest.param(
        [row("SG", "name;email", 499)],
        {},
        "SG-PDPA",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="PDPA-s26B(1)(a)-499-significant-harm-question",
    ),
    pytest.param(
        [row("SG", "name;email", 500)],
        {},
        "SG-PDPA",
        "regulator",
        "required",
        "2026-03-05T09:00:00Z",
        id="PDPA-s26B(1)(b)-500-significant-scale",
    ),
    pytest.param(
        [row("KR", "name;email", 999)],
        {},
        "KR-PIPA",
        "regulator",
        "assess",
        "2026-03-05T09:00:00Z",
        id="PIPA-Art34-999-regulator-assess",
    ),
    pytest.param(
        [row("KR", "name;email", 1000)],
        {},
        "KR-PIPA",
        "regulator",
        "required",
        "2026-03-05T09:00:00Z",
        id="PIPA-Art34-1000-regulator-required",
    ),
    pytest.param(
        [row("KR", "email", 1)],
        {},
        "KR-PIPA",
        "individuals",
        "required",
        "2026-03-05T09:00:00Z",
        id="PIPA-Art34(1)-individuals-72h",
    ),
    pytest.param(
        [row("JP", "name;email", 1000)],
        {},
        "JP-APPI",
        "regulator",
        "assess",
        "2026-04-01T09:00:00Z",
        id="APPI-Art26-1000-category-question",
    ),
    pytest.param(
        [row("JP", "name;email", 1001)],
        {},
        "JP-APPI",
        "regulator",
        "required",
        "2026-04-01T09:00:00Z",
        id="APPI-Art26-more-than-1000",
    ),
    pytest.param(
        [row("IN", "name;email", 5)],
        {},
        "IN-DPDP",
        "regulator",
        "not_required",
        None,
        id="DPDP-Rule7-not-in-force-2026",
    ),
    pytest.param(
        [row("IN", "name;email", 5)],
        {"at": "2027-06-01T00:00:00Z"},
        "IN-DPDP",
        "regulator",
        "required",
        "2027-06-04T00:00:00Z",
        id="DPDP-Rule7-72h-once-in-force",
    ),
    pytest.param(
        [row("AU", "name;email", 5)],
        {},
        "AU-NDB",
        "assessment",
        "assess",
        "2026-04-01T09:00:00Z",
        id="NDB-PrivacyAct-s26WH-30-day-assessment",
    ),
    pytest.param(
        [row("CA-QC", "name;email", 5)],
        {},
        "CA-PIPEDA",
        "regulator",
        "assess",
        None,
        id="PIPEDA-s10.1-RROSH-province-code-matches-country",
    ),
    pytest.param(
        [row("MX", "name;ssn", 5)],
        {},
        "MX",
        "no_rule_data",
        "assess",
        None,
        id="unknown-jurisdiction-no-rule-data",
    ),
    pytest.param(
        [row("US-ZZ", "name;ssn", 5)],
        {},
        "US-ZZ",
        "no_rule_data",
        "assess",
        None,
        id="unknown-US-subdivision-no-rule-data",
    ),
    pytest.param(
        [row("US-OK", "name;ssn", 499)],
        {},
        "US-OK",
        "regulator",
        "not_required",
        None,
        id="OK-24OS163-SB626-499-no-AG",
    ),
    pytest.param(
        [row("US-OK", "name;biometric", 500)],
        {},
        "US-OK",
        "regulator",
        "assess",
        None,
        id="OK-24OS163-SB626-500-AG-60d-after-open-ended-notice",
    ),
    pytest.param(
        [row("US-PA", "name;ssn", 499)],
        {},
        "US-PA",
        "consumer_reporting_agencies",
        "not_required",
        None,
        id="PA-73PS2305-Act33-499-no-CRA",
    ),
    pytest.param(
        [row("US-PA", "name;ssn", 500)],
        {},
        "US-PA",
        "consumer_reporting_agencies",
        "assess",
        None,
        id="PA-73PS2305-Act33-500-CRA",
    ),
    pytest.param(
        [row("US-IN", "ssn", 1)],
        {},
        "US-IN",
        "individuals",
        "assess",
        "2026-04-16T09:00:00Z",
        id="IN-IC24-4.9-2-10-SSN-alone-45-days",
    ),
    pytest.param(
        [row("US-NY", "name;ssn", 1)],
        {},
        "US-NY",
        "individuals",
        "assess",
        "2026-04-01T09:00:00Z",
        id="NY-GBL899-aa(2)-30-days",
    ),
    pytest.param(
        [row("US-CT", "name;ssn", 1)],
        {},
        "US-CT",
        "individuals",
        "assess",
        "2026-05-01T09:00:00Z",
        id="CT-GenStat36a-701b(b)-60-days",
    ),
]


@pytest.mark.parametrize(("rows", "kwargs", "regime", "step", "status", "deadline"), CASES)
def test_obligation(
    rows: list[SubjectRow],
    kwargs: dict[str, object],
    regime: str,
    step: str,
    status: str,
    deadline: str | None,
) -> None:
    results = run(rows, **kwargs)  # type: ignore[arg-type]
    got = results[(regime, step)]
    assert (got.status, iso(got.deadline_utc) if got.deadline_utc else None) == (status, deadline), got.reason


def test_several_regimes_at_once() -> None:
    rows = [
        row("US-CA", "name;ssn", 600),
        row("US-TX", "name;ssn", 300),
        row("DE", "email", 4),
        row("MX", "email", 1),
    ]
    regimes = {k[0] for k, v in run(rows).items() if v.status != "not_required"}
    assert regimes == {"US-CA", "US-TX", "EU-GDPR", "MX"}


def test_establishment_brings_all_subjects_into_gdpr() -> None:
    results = run([row("US-CA", "email", 7), row("DE", "email", 3)], est=("EU",))
    gdpr = results[("EU-GDPR", "regulator")]
    assert gdpr.affected == 10
    assert gdpr.question is not None and "Art. 3(2)" not in gdpr.question


def test_residence_only_asks_art_3_2() -> None:
    question = run([row("DE", "email", 3)])[("EU-GDPR", "regulator")].question
    assert question is not None and "Art. 3(2)" in question


def test_triggered_by_names_residence_and_combination() -> None:
    got = run([row("US-CA", "name;ssn;email", 12)])[("US-CA", "individuals")]
    assert got.triggered_by == ("US-CA: name+ssn (12)",)
    assert got.affected == 12


def test_local_time_uses_given_zone() -> None:
    got = run([row("US-CA", "name;ssn", 1)], zone="Europe/Berlin")[("US-CA", "individuals")]
    assert got.deadline_local == "2026-04-01 11:00 CEST"


def test_unknown_sector_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown sector"):
        Context(parse_utc(MON), sectors=frozenset({"retail"}))


def test_zero_count_rows_are_ignored() -> None:
    assert run([row("MX", "email", 0)]) == {}


def test_json_document_shape() -> None:
    ctx = Context(parse_utc(MON))
    doc = to_document(evaluate([row("US-CA", "name;ssn", 501)], ctx), ctx)
    entry = doc["obligations"][0]
    for key in (
        "regime",
        "audience",
        "status",
        "deadline_utc",
        "deadline_text",
        "clock_start",
        "affected",
        "triggered_by",
        "citation",
    ):
        assert key in entry
    assert entry["regime"] == "US-CA" and entry["deadline_utc"] == "2026-04-01T09:00:00Z"
    assert entry["clock_start"].endswith("(2026-03-02T09:00:00Z)")


def test_countdown_rows() -> None:
    ctx = Context(parse_utc(MON))
    rows = countdown(
        evaluate([row("US-CA", "name;ssn", 501), row("MX", "email", 1)], ctx),
        parse_utc("2026-03-31T08:30:00Z"),
    )
    by = {(r["regime"], r["step"]): r["remaining"] for r in rows}
    assert by[("US-CA", "individuals")] == "1d 00h 30m"
    assert by[("MX", "no_rule_data")] == "no rule data"
    late = countdown(evaluate([row("US-CA", "name;ssn", 1)], ctx), parse_utc("2026-04-02T09:00:00Z"))
    assert late[0]["remaining"] == "OVERDUE 1d 00h 00m"
