"""Bank and tax identifiers with valid check digits (IBAN mod-97, ABA routing, EIN, VAT, SSN …).

Every value is built from seeded digits, completed with its check digits, and verified with
``python-stdnum`` where it has a validator, so detectors that validate checksums accept them.
"""

from __future__ import annotations

import numpy as np
from stdnum import iban
from stdnum.au import abn
from stdnum.br import cnpj
from stdnum.de import vat as de_vat
from stdnum.es import ccc
from stdnum.gb import vat as gb_vat
from stdnum.us import ein

# BBAN layouts: n = digit, a = upper-case letter, c = alphanumeric.
_BBAN: dict[str, str] = {
    "DE": "n18",
    "GB": "a4n14",
    "NL": "a4n10",
    "IE": "a4n14",
    "FR": "n23",
    "ES": "n20",
    "IT": "a1n10c12",
    "PL": "n24",
    "SE": "n20",
}
_GB_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")
_NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO")
_IE_BANKS = ("AIBK", "BOFI")


def _digits(rng: np.random.Generator, count: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, count))


def _bban(country: str, rng: np.random.Generator) -> str:
    if country == "GB":
        return _GB_BANKS[int(rng.integers(0, len(_GB_BANKS)))] + _digits(rng, 14)
    if country == "NL":
        return _NL_BANKS[int(rng.integers(0, len(_NL_BANKS)))] + _digits(rng, 10)
    if country == "IE":
        return _IE_BANKS[int(rng.integers(0, len(_IE_BANKS)))] + _digits(rng, 14)
    if country == "IT":
        return "X" + _digits(rng, 10) + _digits(rng, 12)
    length = int(_BBAN[country][1:])
    bban = _digits(rng, length)
    if country == "ES":
        # Spanish BBANs carry two national check digits (CCC) at positions 9-10.
        bban = bban[:8] + ccc.calc_check_digits(bban) + bban[10:]
    return bban


def make_iban(country: str, rng: np.random.Generator) -> str:
    """A valid IBAN (mod-97 check digits; national checks where stdnum knows them), printed form."""
    for _ in range(200):
        bban = _bban(country, rng)
        check = iban.calc_check_digits(country + "00" + bban)
        candidate = country + check + bban
        if iban.is_valid(candidate):
            return iban.format(candidate)
    raise RuntimeError(f"could not build a valid IBAN for {country}")


def iban_countries() -> tuple[str, ...]:
    """Countries we can issue IBANs for."""
    return tuple(_BBAN)


def make_aba_routing(rng: np.random.Generator) -> str:
    """A 9-digit US routing number with a valid ABA checksum (3-7-1 weights, mod 10)."""
    prefix = int(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]))
    body = f"{prefix:02d}" + _digits(rng, 6)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + str((10 - total % 10) % 10)


def aba_valid(routing: str) -> bool:
    """ABA checksum test (used by tests and by callers that accept user input)."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    weights = (3, 7, 1, 3, 7, 1, 3, 7, 1)
    return sum(int(d) * w for d, w in zip(routing, weights, strict=True)) % 10 == 0


def make_us_account(rng: np.random.Generator) -> str:
    """A US checking account number (no checksum exists; 10-12 digits)."""
    return _digits(rng, int(rng.integers(10, 13)))


def make_ssn(rng: np.random.Generator) -> str:
    """An SSN that passes the area/group/serial rules (never 000, 666, 9xx; group and serial non-zero)."""
    while True:
        area = int(rng.integers(1, 900))
        if area == 666:
            continue
        group = int(rng.integers(1, 100))
        serial = int(rng.integers(1, 10000))
        return f"{area:03d}-{group:02d}-{serial:04d}"


def make_tax_id(country: str, rng: np.random.Generator) -> str:
    """A business tax id valid for the country (EIN, VAT, ABN, CNPJ …) in its printed form."""
    for _ in range(20000):
        if country == "US":
            candidate = f"{int(rng.integers(10, 99)):02d}-{_digits(rng, 7)}"
            if ein.is_valid(candidate):
                return candidate
        elif country == "DE":
            body = _digits(rng, 8)
            candidate = "DE" + str(int(rng.integers(1, 10))) + body
            if de_vat.is_valid(candidate):
                return candidate
        elif country == "GB":
            candidate = "GB" + _digits(rng, 9)
            if gb_vat.is_valid(candidate):
                return candidate
        elif country == "AU":
            candidate = _digits(rng, 11)
            if abn.is_valid(candidate):
                return abn.format(candidate)
        elif country == "BR":
            body = _digits(rng, 8) + "0001"
            candidate = body + cnpj.calc_check_digits(body)
            if cnpj.is_valid(candidate):
                return cnpj.format(candidate)
        else:
            # Countries without a validator we rely on: a VAT-shaped id with the country prefix.
            return country + _digits(rng, 11)
    raise RuntimeError(f"could not build a tax id for {country}")
