"""Column and value classification over Arrow batches.

How it stays fast: for each column of a batch, all values are joined into ONE byte buffer
(``\\x1f`` between values, built by Arrow, no Python loop over values) and the precompiled
family alternation from ``leakline.pii.detectors`` runs over it once. Only candidates are
validated in Python (with a cache, since values repeat), and match offsets are mapped back to
rows with one ``numpy.searchsorted``. Memory is bounded by the batch size of the source.

What comes out per column: element ids, a confidence, how many rows carry the element, which
signals said so, and masked samples. Raw values never leave this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leakline.core.masking import mask_email, mask_secret, mask_value
from leakline.pii.detectors import (
    BY_FAMILY,
    CONTEXT_BOOST,
    CONTEXT_WINDOW,
    DETECTORS,
    FAMILIES,
    MIN_SCORE,
    PREFILTER,
    Detector,
)
from leakline.pii.elements import load_elements

SEPARATOR = b"\x1f"
MAX_SAMPLES = 3
_CACHE_LIMIT = 200_000
# Column names are split into words on case changes, digits and punctuation; ``__c`` (custom
# field suffix) and Salesforce relationship/namespace parts are dropped.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z\u00c0-\u024f]+")

# (family, RE2 prefilter for Arrow, exact Python pattern over the joined bytes)
_FAMILY_RES = tuple((name, prefilter, re.compile(pattern.encode())) for name, pattern, prefilter in FAMILIES)


# Shapes in these families only constrain digits and separators, so "4111 1111" and
# "0000 0000" fit the same detectors: one regex check per digit pattern, not per value.
DIGIT_FAMILIES = frozenset({"num", "phone", "date", "ipv4"})
_ZERO_DIGITS = str.maketrans("123456789", "000000000")


def _nonzero(mask: pa.Array) -> np.ndarray:
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def _no_context(detector: Detector) -> bool:
    return False


class Hit(NamedTuple):
    """One validated detection in one row (raw text kept only in memory, for masking/joins)."""

    row: int
    detector: str
    element: str
    score: float
    text: str


def column_words(name: str) -> tuple[str, ...]:
    """``Social_Security_Number__c`` → ``("social", "security", "number")``."""
    base = name.rsplit(".", 1)[-1]
    if base.lower().endswith("__c"):
        base = base[:-3]
    base = _CAMEL.sub(" ", base)
    return tuple(w for w in _NON_WORD.split(base.lower()) if w)


@cache
def _hint_table() -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows: list[tuple[str, tuple[str, ...]]] = []
    for element_id, element in load_elements().items():
        for hint in element.column_hints:
            rows.append((element_id, tuple(w for w in _NON_WORD.split(hint.lower()) if w)))
    return tuple(rows)


def column_hints(name: str) -> frozenset[str]:
    """Element ids suggested by a column name (word-wise, so ``zip`` never hints ``ip``).

    A hint matches a contiguous run of the column's words, the words joined (``first_name``
    matches ``FirstName``), or, for hints of five letters or more, the start of one word
    (compounds: ``Telefonnummer``, ``AddressLine1``).
    """
    words = column_words(name)
    if not words:
        return frozenset()
    joined = "".join(words)
    found: set[str] = set()
    for element_id, hint in _hint_table():
        size = len(hint)
        flat = "".join(hint)
        if (
            any(words[i : i + size] == hint for i in range(len(words) - size + 1))
            or flat == joined
            or (len(flat) >= 5 and any(w.startswith(flat) for w in words))
        ):
            found.add(element_id)
    return frozenset(found)


@cache
def _context_re(detector_id: str) -> re.Pattern[str] | None:
    words = next(d.context for d in DETECTORS if d.id == detector_id)
    if not words:
        return None
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)


def _has_context(detector: Detector, text: str) -> bool:
    pattern = _context_re(detector.id)
    return pattern is not None and pattern.search(text) is not None


def mask_for(element: str, text: str) -> str:
    """Masked form of a detected value, by element category."""
    category = load_elements()[element].category if element in load_elements() else "other"
    if category == "credential":
        return mask_secret(text)
    if element == "email":
        return mask_email(text)
    return mask_value(text)


@dataclass
class ElementStats:
    """Running totals for one element in one column."""

    rows: int = 0
    hits: int = 0
    score_sum: float = 0.0
    score_max: float = 0.0
    detectors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)


@dataclass
class ColumnStats:
    """Running totals for one column."""

    name: str
    hints: frozenset[str]
    context_text: str
    nonempty: int = 0
    elements: dict[str, ElementStats] = field(default_factory=dict)
    hint_samples: list[str] = field(default_factory=list)
    _context: dict[str, bool] = field(default_factory=dict)

    def context_for(self, detector: Detector) -> bool:
        """Whether the column name holds one of the detector's context words (cached)."""
        known = self._context.get(detector.id)
        if known is None:
            known = self._context[detector.id] = bool(self.context_text) and _has_context(
                detector, self.context_text
            )
        return known


