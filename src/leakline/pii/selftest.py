"""Run every value detector's embedded examples (``leakline selftest``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from leakline.core.selftest import SelfTestResult
from leakline.pii.detectors import DETECTORS
from leakline.pii.elements import load_elements
from leakline.pii.scanner import DIGIT_FAMILIES, ValueScanner


def selftest() -> Iterator[SelfTestResult]:
    """One result per detector: every example must yield exactly its expected detector ids.

    Only this detector's own hits are compared (an IBAN example may also contain a phone-like
    number); a negative example expects none of them.
    """
    scanner = ValueScanner()
    elements = load_elements()
    for detector in DETECTORS:
        problems: list[str] = []
        if detector.family in DIGIT_FAMILIES and re.search(
            r"\d", re.sub(r"\{[\d,]*\}|\\[1-9]", "", detector.shape)
        ):
            problems.append("numeric shapes may use \\d only (shapes are checked once per digit pattern)")
        if detector.element not in elements:
            problems.append(f"unknown element {detector.element!r}")
        if not any(ex.expect for ex in detector.examples) or not any(
            not ex.expect for ex in detector.examples
        ):
            problems.append("needs at least one positive and one negative example")
        for number, example in enumerate(detector.examples, start=1):
            got = tuple(
                sorted({h.detector for h in scanner.scan_text(example.text, example.column)} & {detector.id})
            )
            want = tuple(sorted(set(example.expect) & {detector.id}))
            if got != want:
                problems.append(f"example {number}: expected {list(want)}, got {list(got)}")
        yield SelfTestResult("pii-detector", detector.id, not problems, "; ".join(problems))
