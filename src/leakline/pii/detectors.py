"""Value detectors: the ONE place where patterns, context words, validators and examples live.

Modelled on presidio's recognizers (pattern + context words + ``validate``), with two changes:

* Detection is two-stage. A small number of *families* (``FAMILIES``) form one precompiled
  alternation that runs over a whole column chunk at once (``leakline.pii.scanner``); each
  candidate it yields is handed only to the detectors of its family, which check their own
  shape and validator. No per-value loop over all detectors.
* Every detector embeds positive and negative examples (``examples``), run by
  ``leakline.pii.selftest.selftest()``; an example names the detector ids it must produce.

Scores: ``score`` when the shape matches and the validator passes (or has nothing to say);
``+CONTEXT_BOOST`` when a context word precedes the hit in the same value or the column name
suggests the element; hits below ``MIN_SCORE`` are dropped. A validator may return a float to
override the score (e.g. private IPs are still IPs, but weaker evidence of a person).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from stdnum import iban as std_iban
from stdnum.au import tfn as au_tfn
from stdnum.br import cnpj as br_cnpj
from stdnum.br import cpf as br_cpf
from stdnum.ca import sin as ca_sin
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.in_ import pan as in_pan
from stdnum.it import codicefiscale as it_cf
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_personnummer
from stdnum.us import ein as us_ein
from stdnum.us import itin as us_itin
from stdnum.us import rtn as us_rtn

CONTEXT_BOOST = 0.25
MIN_SCORE = 0.4
# How far back (bytes, same value only) a context word may stand before a hit.
CONTEXT_WINDOW = 48

Validator = Callable[[str], "bool | float"]


@dataclass(frozen=True)
class Example:
    """``text`` must produce exactly the detector ids in ``expect`` (empty: none of this detector)."""

    text: str
    expect: tuple[str, ...]
    column: str = ""


@dataclass(frozen=True)
class Detector:
    """One recognizer. ``shape`` is matched (fullmatch) against the family's candidate."""

    id: str
    element: str
    family: str
    shape: str
    score: float
    validate: Validator | None = None
    context: tuple[str, ...] = ()
    context_required: bool = False
    examples: tuple[Example, ...] = ()
    shape_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape_re", re.compile(self.shape))


