"""Evaluating SOQL over dict records, with Salesforce's comparison and ordering rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leakline.soql import SoqlFieldError, SoqlUnsupportedError, evaluate

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
USERS = {"005000000000001AAA": {"Name": "Ada"}, "005000000000002AAA": {"Name": "Bob"}}
ROWS = [
    {"Id": "001000000000001AAA", "Name": "acme", "Amount": 10, "OwnerId": "005000000000001AAA",
     "CreatedDate": "2026-03-10T08:00:00.000+0000", "Active": True, "Tags__c": "a;b"},
    {"Id": "001000000000002AAA", "Name": "Beta_1", "Amount": 5.5, "OwnerId": "005000000000002AAA",
     "CreatedDate": "2026-03-01T08:00:00.000+0000", "Active": "false", "Tags__c": "c"},
    {"Id": "001000000000003AAA", "Name": None, "Amount": None, "OwnerId": None,
     "CreatedDate": "2025-12-31T23:59:59.000+0000", "Active": False, "Tags__c": ""},
    {"Id": "001000000000004AAA", "Name": "", "Amount": 20, "OwnerId": "005000000000001AAA",
     "CreatedDate": "2026-03-09T23:00:00Z", "Active": True, "Tags__c": None},
]


def ids(text: str, **kwargs) -> list[str]:
    result = evaluate(text, ROWS, now=NOW, **kwargs)
    return [r["Id"][-4:-3] for r in result.records]


def test_text_equality_is_case_insensitive_and_empty_is_null():
    assert ids("SELECT Id FROM A WHERE Name = 'ACME'") == ["1"]
    assert ids("SELECT Id FROM A WHERE Name = null") == ["3", "4"]
    assert ids("SELECT Id FROM A WHERE Name != 'acme'") == ["2", "3", "4"]


def test_ranges_skip_nulls():
    assert ids("SELECT Id FROM A WHERE Amount > 5.5") == ["1", "4"]
    assert ids("SELECT Id FROM A WHERE Amount <= 10") == ["1", "2"]


def test_like_with_escaped_wildcards():
    assert ids("SELECT Id FROM A WHERE Name LIKE 'beta\\_%'") == ["2"]
    assert ids("SELECT Id FROM A WHERE Name LIKE 'A_ME'") == ["1"]
    assert ids("SELECT Id FROM A WHERE Name LIKE '%\\%%'") == []


def test_in_and_15_char_ids():
    assert ids("SELECT Id FROM A WHERE Id IN ('001000000000002', '001000000000003AAA')") == ["2", "3"]
    assert ids("SELECT Id FROM A WHERE OwnerId NOT IN ('005000000000001AAA')") == ["2", "3"]
    assert ids("SELECT Id FROM A WHERE Name IN ('acme', null)") == ["1", "3", "4"]


def test_booleans_and_multiselect():
    assert ids("SELECT Id FROM A WHERE Active = true") == ["1", "4"]
    assert ids("SELECT Id FROM A WHERE Active = false") == ["2", "3"]
    assert ids("SELECT Id FROM A WHERE Tags__c INCLUDES ('b;a')") == ["1"]
    assert ids("SELECT Id FROM A WHERE Tags__c EXCLUDES ('c')") == ["1", "3", "4"]


def test_datetimes_and_date_literals():
    assert ids("SELECT Id FROM A WHERE CreatedDate >= 2026-03-09T23:00:00Z") == ["1", "4"]
    assert ids("SELECT Id FROM A WHERE CreatedDate > 2026-03-10T00:00:00+01:00") == ["1"]
    assert ids("SELECT Id FROM A WHERE CreatedDate = TODAY") == ["1"]
    assert ids("SELECT Id FROM A WHERE CreatedDate = YESTERDAY") == ["4"]
    assert ids("SELECT Id FROM A WHERE CreatedDate = LAST_N_DAYS:9") == ["1", "2", "4"]
    assert ids("SELECT Id FROM A WHERE CreatedDate < THIS_YEAR") == ["3"]
    assert ids("SELECT Id FROM A WHERE CALENDAR_YEAR(CreatedDate) = 2025") == ["3"]


def test_order_by_nulls_first_by_default_then_limit_offset():
    assert ids("SELECT Id FROM A ORDER BY Amount") == ["3", "2", "1", "4"]
    assert ids("SELECT Id FROM A ORDER BY Amount DESC") == ["3", "4", "1", "2"]
    assert ids("SELECT Id FROM A ORDER BY Amount DESC NULLS LAST") == ["4", "1", "2", "3"]
    assert ids("SELECT Id FROM A ORDER BY OwnerId DESC NULLS LAST, Name LIMIT 2 OFFSET 1") == ["4", "1"]
    assert ids("SELECT Id FROM A ORDER BY Name") == ["3", "4", "1", "2"]


def test_relationship_fields_through_related():
    rows = evaluate("SELECT Name, Owner.Name FROM A WHERE Owner.Name = 'bob'", ROWS, related={"Owner": USERS}).records
    assert rows == [{"Name": "Beta_1", "Owner": {"Name": "Bob"}}]
    by_callable = evaluate("SELECT Owner.Name FROM A WHERE Id = '001000000000003AAA'", ROWS,
                           related=lambda rel, rid: USERS.get(rid)).records
    assert by_callable == [{"Owner": None}]
    nested = evaluate("SELECT Owner.Name FROM A", [{"Owner": {"Name": "Cy"}}]).records
    assert nested == [{"Owner": {"Name": "Cy"}}]


def test_count_and_aggregates():
    assert evaluate("SELECT COUNT() FROM A WHERE Amount != null", ROWS).total_size == 3
    agg = evaluate("SELECT COUNT(Id), MAX(Amount) top, MIN(CreatedDate), SUM(Amount) FROM A", ROWS).records
    assert agg == [{"expr0": 4, "top": 20, "expr1": "2025-12-31T23:59:59.000+0000", "expr2": 35.5}]
    grouped = evaluate(
        "SELECT OwnerId, COUNT(Id) n FROM A GROUP BY OwnerId HAVING COUNT(Id) > 1", ROWS
    ).records
    assert grouped == [{"OwnerId": "005000000000001AAA", "n": 2}]


def test_fields_give_canonical_names_and_validation():
    fields = ["Id", "Name", "Amount", "OwnerId", "CreatedDate", "Active", "Tags__c"]
    rows = evaluate("SELECT name FROM A LIMIT 1", ROWS, fields=fields).records
    assert rows == [{"Name": "acme"}]
    with pytest.raises(SoqlFieldError) as err:
        evaluate("SELECT Nope FROM A", ROWS, fields=fields)
    assert err.value.reason == "No such column 'Nope' on entity 'A'"
    custom = evaluate("SELECT FIELDS(CUSTOM) FROM A LIMIT 1", ROWS, fields=fields).records
    assert custom == [{"Tags__c": "a;b"}]


def test_unsupported_constructs_say_so():
    with pytest.raises(SoqlUnsupportedError):
        evaluate("SELECT Id, (SELECT Id FROM Contacts) FROM A", ROWS)
    with pytest.raises(SoqlUnsupportedError):
        evaluate("SELECT Id FROM A WHERE Id IN (SELECT AccountId FROM Contact)", ROWS)
    with pytest.raises(SoqlUnsupportedError):
        evaluate("SELECT Id FROM A WHERE Id = :x", ROWS)


def test_semi_join_through_a_callback():
    contacts = [{"AccountId": "001000000000002"}, {"AccountId": None}]

    def run(inner):
        assert inner.sobject == "Contact"
        return [r["AccountId"] for r in evaluate(inner, contacts).records]

    assert ids("SELECT Id FROM A WHERE Id IN (SELECT AccountId FROM Contact)", semijoin=run) == ["2"]
    assert ids("SELECT Id FROM A WHERE Id NOT IN (SELECT AccountId FROM Contact)", semijoin=run) == ["1", "3", "4"]