@dataclass(frozen=True)
class ElementResult:
    """One element found in a column (JSON-stable; see docs in ``leakline.cli.scan_cmd``)."""

    element: str
    confidence: float
    rows: int
    hits: int
    signals: tuple[str, ...]
    samples: tuple[str, ...]


@dataclass(frozen=True)
class ColumnResult:
    name: str
    nonempty: int
    elements: tuple[ElementResult, ...]


@dataclass(frozen=True)
class TableResult:
    name: str
    rows: int
    columns: tuple[ColumnResult, ...]


class ValueScanner:
    """Scans string arrays; one instance per scan (it holds the validation cache)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, bytes], tuple[tuple[Detector, float], ...]] = {}
        self._shapes: dict[tuple[str, str], tuple[Detector, ...]] = {}

    def _shaped(self, family: str, text: str) -> tuple[Detector, ...]:
        """Detectors whose shape fits. Numeric families: decided once per digit pattern."""
        if family not in DIGIT_FAMILIES:
            return tuple(d for d in BY_FAMILY[family] if d.shape_re.fullmatch(text) is not None)
        signature = text.translate(_ZERO_DIGITS)
        key = (family, signature)
        shaped = self._shapes.get(key)
        if shaped is None:
            shaped = self._shapes[key] = tuple(
                d for d in BY_FAMILY[family] if d.shape_re.fullmatch(signature) is not None
            )
        return shaped

    def _validated(self, family: str, candidate: bytes) -> tuple[tuple[Detector, float], ...]:
        key = (family, candidate)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        text = candidate.decode("utf-8", "replace")
        found: list[tuple[Detector, float]] = []
        for detector in self._shaped(family, text):
            score = detector.score
            if detector.validate is not None:
                verdict = detector.validate(text)
                if verdict is False:
                    continue
                if verdict is not True:
                    score = float(verdict)
            found.append((detector, score))
        result = tuple(found)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    def scan_array(self, values: pa.Array, column: ColumnStats | None = None) -> list[Hit]:
        """All validated hits in a string array; ``column`` supplies the column-name context."""
        if len(values) == 0:
            return []
        strings = pc.fill_null(values.cast(pa.string()), "")
        # Stage 1 (Arrow/RE2 over all values, no Python per value): rows that may hold anything.
        flagged = _nonzero(pc.match_substring_regex(strings, PREFILTER))
        if len(flagged) == 0:
            return []
        subset = strings.take(pa.array(flagged))
        hints = column.hints if column is not None else frozenset()
        column_context = column.context_for if column is not None else _no_context
        claimed: dict[int, list[tuple[int, int]]] = {}
        hits: list[Hit] = []
        # Stage 2, family by family in priority order, only over rows that family's prefilter flags.
        for family, prefilter, exact in _FAMILY_RES:
            local = _nonzero(pc.match_substring_regex(subset, prefilter))
            if len(local) == 0:
                continue
            data = subset.take(pa.array(local)).cast(pa.binary())
            lengths = pc.binary_length(data).to_numpy(zero_copy_only=False).astype(np.int64)
            starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
            joined = pc.binary_join(
                pa.ListArray.from_arrays(pa.array([0, len(data)], pa.int32()), data), SEPARATOR
            )
            buffer: bytes = joined[0].as_py()
            matches = [(m.start(), m.end(), m.group()) for m in exact.finditer(buffer)]
            if not matches:
                continue
            positions = np.fromiter((m[0] for m in matches), np.int64, len(matches))
            cells = (np.searchsorted(starts, positions, "right") - 1).tolist()
            for (start, end, candidate), cell in zip(matches, cells, strict=True):
                row = int(flagged[local[cell]])
                cell_start = int(starts[cell])
                span = (start - cell_start, end - cell_start)
                taken = claimed.get(row)
                if taken is None:
                    claimed[row] = [span]
                elif any(a < span[1] and span[0] < b for a, b in taken):
                    # An earlier (more specific) family owns its span: a date is not also a number.
                    continue
                else:
                    taken.append(span)
                validated = self._validated(family, candidate)
                if not validated:
                    continue
                window: str | None = None
                for detector, score in validated:
                    context = detector.element in hints or column_context(detector)
                    if not context and detector.context:
                        if window is None:
                            window = buffer[max(cell_start, start - CONTEXT_WINDOW) : start].decode(
                                "utf-8", "replace"
                            )
                        context = _has_context(detector, window)
                    if detector.context_required and not context:
                        continue
                    final = min(1.0, score + CONTEXT_BOOST) if context else score
                    if final >= MIN_SCORE:
                        hits.append(
                            Hit(
                                row,
                                detector.id,
                                detector.element,
                                final,
                                candidate.decode("utf-8", "replace"),
                            )
                        )
        return hits

    def scan_text(self, text: str, column: str = "") -> list[Hit]:
        """Hits in one free-text value (self-test and ad-hoc use)."""
        stats = ColumnStats(column, column_hints(column), " ".join(column_words(column))) if column else None
        return self.scan_array(pa.array([text], pa.string()), stats)


def new_column(name: str, extra_hints: Iterable[str] = ()) -> ColumnStats:
    """Stats holder for a column; ``extra_hints`` adds element ids known from a schema (field type)."""
    return ColumnStats(name, column_hints(name) | frozenset(extra_hints), " ".join(column_words(name)))


def update_column(stats: ColumnStats, values: pa.Array, hits: list[Hit]) -> None:
    """Fold one batch of a column into its stats."""
    strings = pc.fill_null(values.cast(pa.string()), "")
    nonempty_mask = pc.not_equal(pc.utf8_trim_whitespace(strings), "")
    stats.nonempty += int(pc.sum(nonempty_mask).as_py() or 0)
    if stats.hints and len(stats.hint_samples) < MAX_SAMPLES:
        for value in pc.filter(strings, nonempty_mask).slice(0, MAX_SAMPLES).to_pylist():
            if len(stats.hint_samples) < MAX_SAMPLES:
                stats.hint_samples.append(mask_value(str(value)))
    per_element_rows: dict[str, set[int]] = {}
    for hit in hits:
        element = stats.elements.setdefault(hit.element, ElementStats())
        element.hits += 1
        element.score_sum += hit.score
        element.score_max = max(element.score_max, hit.score)
        element.detectors[hit.detector] += 1
        per_element_rows.setdefault(hit.element, set()).add(hit.row)
        # Masked forms often coincide (``j***@example.com``): stop looking after a few tries.
        if len(element.samples) < MAX_SAMPLES and element.hits <= 20 * MAX_SAMPLES:
            masked = mask_for(hit.element, hit.text)
            if masked not in element.samples:
                element.samples.append(masked)
    for element_id, rows in per_element_rows.items():
        stats.elements[element_id].rows += len(rows)


@cache
def _value_detectable() -> frozenset[str]:
    """Elements a value detector can recognise without context (so silence is evidence)."""
    return frozenset(d.element for d in DETECTORS if not d.context_required and d.score >= MIN_SCORE)


def finish_column(stats: ColumnStats) -> ColumnResult:
    """Turn running stats into the column's element list with confidences.

    Value evidence: mean hit score, scaled by how many non-empty rows carry the element
    (a few SSNs in a notes field still count, but less than a column of them). A column-name
    hint adds ``0.15``. A hint alone gives 0.7 for elements no value detector can see (names,
    medical terms) and 0.35 where values were scanned and did not validate (masked or not that).
    """
    results: list[ElementResult] = []
    for element_id, element in stats.elements.items():
        mean = element.score_sum / element.hits
        ratio = element.rows / stats.nonempty if stats.nonempty else 0.0
        confidence = mean * (0.7 + 0.3 * min(1.0, ratio / 0.3))
        signals = [f"value:{name}" for name, _ in sorted(element.detectors.items())]
        if element_id in stats.hints:
            confidence += 0.15
            signals.insert(0, "column_name")
        results.append(
            ElementResult(
                element_id,
                round(min(1.0, confidence), 2),
                element.rows,
                element.hits,
                tuple(signals),
                tuple(element.samples),
            )
        )
    if stats.nonempty:
        for element_id in sorted(stats.hints - set(stats.elements)):
            confidence = 0.35 if element_id in _value_detectable() else 0.7
            results.append(
                ElementResult(
                    element_id, confidence, stats.nonempty, 0, ("column_name",), tuple(stats.hint_samples)
                )
            )
    results.sort(key=lambda r: (-r.confidence, r.element))
    return ColumnResult(stats.name, stats.nonempty, tuple(results))
