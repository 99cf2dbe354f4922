"""Load the checks: one folder per check under ``checks/`` with ``meta.yaml`` and ``check.py``.

The id is the folder name. ``meta.yaml`` is validated (every problem with ``file:line``);
``check.py`` must define ``evaluate(ctx) -> list[Result]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leakline.core.models import Severity
from leakline.core.registry import UnitLoadError, UnitProblem, validate_file
from leakline.posture.results import Context, Result

CHECKS_DIR = Path(__file__).with_name("checks")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Strict):
    default: Any
    reason: str = Field(min_length=5)


class Mappings(_Strict):
    soc2: tuple[str, ...] = Field(min_length=1)
    iso27001: tuple[str, ...] = Field(min_length=1)
    sbs: tuple[str, ...] = ()


class ExpectedResult(_Strict):
    status: Literal["PASS", "FAIL", "MANUAL", "NOT_EVALUATED"]
    resource: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity | None = None


class Example(_Strict):
    name: str
    metadata: dict[str, str] | None = None
    code: dict[str, str] | None = None
    live: dict[str, str] | None = None  # Health Check risks by setting, as live mode reads them
    params: dict[str, Any] = Field(default_factory=dict)
    expect: tuple[ExpectedResult, ...]


class CheckMeta(_Strict):
    title: str = Field(min_length=5)
    severity: Severity
    category: Literal[
        "access", "oauth", "session", "password", "network", "guest", "data", "apex", "code", "org"
    ]
    inputs: tuple[Literal["metadata", "code", "live"], ...] = Field(min_length=1)
    rationale: str = Field(min_length=20)
    remediation: str = Field(min_length=20)
    references: tuple[str, ...] = Field(min_length=1)
    mappings: Mappings
    baseline: str | None = None
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    manual_only: bool = False  # the check can only ever say MANUAL / NOT_EVALUATED (no pass/fail)
    examples: tuple[Example, ...] = Field(min_length=2)


@dataclass(frozen=True)
class Check:
    id: str
    path: Path
    meta: CheckMeta
    evaluate: Callable[[Context], list[Result]]

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.meta.parameters.items()}


def _examples_cover_both(meta: CheckMeta, _located: Any) -> list[tuple[tuple[str | int, ...], str]]:
    statuses = {r.status for ex in meta.examples for r in ex.expect}
    if meta.manual_only:
        return [] if "MANUAL" in statuses else [(("examples",), "a manual-only check needs a MANUAL example")]
    if not {"PASS", "FAIL"} <= statuses:
        return [(("examples",), "needs at least one passing and one failing example")]
    return []


@cache
def load_checks(directory: Path = CHECKS_DIR) -> tuple[Check, ...]:
    """All checks, sorted by id; raises with every problem of every ``meta.yaml``."""
    checks: list[Check] = []
    problems: list[UnitProblem] = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("_")):
        meta_path = folder / "meta.yaml"
        if not meta_path.is_file() or not (folder / "check.py").is_file():
            problems.append(UnitProblem(str(folder), 1, "a check folder needs meta.yaml and check.py"))
            continue
        meta, found = validate_file(meta_path, CheckMeta, _examples_cover_both)
        problems.extend(found)
        if meta is None:
            continue
        module = importlib.import_module(f"leakline.posture.checks.{folder.name}.check")
        evaluate = getattr(module, "evaluate", None)
        if not callable(evaluate):
            problems.append(UnitProblem(str(folder / "check.py"), 1, "check.py must define evaluate(ctx)"))
            continue
        checks.append(Check(folder.name, folder, meta, evaluate))
    if problems:
        raise UnitLoadError(problems)
    return tuple(checks)
