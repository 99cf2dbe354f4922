"""Tokenizer and recursive-descent parser for SOQL.

The grammar follows the SOQL reference (SELECT … FROM … [USING SCOPE] [WHERE] [WITH] [GROUP BY]
[HAVING] [ORDER BY] [LIMIT] [OFFSET] [FOR …] [ALL ROWS]). Keywords and function names are
case-insensitive; field and object names keep the case they were written with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

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
    OrderItem,
    Query,
    SelectField,
    SelectItem,
    StringLit,
    SubQuery,
    TypeOf,
    Value,
)
from leakline.soql.dates import FIXED_RANGES, N_RANGES
from leakline.soql.errors import SoqlError

_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\dT])")
_NUMBER_RE = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("<=", ">=", "!=", "<>", "=", "<", ">", "(", ")", ",", ".", ":", "[", "]")

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "%": "%",
    "_": "_",
}

# Words that end a select item, a FROM clause or an expression (never taken as an alias).
_CLAUSE_WORDS = frozenset(
    {
        "FROM",
        "WHERE",
        "WITH",
        "GROUP",
        "HAVING",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "FOR",
        "USING",
        "AND",
        "OR",
        "NOT",
        "ASC",
        "DESC",
        "NULLS",
        "ALL",
        "UPDATE",
        "VIEW",
        "REFERENCE",
        "TRACKING",
        "SELECT",
        "IN",
        "LIKE",
        "INCLUDES",
        "EXCLUDES",
        "END",
        "WHEN",
        "THEN",
        "ELSE",
        "TYPEOF",
    }
)


@dataclass(frozen=True)
class Token:
    kind: str  # IDENT STRING NUMBER DATETIME DATE OP EOF
    text: str
    pos: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    """Split SOQL text into tokens; raises SoqlError on characters SOQL does not allow."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            tokens.append(_lex_string(text, i))
            i = tokens[-1].pos + len(tokens[-1].text)
            continue
        if ch == '"':
            raise SoqlError("strings must be in single quotes", i)
        if ch.isdigit() or (ch == "-" and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] == ".")):
            match = _DATETIME_RE.match(text, i)
            if match:
                tokens.append(Token("DATETIME", match.group(), i, _parse_datetime(match.group(), i)))
                i = match.end()
                continue
            match = _DATE_RE.match(text, i)
            if match:
                tokens.append(Token("DATE", match.group(), i, _parse_date(match.group(), i)))
                i = match.end()
                continue
            match = _NUMBER_RE.match(text, i)
            if match:
                try:
                    number = Decimal(match.group())
                except InvalidOperation:
                    raise SoqlError(f"bad number {match.group()!r}", i) from None
                tokens.append(Token("NUMBER", match.group(), i, number))
                i = match.end()
                continue
        if ch == "." and i + 1 < n and text[i + 1].isdigit():
            match = _NUMBER_RE.match(text, i)
            if match:
                tokens.append(Token("NUMBER", match.group(), i, Decimal(match.group())))
                i = match.end()
                continue
        match = _IDENT_RE.match(text, i)
        if match:
            tokens.append(Token("IDENT", match.group(), i))
            i = match.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("OP", "!=" if op == "<>" else op, i))
                i += len(op)
                break
        else:
            raise SoqlError(f"unexpected character {ch!r}", i)
    tokens.append(Token("EOF", "", n))
    return tokens


def _lex_string(text: str, start: int) -> Token:
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                break
            nxt = text[i + 1]
            if nxt not in _ESCAPES:
                raise SoqlError(f"invalid escape sequence \\{nxt}", i)
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        if ch == "'":
            raw = text[start + 1 : i]
            return Token("STRING", text[start : i + 1], start, StringLit("".join(out), raw))
        out.append(ch)
        i += 1
    raise SoqlError("unterminated string", start)


def _parse_datetime(text: str, pos: int) -> datetime:
    normal = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", normal):
        normal = normal[:-2] + ":" + normal[-2:]
    # fromisoformat accepts at most 6 fraction digits
    normal = re.sub(r"(\.\d{6})\d+", r"\1", normal)
    try:
        return datetime.fromisoformat(normal).astimezone(UTC)
    except ValueError:
        raise SoqlError(f"invalid date-time {text!r}", pos) from None


