"""SOQL parser: the grammar real logs contain, and errors with positions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leakline.soql import (
    And,
    BindVar,
    BoolLit,
    Comparison,
    DateLit,
    DateRangeLit,
    DateTimeLit,
    FieldRef,
    FieldsMacro,
    FunctionCall,
    IncludesCondition,
    InCondition,
    Not,
    NullLit,
    NumberLit,
    Or,
    OrderItem,
    Query,
    SelectField,
    SoqlError,
    StringLit,
    SubQuery,
    TypeOf,
    parse,
)


def where(text: str):
    return parse(f"SELECT Id FROM Account WHERE {text}").where


def test_select_items():
    q = parse("select Id, Owner.Name, COUNT(Id) cnt, toLabel(Industry) FROM Account")
    assert q.select == (
        SelectField(FieldRef(("Id",))),
        SelectField(FieldRef(("Owner", "Name"))),
        SelectField(FunctionCall("COUNT", (FieldRef(("Id",)),)), "cnt"),
        SelectField(FunctionCall("TOLABEL", (FieldRef(("Industry",)),))),
    )
    assert q.sobject == "Account"
    assert q.is_aggregate and not q.is_count


def test_count_only():
    q = parse("SELECT COUNT() FROM Account")
    assert q.is_count
    assert q.select == (SelectField(FunctionCall("COUNT", ())),)


def test_subquery_fields_macro_and_typeof():
    q = parse(
        "SELECT Name, (SELECT AssigneeId FROM Assignments), FIELDS(STANDARD), "
        "TYPEOF What WHEN Account THEN Phone, Name ELSE Name END FROM PermissionSet"
    )
    assert q.select[1] == SubQuery(parse("SELECT AssigneeId FROM Assignments"))
    assert q.select[2] == FieldsMacro("STANDARD")
    assert q.select[3] == TypeOf("What", (("Account", (FieldRef(("Phone",)), FieldRef(("Name",)))),), (FieldRef(("Name",)),))
    assert [s.sobject for s in q.subqueries()] == ["Assignments"]


def test_where_precedence_and_not():
    cond = where("A = 1 OR B = 2 AND NOT (C = 3 OR D = 4)")
    one = NumberLit(Decimal(1))
    assert isinstance(cond, Or)
    assert cond.items[0] == Comparison(FieldRef(("A",)), "=", one)
    second = cond.items[1]
    assert isinstance(second, And)
    assert isinstance(second.items[1], Not)
    assert isinstance(second.items[1].item, Or)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'it\\'s'", StringLit("it's", "it\\'s")),
        ("'a\\nb\\\\'", StringLit("a\nb\\", "a\\nb\\\\")),
        ("-12.50", NumberLit(Decimal("-12.50"))),
        ("TRUE", BoolLit(True)),
        ("false", BoolLit(False)),
        ("null", NullLit()),
        ("2025-08-01T00:00:00Z", DateTimeLit(datetime(2025, 8, 1, tzinfo=UTC))),
        ("2025-08-01T02:00:00+02:00", DateTimeLit(datetime(2025, 8, 1, tzinfo=UTC))),
        ("2025-07-31T19:00:00.000-0500", DateTimeLit(datetime(2025, 8, 1, tzinfo=UTC))),
        ("2025-08-01", DateLit(date(2025, 8, 1))),
        ("TODAY", DateRangeLit("TODAY")),
        ("last_n_days:30", DateRangeLit("LAST_N_DAYS", 30)),
        (":accountId", BindVar("accountId")),
    ],
)
def test_values(text, value):
    assert where(f"X = {text}") == Comparison(FieldRef(("X",)), "=", value)


def test_operators():
    ops = ["=", "!=", "<", "<=", ">", ">="]
    for op in ops:
        assert where(f"Amount {op} 5").op == op  # type: ignore[union-attr]
    assert where("Amount <> 5").op == "!="  # type: ignore[union-attr]
    assert where("Name LIKE 'Ac%'") == Comparison(FieldRef(("Name",)), "LIKE", StringLit("Ac%", "Ac%"))


def test_in_not_in_includes_and_semijoin():
    assert where("Id NOT IN ('a', 'b')") == InCondition(
        FieldRef(("Id",)), (StringLit("a", "a"), StringLit("b", "b")), negated=True
    )
    assert where("Tags__c INCLUDES ('x;y', 'z')") == IncludesCondition(
        FieldRef(("Tags__c",)), "INCLUDES", (StringLit("x;y", "x;y"), StringLit("z", "z"))
    )
    semi = where("Id IN (SELECT AccountId FROM Contact)")
    assert isinstance(semi, InCondition) and isinstance(semi.values, Query)


def test_clauses():
    q = parse(
        "SELECT Industry, COUNT(Id) FROM Account USING SCOPE Mine WHERE Name != null WITH SECURITY_ENFORCED "
        "GROUP BY Industry HAVING COUNT(Id) > 1 ORDER BY Industry DESC NULLS LAST, Name LIMIT 10 OFFSET 20 FOR VIEW"
    )
    assert q.using_scope == "Mine"
    assert q.with_clause == "SECURITY_ENFORCED"
    assert q.group_by == (FieldRef(("Industry",)),)
    assert q.having is not None
    assert q.order_by == (
        OrderItem(FieldRef(("Industry",)), descending=True, nulls_last=True),
        OrderItem(FieldRef(("Name",))),
    )
    assert (q.limit, q.offset, q.for_clause) == (10, 20, ("VIEW",))


def test_object_alias_is_stripped():
    q = parse("SELECT a.Name, a.Owner.Name FROM Account a WHERE a.Name = 'x' ORDER BY a.Name")
    assert q.alias == "a"
    assert q.selected_fields() == [FieldRef(("Name",)), FieldRef(("Owner", "Name"))]


def test_real_queries_from_the_reference():
    elf = parse(
        "SELECT Id,EventType,LogDate,Interval,Sequence,LogFileLength,LogFileFieldNames,CreatedDate FROM "
        "EventLogFile WHERE CreatedDate>2025-08-01T00:00:00Z AND EventType='Login' ORDER BY CreatedDate"
    )
    assert elf.sobject == "EventLogFile" and len(elf.select) == 8
    sea = parse("SELECT Parent.Name, Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityId = '0H4000000000001'")
    assert sea.field_refs()[1] == FieldRef(("Parent", "Profile", "Name"))
    recon = parse("SELECT COUNT() FROM Case")
    assert recon.is_count
    case = parse("SELECT Id, Subject, Description FROM Case LIMIT 10000")
    assert case.limit == 10000


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("SELECT Id FROM", 14, "expected an object name"),
        ("SELECT Id FROM Account WHERE Name = 'open", 36, "unterminated string"),
        ('SELECT Id FROM Account WHERE Name = "x"', 36, "single quotes"),
        ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS", 43, "needs a number"),
        ("SELECT Id FROM Account WHERE Name = open", 36, "unknown value"),
        ("SELECT Id FROM Account LIMIT 5 garbage", 31, "unexpected text"),
        ("SELECT Id FROM Account WHERE Name = 'a\\qb'", 38, "invalid escape"),
        ("", 0, "empty query"),
    ],
)
def test_errors_have_positions(text, position, fragment):
    with pytest.raises(SoqlError) as err:
        parse(text)
    assert err.value.position == position
    assert fragment in err.value.message
    assert f"at position {position}" in str(err.value)
