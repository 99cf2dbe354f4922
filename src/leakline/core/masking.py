"""Masking and keyed hashing: how protected values may appear in any output.

Default everywhere: masked (``j***@example.com``, ``***-**-1234``). Where a stable join key
is needed without the value, use ``keyed_hash`` with the case's key.
"""

from __future__ import annotations

import hashlib
import hmac


def mask_email(value: str) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``."""
    local, sep, domain = value.partition("@")
    if not sep:
        return mask_value(value)
    return f"{local[:1]}***@{domain}"


def mask_value(value: str, keep_last: int = 4) -> str:
    """Keep the last ``keep_last`` characters (only if the value is long enough), star the rest.

    Digits and letters become ``*``; separators stay, so ``123-45-6789`` → ``***-**-6789``.
    """
    if len(value) <= keep_last * 2:
        keep_last = 0
    head = value[: len(value) - keep_last] if keep_last else value
    tail = value[len(value) - keep_last :] if keep_last else ""
    return "".join("*" if ch.isalnum() else ch for ch in head) + tail


def mask_secret(value: str) -> str:
    """Secrets keep only a short prefix that identifies their kind (``AKIA****``), never the tail."""
    prefix = value[:4] if len(value) >= 16 else ""
    return f"{prefix}****[{len(value)} chars]"


def keyed_hash(value: str, key: bytes, length: int = 16) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, hex, truncated to ``length`` chars."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
