"""Persisting findings in a case: one JSON-lines file per stage under ``work/findings/``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.errors import BadInputError
from leakline.core.models import Finding


def _dir(case: Case) -> Path:
    return case.work_dir / "findings"


def write_findings(case: Case, stage: str, findings: Iterable[Finding]) -> Path:
    """Replace the stage's findings (atomic), sorted by id for reproducible output."""
    folder = _dir(case)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stage}.jsonl"
    tmp = path.with_name(path.name + ".tmp")
    ordered = sorted(findings, key=lambda f: f.id)
    with tmp.open("w", encoding="utf-8") as fh:
        for finding in ordered:
            fh.write(jsonio.dumps(finding.model_dump(mode="python"), indent=None) + "\n")
    tmp.replace(path)
    return path


def read_findings(case: Case, stage: str | None = None) -> list[Finding]:
    """Read one stage's findings, or all stages' (sorted by stage, then id)."""
    folder = _dir(case)
    paths = [folder / f"{stage}.jsonl"] if stage else sorted(folder.glob("*.jsonl"))
    found: list[Finding] = []
    for path in paths:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                found.append(Finding.model_validate_json(line))
            except ValueError as exc:
                raise BadInputError(f"unreadable finding: {exc}", path=path, line=number) from None
    return found