def _parse_date(text: str, pos: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SoqlError(f"invalid date {text!r}", pos) from None


def parse(text: str) -> Query:
    """Parse SOQL text into a :class:`~leakline.soql.ast.Query`; raises :class:`SoqlError`."""
    if not text or not text.strip():
        raise SoqlError("empty query", 0)
    parser = _Parser(text, tokenize(text))
    query = parser.query()
    parser.expect_eof()
    return query


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    # -- token helpers -------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def is_kw(self, *words: str, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == "IDENT" and t.text.upper() in words

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "OP" and self.tok.text in ops

    def accept_kw(self, *words: str) -> bool:
        if self.is_kw(*words):
            self.advance()
            return True
        return False

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            self.fail(f"expected {word}")
        return self.advance()

    def expect_op(self, op: str) -> Token:
        if not self.is_op(op):
            self.fail(f"expected '{op}'")
        return self.advance()

    def fail(self, message: str) -> SoqlError:
        tok = self.tok
        found = "end of query" if tok.kind == "EOF" else repr(tok.text)
        raise SoqlError(f"{message}, found {found}", tok.pos)

    def expect_eof(self) -> None:
        if self.tok.kind != "EOF":
            self.fail("unexpected text after the query")

    def ident(self, what: str) -> str:
        if self.tok.kind != "IDENT":
            self.fail(f"expected {what}")
        return self.advance().text

    # -- query ---------------------------------------------------------------------------
    def query(self) -> Query:
        start = self.tok.pos
        self.expect_kw("SELECT")
        select = self.select_list()
        self.expect_kw("FROM")
        sobject = self.ident("an object name after FROM")
        alias = None
        if self.tok.kind == "IDENT" and self.tok.text.upper() not in _CLAUSE_WORDS:
            alias = self.advance().text
        using_scope = None
        if self.accept_kw("USING"):
            self.expect_kw("SCOPE")
            using_scope = self.ident("a scope name")
        where = None
        if self.accept_kw("WHERE"):
            where = self.condition()
        with_clause = None
        if self.accept_kw("WITH"):
            with_clause = self.with_clause()
        group_by: tuple[Expr, ...] = ()
        group_kind = None
        having = None
        if self.accept_kw("GROUP"):
            self.expect_kw("BY")
            if self.is_kw("ROLLUP", "CUBE") and self.peek().text == "(":
                group_kind = self.advance().text.upper()
                self.expect_op("(")
                group_by = self.expr_list()
                self.expect_op(")")
            else:
                group_by = self.expr_list()
            if self.accept_kw("HAVING"):
                having = self.condition()
        order_by = self.order_by() if self.accept_kw("ORDER") else ()
        limit = self.int_clause("LIMIT")
        offset = self.int_clause("OFFSET")
        for_clause: list[str] = []
        if self.accept_kw("FOR"):
            for_clause.append(self.ident("VIEW, REFERENCE or UPDATE").upper())
            while self.is_op(","):
                self.advance()
                for_clause.append(self.ident("VIEW, REFERENCE or UPDATE").upper())
            if self.is_kw("TRACKING", "VIEWSTAT"):
                for_clause.append(self.advance().text.upper())
        all_rows = False
        if self.is_kw("ALL") and self.is_kw("ROWS", tok=self.peek()):
            self.advance()
            self.advance()
            all_rows = True
        end = self.tok.pos if self.tok.kind != "EOF" else len(self.text)
        if alias is not None:
            select = tuple(_strip_alias_item(item, alias) for item in select)
            where = _strip_alias_cond(where, alias) if where is not None else None
            order_by = tuple(
                OrderItem(_strip_alias(o.expr, alias), o.descending, o.nulls_last) for o in order_by
            )
            group_by = tuple(_strip_alias(g, alias) for g in group_by)
        return Query(
            select=select,
            sobject=sobject,
            alias=alias,
            where=where,
            group_by=group_by,
            group_by_kind=group_kind,
            having=having,
            order_by=order_by,
            limit=limit,
            offset=offset,
            using_scope=using_scope,
            with_clause=with_clause,
            for_clause=tuple(for_clause),
            all_rows=all_rows,
            text=self.text[start:end].strip(),
        )

    def int_clause(self, word: str) -> int | None:
        if not self.accept_kw(word):
            return None
        tok = self.tok
        if tok.kind == "OP" and tok.text == ":":
            self.bind()
            return None
        number = tok.value
        if tok.kind != "NUMBER" or not isinstance(number, Decimal) or number != int(number):
            self.fail(f"expected a whole number after {word}")
        assert isinstance(number, Decimal)
        value = int(number)
        self.advance()
        if value < 0:
            raise SoqlError(f"{word} must not be negative", tok.pos)
        return value

    def with_clause(self) -> str:
        # WITH SECURITY_ENFORCED | USER_MODE | SYSTEM_MODE | DATA CATEGORY … : kept as text.
        start = self.tok.pos
        stop = ("GROUP", "ORDER", "LIMIT", "OFFSET", "FOR", "HAVING")
        depth = 0
        while self.tok.kind != "EOF" and not (depth == 0 and self.is_kw(*stop)):
            if self.is_op("("):
                depth += 1
            elif self.is_op(")"):
                if depth == 0:
                    break
                depth -= 1
            self.advance()
        end = self.tok.pos
        text = self.text[start:end].strip()
        if not text:
            self.fail("expected a WITH filter")
        return text

    # -- select list ---------------------------------------------------------------------
    def select_list(self) -> tuple[SelectItem, ...]:
        items = [self.select_item()]
        while self.is_op(","):
            self.advance()
            items.append(self.select_item())
        return tuple(items)

    def select_item(self) -> SelectItem:
        if self.is_op("("):
            pos = self.tok.pos
            self.advance()
            if not self.is_kw("SELECT"):
                raise SoqlError("expected SELECT in a subquery", pos)
            sub = self.query()
            self.expect_op(")")
            return SubQuery(sub)
        if self.is_kw("TYPEOF"):
            return self.typeof()
        if self.is_kw("FIELDS") and self.peek().text == "(":
            self.advance()
            self.expect_op("(")
            kind = self.ident("ALL, STANDARD or CUSTOM").upper()
            if kind not in ("ALL", "STANDARD", "CUSTOM"):
                raise SoqlError(f"FIELDS({kind}) is not valid", self.tokens[self.i - 1].pos)
            self.expect_op(")")
            return FieldsMacro(kind)
        expr = self.expr()
        alias = None
        if self.tok.kind == "IDENT" and self.tok.text.upper() not in _CLAUSE_WORDS:
            alias = self.advance().text
        return SelectField(expr, alias)

    def typeof(self) -> TypeOf:
        self.expect_kw("TYPEOF")
        rel = self.ident("a relationship name after TYPEOF")
        whens: list[tuple[str, tuple[FieldRef, ...]]] = []
        otherwise: tuple[FieldRef, ...] = ()
        while self.accept_kw("WHEN"):
            type_name = self.ident("an object name after WHEN")
            self.expect_kw("THEN")
            whens.append((type_name, self.field_list()))
        if self.accept_kw("ELSE"):
            otherwise = self.field_list()
        self.expect_kw("END")
        if not whens:
            self.fail("TYPEOF needs at least one WHEN")
        return TypeOf(rel, tuple(whens), otherwise)

    def field_list(self) -> tuple[FieldRef, ...]:
        refs = [self.field_ref()]
        while self.is_op(",") and not self.is_kw("WHEN", "ELSE", "END", tok=self.peek()):
            self.advance()
            refs.append(self.field_ref())
        return tuple(refs)

    # -- expressions ---------------------------------------------------------------------
    def expr_list(self) -> tuple[Expr, ...]:
        items = [self.expr()]
        while self.is_op(","):
            self.advance()
            items.append(self.expr())
        return tuple(items)

    def expr(self) -> Expr:
        if self.tok.kind == "IDENT" and self.peek().kind == "OP" and self.peek().text == "(":
            name = self.advance().text.upper()
            self.expect_op("(")
            args: list[Expr] = []
            if not self.is_op(")"):
                self.function_arg(args)
                while self.is_op(","):
                    self.advance()
                    self.function_arg(args)
            self.expect_op(")")
            return FunctionCall(name, tuple(args))
        return self.field_ref()

    def function_arg(self, args: list[Expr]) -> None:
        # Literal arguments (DISTANCE(Loc__c, GEOLOCATION(37.7, -122.4), 'mi'), FORMAT(x, 'c')…)
        # carry no field; only field and function arguments are kept in the tree.
        if self.tok.kind in ("STRING", "NUMBER"):
            self.advance()
            return
        args.append(self.expr())

    def field_ref(self) -> FieldRef:
        if self.tok.kind != "IDENT":
            self.fail("expected a field name")
        parts = [self.advance().text]
        while self.is_op(".") and self.peek().kind == "IDENT":
            self.advance()
            parts.append(self.advance().text)
        if self.is_op("."):
            self.fail("expected a field name after '.'")
        return FieldRef(tuple(parts))

    # -- conditions ----------------------------------------------------------------------
    def condition(self) -> Condition:
        items = [self.and_condition()]
        while self.accept_kw("OR"):
            items.append(self.and_condition())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_condition(self) -> Condition:
        items = [self.not_condition()]
        while self.accept_kw("AND"):
            items.append(self.not_condition())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_condition(self) -> Condition:
        if self.accept_kw("NOT"):
            return Not(self.not_condition())
        if self.is_op("("):
            self.advance()
            cond = self.condition()
            self.expect_op(")")
            return cond
        return self.simple_condition()

    def simple_condition(self) -> Condition:
        left = self.expr()
        tok = self.tok
        if tok.kind == "OP" and tok.text in ("=", "!=", "<", "<=", ">", ">="):
            self.advance()
            return Comparison(left, tok.text, self.value())
        if self.accept_kw("LIKE"):
            value = self.value()
            if not isinstance(value, (StringLit, NullLit, BindVar)):
                raise SoqlError("LIKE needs a quoted string", tok.pos)
            return Comparison(left, "LIKE", value)
        negated = False
        if self.is_kw("NOT") and self.is_kw("IN", tok=self.peek()):
            self.advance()
            negated = True
        if self.accept_kw("IN"):
            return InCondition(left, self.in_values(), negated)
        if self.is_kw("INCLUDES", "EXCLUDES"):
            op = self.advance().text.upper()
            self.expect_op("(")
            values = [self.string_value()]
            while self.is_op(","):
                self.advance()
                values.append(self.string_value())
            self.expect_op(")")
            return IncludesCondition(left, op, tuple(values))
        self.fail("expected a comparison operator")
        raise AssertionError  # fail() always raises

    def string_value(self) -> StringLit:
        if self.tok.kind != "STRING":
            self.fail("expected a quoted string")
        value = self.advance().value
        assert isinstance(value, StringLit)
        return value

    def in_values(self) -> tuple[Value, ...] | Query:
        if self.is_op(":"):
            # Apex bind of a collection: IN :ids
            return (self.value(),)
        self.expect_op("(")
        if self.is_kw("SELECT"):
            sub = self.query()
            self.expect_op(")")
            return sub
        values = [self.value()]
        while self.is_op(","):
            self.advance()
            values.append(self.value())
        self.expect_op(")")
        return tuple(values)

    def value(self) -> Value:
        tok = self.tok
        if tok.kind == "STRING":
            self.advance()
            assert isinstance(tok.value, StringLit)
            return tok.value
        if tok.kind == "NUMBER":
            self.advance()
            assert isinstance(tok.value, Decimal)
            return NumberLit(tok.value)
        if tok.kind == "DATETIME":
            self.advance()
            assert isinstance(tok.value, datetime)
            return DateTimeLit(tok.value)
        if tok.kind == "DATE":
            self.advance()
            assert isinstance(tok.value, date)
            return DateLit(tok.value)
        if tok.kind == "OP" and tok.text == ":":
            return self.bind()
        if tok.kind == "IDENT":
            word = tok.text.upper()
            if word in ("TRUE", "FALSE"):
                self.advance()
                return BoolLit(word == "TRUE")
            if word == "NULL":
                self.advance()
                return NullLit()
            if word in FIXED_RANGES:
                self.advance()
                return DateRangeLit(word)
            if word in N_RANGES:
                self.advance()
                if not self.is_op(":"):
                    raise SoqlError(f"{word} needs a number, e.g. {word}:7", tok.pos)
                self.advance()
                num = self.tok
                if num.kind != "NUMBER" or not isinstance(num.value, Decimal) or num.value != int(num.value):
                    self.fail(f"expected a whole number after {word}:")
                self.advance()
                assert isinstance(num.value, Decimal)
                return DateRangeLit(word, int(num.value))
            raise SoqlError(f"unknown value {tok.text!r} (strings need single quotes)", tok.pos)
        self.fail("expected a value")
        raise AssertionError  # fail() always raises

    def bind(self) -> BindVar:
        """An Apex bind: ``:ids``, ``:contact.Interest1__c``, ``:rows[0].Id``, ``:acc.getId()``."""
        colon = self.expect_op(":")
        self.ident("a bind variable name after ':'")
        while True:
            if self.is_op(".") and self.peek().kind == "IDENT":
                self.advance()
                self.advance()
            elif self.is_op("[", "("):
                self.skip_balanced()
            else:
                break
        end = self.tokens[self.i - 1]
        return BindVar(self.text[colon.pos + 1 : end.pos + len(end.text)])

    def skip_balanced(self) -> None:
        pairs = {"[": "]", "(": ")"}
        stack = [pairs[self.advance().text]]
        while stack:
            tok = self.tok
            if tok.kind == "EOF":
                self.fail(f"expected '{stack[-1]}'")
            if tok.kind == "OP" and tok.text in pairs:
                stack.append(pairs[tok.text])
            elif tok.kind == "OP" and tok.text == stack[-1]:
                stack.pop()
            self.advance()

    # -- order by ------------------------------------------------------------------------
    def order_by(self) -> tuple[OrderItem, ...]:
        self.expect_kw("BY")
        items = [self.order_item()]
        while self.is_op(","):
            self.advance()
            items.append(self.order_item())
        return tuple(items)

    def order_item(self) -> OrderItem:
        expr = self.expr()
        descending = False
        if self.accept_kw("DESC"):
            descending = True
        else:
            self.accept_kw("ASC")
        nulls_last = False
        if self.accept_kw("NULLS"):
            if self.accept_kw("LAST"):
                nulls_last = True
            elif not self.accept_kw("FIRST"):
                self.fail("expected FIRST or LAST after NULLS")
        return OrderItem(expr, descending, nulls_last)


def _strip_alias(expr: Expr, alias: str) -> Expr:
    if isinstance(expr, FieldRef):
        if len(expr.path) > 1 and expr.path[0].lower() == alias.lower():
            return FieldRef(expr.path[1:])
        return expr
    return FunctionCall(expr.name, tuple(_strip_alias(a, alias) for a in expr.args))


def _strip_alias_item(item: SelectItem, alias: str) -> SelectItem:
    if isinstance(item, SelectField):
        return SelectField(_strip_alias(item.expr, alias), item.alias)
    return item


def _strip_alias_cond(cond: Condition, alias: str) -> Condition:
    if isinstance(cond, And):
        return And(tuple(_strip_alias_cond(c, alias) for c in cond.items))
    if isinstance(cond, Or):
        return Or(tuple(_strip_alias_cond(c, alias) for c in cond.items))
    if isinstance(cond, Not):
        return Not(_strip_alias_cond(cond.item, alias))
    if isinstance(cond, Comparison):
        return Comparison(_strip_alias(cond.left, alias), cond.op, cond.value)
    if isinstance(cond, InCondition):
        return InCondition(_strip_alias(cond.left, alias), cond.values, cond.negated)
    return IncludesCondition(_strip_alias(cond.left, alias), cond.op, cond.values)
