"""``leakline selftest`` provider: validate every jurisdiction file and run a smoke example."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from leakline.core.clock import parse_utc
from leakline.core.registry import UnitLoadError
from leakline.core.selftest import SelfTestResult
from leakline.notify.engine import Context, evaluate
from leakline.notify.exposure import load_exposure
from leakline.notify.rules import JURISDICTIONS_DIR, load_jurisdictions, validate_dir
from leakline.notify.subjects import SubjectRow


def selftest() -> Iterable[SelfTestResult]:
    """One result per jurisdiction file, one for the exposure data, one for a worked example."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for problem in validate_dir():
        by_file[Path(problem.path).stem].append(str(problem))
    results = [
        SelfTestResult("jurisdiction", path.stem, not by_file[path.stem], "\n".join(by_file[path.stem]))
        for path in sorted(JURISDICTIONS_DIR.glob("*.yaml"))
    ]
    try:
        load_exposure()
        results.append(SelfTestResult("notify", "exposure.yaml", True))
    except UnitLoadError as exc:
        results.append(SelfTestResult("notify", "exposure.yaml", False, exc.report()))
    if all(r.ok for r in results):
        results.append(_example())
    return results


def _example() -> SelfTestResult:
    """501 Californians with name+SSN discovered 2026-03-02T09:00Z: individuals by 04-01, AG 15 days later."""
    rows = [SubjectRow("US-CA", frozenset({"name", "ssn"}), False, False, 501)]
    got = {
        (r.step, r.status, r.deadline_utc.isoformat() if r.deadline_utc else None)
        for r in evaluate(rows, Context(parse_utc("2026-03-02T09:00:00Z")), load_jurisdictions())
        if r.regime == "US-CA"
    }
    want = {
        ("individuals", "required", "2026-04-01T09:00:00+00:00"),
        ("regulator", "required", "2026-04-16T09:00:00+00:00"),
    }
    return SelfTestResult(
        "notify", "example:US-CA-501", got == want, "" if got == want else f"got {sorted(got, key=str)}"
    )
