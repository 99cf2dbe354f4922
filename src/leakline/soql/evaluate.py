"""Evaluate a parsed SOQL query over plain dict records (what the emulator and offline tools need).

Semantics follow Salesforce where it matters for forensics:
- text comparisons (``=``, ``!=``, ``LIKE``, ordering) are case-insensitive; an empty string is null;
- ``!=`` matches records whose field is null; ``<``/``>`` never match null;
- a 15-char id literal matches the 18-char id in the record (and the reverse);
- ORDER BY sorts nulls first unless ``NULLS LAST``; LIMIT/OFFSET apply after sorting;
- ``COUNT()`` returns only a size; other aggregates return AggregateResult-like rows
  (``expr0``, ``expr1``… unless aliased).
Relationship fields are followed one level: ``Owner.Name`` reads the record's ``OwnerId``
(``Vendor__r.Name`` reads ``Vendor__c``) and looks the parent up through ``related``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from leakline.core.sfid import to18
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
    FunctionCall,
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
from leakline.soql.dates import date_range, datetime_range
from leakline.soql.errors import SoqlError, SoqlFieldError, SoqlUnsupportedError
from leakline.soql.format import quote_string
from leakline.soql.parser import parse

Record = Mapping[str, Any]
# Either {relationship name (any case): {18-char id: parent record}} or a function
# (relationship name, parent id as stored in the child record) -> parent record or None.
Related = Mapping[str, Mapping[str, Record]] | Callable[[str, str], Record | None]

_PASSTHROUGH_FUNCS = frozenset({"TOLABEL", "FORMAT", "CONVERTCURRENCY", "CONVERTTIMEZONE"})
_DATE_FUNCS = frozenset(
    {
        "CALENDAR_YEAR",
        "CALENDAR_MONTH",
        "CALENDAR_QUARTER",
        "DAY_IN_MONTH",
        "DAY_IN_WEEK",
        "DAY_IN_YEAR",
        "HOUR_IN_DAY",
        "DAY_ONLY",
        "WEEK_IN_YEAR",
        "WEEK_IN_MONTH",
    }
)
_ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_SF_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class QueryResult:
    """Rows a query returns. For ``COUNT()`` ``records`` is empty and ``total_size`` is the count."""

    records: list[dict[str, Any]] = field(default_factory=list)
    total_size: int = 0
    count_only: bool = False
    # For plain (non-aggregate) queries: the input record each output row came from.
    sources: list[Record] = field(default_factory=list)


def relationship_field(relationship: str) -> str:
    """Name of the lookup field behind a relationship: ``Owner`` → ``OwnerId``, ``X__r`` → ``X__c``."""
    if relationship.lower().endswith("__r"):
        return relationship[:-3] + "__c"
    return relationship + "Id"


def parse_sf_datetime(value: Any) -> datetime | None:
    """Parse a date-time as Salesforce writes it (``2026-03-01T09:00:00.000+0000``) or ISO-8601."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str):
        return None
    match = _SF_DATETIME_RE.match(value.strip())
    if not match:
        if len(value) == 10:
            try:
                d = date.fromisoformat(value)
            except ValueError:
                return None
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        return None
    day, clock, frac, zone = match.groups()
    frac = (frac or "")[:7]
    zone = zone or "Z"
    if zone == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        return datetime.fromisoformat(f"{day}T{clock}{frac}{zone}").astimezone(UTC)
    except ValueError:
        return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    parsed = parse_sf_datetime(value)
    return parsed.date() if parsed else None


def _is_date_only(value: Any) -> bool:
    return (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and len(value) == 10
    )


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    return None


def _is_null(value: Any) -> bool:
    return value is None or value == ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _norm_text(value: str) -> str:
    """Case-folded text; ids are brought to their 18-char form so 15- and 18-char ids compare equal."""
    if _ID_RE.match(value):
        try:
            return to18(value).casefold()
        except ValueError:
            return value.casefold()
    return value.casefold()


def like_to_regex(raw: str) -> re.Pattern[str]:
    """Compile a LIKE pattern (its raw quoted text) into a case-insensitive regex."""
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(re.escape(escapes.get(nxt, nxt)))
            i += 2
            continue
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