# --- families ------------------------------------------------------------------------------
# (name, exact pattern, prefilter). The exact patterns form one alternation (earlier wins at
# the same position), ASCII, compiled as bytes; ``\x1f`` separates values, so classes exclude it.
# The prefilter is an RE2 pattern (Arrow's vectorised ``match_substring_regex``: no Python per
# value) that must match every value the exact pattern matches: lookarounds become consuming
# ``(?:^|[^\w])``-style classes, tails are shortened. Only values it flags reach Python.
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("pem", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY"),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{0,1024}",
        r"eyJ[A-Za-z0-9_-]{5,}\.eyJ",
    ),
    (
        "sf_session",
        r"\b00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?![A-Za-z0-9._]{40,}",
        r"00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?!",
    ),
    ("sf_refresh", r"\b5Aep86[A-Za-z0-9._]{50,}", r"5Aep86"),
    (
        "token",
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AIza|xox[abposr]-|gh[pousr]_|github_pat_|[sr]k_live_|SG\.|ya29\.)"
        r"[A-Za-z0-9_./+=-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
        r"AKIA|ASIA|ABIA|ACCA|AIza|xox[abposr]-|gh[pousr]_|github_pat_|[sr]k_live_|SG\.|ya29\.|hooks\.slack\.com",
    ),
    (
        "kv",
        r"(?i:\b(?:password|passwd|pwd|passwort|kennwort|mot_de_passe|contrasena|client_secret"
        r"|consumer_secret|secret_key|aws_secret_access_key|api_?key|access_?key|auth_?token"
        r"|secret)[\"']?\s{0,3}[:=]\s{0,3}[\"']?)[^\s\x1f\"',;&]{4,200}",
        r"(?i)(?:password|passwd|pwd|passwort|kennwort|mot_de_passe|contrasena|secret|api_?key|access_?key"
        r"|auth_?token)[\"']?\s{0,3}[:=]",
    ),
    (
        "email",
        r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b",
        r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]{1,63}\.",
    ),
    (
        "iban",
        r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
        r"[A-Z]{2}\d{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}",
    ),
    (
        "alnum_id",
        r"\b(?:[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]|[A-Z]{5}\d{4}[A-Z]|[XYZ]-?\d{7}-?[A-Z]"
        r"|\d{8}-?[A-Z]|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z])\b",
        r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]|[A-Z]{5}\d{4}[A-Z]|[XYZ]-?\d{7}-?[A-Z]|\d{8}-?[A-Z]"
        r"|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]",
    ),
    (
        "ipv4",
        r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)",
        r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
    ),
    (
        # Only "::" forms or 3+ colons can be valid IPv6, which keeps clock times out.
        "ipv6",
        r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::?[0-9A-Fa-f]{1,4}){1,7})(?![\w:])",
        r"::|(?:[0-9A-Fa-f]{1,4}:){3}",
    ),
    (
        "date",
        r"\b(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
        r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d"
        r"|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d\d)\b(?![-/.:]?\d|T\d)",
        r"(?:^|[^\w])(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d)(?:$|[^\w])",
    ),
    (
        "street",
        r"\b\d{1,6}[A-Za-z]? (?:[A-Z][A-Za-z.'-]* ){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd"
        r"|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir)\b\.?"
        r"|\b[A-Z][A-Za-z\x80-\xff-]{2,40}(?:stra(?:ss|\xc3\x9f)e|str\.|weg|gasse|allee|platz|ring) \d{1,4}[a-z]?\b",
        r"\d{1,6}[A-Za-z]? (?:[A-Z][A-Za-z.'-]* ){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd"
        r"|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir)\b"
        r"|(?:stra(?:ss|ß)e|str\.|weg|gasse|allee|platz|ring) \d",
    ),
    (
        "phone",
        r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){5,13}(?![\w])"
        r"|(?<!\w)\(\d{3}\) ?\d{3}[ .-]?\d{4}(?!\w)",
        r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){5,13}|\(\d{3}\) ?\d{3}[ .-]?\d{4}",
    ),
    (
        "num",
        r"(?<![\w.+/-])\d(?:[ ./-]?\d){6,22}(?![\w]|[./-]\d)",
        r"(?:^|[^\w.+/-])\d(?:[ ./-]?\d){6,22}(?:$|[^\w./-]|[./-](?:$|[^\d]))",
    ),
)


# --- validators -----------------------------------------------------------------------------
_NOT_DIGIT = re.compile(r"\D")


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _stdnum(module: object) -> Validator:
    is_valid: Callable[[str], bool] = module.is_valid  # type: ignore[attr-defined]
    return lambda value: bool(is_valid(value))


