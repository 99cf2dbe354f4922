"""Run the checks against a context and score the outcome."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from leakline.core.errors import UsageError
from leakline.core.models import Finding, Severity
from leakline.posture.registry import Check, load_checks
from leakline.posture.results import Context, Result, Status

SCORING_FILE = Path(__file__).with_name("scoring.yaml")


@dataclass(frozen=True)
class CheckOutcome:
    check: Check
    results: tuple[Result, ...]

    @property
    def status(self) -> Status:
        """Worst status: FAIL > PASS > MANUAL > NOT_EVALUATED (all NOT_EVALUATED → NOT_EVALUATED)."""
        statuses = {r.status for r in self.results}
        for status in (Status.FAIL, Status.PASS, Status.MANUAL):
            if status in statuses:
                return status
        return Status.NOT_EVALUATED


@dataclass(frozen=True)
class Score:
    value: int | None
    band: str
    passed_weight: int
    total_weight: int


@dataclass(frozen=True)
class Audit:
    outcomes: tuple[CheckOutcome, ...]
    score: Score

    def failures(self) -> list[tuple[Check, Result]]:
        return [(o.check, r) for o in self.outcomes for r in o.results if r.status == Status.FAIL]

    def worst_failure(self) -> Severity | None:
        ranks = [severity_of(c, r) for c, r in self.failures()]
        return max(ranks, key=lambda s: s.rank) if ranks else None


def severity_of(check: Check, result: Result) -> Severity:
    return result.severity or check.meta.severity


@cache
def _scoring() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SCORING_FILE.read_text(encoding="utf-8"))
    return data


def score(outcomes: Iterable[CheckOutcome]) -> Score:
    """Weighted share of evaluated checks that pass (see ``scoring.yaml``)."""
    cfg = _scoring()
    passed = total = 0
    for outcome in outcomes:
        status = outcome.status
        if status not in (Status.PASS, Status.FAIL):
            continue
        weight = int(cfg["weights"][outcome.check.meta.severity.value])
        total += weight
        if status == Status.PASS:
            passed += weight
    if total == 0:
        return Score(None, "not scored (nothing evaluated)", 0, 0)
    value = round(100 * passed / total)
    band = next(str(label) for bound, label in cfg["bands"] if value >= int(bound))
    return Score(value, band, passed, total)


def run_check(check: Check, ctx: Context, overrides: dict[str, Any] | None = None) -> tuple[Result, ...]:
    """One check with its parameter defaults (plus overrides); results sorted for stable output."""
    params = check.defaults()
    unknown = set(overrides or {}) - set(params)
    if unknown:
        raise UsageError(f"check {check.id} has no parameter(s) {', '.join(sorted(unknown))}")
    params.update(overrides or {})
    results = check.evaluate(replace(ctx, params=params))
    return tuple(
        sorted(results, key=lambda r: (r.file or "", r.line or 0, r.resource, r.status.value, r.message))
    )


def run_audit(
    ctx: Context,
    checks: Iterable[Check] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Audit:
    """Run every check (or the given ones) and score the outcome."""
    selected = tuple(checks) if checks is not None else load_checks()
    overrides = overrides or {}
    unknown = set(overrides) - {c.id for c in selected}
    if unknown:
        raise UsageError(f"unknown check id(s) in overrides: {', '.join(sorted(unknown))}")
    outcomes = tuple(CheckOutcome(c, run_check(c, ctx, overrides.get(c.id))) for c in selected)
    return Audit(outcomes, score(outcomes))


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def to_findings(audit: Audit, roots: dict[str, Path] | None = None) -> list[Finding]:
    """FAIL results as case findings (stage ``posture``).

    ``roots`` maps ``metadata`` / ``code`` to the audited folders; a finding on a file then
    records the file's sha256 (``data.source``), so it can be matched to the locked evidence copy.
    """
    roots = roots or {}
    findings = []
    for check, result in audit.failures():
        key = [result.resource, result.file, result.line]
        source = None
        root = roots.get("code" if "code" in check.meta.inputs else "metadata")
        if result.file is not None and root is not None:
            source = {"path": result.file, "line": result.line, "sha256": _sha256(root / result.file)}
        findings.append(
            Finding(
                id=Finding.make_id(f"posture.{check.id}", key),
                rule_id=f"posture.{check.id}",
                severity=severity_of(check, result),
                title=f"{check.meta.title}: {result.resource}",
                entities={"resource": (result.resource,)},
                data={
                    "status": result.status.value,
                    "message": result.message,
                    "file": result.file,
                    "line": result.line,
                    "category": check.meta.category,
                    "mappings": check.meta.mappings.model_dump(mode="json"),
                    "source": source,
                },
            )
        )
    return findings