class _Evaluator:
    def __init__(
        self,
        query: Query,
        related: Related | None,
        fields: Collection[str] | None,
        now: datetime | None,
    ) -> None:
        self.query = query
        self.related = related
        self.now = now
        self.canonical: dict[str, str] = {f.lower(): f for f in fields} if fields is not None else {}
        self.validate = fields is not None
        self._related_index: dict[str, Mapping[str, Record]] | None = None
        self._like_cache: dict[str, re.Pattern[str]] = {}
        if isinstance(related, Mapping):
            self._related_index = {k.lower(): v for k, v in related.items()}

    # -- field access --------------------------------------------------------------------
    def check_field(self, ref: FieldRef) -> None:
        if not self.validate:
            return
        first = ref.path[0]
        name = first if len(ref.path) == 1 else relationship_field(first)
        if name.lower() not in self.canonical:
            raise SoqlFieldError(ref.name, self.query.sobject)

    def canonical_name(self, name: str, record: Record | None = None) -> str:
        known = self.canonical.get(name.lower())
        if known:
            return known
        if record is not None:
            for key in record:
                if key.lower() == name.lower():
                    return key
        return name

    @staticmethod
    def get_plain(record: Record, name: str) -> Any:
        if name in record:
            return record[name]
        lowered = name.lower()
        for key, value in record.items():
            if key.lower() == lowered:
                return value
        return None

    def parent(self, record: Record, relationship: str) -> Record | None:
        nested = self.get_plain(record, relationship)
        if isinstance(nested, Mapping):
            return nested
        ref_id = self.get_plain(record, relationship_field(relationship))
        if _is_null(ref_id) or self.related is None:
            return None
        ref = str(ref_id)
        if callable(self.related):
            return self.related(relationship, ref)
        assert self._related_index is not None
        table = self._related_index.get(relationship.lower())
        if table is None:
            return None
        found = table.get(ref)
        if found is None and len(ref) == 15:
            try:
                found = table.get(to18(ref))
            except ValueError:
                return None
        return found

    def get(self, record: Record, ref: FieldRef) -> Any:
        if len(ref.path) == 1:
            return self.get_plain(record, ref.path[0])
        if len(ref.path) > 2:
            raise SoqlUnsupportedError(
                f"relationship path {ref.name} goes more than one level deep; only one level is supported"
            )
        parent = self.parent(record, ref.path[0])
        if parent is None:
            return None
        return self.get_plain(parent, ref.path[1])

    def value_of(self, record: Record, expr: Expr) -> Any:
        if isinstance(expr, FieldRef):
            return self.get(record, expr)
        if expr.name in _PASSTHROUGH_FUNCS and expr.args:
            return self.value_of(record, expr.args[0])
        if expr.name in _DATE_FUNCS and len(expr.args) == 1:
            return _date_function(expr.name, self.value_of(record, expr.args[0]))
        if expr.is_aggregate:
            raise SoqlError(f"aggregate {expr.name}() is not allowed here")
        raise SoqlUnsupportedError(f"function {expr.name}() is not supported")

    # -- conditions ----------------------------------------------------------------------
    def matches(self, record: Record, cond: Condition, getter: Callable[[Expr], Any] | None = None) -> bool:
        get = getter or (lambda expr: self.value_of(record, expr))
        if isinstance(cond, And):
            return all(self.matches(record, c, getter) for c in cond.items)
        if isinstance(cond, Or):
            return any(self.matches(record, c, getter) for c in cond.items)
        if isinstance(cond, Not):
            return not self.matches(record, cond.item, getter)
        if isinstance(cond, Comparison):
            return self.compare(get(cond.left), cond.op, cond.value)
        if isinstance(cond, InCondition):
            if isinstance(cond.values, Query):
                raise SoqlUnsupportedError("semi-join subqueries (IN (SELECT …)) are not supported")
            value = get(cond.left)
            if _is_null(value):
                hit = any(isinstance(v, NullLit) for v in cond.values)
                return hit != cond.negated if hit else cond.negated
            hit = any(self.compare(value, "=", v) for v in cond.values)
            return hit != cond.negated
        if isinstance(cond, IncludesCondition):
            value = get(cond.left)
            selected = (
                {s.strip().casefold() for s in _text(value).split(";")} if not _is_null(value) else set()
            )
            hit = any(
                {p.strip().casefold() for p in v.value.split(";")} <= selected and bool(selected)
                for v in cond.values
            )
            return hit if cond.op == "INCLUDES" else not hit
        raise SoqlError(f"unknown condition {type(cond).__name__}")

    def compare(self, value: Any, op: str, lit: Value) -> bool:
        if isinstance(lit, BindVar):
            raise SoqlUnsupportedError(f"bind variable :{lit.name} has no value outside Apex")
        if isinstance(lit, NullLit):
            if op == "=":
                return _is_null(value)
            if op == "!=":
                return not _is_null(value)
            return False
        if _is_null(value):
            return op == "!="
        if op == "LIKE":
            assert isinstance(lit, StringLit)
            pattern = self._like_cache.get(lit.raw)
            if pattern is None:
                pattern = self._like_cache[lit.raw] = like_to_regex(lit.raw)
            return pattern.fullmatch(_text(value)) is not None
        if isinstance(lit, DateRangeLit):
            return self._compare_range(value, op, lit)
        left, right = self._coerce(value, lit)
        if left is None or right is None:
            return op == "!="
        try:
            if op == "=":
                return bool(left == right)
            if op == "!=":
                return bool(left != right)
            if op == "<":
                return bool(left < right)
            if op == "<=":
                return bool(left <= right)
            if op == ">":
                return bool(left > right)
            if op == ">=":
                return bool(left >= right)
        except TypeError:
            return False
        raise SoqlError(f"unknown operator {op}")

    def _coerce(self, value: Any, lit: Value) -> tuple[Any, Any]:
        if isinstance(lit, StringLit):
            return _norm_text(_text(value)), _norm_text(lit.value)
        if isinstance(lit, NumberLit):
            return _as_number(value), lit.value
        if isinstance(lit, BoolLit):
            return _as_bool(value), lit.value
        if isinstance(lit, DateTimeLit):
            if _is_date_only(value):
                return _as_date(value), lit.value.date()
            return parse_sf_datetime(value), lit.value
        if isinstance(lit, DateLit):
            return _as_date(value), lit.value
        return None, None

    def _compare_range(self, value: Any, op: str, lit: DateRangeLit) -> bool:
        if self.now is None:
            raise SoqlError(f"{lit.name} needs the current time; pass now= to evaluate()")
        left: Any
        if _is_date_only(value):
            left = _as_date(value)
            start, end = date_range(lit.name, lit.n, self.now)
            lo: Any = start
            hi: Any = end
        else:
            left = parse_sf_datetime(value)
            lo, hi = datetime_range(lit.name, lit.n, self.now)
        if left is None:
            return op == "!="
        inside = bool(lo <= left < hi)
        if op == "=":
            return inside
        if op == "!=":
            return not inside
        if op == "<":
            return bool(left < lo)
        if op == "<=":
            return bool(left < hi)
        if op == ">":
            return bool(left >= hi)
        if op == ">=":
            return bool(left >= lo)
        return False

    # -- sorting -------------------------------------------------------------------------
    def sort(self, rows: list[Any], value: Callable[[Any, Expr], Any]) -> list[Any]:
        for item in reversed(self.query.order_by):
            keyed = [(row, _sort_key(value(row, item.expr))) for row in rows]
            nulls = [row for row, key in keyed if key is None]
            present = [(row, key) for row, key in keyed if key is not None]
            present.sort(key=lambda pair: pair[1], reverse=item.descending)
            ordered = [row for row, _ in present]
            rows = ordered + nulls if item.nulls_last else nulls + ordered
        return rows