# Issuer identification ranges (first digits → allowed lengths). Luhn alone passes 1 in 10
# random numbers; requiring a known issuer range removes most of the rest.
_IIN: tuple[tuple[int, int, int, tuple[int, ...]], ...] = (
    # (prefix length, low, high, lengths)
    (1, 4, 4, (13, 16, 19)),  # Visa
    (2, 51, 55, (16,)),  # Mastercard
    (4, 2221, 2720, (16,)),  # Mastercard 2-series
    (2, 34, 34, (15,)),  # American Express
    (2, 37, 37, (15,)),
    (4, 6011, 6011, (16, 19)),  # Discover
    (3, 644, 649, (16, 19)),
    (2, 65, 65, (16, 19)),
    (4, 3528, 3589, (16, 19)),  # JCB
    (3, 300, 305, (14, 16, 19)),  # Diners Club
    (2, 36, 36, (14, 16, 19)),
    (2, 38, 39, (16, 19)),
    (2, 62, 62, (16, 17, 18, 19)),  # UnionPay
    (2, 50, 50, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (2, 56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),
    (2, 67, 67, (12, 13, 14, 15, 16, 17, 18, 19)),
)


def valid_card(value: str) -> bool:
    """Luhn checksum plus a known issuer range and length; all-same-digit numbers rejected."""
    digits = _digits(value)
    if len(set(digits)) < 2 or not _luhn_ok(digits):
        return False
    return any(
        low <= int(digits[:size]) <= high and len(digits) in lengths for size, low, high, lengths in _IIN
    )


# Numbers the SSA or others published (ads, wallet inserts) and "obvious" sequences.
_ADVERTISED_SSNS = frozenset({"078051120", "219099999", "457555462", "123456789", "111111111"})


def valid_ssn(value: str) -> bool:
    """SSA rules: area 001-899 except 666, group 01-99, serial 0001-9999, advertised numbers out."""
    digits = _digits(value)
    if len(digits) != 9 or digits in _ADVERTISED_SSNS:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return 0 < area < 900 and area != 666 and group > 0 and serial > 0


_NINO_BAD_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def valid_nino(value: str) -> bool:
    """UK National Insurance number: prefix letter rules (HMRC), six digits, suffix A-D."""
    text = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", text):
        return False
    first, second = text[0], text[1]
    return first not in "DFIQUV" and second not in "DFIOQUV" and text[:2] not in _NINO_BAD_PREFIX


def valid_ipv4(value: str) -> bool | float:
    """Four octets 0-255 without leading zeros; private/loopback/reserved addresses score lower."""
    parts = value.split(".")
    if len(parts) != 4 or any(len(p) > 1 and p[0] == "0" for p in parts):
        return False
    octets = [int(p) for p in parts]
    if max(octets) > 255 or octets[0] == 0:
        return False
    first, second = octets[0], octets[1]
    internal = (
        first in (10, 127)
        or first >= 224
        or (first == 172 and 16 <= second <= 31)
        or (first == 192 and second == 168)
        or (first == 169 and second == 254)
        or (first == 100 and 64 <= second <= 127)
    )
    return 0.5 if internal else True


def valid_ipv6(value: str) -> bool | float:
    """Parses as IPv6 with at least three groups (rules out clock times such as 12:30)."""
    if value.count(":") < 2 or (not any(ch.isalpha() for ch in value) and "::" not in value):
        return False
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return 0.5 if (address.is_private or address.is_loopback or address.is_link_local) else True


def valid_email(value: str) -> bool:
    """Local part not starting/ending with a dot; domain with a letter TLD."""
    local = value.rpartition("@")[0]
    return bool(local) and not local.startswith(".") and not local.endswith(".") and ".." not in value


_PHONE_CACHE: dict[str, bool] = {}


def valid_phone(value: str) -> bool:
    """Valid per libphonenumber: international form, or national form for the US/Canada.

    libphonenumber decides validity from the country code, the leading digits and the length;
    the cache key keeps all but the last two digits plus the length, so a column of a million
    numbers costs a few thousand parses instead of a million.
    """
    digits = _digits(value)
    key = ("+" if value.startswith("+") else "") + digits[:-2] + f"/{len(digits)}"
    known = _PHONE_CACHE.get(key)
    if known is not None:
        return known
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else "US")
        valid = bool(phonenumbers.is_valid_number(number))
    except phonenumbers.NumberParseException:
        valid = False
    if len(_PHONE_CACHE) > 100_000:
        _PHONE_CACHE.clear()
    _PHONE_CACHE[key] = valid
    return valid


