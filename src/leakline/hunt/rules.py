"""Rule format: one YAML file per rule in ``hunt/rules/`` (id = file stem).

A rule is metadata (title, severity, MITRE ids, sources), declared parameters (default + reason,
overridable from the CLI), one DuckDB SQL statement over the ``events`` table (parameters bound
as ``$name``, never formatted into the text), an output mapping (which result columns become the
finding's entities, title and data) and embedded examples with the exact expected findings.

Every SQL statement must return the columns ``first_seen``, ``last_seen`` and ``evidence``
(a list of ``{sha256, row}`` structs pointing at the evidence rows behind the finding).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leakline.core.errors import UsageError
from leakline.core.models import Severity
from leakline.core.registry import Unit, load_units
from leakline.hunt.iocs import IocEntry
from leakline.store.schema import COLUMN_NAMES

RULES_DIR = Path(__file__).with_name("rules")
REQUIRED_COLUMNS = ("first_seen", "last_seen", "evidence")
ENTITY_KINDS = ("user", "username", "session", "login", "ip", "app", "user_agent", "job", "entity", "token")
PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_DURATION_RE = re.compile(r"^(\d+)(s|m|h|d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameter(_Strict):
    """A tunable threshold or list, with the reason for its default."""

    default: Any
    reason: str = Field(min_length=5)


class Output(_Strict):
    """How one result row becomes a finding."""

    title: str = Field(min_length=3, description="str.format template over result columns")
    entities: dict[str, str] = Field(description="entity kind -> result column (scalar or list)")
    data: list[str] = Field(default_factory=list, description="result columns copied into finding.data")
    expand_sessions: bool = Field(
        default=False,
        description="also cite every event that shares a session key with the finding (whole attacker session)",
    )

    @field_validator("entities")
    @classmethod
    def _kinds(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(ENTITY_KINDS))
        if unknown:
            raise ValueError(f"unknown entity kind(s) {unknown}; use {list(ENTITY_KINDS)}")
        return value


class Repeat(_Strict):
    """Expand one example event into ``count`` events ``every`` apart."""

    count: int = Field(ge=1, le=500)
    every: str

    @field_validator("every")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION_RE.match(value):
            raise ValueError("duration like 30s, 5m, 2h or 1d")
        return value


class ExampleEvent(_Strict):
    """One example event: any ``events`` column, ``raw`` as a mapping, optional ``repeat``."""

    model_config = ConfigDict(extra="allow")
    ts: str
    raw: dict[str, str] = Field(default_factory=dict)
    repeat: Repeat | None = None

    @model_validator(mode="after")
    def _columns(self) -> ExampleEvent:
        unknown = sorted(set(self.model_extra or {}) - set(COLUMN_NAMES))
        if unknown:
            raise ValueError(f"unknown event column(s) {unknown}")
        return self


class Example(_Strict):
    """Example events plus the exact findings the rule must produce from them."""

    name: str
    kind: Literal["positive", "negative"]
    params: dict[str, Any] = Field(default_factory=dict)
    iocs: list[IocEntry] = Field(default_factory=list)
    events: list[ExampleEvent]
    expect: list[dict[str, Any]]

    @model_validator(mode="after")
    def _shape(self) -> Example:
        if self.kind == "negative" and self.expect:
            raise ValueError("a negative example expects no findings (expect: [])")
        if self.kind == "positive" and not self.expect:
            raise ValueError("a positive example must list the exact expected findings")
        return self


class Rule(_Strict):
    """Schema of one ``hunt/rules/<id>.yaml``."""

    title: str = Field(min_length=5)
    description: str = Field(min_length=20)
    severity: Severity
    mitre: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    event_types: list[str] = Field(min_length=1, description="the rule can run if any of these is present")
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    sql: str
    output: Output
    examples: list[Example] = Field(min_length=2)
    references: list[str] = Field(default_factory=list)
    min_span_days: float | None = Field(
        default=None,
        gt=0,
        description="days of events the rule needs to learn its baseline; with less it is NOT_EVALUATED",
    )

    @field_validator("mitre")
    @classmethod
    def _mitre(cls, value: list[str]) -> list[str]:
        for tid in value:
            if not re.fullmatch(r"T\d{4}(\.\d{3})?", tid):
                raise ValueError(f"{tid!r} is not a MITRE ATT&CK technique id (T1234 or T1234.001)")
        return value

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        known = {"elf", "login_history", "setup_audit_trail", "rtem", "auth_session", "oauth_token", "ioc"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; use {sorted(known)}")
        return value

    @model_validator(mode="after")
    def _examples_and_params(self) -> Rule:
        kinds = {ex.kind for ex in self.examples}
        if kinds != {"positive", "negative"}:
            raise ValueError("needs at least one positive and one negative example")
        used = set(PARAM_RE.findall(self.sql))
        declared = set(self.parameters)
        if used - declared:
            raise ValueError(f"sql uses undeclared parameter(s) {sorted(used - declared)}")
        if declared - used:
            raise ValueError(f"parameter(s) {sorted(declared - used)} declared but not used in sql")
        for ex in self.examples:
            extra = set(ex.params) - declared
            if extra:
                raise ValueError(f"example {ex.name!r} sets unknown parameter(s) {sorted(extra)}")
        return self

    def bound_params(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults with ``overrides`` applied (only declared names)."""
        values = {name: p.default for name, p in self.parameters.items()}
        values.update(overrides or {})
        return values