def _sort_key(value: Any) -> tuple[int, Any] | None:
    if _is_null(value):
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float, Decimal)):
        return (1, Decimal(str(value)))
    if isinstance(value, (datetime, date)):
        parsed = parse_sf_datetime(value)
        return (2, parsed)
    text = _text(value)
    parsed = parse_sf_datetime(text) if text[:1].isdigit() else None
    if parsed is not None:
        return (2, parsed)
    return (3, text.casefold())


def _date_function(name: str, value: Any) -> Any:
    moment = parse_sf_datetime(value)
    if moment is None:
        return None
    if name == "DAY_ONLY":
        return moment.date().isoformat()
    table: dict[str, int] = {
        "CALENDAR_YEAR": moment.year,
        "CALENDAR_MONTH": moment.month,
        "CALENDAR_QUARTER": (moment.month - 1) // 3 + 1,
        "DAY_IN_MONTH": moment.day,
        "DAY_IN_WEEK": (moment.weekday() + 1) % 7 + 1,  # 1 = Sunday
        "DAY_IN_YEAR": moment.timetuple().tm_yday,
        "HOUR_IN_DAY": moment.hour,
        "WEEK_IN_YEAR": (moment.timetuple().tm_yday - 1) // 7 + 1,
        "WEEK_IN_MONTH": (moment.day - 1) // 7 + 1,
    }
    return table[name]


