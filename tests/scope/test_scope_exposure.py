"""Parsing log fields into record ids, masked filters and query fields."""

from __future__ import annotations

from leakline.scope.exposure import Resolver, Snapshot, logged_record_ids, mask_literals

SNAPSHOT = Snapshot(
    {
        "Contact": {
            "003000000000001AAA": {
                "Id": "003000000000001AAA",
                "Email": "a@example.org",
                "MailingCountry": "DE",
            },
            "003000000000002AAA": {
                "Id": "003000000000002AAA",
                "Email": "b@example.org",
                "MailingCountry": "US",
            },
        },
        "User": {"005000000000001AAA": {"Id": "005000000000001AAA", "Username": "int@acme.test"}},
    },
    {"Contact": {"fields": {"Id": {}, "Email": {}, "MailingCountry": {}}}},
)


def test_record_ids_from_the_shapes_logs_use() -> None:
    assert logged_record_ids('{"records": ["003000000000001AAA"]}') == {"003000000000001AAA"}
    assert logged_record_ids('[{"attributes": {"type": "Contact"}, "Id": "003000000000001"}]') == {
        "003000000000001AAA"
    }
    assert logged_record_ids(None) is None
    assert logged_record_ids("") is None


def test_filters_are_masked() -> None:
    assert mask_literals("Email = 'jane.doe@example.com' AND Name LIKE 'Jo%'") == (
        "Email = 'j***@example.com' AND Name LIKE '**%'"
    )


def _event(**kw: object) -> dict[str, object]:
    base = {"ts": None, "event_type": "ApiEvent", "who": "005000000000001AAA", "app": "X", "rows": 1}
    return base | kw


def test_query_without_ids_is_an_estimate_over_the_snapshot() -> None:
    access = Resolver(SNAPSHOT).resolve(
        _event(query="SELECT Id, Email FROM Contact WHERE MailingCountry = 'DE'"), {}
    )
    assert (access.object, access.basis, access.record_ids) == ("Contact", "estimate", {"003000000000001AAA"})
    assert access.fields == {"Id", "Email"}
    assert access.user == "int@acme.test"


def test_fields_macro_expands_and_count_reads_no_records() -> None:
    resolver = Resolver(SNAPSHOT)
    access = resolver.resolve(_event(query="SELECT FIELDS(ALL) FROM Contact LIMIT 200"), {})
    assert access.fields == {"Id", "Email", "MailingCountry"}
    count = resolver.resolve(_event(query="SELECT COUNT() FROM Contact"), {})
    assert (count.basis, count.record_ids) == ("count_only", frozenset())


def test_bulk_job_takes_the_query_logged_for_its_job() -> None:
    access = Resolver(SNAPSHOT).resolve(
        _event(event_type="BulkApi2", job_id="750000000000001AAA", entity="Contact"),
        {"750000000000001": "SELECT Id, Email FROM Contact"},
    )
    assert (access.basis, len(access.record_ids or ())) == ("estimate", 2)


def test_entity_without_query_or_ids_is_an_upper_bound() -> None:
    access = Resolver(SNAPSHOT).resolve(_event(event_type="RestApi", entity="Contact"), {})
    assert access.basis == "upper_bound"
    assert access.record_ids == {"003000000000001AAA", "003000000000002AAA"}
