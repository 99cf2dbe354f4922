"""Residence, join keys and deduplication rules of subject resolution."""

from __future__ import annotations

import pytest

from leakline.scope.subjects import ExposedSet, country_code, identity_keys, residence_of, resolve_subjects


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"MailingCountryCode": "US", "MailingStateCode": "CA"}, ("US-CA", "address")),
        ({"MailingCountry": "United States", "MailingState": "New York"}, ("US-NY", "address")),
        ({"MailingCountry": "Deutschland", "MailingState": "Berlin"}, ("DE", "address")),
        (
            {"BillingCountry": "Canada", "BillingState": "Ontario", "MailingCountry": "France"},
            ("FR", "address"),
        ),
        ({"Country__c": "NO"}, ("NO", "address")),
        ({"Phone": "(212) 357-1477", "LocaleSidKey": "en_US"}, ("US-NY", "phone")),
        ({"MobilePhone": "+49 30 901820"}, ("DE", "phone")),
        ({"LocaleSidKey": "en_GB"}, ("GB", "locale")),
        ({"Name": "Nobody"}, ("ZZ", "none")),
    ],
)
def test_residence_from_address_then_phone_then_locale(
    record: dict[str, str], expected: tuple[str, str]
) -> None:
    assert residence_of(record) == expected


def test_country_names_in_several_languages() -> None:
    assert [country_code(v) for v in ("Allemagne", "españa", "UK", "xx", "Atlantis")] == [
        "DE",
        "ES",
        "GB",
        None,
        None,
    ]


def test_shared_phone_joins_only_with_the_same_name() -> None:
    a = identity_keys({"FirstName": "Ann", "LastName": "Lee", "Phone": "+1 415 555 2671"}, "US")
    b = identity_keys({"FirstName": "Bob", "LastName": "Lee", "Phone": "+1 415 555 2671"}, "US")
    assert a.isdisjoint(b)
    assert identity_keys({"Email": " Ann.Lee@Example.com "}, None) == {"e:ann.lee@example.com"}


def test_case_is_attributed_to_its_contact_and_accounts_are_not_people() -> None:
    records = {
        "Contact": {
            "003A": {"Id": "003A", "FirstName": "Ann", "LastName": "Lee", "MailingCountryCode": "DE"}
        },
        "Case": {"500A": {"Id": "500A", "ContactId": "003A", "SuppliedEmail": "ann@example.org"}},
        "Account": {"001A": {"Id": "001A", "Name": "Acme GmbH", "Phone": "+49 30 901820"}},
    }
    result = resolve_subjects(
        [
            ExposedSet("Case", frozenset({"SuppliedEmail"}), frozenset({"500A"})),
            ExposedSet("Account", frozenset({"Name", "Phone"}), frozenset({"001A"})),
        ],
        lambda obj: records.get(obj, {}),
    )
    assert result.groups() == {("DE", ("email",)): 1}
    assert result.unattributed_records == 1
