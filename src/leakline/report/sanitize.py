"""Last line of defence before anything is rendered: mask values that look protected.

Stages already mask what they emit; this pass makes sure that a raw email, key, token or
long account number that slipped into a finding's data never reaches a report.
"""

from __future__ import annotations

import re
from typing import Any

from leakline.core.masking import mask_email, mask_secret, mask_value

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), "secret"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), "secret"),
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}"), "secret"),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), "secret"),
    (re.compile(r"\b(?:xox[abpr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,})\b"), "secret"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "email"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"), "value"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "value"),
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "value"),
)


def mask_text(text: str) -> str:
    """Mask every protected-looking value inside ``text``."""
    for pattern, kind in _PATTERNS:
        if kind == "email":
            text = pattern.sub(lambda m: mask_email(m.group(0)), text)
        elif kind == "secret":
            text = pattern.sub(lambda m: mask_secret(m.group(0)), text)
        else:
            text = pattern.sub(lambda m: mask_value(m.group(0)), text)
    return text


def sanitize(value: Any) -> Any:
    """Recursively mask strings in dicts/lists/tuples."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitize(v) for v in value]
    return value
