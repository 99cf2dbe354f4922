"""``leakline selftest``: run every data-driven unit's embedded examples.

Each stage that owns units exposes ``selftest() -> Iterable[SelfTestResult]`` in a module
listed in ``PROVIDERS``. A provider module that does not exist yet is skipped, so stages
can land independently.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PROVIDERS: tuple[str, ...] = (
    "leakline.hunt.selftest",
    "leakline.posture.selftest",
    "leakline.pii.selftest",
    "leakline.notify.selftest",
    "leakline.contain.selftest",
    "leakline.access.selftest",
)


@dataclass(frozen=True)
class SelfTestResult:
    """Outcome of one unit's examples."""

    kind: str
    unit_id: str
    ok: bool
    detail: str = ""


def run(providers: Iterable[str] = PROVIDERS) -> list[SelfTestResult]:
    """Run all providers; a provider that raises yields one failed result, not a crash."""
    results: list[SelfTestResult] = []
    for name in providers:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        provider: Callable[[], Iterable[SelfTestResult]] = module.selftest
        try:
            results.extend(provider())
        except Exception as exc:  # a broken unit pack must not hide the others' results
            results.append(SelfTestResult(name, "(provider)", False, f"{type(exc).__name__}: {exc}"))
    return results