_VALIDATION: list[duckdb.DuckDBPyConnection] = []


def _validation_connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB with empty ``events`` and ``iocs`` tables, reused for every rule."""
    if not _VALIDATION:
        from leakline.hunt.engine import prepare_connection

        con = duckdb.connect()
        prepare_connection(con, create_empty=True)
        _VALIDATION.append(con)
    return _VALIDATION[0]


def sql_problems(rule: Rule, located: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Bind the rule's SQL against an empty ``events`` table; check its output columns."""
    con = _validation_connection()
    try:
        cur = con.execute(rule.sql, rule.bound_params())
    except duckdb.Error as exc:
        return [(("sql",), f"does not parse/bind: {str(exc).splitlines()[0]}")]
    columns = {d[0] for d in cur.description or []}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            problems.append((("sql",), f"result lacks required column {col!r}"))
    for kind, col in rule.output.entities.items():
        if col not in columns:
            problems.append((("output", "entities", kind), f"column {col!r} not in the sql result"))
    for index, col in enumerate(rule.output.data):
        if col not in columns:
            problems.append((("output", "data", index), f"column {col!r} not in the sql result"))
    for name in re.findall(r"{([A-Za-z_][A-Za-z0-9_]*)", rule.output.title):
        if name not in columns:
            problems.append((("output", "title"), f"placeholder {{{name}}} not in the sql result"))
    if "severity" in columns:
        problems.append((("sql",), "a 'severity' result column is reserved; use rule severity"))
    return problems


def load_rules(directory: Path = RULES_DIR) -> list[Unit[Rule]]:
    """Load and validate every rule (all problems reported with file:line)."""
    return load_units(directory, Rule, extra=sql_problems)


def select_rules(units: list[Unit[Rule]], wanted: list[str] | None) -> list[Unit[Rule]]:
    """The rules named in ``wanted`` (all if None); unknown names are a usage error."""
    if not wanted:
        return units
    by_id = {u.id: u for u in units}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        raise UsageError(f"unknown rule id(s): {', '.join(unknown)}", hint="list them: leakline rules list")
    return [by_id[w] for w in wanted]


def parse_param_overrides(items: list[str], units: list[Unit[Rule]]) -> dict[str, dict[str, Any]]:
    """Parse ``rule.name=value`` (value is YAML: numbers, lists, strings) into per-rule overrides."""
    by_id = {u.id: u for u in units}
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        rule_id, dot, name = key.partition(".")
        if not sep or not dot:
            raise UsageError(f"--param {item!r}: expected RULE.NAME=VALUE")
        if rule_id not in by_id:
            raise UsageError(f"--param {item!r}: unknown rule {rule_id!r}")
        if name not in by_id[rule_id].model.parameters:
            known = ", ".join(sorted(by_id[rule_id].model.parameters)) or "none"
            raise UsageError(f"--param {item!r}: rule {rule_id} has no parameter {name!r} (has: {known})")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        default = by_id[rule_id].model.parameters[name].default
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise UsageError(f"--param {item!r}: expected a number")
        if isinstance(default, list) and not isinstance(value, list):
            value = [value]
        out.setdefault(rule_id, {})[name] = value
    return out


def duration_seconds(text: str) -> int:
    """``30s`` / ``5m`` / ``2h`` / ``1d`` → seconds."""
    match = _DURATION_RE.match(text)
    if not match:
        raise ValueError(f"bad duration {text!r}")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
