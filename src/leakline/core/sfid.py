"""Salesforce record ids: 15-char (case-sensitive) ↔ 18-char (case-insensitive) forms."""

from __future__ import annotations

_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def to18(record_id: str) -> str:
    """Return the 18-char form; 18-char input is returned as is; anything else raises ValueError."""
    if len(record_id) == 18:
        return record_id
    if len(record_id) != 15 or not record_id.isalnum():
        raise ValueError(f"not a Salesforce id: {record_id!r}")
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(record_id[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX[bits]
    return record_id + suffix


def same_id(a: str, b: str) -> bool:
    """Compare two ids in either form."""
    try:
        return to18(a).lower() == to18(b).lower()
    except ValueError:
        return a == b
