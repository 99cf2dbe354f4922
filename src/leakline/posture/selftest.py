"""Run every check's embedded examples (``leakline selftest`` and pytest)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leakline.core.selftest import SelfTestResult
from leakline.posture.codescan import load_code
from leakline.posture.engine import run_check
from leakline.posture.loader import load_metadata
from leakline.posture.registry import Check, Example, load_checks
from leakline.posture.results import Context, LiveData


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root.mkdir(parents=True, exist_ok=True)
    return root


def example_results(check: Check, example: Example) -> list[dict[str, Any]]:
    """Run one example; results as plain dicts (the shape of ``expect``)."""
    with tempfile.TemporaryDirectory(prefix="leakline-posture-") as tmp:
        base = Path(tmp)
        metadata = (
            load_metadata(_write(base / "metadata", example.metadata))
            if example.metadata is not None
            else None
        )
        code = load_code(_write(base / "code", example.code)) if example.code is not None else None
        live = (
            LiveData(True, health_check_risks=dict(example.live))
            if example.live is not None
            else LiveData(False, "no --org or --case given")
        )
        ctx = Context(metadata, code, {}, live)
        return [r.as_dict() for r in run_check(check, ctx, example.params)]


def _expected(example: Example) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json", exclude_none=True) for e in example.expect]


def selftest() -> Iterator[SelfTestResult]:
    """One result per check: ok if every example produced exactly its expected results."""
    for check in load_checks():
        problems = []
        for example in check.meta.examples:
            got = example_results(check, example)
            if got != _expected(example):
                problems.append(f"example {example.name!r}: expected {_expected(example)}, got {got}")
        yield SelfTestResult("posture check", check.id, not problems, "; ".join(problems))