def valid_birth_date(value: str) -> bool:
    """A real calendar date from 1900 up to today's year (no clock needed: the year bound is loose)."""
    parts = [int(p) for p in re.split(r"[-/.]", value)]
    if parts[0] > 1000:
        year, month, day = parts
    elif "/" in value and parts[1] <= 31 and parts[0] <= 12:
        month, day, year = parts
    else:
        day, month, year = parts
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _b64json(part: str) -> dict[str, object] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def valid_jwt(value: str) -> bool:
    """Header and payload decode to JSON objects and the header names an algorithm."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    header = _b64json(parts[0])
    return header is not None and "alg" in header and _b64json(parts[1]) is not None


_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def valid_github_token(value: str) -> bool | float:
    """New-format GitHub tokens end in a base62 CRC32 of the rest: checked (fine-grained PATs: shape only)."""
    if value.startswith("github_pat_"):
        return 0.85
    body, check = value[:-6], value[-6:]
    crc = zlib.crc32(body.encode())
    encoded = ""
    while crc:
        crc, rem = divmod(crc, 62)
        encoded = _B62[rem] + encoded
    return encoded.rjust(6, "0") == check or 0.6


def _entropy_ok(value: str) -> bool:
    return len(set(value)) >= 8


_PLACEHOLDERS = re.compile(
    r"(?i)^(?:\*+|x+|\.+|-+|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\w+%|<.*|null|none|nil|undefined|true|false"
    r"|password|passwd|secret|changeme|redacted|masked|example|your[_-]?\w*|\[redacted\]|\[filtered\])$"
)


def valid_secret_value(value: str) -> bool | float:
    """The value after ``password=`` etc.: not a placeholder, a mask or a template variable."""
    secret = re.split(r"[:=]", value, maxsplit=1)[1].strip().strip("\"'") if re.search(r"[:=]", value) else ""
    if len(secret) < 4 or _PLACEHOLDERS.match(secret):
        return False
    return True if len(set(secret)) >= 4 else 0.5


def valid_aws_secret_kv(value: str) -> bool:
    """``aws_secret_access_key = <40 base64 chars>``."""
    secret = re.split(r"[:=]", value, maxsplit=1)[1].strip().strip("\"'")
    return re.fullmatch(r"[A-Za-z0-9/+]{40}", secret) is not None and _entropy_ok(secret)


def valid_sf_session(value: str) -> bool:
    """``<15/18-char org id starting 00D>!<token>``: the org id part must be a well-formed id."""
    org, _, token = value.partition("!")
    return len(org) in (15, 18) and len(token) >= 40 and _entropy_ok(token)


# --- the detectors --------------------------------------------------------------------------
_SSN_WORDS = ("ssn", "social security", "soc sec", "ss#", "ss #", "sozialversicherung")
_CARD_WORDS = ("card", "credit", "visa", "mastercard", "amex", "cc#", "kreditkarte", "tarjeta", "carte")
_BANK_WORDS = ("routing", "aba", "bank", "account", "acct", "transit", "konto")

DETECTORS: tuple[Detector, ...] = (
    Detector(
        "pem_private_key",
        "private_key",
        "pem",
        r"-----BEGIN .*PRIVATE KEY.*-----",
        0.99,
        examples=(
            Example("key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow...", ("pem_private_key",)),
            Example("-----BEGIN PUBLIC KEY-----", ()),
        ),
    ),
    Detector(
        "jwt",
        "oauth_token",
        "jwt",
        r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
        0.9,
        valid_jwt,
        examples=(
            Example(
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
                ("jwt",),
            ),
            Example("eyJub3QiOiJqd3QifQ.eyJ4Ijo1fQ.abc", ()),
        ),
    ),
    Detector(
        "salesforce_session_id",
        "oauth_token",
        "sf_session",
        r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{40,}",
        0.95,
        valid_sf_session,
        examples=(
            Example(
                "sid=00D5e000001N20QEAS!AQ4AQLNQp.rbpGbZ0Tl7Gx8xOJmKVNqz5Ms3nCz3hJlp9QxL_7Kz2vPQWj8mNf4aB6cD",
                ("salesforce_session_id",),
            ),
            Example("00D5e000001N20Q!short", ()),
        ),
    ),
    Detector(
        "salesforce_refresh_token",
        "oauth_token",
        "sf_refresh",
        r"5Aep86[A-Za-z0-9._]{50,}",
        0.9,
        lambda v: _entropy_ok(v[6:]),
        examples=(
            Example(
                "refresh_token 5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrvlBUafHxD4mP7nVqK2Lw9sZ0c",
                ("salesforce_refresh_token",),
            ),
            Example("5Aep8600000000000000000000000000000000000000000000000000000", ()),
        ),
    ),
    Detector(
        "aws_access_key_id",
        "api_secret",
        "token",
        r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        0.75,
        lambda v: _entropy_ok(v[4:]),
        context=("aws", "secret", "access_key", "amazon", "s3"),
        examples=(
            Example("aws_access_key_id=AKIAQYLPMN5HFIQR7XYZ", ("aws_access_key_id",)),
            Example("AKIAAAAAAAAAAAAAAAAA", ()),
        ),
    ),
    Detector(
        "gcp_api_key",
        "api_secret",
        "token",
        r"AIza[0-9A-Za-z_-]{35}",
        0.9,
        _entropy_ok,
        examples=(
            Example("key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", ("gcp_api_key",)),
            Example("AIzaShort", ()),
        ),
    ),
    Detector(
        "slack_token",
        "api_secret",
        "token",
        r"xox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
        0.9,
        examples=(
            Example("SLACK_BOT_TOKEN=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", ("slack_token",)),
            Example("xoxb-short", ()),
        ),
    ),
    Detector(
        "github_token",
        "api_secret",
        "token",
        r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,}",
        0.9,
        valid_github_token,
        examples=(
            Example("token ghp_sJwiD6SBQhH4L0y5iTnkhJ4U3tSVKC1OvFUO", ("github_token",)),
            Example("ghp_short", ()),
        ),
    ),
    Detector(
        "stripe_secret_key",
        "api_secret",
        "token",
        r"[sr]k_live_[A-Za-z0-9]{20,}",
        0.9,
        _entropy_ok,
        examples=(
            Example("sk_live_51HxYzQ2eZvKYlo2C8nB3mP4qR7s", ("stripe_secret_key",)),
            Example("sk_test_51HxYzQ2eZvKYlo2C8nB3mP4qR7s", ()),
        ),
    ),
    Detector(
        "sendgrid_key",
        "api_secret",
        "token",
        r"SG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{40,50}",
        0.9,
        examples=(
            Example(
                "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", ("sendgrid_key",)
            ),
            Example("SG.short", ()),
        ),
    ),
    Detector(
        "google_oauth_token",
        "oauth_token",
        "token",
        r"ya29\.[A-Za-z0-9_-]{30,}",
        0.85,
        examples=(
            Example("access ya29.a0AfH6SMBx3Qz9kLmN8pQrStUvWxYz0123456789abc", ("google_oauth_token",)),
            Example("ya29.short", ()),
        ),
    ),
    Detector(
        "aws_secret_access_key",
        "api_secret",
        "kv",
        r"(?i:aws_secret_access_key).*",
        0.95,
        valid_aws_secret_kv,
        examples=(
            Example(
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ("aws_secret_access_key",)
            ),
            Example("aws_secret_access_key=${AWS_SECRET}", ()),
        ),
    ),
    Detector(
        "password_assignment",
        "username_password",
        "kv",
        r"(?i:password|passwd|pwd|passwort|kennwort|mot_de_passe|contrasena).*",
        0.75,
        valid_secret_value,
        context=("user", "login", "username", "email", "benutzer"),
        examples=(
            Example("login: jdoe password=Tr0ub4dor&3x", ("password_assignment",)),
            Example("Passwort: hunter2hunter", ("password_assignment",)),
            Example("password=******** (redacted)", ()),
            Example("password: ${DB_PASSWORD}", ()),
        ),
    ),
    Detector(
        "secret_assignment",
        "api_secret",
        "kv",
        r"(?i:client_secret|consumer_secret|secret_key|api_?key|access_?key|auth_?token|secret)[\"']?\s*[:=].*",
        0.7,
        valid_secret_value,
        examples=(
            Example("consumer_secret=8F2C4B1D9E7A3F6C5B0D2E8A1C4F7B3D", ("secret_assignment",)),
            Example("api_key: <your api key>", ()),
        ),
    ),
    Detector(
        "email_address",
        "email",
        "email",
        r".+@.+",
        0.9,
        valid_email,
        examples=(
            Example("contact jane.doe+crm@example.co.uk today", ("email_address",)),
            Example("not an email: jane@localhost", ()),
        ),
    ),
    Detector(
        "iban",
        "financial_account",
        "iban",
        r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,36}",
        0.95,
        _stdnum(std_iban),
        context=("iban", "bank", "konto", "account"),
        examples=(
            Example("IBAN: DE89 3704 0044 0532 0130 00", ("iban",)),
            Example("GB82WEST12345698765432", ("iban",)),
            Example("DE89 3704 0044 0532 0130 01", ()),
        ),
    ),
    Detector(
        "uk_nino",
        "national_id",
        "alnum_id",
        r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]",
        0.7,
        valid_nino,
        context=("nino", "national insurance", "ni number"),
        examples=(
            Example("NI number AB 12 34 56 C", ("uk_nino",)),
            Example("QQ123456C", ()),
        ),
    ),
    Detector(
        "in_pan",
        "tax_id",
        "alnum_id",
        r"[A-Z]{5}\d{4}[A-Z]",
        0.6,
        _stdnum(in_pan),
        context=("pan", "income tax"),
        examples=(Example("PAN ABCPE1234F", ("in_pan",)), Example("ABCDE1234F", ())),
    ),
    Detector(
        "es_dni",
        "national_id",
        "alnum_id",
        r"\d{8}-?[A-Z]",
        0.7,
        _stdnum(es_dni),
        context=("dni", "nif"),
        examples=(Example("DNI 54362315-K", ("es_dni",)), Example("54362315-Z", ())),
    ),
    Detector(
        "es_nie",
        "national_id",
        "alnum_id",
        r"[XYZ]-?\d{7}-?[A-Z]",
        0.75,
        _stdnum(es_nie),
        context=("nie",),
        examples=(Example("NIE X-2482300-W", ("es_nie",)), Example("X-2482300-A", ())),
    ),
    Detector(
        "it_codice_fiscale",
        "national_id",
        "alnum_id",
        r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]",
        0.9,
        _stdnum(it_cf),
        context=("codice fiscale", "cf"),
        examples=(Example("CF RCCMNL83S18D969H", ("it_codice_fiscale",)), Example("RCCMNL83S18D969A", ())),
    ),
    Detector(
        "ipv4_address",
        "ip_address",
        "ipv4",
        r"[\d.]+",
        0.8,
        valid_ipv4,
        context=("ip", "addr", "host", "client"),
        examples=(
            Example("login from 185.220.101.4 at 09:00", ("ipv4_address",)),
            Example("version 999.1.2.3", ()),
        ),
    ),
    Detector(
        "ipv6_address",
        "ip_address",
        "ipv6",
        r"[0-9A-Fa-f:]+",
        0.8,
        valid_ipv6,
        examples=(
            Example("src 2001:db8:85a3::8a2e:370:7334", ("ipv6_address",)),
            Example("at 12:30:45", ()),
        ),
    ),
    Detector(
        "birth_date",
        "dob",
        "date",
        r"[\d/.-]+",
        0.7,
        valid_birth_date,
        context=("born", "birth", "dob", "d.o.b", "geboren", "naissance", "nacimiento", "nascimento"),
        context_required=True,
        examples=(
            Example("DOB: 1984-07-14", ("birth_date",)),
            Example("date of birth 14.07.1984", ("birth_date",)),
            Example("invoice date 2026-03-01", ()),
        ),
    ),
    Detector(
        "street_address",
        "address",
        "street",
        r".+",
        0.6,
        context=("address", "street", "lives", "ship"),
        examples=(
            Example("ship to 1600 Amphitheatre Parkway, Mountain View", ("street_address",)),
            Example("Lieferung an Hauptstrasse 12, Berlin", ("street_address",)),
            Example("the 3 Little Pigs", ()),
        ),
    ),
    Detector(
        "phone_number",
        "phone",
        "phone",
        r".+",
        0.75,
        valid_phone,
        context=("phone", "tel", "mobile", "call", "cell", "fax", "telefon"),
        examples=(
            Example("call +49 30 901820 now", ("phone_number",)),
            Example("(415) 555-2671", ("phone_number",)),
            Example("+1 000 000 0000", ()),
        ),
    ),
    # -- the numeric family: shapes decide which validators are even asked ------------------
    Detector(
        "us_ssn",
        "ssn",
        "num",
        r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}",
        0.75,
        valid_ssn,
        context=_SSN_WORDS,
        examples=(
            Example("SSN 536-22-1234 on file", ("us_ssn",)),
            Example("536-22-1234", ("us_ssn",)),
            Example("666-22-1234", ()),
            Example("078-05-1120", ()),
            Example("536-00-1234", ()),
        ),
    ),
    Detector(
        "us_ssn_undelimited",
        "ssn",
        "num",
        r"\d{9}",
        0.3,
        valid_ssn,
        context=_SSN_WORDS,
        examples=(
            Example("ssn: 536221234", ("us_ssn_undelimited",)),
            Example("order 536221234", ()),
        ),
    ),
    Detector(
        "us_itin",
        "itin",
        "num",
        r"\d{3}-?\d{2}-?\d{4}",
        0.7,
        _stdnum(us_itin),
        context=("itin", "taxpayer", "tax id"),
        examples=(Example("ITIN 912-70-1234", ("us_itin",)), Example("912-40-1234", ())),
    ),
    Detector(
        "us_ein",
        "tax_id",
        "num",
        r"\d{2}-\d{7}",
        0.55,
        _stdnum(us_ein),
        context=("ein", "employer identification", "tax id", "fein", "tin"),
        examples=(Example("EIN 04-2103594", ("us_ein",)), Example("EIN 07-2103594", ())),
    ),
    Detector(
        "payment_card",
        "payment_card",
        "num",
        r"\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -]?)\d{6}\2\d{4,5}",
        0.85,
        valid_card,
        context=_CARD_WORDS,
        examples=(
            Example("card 4111 1111 1111 1111 exp 12/29", ("payment_card",)),
            Example("3782-822463-10005", ("payment_card",)),
            Example("4111 1111 1111 1112", ()),
            Example("9111111111111111", ()),
        ),
    ),
    Detector(
        "aba_routing",
        "financial_account",
        "num",
        r"\d{9}",
        0.3,
        _stdnum(us_rtn),
        context=_BANK_WORDS,
        examples=(Example("routing number 021000021", ("aba_routing",)), Example("ref 021000022", ())),
    ),
    Detector(
        "ca_sin",
        "national_id",
        "num",
        r"\d{3}[ -]\d{3}[ -]\d{3}",
        0.5,
        _stdnum(ca_sin),
        context=("sin", "social insurance", "nas"),
        examples=(Example("SIN 123-456-782", ("ca_sin",)), Example("SIN 123-456-783", ())),
    ),
    Detector(
        "au_tfn",
        "national_id",
        "num",
        r"\d{3} \d{3} \d{2,3}|\d{8,9}",
        0.3,
        _stdnum(au_tfn),
        context=("tfn", "tax file"),
        examples=(Example("TFN 123 456 782", ("au_tfn",)), Example("TFN 123 456 789", ())),
    ),
    Detector(
        "br_cpf",
        "national_id",
        "num",
        r"\d{3}\.\d{3}\.\d{3}-\d{2}",
        0.9,
        _stdnum(br_cpf),
        context=("cpf",),
        examples=(Example("CPF 390.533.447-05", ("br_cpf",)), Example("390.533.447-06", ())),
    ),
    Detector(
        "br_cpf_undelimited",
        "national_id",
        "num",
        r"\d{11}",
        0.3,
        _stdnum(br_cpf),
        context=("cpf",),
        examples=(Example("cpf 39053344705", ("br_cpf_undelimited",)), Example("39053344705", ())),
    ),
    Detector(
        "br_cnpj",
        "tax_id",
        "num",
        r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}|\d{14}",
        0.5,
        _stdnum(br_cnpj),
        context=("cnpj",),
        examples=(Example("CNPJ 00.000.000/0001-91", ("br_cnpj",)), Example("00.000.000/0001-92", ())),
    ),
    Detector(
        "in_aadhaar",
        "national_id",
        "num",
        r"\d{4} \d{4} \d{4}|\d{12}",
        0.5,
        _stdnum(in_aadhaar),
        context=("aadhaar", "uidai"),
        examples=(Example("Aadhaar 2345 6789 0124", ("in_aadhaar",)), Example("Aadhaar 2345 6789 0123", ())),
    ),
    Detector(
        "nl_bsn",
        "national_id",
        "num",
        r"\d{9}|\d{4}\.\d{2}\.\d{3}",
        0.3,
        _stdnum(nl_bsn),
        context=("bsn", "burgerservicenummer", "sofinummer"),
        examples=(Example("BSN 111222333", ("nl_bsn",)), Example("BSN 111222334", ())),
    ),
    Detector(
        "de_idnr",
        "tax_id",
        "num",
        r"\d{11}|\d{2} \d{3} \d{3} \d{3}",
        0.3,
        _stdnum(de_idnr),
        context=("steuer", "idnr", "identifikationsnummer", "steuer-id"),
        examples=(Example("Steuer-IdNr 36574261809", ("de_idnr",)), Example("Steuer-IdNr 36574261808", ())),
    ),
    Detector(
        "fr_nir",
        "national_id",
        "num",
        r"\d(?: ?\d){14}",
        0.6,
        _stdnum(fr_nir),
        context=("nir", "securite sociale", "sécurité sociale", "insee"),
        examples=(
            Example("NIR 2 95 10 99 126 111 93", ("fr_nir",)),
            Example("NIR 2 95 10 99 126 111 94", ()),
        ),
    ),
    Detector(
        "pl_pesel",
        "national_id",
        "num",
        r"\d{11}",
        0.3,
        _stdnum(pl_pesel),
        context=("pesel",),
        examples=(Example("PESEL 44051401359", ("pl_pesel",)), Example("PESEL 44051401358", ())),
    ),
    Detector(
        "se_personnummer",
        "national_id",
        "num",
        r"\d{6}[-+]\d{4}|\d{8}-?\d{4}",
        0.35,
        _stdnum(se_personnummer),
        context=("personnummer", "personnr", "personal identity"),
        examples=(
            Example("personnummer 880320-0016", ("se_personnummer",)),
            Example("personnummer 880320-0018", ()),
        ),
    ),
    Detector(
        "dk_cpr",
        "national_id",
        "num",
        r"\d{6}-?\d{4}",
        0.35,
        _stdnum(dk_cpr),
        context=("cpr", "personnummer"),
        examples=(Example("CPR-nr 211062-5629", ("dk_cpr",)), Example("CPR-nr 511062-5629", ())),
    ),
    Detector(
        "phone_number_national",
        "phone",
        "num",
        r"\d{3}[ .-]\d{3}[ .-]\d{4}|\d[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}",
        0.6,
        valid_phone,
        context=("phone", "tel", "mobile", "call", "cell", "fax"),
        examples=(Example("call 415-555-2671", ("phone_number_national",)), Example("415-055-2671", ())),
    ),
)

BY_ID: dict[str, Detector] = {d.id: d for d in DETECTORS}
BY_FAMILY: dict[str, tuple[Detector, ...]] = {
    name: tuple(d for d in DETECTORS if d.family == name) for name, _, _ in FAMILIES
}
PREFILTER = "|".join(f"(?:{prefilter})" for _, _, prefilter in FAMILIES)