def evaluate(
    query: Query | str,
    records: Iterable[Record],
    *,
    related: Related | None = None,
    fields: Collection[str] | None = None,
    now: datetime | None = None,
    semijoin: Callable[[Query], Iterable[Any]] | None = None,
) -> QueryResult:
    """Run ``query`` over ``records`` (dicts keyed by API field name).

    ``related`` resolves one-level relationship fields; ``fields`` (the object's field names)
    gives canonical field-name case, expands ``FIELDS(...)`` and makes unknown fields an
    error (:class:`SoqlFieldError`); ``now`` is needed for ``TODAY``/``LAST_N_DAYS:n``;
    ``semijoin`` runs the inner query of ``… IN (SELECT x FROM …)`` and returns its values.
    Raises :class:`SoqlUnsupportedError` for child subqueries, TYPEOF, bind variables and
    semi-joins when no ``semijoin`` is given.
    """
    parsed = parse(query) if isinstance(query, str) else query
    if semijoin is not None and parsed.where is not None:
        parsed = replace(parsed, where=_resolve_semijoins(parsed.where, semijoin))
    ev = _Evaluator(parsed, related, fields, now)
    for item in parsed.select:
        if isinstance(item, SubQuery):
            raise SoqlUnsupportedError(
                f"child subqueries (SELECT … FROM {item.query.sobject}) are not supported; query the child "
                "object separately"
            )
        if isinstance(item, TypeOf):
            raise SoqlUnsupportedError("TYPEOF is not supported")
    for ref in parsed.field_refs():
        ev.check_field(ref)
    where = parsed.where
    matched = [r for r in records if where is None or ev.matches(r, where)]

    if parsed.is_count:
        total = len(matched)
        if parsed.offset:
            total = max(0, total - parsed.offset)
        if parsed.limit is not None:
            total = min(total, parsed.limit)
        return QueryResult([], total, True)

    if parsed.is_aggregate:
        rows = _aggregate(ev, parsed, matched)
        return QueryResult(rows, len(rows))

    matched = ev.sort(matched, ev.value_of)
    if parsed.offset:
        matched = matched[parsed.offset :]
    if parsed.limit is not None:
        matched = matched[: parsed.limit]
    projected = [_project(ev, parsed, r, matched_fields=fields) for r in matched]
    return QueryResult(projected, len(projected), sources=matched)


def _resolve_semijoins(cond: Condition, run: Callable[[Query], Iterable[Any]]) -> Condition:
    """Replace ``IN (SELECT …)`` by the literal values the inner query returns."""
    if isinstance(cond, And):
        return And(tuple(_resolve_semijoins(c, run) for c in cond.items))
    if isinstance(cond, Or):
        return Or(tuple(_resolve_semijoins(c, run) for c in cond.items))
    if isinstance(cond, Not):
        return Not(_resolve_semijoins(cond.item, run))
    if isinstance(cond, InCondition) and isinstance(cond.values, Query):
        values: list[Value] = [
            NullLit() if _is_null(v) else StringLit(_text(v), quote_string(_text(v))[1:-1])
            for v in run(cond.values)
        ]
        # an empty IN list matches nothing (NOT IN matches everything)
        return InCondition(cond.left, tuple(values), cond.negated)
    return cond


