"""format_soql quoting and to_soql rendering, with property tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakline.soql import (
    And,
    BoolLit,
    Comparison,
    DateLit,
    DateRangeLit,
    DateTimeLit,
    FieldRef,
    InCondition,
    Not,
    NullLit,
    NumberLit,
    Or,
    OrderItem,
    Query,
    SelectField,
    StringLit,
    evaluate,
    format_soql,
    parse,
    to_soql,
)


def test_values_are_quoted():
    text = format_soql(
        "SELECT Id FROM User WHERE Username = {} AND Id IN {ids} AND CreatedDate > {since} AND IsActive = {}",
        "o'brien@x.test",
        True,
        ids=["005000000000001", "005000000000002"],
        since=datetime(2025, 8, 1, 2, 0, tzinfo=UTC),
    )
    assert text == (
        "SELECT Id FROM User WHERE Username = 'o\\'brien@x.test' AND Id IN ('005000000000001','005000000000002') "
        "AND CreatedDate > 2025-08-01T02:00:00Z AND IsActive = true"
    )


def test_like_and_literal_specs():
    text = format_soql("SELECT {:literal} FROM Account WHERE Name LIKE '{:like}%'", "Name", "50%_off")
    assert text == "SELECT Name FROM Account WHERE Name LIKE '50\\%\\_off%'"
    assert evaluate(text, [{"Name": "50%_off sale"}, {"Name": "50 off"}]).total_size == 1


def test_injection_attempt_stays_one_value():
    evil = "x' OR Name != '"
    q = parse(format_soql("SELECT Id FROM Account WHERE Name = {}", evil))
    assert q.where == Comparison(FieldRef(("Name",)), "=", StringLit(evil, "x\\' OR Name != \\'"))


def test_unquotable_values_are_refused():
    with pytest.raises(ValueError):
        format_soql("SELECT Id FROM A WHERE X = {}", object())
    with pytest.raises(ValueError):
        format_soql("SELECT Id FROM A WHERE X IN {}", [])
    with pytest.raises(ValueError):
        format_soql("SELECT Id FROM A WHERE X > {}", datetime(2025, 1, 1))  # naive: zone unknown


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_string_round_trips_through_format_and_parse(value):
    q = parse(format_soql("SELECT Id FROM Account WHERE Name = {}", value))
    assert isinstance(q.where, Comparison)
    assert isinstance(q.where.value, StringLit)
    assert q.where.value.value == value


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1))
def test_escaped_like_matches_only_the_literal_text(value):
    text = format_soql("SELECT Id FROM A WHERE Name LIKE '{:like}'", value)
    assert evaluate(text, [{"Id": "1", "Name": value}]).total_size == 1
    if "%" in value or "_" in value:
        other = value.replace("%", "x").replace("_", "y")
        assert evaluate(text, [{"Id": "1", "Name": other}]).total_size == (1 if other.lower() == value.lower() else 0)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)))
def test_datetimes_round_trip_to_the_millisecond(moment):
    q = parse(format_soql("SELECT Id FROM A WHERE CreatedDate = {}", moment))
    assert isinstance(q.where, Comparison) and isinstance(q.where.value, DateTimeLit)
    assert q.where.value.value == moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# -- random syntax trees render and parse back to themselves -----------------------------------

names = st.from_regex(r"[A-Z][A-Za-z0-9]{0,6}(__c)?", fullmatch=True).filter(
    lambda n: n.upper() not in {"FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "LIMIT", "OFFSET",
                                "GROUP", "HAVING", "WITH", "USING", "FOR", "ASC", "DESC", "NULLS", "SELECT",
                                "TRUE", "FALSE", "NULL", "INCLUDES", "EXCLUDES", "ALL", "TYPEOF", "END", "FIELDS",
                                "UPDATE", "VIEW", "REFERENCE", "WHEN", "THEN", "ELSE", "TRACKING"}
)
fields = st.builds(lambda parts: FieldRef(tuple(parts)), st.lists(names, min_size=1, max_size=2))


def _string_lit(text: str) -> StringLit:
    quoted = format_soql("{}", text)
    return StringLit(text, quoted[1:-1])


values = st.one_of(
    st.text(max_size=8).map(_string_lit),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6).map(NumberLit),
    st.integers(-1000, 1000).map(lambda i: NumberLit(Decimal(i))),
    st.booleans().map(BoolLit),
    st.just(NullLit()),
    st.dates(min_value=date(1980, 1, 1), max_value=date(2090, 1, 1)).map(DateLit),
    st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)).map(
        lambda d: DateTimeLit(d.replace(microsecond=0))
    ),
    st.sampled_from(["TODAY", "YESTERDAY", "THIS_MONTH", "LAST_90_DAYS"]).map(DateRangeLit),
    st.integers(1, 400).map(lambda n: DateRangeLit("LAST_N_DAYS", n)),
)
comparisons = st.builds(Comparison, fields, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), values)
ins = st.builds(InCondition, fields, st.lists(values, min_size=1, max_size=3).map(tuple), st.booleans())
conditions = st.recursive(
    st.one_of(comparisons, ins),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=6,
)
queries = st.builds(
    lambda select, obj, where, order, limit, offset: Query(
        select=tuple(SelectField(f) for f in dict.fromkeys(select)),
        sobject=obj,
        where=where,
        order_by=tuple(order),
        limit=limit,
        offset=offset,
    ),
    st.lists(fields, min_size=1, max_size=4),
    names,
    st.none() | conditions,
    st.lists(st.builds(OrderItem, fields, st.booleans(), st.booleans()), max_size=2),
    st.none() | st.integers(0, 50000),
    st.none() | st.integers(0, 2000),
)


def _flatten(cond):
    """And/Or nest differently after a round trip only when an item is itself the same operator."""
    if isinstance(cond, (And, Or)):
        items = []
        for item in cond.items:
            item = _flatten(item)
            items.extend(item.items if type(item) is type(cond) else [item])
        return type(cond)(tuple(items))
    if isinstance(cond, Not):
        return Not(_flatten(cond.item))
    return cond


@settings(max_examples=100, deadline=None)
@given(queries)
def test_random_queries_round_trip(query):
    reparsed = parse(to_soql(query))
    expected = Query(
        select=query.select, sobject=query.sobject,
        where=_flatten(query.where) if query.where is not None else None,
        order_by=query.order_by, limit=query.limit, offset=query.offset,
    )
    got = Query(
        select=reparsed.select, sobject=reparsed.sobject,
        where=_flatten(reparsed.where) if reparsed.where is not None else None,
        order_by=reparsed.order_by, limit=reparsed.limit, offset=reparsed.offset,
    )
    assert got == expected


def test_relative_dates_cover_today_and_the_past_n_days():
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    rows = [{"D": (now - timedelta(days=k)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")} for k in range(5)]
    assert evaluate("SELECT D FROM X WHERE D = LAST_N_DAYS:2", rows, now=now).total_size == 3
    assert evaluate("SELECT D FROM X WHERE D = N_DAYS_AGO:4", rows, now=now).total_size == 1
