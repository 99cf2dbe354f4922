"""Building SOQL safely: a quoting helper (``format_soql``) and a renderer from the syntax tree.

``format_soql("SELECT Id FROM User WHERE Username = {}", name)`` quotes and escapes every
argument, so user input can never change the shape of a query. Format specs: ``{:literal}``
inserts the value as is (only for values you control, e.g. a field name from describe);
``{:like}`` escapes a value for use inside a LIKE pattern (without adding quotes).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from string import Formatter
from typing import Any

from leakline.soql.ast import (
    And,
    BindVar,
    BoolLit,
    Comparison,
    Condition,
    DateLit,
    DateRangeLit,
    DateTimeLit,
    Expr,
    FieldRef,
    FieldsMacro,
    IncludesCondition,
    InCondition,
    Not,
    NullLit,
    NumberLit,
    Or,
    Query,
    SelectField,
    StringLit,
    SubQuery,
    TypeOf,
    Value,
)

_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "'": "\\'",
        '"': '\\"',
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\b": "\\b",
        "\f": "\\f",
    }
)
_LIKE_ESCAPES = str.maketrans({"%": "\\%", "_": "\\_"})


def quote_string(value: str) -> str:
    """``O'Brien`` → ``'O\\'Brien'``."""
    return "'" + value.translate(_ESCAPES) + "'"


def format_datetime(value: datetime) -> str:
    """A SOQL date-time literal in UTC: ``2025-08-01T00:00:00Z`` (milliseconds kept if present)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: give it a time zone (UTC)")
    utc = value.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def quote_value(value: Any) -> str:
    """Quote a Python value as a SOQL literal; lists/tuples/sets become ``(a,b)`` for IN."""
    if isinstance(value, str):
        return quote_string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinity have no SOQL literal")
        return repr(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
        if not items:
            raise ValueError("an IN list needs at least one value")
        return "(" + ",".join(quote_value(v) for v in items) + ")"
    raise ValueError(f"cannot quote a {type(value).__name__} for SOQL")


class _SoqlFormatter(Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return quote_value(value)
        if format_spec == "literal":
            return str(value)
        if format_spec == "like":
            return str(value).translate(_ESCAPES).translate(_LIKE_ESCAPES)
        return str(super().format_field(value, format_spec))


def format_soql(template: str, *args: Any, **kwargs: Any) -> str:
    """Fill ``{}`` / ``{name}`` placeholders in ``template`` with quoted SOQL literals."""
    return _SoqlFormatter().vformat(template, args, kwargs)


# -- rendering a syntax tree back to text ----------------------------------------------------


def _expr(expr: Expr) -> str:
    if isinstance(expr, FieldRef):
        return expr.name
    return f"{expr.name}({', '.join(_expr(a) for a in expr.args)})"


def _value(value: Value) -> str:
    if isinstance(value, StringLit):
        return "'" + value.raw + "'"
    if isinstance(value, NumberLit):
        return str(value.value)
    if isinstance(value, BoolLit):
        return "true" if value.value else "false"
    if isinstance(value, NullLit):
        return "null"
    if isinstance(value, DateTimeLit):
        return format_datetime(value.value)
    if isinstance(value, DateLit):
        return value.value.isoformat()
    if isinstance(value, DateRangeLit):
        return value.name if value.n is None else f"{value.name}:{value.n}"
    assert isinstance(value, BindVar)
    return f":{value.name}"


def _cond(cond: Condition, top: bool = True) -> str:
    if isinstance(cond, (And, Or)):
        word = " AND " if isinstance(cond, And) else " OR "
        text = word.join(_cond(c, top=False) for c in cond.items)
        return text if top else f"({text})"
    if isinstance(cond, Not):
        return f"NOT {_cond(cond.item, top=False)}" if top else f"(NOT {_cond(cond.item, top=False)})"
    if isinstance(cond, Comparison):
        op = " LIKE " if cond.op == "LIKE" else f" {cond.op} "
        return f"{_expr(cond.left)}{op}{_value(cond.value)}"
    if isinstance(cond, InCondition):
        word = " NOT IN " if cond.negated else " IN "
        if isinstance(cond.values, Query):
            return f"{_expr(cond.left)}{word}({to_soql(cond.values)})"
        return f"{_expr(cond.left)}{word}({', '.join(_value(v) for v in cond.values)})"
    assert isinstance(cond, IncludesCondition)
    return f"{_expr(cond.left)} {cond.op} ({', '.join(_value(v) for v in cond.values)})"


def _fields(refs: Iterable[FieldRef]) -> str:
    return ", ".join(r.name for r in refs)


def to_soql(query: Query) -> str:
    """Render a parsed query as canonical SOQL text (``parse(to_soql(q)) == q``)."""
    items: list[str] = []
    for item in query.select:
        if isinstance(item, SelectField):
            items.append(_expr(item.expr) + (f" {item.alias}" if item.alias else ""))
        elif isinstance(item, SubQuery):
            items.append(f"({to_soql(item.query)})")
        elif isinstance(item, FieldsMacro):
            items.append(f"FIELDS({item.kind})")
        else:
            assert isinstance(item, TypeOf)
            whens = " ".join(f"WHEN {t} THEN {_fields(refs)}" for t, refs in item.whens)
            other = f" ELSE {_fields(item.otherwise)}" if item.otherwise else ""
            items.append(f"TYPEOF {item.relationship} {whens}{other} END")
    alias = f" {query.alias}" if query.alias else ""
    parts = [f"SELECT {', '.join(items)} FROM {query.sobject}{alias}"]
    if query.using_scope:
        parts.append(f"USING SCOPE {query.using_scope}")
    if query.where is not None:
        parts.append(f"WHERE {_cond(query.where)}")
    if query.with_clause:
        parts.append(f"WITH {query.with_clause}")
    if query.group_by:
        exprs = ", ".join(_expr(e) for e in query.group_by)
        parts.append(
            f"GROUP BY {query.group_by_kind}({exprs})" if query.group_by_kind else f"GROUP BY {exprs}"
        )
    if query.having is not None:
        parts.append(f"HAVING {_cond(query.having)}")
    if query.order_by:
        terms = []
        for o in query.order_by:
            term = _expr(o.expr) + (" DESC" if o.descending else " ASC")
            term += " NULLS LAST" if o.nulls_last else " NULLS FIRST"
            terms.append(term)
        parts.append("ORDER BY " + ", ".join(terms))
    if query.limit is not None:
        parts.append(f"LIMIT {query.limit}")
    if query.offset is not None:
        parts.append(f"OFFSET {query.offset}")
    if query.for_clause:
        parts.append("FOR " + ", ".join(query.for_clause))
    if query.all_rows:
        parts.append("ALL ROWS")
    return " ".join(parts)
