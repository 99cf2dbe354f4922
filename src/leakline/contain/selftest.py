"""Self-test of the containment units: every playbook loads and names known actions."""

from __future__ import annotations

from collections.abc import Iterator

from leakline.contain.playbook import PLAYBOOK_DIR, Playbook
from leakline.core.registry import validate_file
from leakline.core.selftest import SelfTestResult


def selftest() -> Iterator[SelfTestResult]:
    """One result per playbook file."""
    for path in sorted(PLAYBOOK_DIR.glob("*.yaml")):
        model, problems = validate_file(path, Playbook)
        ok = model is not None and not problems
        yield SelfTestResult("playbook", path.stem, ok, "; ".join(str(p) for p in problems))
