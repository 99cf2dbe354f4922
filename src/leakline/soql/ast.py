"""Typed syntax tree of a SOQL query (what :func:`leakline.soql.parse` returns).

Every node is a frozen dataclass, so trees compare by value and can be hashed; ``str(node)``
is not defined on purpose: use :func:`leakline.soql.to_soql` to render a tree back to text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias


@dataclass(frozen=True)
class FieldRef:
    """A field, possibly through relationships: ``Name`` → ``("Name",)``, ``Owner.Name`` → two parts."""

    path: tuple[str, ...]

    @property
    def name(self) -> str:
        """Dotted form as written (``Owner.Name``)."""
        return ".".join(self.path)

    @property
    def is_relationship(self) -> bool:
        """True when the field is read through at least one relationship."""
        return len(self.path) > 1


@dataclass(frozen=True)
class FunctionCall:
    """``COUNT()``, ``COUNT(Id)``, ``MAX(CreatedDate)``, ``CALENDAR_YEAR(CreatedDate)``, ``FORMAT(x)``…"""

    name: str  # upper-case
    args: tuple[Expr, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        """True for aggregate functions (COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG)."""
        return self.name in AGGREGATES


AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG", "GROUPING"})

Expr: TypeAlias = FieldRef | FunctionCall


@dataclass(frozen=True)
class StringLit:
    """A quoted string. ``value`` is decoded; ``raw`` is the text between the quotes (LIKE needs it)."""

    value: str
    raw: str


@dataclass(frozen=True)
class NumberLit:
    """An integer or decimal number."""

    value: Decimal


@dataclass(frozen=True)
class BoolLit:
    value: bool


@dataclass(frozen=True)
class NullLit:
    pass


@dataclass(frozen=True)
class DateTimeLit:
    """Unquoted ISO-8601 date-time (``2025-08-01T00:00:00Z``), held in UTC."""

    value: datetime


@dataclass(frozen=True)
class DateLit:
    """Unquoted date (``2025-08-01``)."""

    value: date


@dataclass(frozen=True)
class DateRangeLit:
    """A relative date literal: ``TODAY``, ``LAST_N_DAYS:30``… (``n`` is None for fixed ones)."""

    name: str  # upper-case
    n: int | None = None


@dataclass(frozen=True)
class BindVar:
    """An Apex bind variable (``:accountIds``); it appears in SOQL captured from Apex."""

    name: str


Value: TypeAlias = StringLit | NumberLit | BoolLit | NullLit | DateTimeLit | DateLit | DateRangeLit | BindVar

COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=", "LIKE")


@dataclass(frozen=True)
class Comparison:
    """``left op value`` with op in =, !=, <, <=, >, >=, LIKE (``<>`` is normalised to ``!=``)."""

    left: Expr
    op: str
    value: Value


@dataclass(frozen=True)
class InCondition:
    """``left [NOT] IN (v1, v2…)`` or a semi-join ``left [NOT] IN (SELECT …)``."""

    left: Expr
    values: tuple[Value, ...] | Query
    negated: bool = False


@dataclass(frozen=True)
class IncludesCondition:
    """``left INCLUDES|EXCLUDES ('a;b', 'c')`` on multi-select picklists."""

    left: Expr
    op: str  # INCLUDES or EXCLUDES
    values: tuple[StringLit, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition: TypeAlias = Comparison | InCondition | IncludesCondition | And | Or | Not


@dataclass(frozen=True)
class SelectField:
    """A field or function in the select list, with its alias if one was given."""

    expr: Expr
    alias: str | None = None


@dataclass(frozen=True)
class SubQuery:
    """A parent-to-child subquery in the select list (``(SELECT Id FROM Contacts)``)."""

    query: Query


@dataclass(frozen=True)
class FieldsMacro:
    """``FIELDS(ALL|STANDARD|CUSTOM)``."""

    kind: str


@dataclass(frozen=True)
class TypeOf:
    """``TYPEOF rel WHEN Type THEN fields… ELSE fields… END`` (kept as parsed, not evaluated)."""

    relationship: str
    whens: tuple[tuple[str, tuple[FieldRef, ...]], ...]
    otherwise: tuple[FieldRef, ...] = ()


SelectItem: TypeAlias = SelectField | SubQuery | FieldsMacro | TypeOf


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY term. Salesforce sorts nulls first unless NULLS LAST is given."""

    expr: Expr
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed SOQL statement."""

    select: tuple[SelectItem, ...]
    sobject: str
    alias: str | None = None
    where: Condition | None = None
    group_by: tuple[Expr, ...] = ()
    group_by_kind: str | None = None  # ROLLUP or CUBE
    having: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    using_scope: str | None = None
    with_clause: str | None = None
    for_clause: tuple[str, ...] = ()
    all_rows: bool = False
    text: str = field(default="", compare=False)

    @property
    def is_count(self) -> bool:
        """True for ``SELECT COUNT() FROM …`` (the result is a number, not rows)."""
        return (
            len(self.select) == 1
            and isinstance(self.select[0], SelectField)
            and isinstance(self.select[0].expr, FunctionCall)
            and self.select[0].expr.name == "COUNT"
            and not self.select[0].expr.args
        )

    @property
    def is_aggregate(self) -> bool:
        """True when the query returns AggregateResult rows (aggregate functions or GROUP BY)."""
        if self.is_count:
            return False
        if self.group_by:
            return True
        return any(isinstance(item, SelectField) and _has_aggregate(item.expr) for item in self.select)

    def field_refs(self) -> list[FieldRef]:
        """Every field of this object the query reads (select, where, group, having, order), in order."""
        seen: dict[FieldRef, None] = {}
        for item in self.select:
            if isinstance(item, SelectField):
                _collect_expr(item.expr, seen)
        for cond in (self.where, self.having):
            if cond is not None:
                _collect_cond(cond, seen)
        for expr in self.group_by:
            _collect_expr(expr, seen)
        for order in self.order_by:
            _collect_expr(order.expr, seen)
        return list(seen)

    def selected_fields(self) -> list[FieldRef]:
        """Fields in the select list only (what a caller receives), in order."""
        seen: dict[FieldRef, None] = {}
        for item in self.select:
            if isinstance(item, SelectField):
                _collect_expr(item.expr, seen)
            elif isinstance(item, TypeOf):
                for _, refs in item.whens:
                    for ref in refs:
                        seen[FieldRef((item.relationship, *ref.path))] = None
        return list(seen)

    def subqueries(self) -> list[Query]:
        """Child subqueries in the select list and semi-join subqueries in WHERE."""
        found = [item.query for item in self.select if isinstance(item, SubQuery)]
        if self.where is not None:
            _collect_semijoins(self.where, found)
        return found


def _has_aggregate(expr: Expr) -> bool:
    return isinstance(expr, FunctionCall) and (expr.is_aggregate or any(_has_aggregate(a) for a in expr.args))


def _collect_expr(expr: Expr, seen: dict[FieldRef, None]) -> None:
    if isinstance(expr, FieldRef):
        seen[expr] = None
    else:
        for arg in expr.args:
            _collect_expr(arg, seen)


def _collect_cond(cond: Condition, seen: dict[FieldRef, None]) -> None:
    if isinstance(cond, (And, Or)):
        for item in cond.items:
            _collect_cond(item, seen)
    elif isinstance(cond, Not):
        _collect_cond(cond.item, seen)
    else:
        _collect_expr(cond.left, seen)


def _collect_semijoins(cond: Condition, found: list[Query]) -> None:
    if isinstance(cond, (And, Or)):
        for item in cond.items:
            _collect_semijoins(item, found)
    elif isinstance(cond, Not):
        _collect_semijoins(cond.item, found)
    elif isinstance(cond, InCondition) and isinstance(cond.values, Query):
        found.append(cond.values)
