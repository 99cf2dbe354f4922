"""Validators' true and false positives, and every detector's embedded examples."""

from __future__ import annotations

import pytest

from leakline.pii import detectors as d
from leakline.pii.scanner import ValueScanner, column_hints
from leakline.pii.selftest import selftest


def test_every_detector_example_passes() -> None:
    failed = [(r.unit_id, r.detail) for r in selftest() if not r.ok]
    assert failed == []


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (
            d.valid_ssn,
            ["536-22-1234", "001-01-0001"],
            [
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "536-00-1234",
                "536-22-0000",
                "078-05-1120",
                "123-45-6789",
            ],
        ),
        (
            d.valid_card,
            ["4111 1111 1111 1111", "5555555555554444", "378282246310005", "6011111111111117"],
            ["4111111111111112", "1234567812345670", "0000000000000000"],
        ),
        (d.valid_nino, ["AB123456C"], ["QQ123456C", "BG123456A", "AB123456E", "DA123456A"]),
        (d.valid_email, ["a.b@example.com"], ["a..b@example.com", ".a@example.com"]),
        (d.valid_phone, ["+49 30 901820", "+44 20 7946 0958"], ["+1 000 000 0000", "+49 1"]),
        (d.valid_birth_date, ["1984-07-14", "14.07.1984", "07/14/1984"], ["1984-02-30", "31.04.1990"]),
        (d.valid_jwt, ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"], ["eyJ4IjoxfQ.eyJ4IjoxfQ.sig"]),
    ],
)
def test_validator_true_and_false_positives(validator, good: list[str], bad: list[str]) -> None:
    assert [v for v in good if validator(v) is False] == []
    assert [v for v in bad if validator(v) is not False] == []


def test_iban_mod97_and_routing_checksum() -> None:
    scanner = ValueScanner()
    assert {h.detector for h in scanner.scan_text("GB82 WEST 1234 5698 7654 32")} == {"iban"}
    assert scanner.scan_text("GB82 WEST 1234 5698 7654 33") == []
    assert [h.detector for h in scanner.scan_text("021000021", column="RoutingNumber__c")] == ["aba_routing"]
    assert scanner.scan_text("021000022", column="RoutingNumber__c") == []


def test_bare_nine_digits_need_context() -> None:
    scanner = ValueScanner()
    assert scanner.scan_text("536221234") == []
    hits = scanner.scan_text("536221234", column="Social_Security_Number__c")
    assert [(h.detector, h.element) for h in hits] == [("us_ssn_undelimited", "ssn")]


def test_salesforce_tokens_and_cloud_keys_in_free_text() -> None:
    text = (
        "debug dump: Authorization: OAuth 00D5e000001N20QEAS!AQ4AQLNQp.rbpGbZ0Tl7Gx8xOJmKVNqz5Ms3nCz3hJlp9Qx "
        "aws_access_key_id=AKIAQYLPMN5HFIQR7XYZ -----BEGIN PRIVATE KEY----- MIIE"
    )
    found = {(h.detector, h.element) for h in ValueScanner().scan_text(text)}
    assert found == {
        ("salesforce_session_id", "oauth_token"),
        ("aws_access_key_id", "api_secret"),
        ("pem_private_key", "private_key"),
    }


def test_hits_carry_confidence_raised_by_context() -> None:
    scanner = ValueScanner()
    plain = scanner.scan_text("ref 415-555-2671")
    with_context = scanner.scan_text("mobile 415-555-2671")
    assert [h.score for h in plain] == [0.6]
    assert [h.score for h in with_context] == [0.85]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("MailingPostalCode", {"address"}),
        ("Zip", {"address"}),
        ("Telefonnummer", {"phone"}),
        ("Geburtsdatum", {"dob"}),
        ("FirstName", {"name"}),
        ("Username", set()),
        ("Shipping_Method__c", set()),
        ("Social_Security_Number__c", {"ssn"}),
        ("correo_electronico", {"email"}),
        ("client_ip", {"ip_address"}),
    ],
)
def test_column_name_hints_in_several_languages(column: str, expected: set[str]) -> None:
    assert set(column_hints(column)) == expected
