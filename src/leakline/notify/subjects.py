"""The subjects CSV: affected people counted by residence × data elements (no PII in it).

Columns (read from the header; extra columns are ignored): ``residence`` (ISO 3166-2 such as
``US-CA`` or an ISO country code such as ``DE``), ``elements`` (``;``-separated element ids),
``encrypted`` and ``key_compromised`` (true/false), ``count`` (integer ≥ 0).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from leakline.core.errors import BadInputError
from leakline.pii.elements import element_ids

REQUIRED = ("residence", "elements", "encrypted", "key_compromised", "count")
_RESIDENCE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}


@dataclass(frozen=True)
class SubjectRow:
    """One line of the subjects CSV."""

    residence: str
    elements: frozenset[str]
    encrypted: bool
    key_compromised: bool
    count: int
    line: int = 0


def _bool(value: str, column: str, path: Path, line: int) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadInputError(f"{column} must be true or false, not {value!r}", path=path, line=line)


def parse_row(raw: dict[str, str], path: Path, line: int, known: frozenset[str]) -> SubjectRow:
    """Validate one CSV record; raise ``BadInputError`` naming the line and column."""
    residence = (raw.get("residence") or "").strip().upper()
    if not _RESIDENCE.match(residence):
        raise BadInputError(
            f"residence {raw.get('residence')!r} is not an ISO 3166 code (US-CA, DE, …)", path=path, line=line
        )
    elements = frozenset(e.strip() for e in (raw.get("elements") or "").split(";") if e.strip())
    if not elements:
        raise BadInputError(
            "elements is empty (give ';'-separated element ids, e.g. name;ssn)", path=path, line=line
        )
    unknown = sorted(elements - known)
    if unknown:
        raise BadInputError(
            f"unknown element id(s) {', '.join(unknown)}",
            "see src/leakline/pii/elements.yaml",
            path=path,
            line=line,
        )
    count_text = (raw.get("count") or "").strip()
    if not count_text.isdigit():
        raise BadInputError(f"count must be a whole number ≥ 0, not {count_text!r}", path=path, line=line)
    return SubjectRow(
        residence=residence,
        elements=elements,
        encrypted=_bool(raw.get("encrypted") or "", "encrypted", path, line),
        key_compromised=_bool(raw.get("key_compromised") or "", "key_compromised", path, line),
        count=int(count_text),
        line=line,
    )


def read_subjects(path: Path) -> list[SubjectRow]:
    """Read and validate every row; the first bad row raises with its line number."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise BadInputError(f"cannot read subjects file: {exc.strerror}", path=path) from None
    known = element_ids()
    rows: list[SubjectRow] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise BadInputError(
                f"missing column(s) {', '.join(missing)}",
                f"header needs: {','.join(REQUIRED)}",
                path=path,
                line=1,
            )
        reader.fieldnames = header
        try:
            for raw in reader:
                line = reader.line_num
                if None in raw:
                    raise BadInputError("more fields than the header has columns", path=path, line=line)
                if all(not (v or "").strip() for v in raw.values()):
                    continue
                rows.append(parse_row(raw, path, line, known))
        except csv.Error as exc:
            raise BadInputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    return rows
