"""Loader for data-driven units (rules, checks, jurisdictions, detectors, playbooks).

A unit is one YAML file whose id is its file stem. The loader validates it against a
pydantic model and reports *every* problem of a file at once, each with ``file:line``
(the pySigma habit), instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from leakline.core.errors import BadInputError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class UnitProblem:
    """One problem in one unit file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Unit(Generic[M]):
    """A loaded, validated unit: its id (file stem), source path and model."""

    id: str
    path: Path
    model: M


class UnitLoadError(BadInputError):
    """One or more unit files are invalid; ``problems`` lists all of them."""

    def __init__(self, problems: list[UnitProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{first.message}{more}", path=first.path, line=first.line)

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


@dataclass
class _Located:
    """A YAML document as Python data plus the line of every path inside it."""

    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, loc: Iterable[str | int]) -> int:
        """Line of the deepest known prefix of ``loc`` (1-based)."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines)


def load_yaml_located(path: Path) -> _Located:
    """Parse a YAML file, keeping the line number of every key and list item."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read: {exc}", path=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise UnitLoadError([UnitProblem(str(path), line, f"invalid YAML: {exc.problem}")]) from None
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _walk(node, (), lines)
    return _Located(data, lines)


def _problems_from_validation(path: Path, located: _Located, exc: ValidationError) -> list[UnitProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
        where = ".".join(str(p) for p in loc) or "(top level)"
        message = str(err["msg"]).removeprefix("Value error, ")
        problems.append(UnitProblem(str(path), located.line_of(loc), f"{where}: {message}"))
    return sorted(problems, key=lambda p: p.line)


def validate_file(
    path: Path,
    model: type[M],
    extra: Callable[[M, _Located], list[tuple[tuple[str | int, ...], str]]] | None = None,
) -> tuple[M | None, list[UnitProblem]]:
    """Validate one unit file; return the model (if valid) and all problems found.

    ``extra`` runs unit-specific checks (e.g. "SQL parses") on a valid model and returns
    ``(path-in-document, message)`` pairs; they are located to lines like schema errors.
    """
    try:
        located = load_yaml_located(path)
    except UnitLoadError as exc:
        return None, exc.problems
    if not isinstance(located.data, dict):
        return None, [UnitProblem(str(path), 1, "a unit file must be a YAML mapping")]
    try:
        unit = model.model_validate(located.data)
    except ValidationError as exc:
        return None, _problems_from_validation(path, located, exc)
    problems: list[UnitProblem] = []
    if extra is not None:
        for loc, message in extra(unit, located):
            where = ".".join(str(p) for p in loc)
            problems.append(UnitProblem(str(path), located.line_of(loc), f"{where}: {message}"))
    return (unit if not problems else None), problems


def load_units(
    directory: Path,
    model: type[M],
    pattern: str = "*.yaml",
    extra: Callable[[M, _Located], list[tuple[tuple[str | int, ...], str]]] | None = None,
) -> list[Unit[M]]:
    """Load every unit file in ``directory`` (sorted by id); raise with *all* problems of all files."""
    units: list[Unit[M]] = []
    problems: list[UnitProblem] = []
    for path in sorted(directory.glob(pattern)):
        unit, found = validate_file(path, model, extra)
        problems.extend(found)
        if unit is not None:
            units.append(Unit(path.stem, path, unit))
    if problems:
        raise UnitLoadError(problems)
    return units