def _project(
    ev: _Evaluator, query: Query, record: Record, matched_fields: Collection[str] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in query.select:
        if isinstance(item, FieldsMacro):
            names: Sequence[str] = list(matched_fields) if matched_fields is not None else list(record)
            for name in names:
                custom = name.endswith("__c")
                if item.kind == "ALL" or (item.kind == "CUSTOM") == custom:
                    out[name] = ev.get_plain(record, name)
            continue
        assert isinstance(item, SelectField)
        expr = item.expr
        if isinstance(expr, FunctionCall):
            if expr.name not in _PASSTHROUGH_FUNCS and expr.name not in _DATE_FUNCS:
                raise SoqlUnsupportedError(f"function {expr.name}() is not supported in the select list")
            inner = expr.args[0] if expr.args else None
            key = item.alias or (
                ev.canonical_name(inner.path[-1], record) if isinstance(inner, FieldRef) else "expr0"
            )
            out[key] = ev.value_of(record, expr)
            continue
        if len(expr.path) == 1:
            out[item.alias or ev.canonical_name(expr.path[0], record)] = ev.get(record, expr)
            continue
        rel = expr.path[0]
        parent = ev.parent(record, rel)
        existing_key = next((k for k in out if k.lower() == rel.lower()), rel)
        if parent is None:
            out.setdefault(existing_key, None)
            continue
        nested = out.get(existing_key)
        if not isinstance(nested, dict):
            # a parent that carries Salesforce "attributes" keeps them (REST response shape)
            nested = {"attributes": parent["attributes"]} if "attributes" in parent else {}
            out[existing_key] = nested
        canonical_parent = next((k for k in parent if k.lower() == expr.path[1].lower()), expr.path[1])
        nested[canonical_parent] = ev.get_plain(parent, expr.path[1])
    return out


def _aggregate(ev: _Evaluator, query: Query, records: list[Record]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[Record]] = {}
    if query.group_by:
        for rec in records:
            key = tuple(_group_key(ev.value_of(rec, g)) for g in query.group_by)
            groups.setdefault(key, []).append(rec)
    else:
        groups[()] = records

    def agg_value(members: list[Record], expr: Expr) -> Any:
        if isinstance(expr, FunctionCall) and expr.is_aggregate:
            return _aggregate_value(ev, expr, members)
        return ev.value_of(members[0], expr) if members else None

    rows: list[tuple[list[Record], dict[str, Any]]] = []
    for members in groups.values():
        if query.having is not None:

            def group_getter(expr: Expr, group: list[Record] = members) -> Any:
                return agg_value(group, expr)

            if not ev.matches({}, query.having, group_getter):
                continue
        row: dict[str, Any] = {}
        unnamed = 0
        for item in query.select:
            if not isinstance(item, SelectField):
                raise SoqlUnsupportedError(
                    "only fields and aggregate functions may be selected with GROUP BY"
                )
            if item.alias:
                column = item.alias
            elif isinstance(item.expr, FieldRef):
                column = ev.canonical_name(item.expr.path[-1], members[0] if members else None)
            else:
                column = f"expr{unnamed}"
                unnamed += 1
            row[column] = agg_value(members, item.expr)
        rows.append((members, row))
    ordered = ev.sort(rows, lambda pair, expr: agg_value(pair[0], expr))
    result = [row for _, row in ordered]
    if query.offset:
        result = result[query.offset :]
    if query.limit is not None:
        result = result[: query.limit]
    return result


def _group_key(value: Any) -> Any:
    if _is_null(value):
        return None
    if isinstance(value, str):
        return _norm_text(value)
    return value


def _aggregate_value(ev: _Evaluator, func: FunctionCall, members: list[Record]) -> Any:
    if func.name == "COUNT" and not func.args:
        return len(members)
    if len(func.args) != 1:
        raise SoqlError(f"{func.name}() takes one field")
    values = [v for v in (ev.value_of(m, func.args[0]) for m in members) if not _is_null(v)]
    if func.name == "COUNT":
        return len(values)
    if func.name == "COUNT_DISTINCT":
        return len({_group_key(v) for v in values})
    if not values:
        return None
    if func.name in ("SUM", "AVG"):
        numbers = [n for n in (_as_number(v) for v in values) if n is not None]
        if not numbers:
            return None
        total = sum(numbers, Decimal(0))
        result = total if func.name == "SUM" else total / len(numbers)
        return int(result) if result == int(result) else float(result)
    if func.name in ("MIN", "MAX"):
        keyed = [(k, v) for v, k in ((v, _sort_key(v)) for v in values) if k is not None]
        try:
            chosen = min(keyed, key=lambda p: p[0]) if func.name == "MIN" else max(keyed, key=lambda p: p[0])
        except TypeError:
            raise SoqlError(f"{func.name}() over mixed value types") from None
        return chosen[1]
    raise SoqlUnsupportedError(f"aggregate {func.name}() is not supported")
