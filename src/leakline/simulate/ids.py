"""Deterministic Salesforce-shaped identifiers, keys, tokens and seeded random streams.

Everything random in the simulator comes from :func:`stream`, a numpy ``Generator`` derived from
the run's seed and a component name. Each component has its own stream, so adding a scenario does
not change the benign baseline of the same seed.
"""

from __future__ import annotations

import hashlib
import string

import numpy as np

from leakline.core.sfid import to18

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_B62 = np.frombuffer(BASE62.encode("ascii"), dtype=np.uint8)
_KEYCHARS = np.frombuffer((BASE62 + "+/").encode("ascii"), dtype=np.uint8)

# Key prefixes of the objects we write (standard prefixes; the RTEM storage ones are simulated).
KEY_PREFIX: dict[str, str] = {
    "Organization": "00D",
    "User": "005",
    "Profile": "00e",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
    "UserLogin": "060",
    "ConnectedApplication": "0H4",
    "SetupEntityAccess": "0J0",
    "OauthToken": "0CQ",
    "AuthSession": "0Ak",
    "LoginHistory": "0Ya",
    "SetupAuditTrail": "0Ym",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Case": "500",
    "Opportunity": "006",
    "Order": "801",
    "Vendor__c": "a0V",
    "Payment__c": "a0P",
    "EventLogFile": "0AT",
    "Report": "00O",
    "BulkJob": "750",
    "BulkBatch": "751",
    "ApiEvent": "3Gb",
    "LoginEvent": "3Lq",
    "ReportEvent": "0RE",
    "BulkApiResultEventStore": "0Bk",
    "SessionHijackingEventStore": "0Hj",
    "CredentialStuffingEventStore": "0Cs",
    "GuestUserAnomalyEventStore": "0Gu",
    "Site": "0DM",
    "NamedCredential": "0XA",
    "RemoteProxy": "0rp",
}


def stream(seed: int, component: str) -> np.random.Generator:
    """A random generator for one component, independent of the others."""
    digest = hashlib.sha256(f"{seed}:{component}".encode()).digest()
    return np.random.default_rng([seed & 0xFFFFFFFF, int.from_bytes(digest[:8], "big")])


def b62(value: int, width: int) -> str:
    """Fixed-width base-62 text of a non-negative integer."""
    chars = []
    for _ in range(width):
        value, rem = divmod(value, 62)
        chars.append(BASE62[rem])
    return "".join(reversed(chars))


def b62_codes(values: np.ndarray, width: int) -> np.ndarray:
    """Vectorised :func:`b62`: an ``(n, width)`` array of ASCII codes."""
    vals = values.astype(np.uint64).copy()
    out = np.empty((len(vals), width), dtype=np.uint8)
    for pos in range(width - 1, -1, -1):
        out[:, pos] = _B62[(vals % np.uint64(62)).astype(np.int64)]
        vals //= np.uint64(62)
    return out


_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_WEIGHTS = np.array([1, 2, 4, 8, 16], dtype=np.int64)


def to18_codes(codes15: np.ndarray) -> list[str]:
    """Vectorised 15 → 18-char id conversion (same algorithm as ``core.sfid.to18``)."""
    upper = ((codes15 >= 65) & (codes15 <= 90)).astype(np.int64)
    suffix = np.stack([_SUFFIX[upper[:, k * 5 : k * 5 + 5] @ _WEIGHTS] for k in range(3)], axis=1)
    full = np.concatenate([codes15, suffix], axis=1)
    flat = full.tobytes().decode("ascii")
    return [flat[i * 18 : (i + 1) * 18] for i in range(len(full))]


class IdFactory:
    """Allocates 15-char record ids per object: key prefix + pod + reserved + 9-char counter."""

    def __init__(self, seed: int, pod: str = "8d") -> None:
        self._pod = pod
        self._next: dict[str, int] = {}
        rng = stream(seed, "ids")
        self._base = int(rng.integers(62**5, 62**6))

    def new15(self, obj: str) -> str:
        """Next 15-char id for ``obj``."""
        prefix = KEY_PREFIX[obj]
        n = self._next.get(prefix, 0)
        self._next[prefix] = n + 1
        return prefix + self._pod + "0" + b62(self._base + n * 7919, 9)

    def new(self, obj: str) -> str:
        """Next 18-char id for ``obj`` (the form our data uses)."""
        return to18(self.new15(obj))

    def many(self, obj: str, count: int) -> list[str]:
        """``count`` consecutive 18-char ids (same values as ``count`` calls of :meth:`new`)."""
        if count == 0:
            return []
        prefix = KEY_PREFIX[obj]
        n = self._next.get(prefix, 0)
        self._next[prefix] = n + count
        counters = self._base + (n + np.arange(count, dtype=np.int64)) * 7919
        head = np.frombuffer((prefix + self._pod + "0").encode("ascii"), dtype=np.uint8)
        codes = np.concatenate([np.tile(head, (count, 1)), b62_codes(counters, 9)], axis=1)
        return to18_codes(codes)


def random_text(rng: np.random.Generator, count: int, width: int, alphabet: np.ndarray = _B62) -> list[str]:
    """``count`` random strings of ``width`` chars from ``alphabet`` (vectorised)."""
    if count == 0:
        return []
    codes = alphabet[rng.integers(0, len(alphabet), size=(count, width))]
    flat = codes.astype(np.uint8).tobytes().decode("ascii")
    return [flat[i * width : (i + 1) * width] for i in range(count)]


def session_keys(rng: np.random.Generator, count: int) -> list[str]:
    """16-char SESSION_KEY / LOGIN_KEY values (base64 alphabet, as Salesforce writes them)."""
    return random_text(rng, count, 16, _KEYCHARS)


class RequestIds:
    """Unique REQUEST_ID values: a bijective scramble of a counter, so no two rows ever collide."""

    # x -> (x * MUL + ADD) mod 2**59 is a bijection (MUL odd); 2**59 < 62**10 fits 10 base-62 digits.
    _MASK = np.uint64(2**59 - 1)
    _MUL = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, seed: int) -> None:
        self._n = 0
        self._add = np.uint64(int(stream(seed, "request-ids").integers(0, 2**59)))
        self._tail = stream(seed, "request-id-tails")

    def take(self, count: int) -> list[str]:
        """``count`` fresh 22-char request ids (e.g. ``4Tq0GcZx7bQ1mA9kPz3LwE``)."""
        if count == 0:
            return []
        counters = np.arange(self._n, self._n + count, dtype=np.uint64)
        self._n += count
        with np.errstate(over="ignore"):
            scrambled = (counters * self._MUL + self._add) & self._MASK
        heads = b62_codes(scrambled, 10)
        tails = _B62[self._tail.integers(0, 62, size=(count, 11))]
        lead = np.full((count, 1), ord("4"), dtype=np.uint8)
        flat = np.concatenate([lead, heads, tails], axis=1).tobytes().decode("ascii")
        return [flat[i * 22 : (i + 1) * 22] for i in range(count)]
