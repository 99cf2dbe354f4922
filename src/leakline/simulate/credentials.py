"""Fake credentials the emulator accepts (``credentials.json``), including a JWT certificate.

The RSA key is derived from the seed (primes found with a seeded Miller-Rabin search) and the
certificate is signed with PKCS#1 v1.5, which is deterministic: the whole file is byte-identical
for the same seed. These keys protect nothing; never reuse them.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_SMALL_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


def _is_probable_prime(n: int, rnd: random.Random) -> bool:
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(24):
        a = rnd.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rnd: random.Random) -> int:
    while True:
        candidate = rnd.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if candidate % 65537 != 1 and _is_probable_prime(candidate, rnd):
            return candidate


@lru_cache(maxsize=8)
def deterministic_rsa_key(seed_text: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """An RSA key derived from ``seed_text`` (same text → same key)."""
    rnd = random.Random(hashlib.sha256(seed_text.encode()).digest())
    e = 65537
    while True:
        p = _prime(bits // 2, rnd)
        q = _prime(bits // 2, rnd)
        if p != q and (p * q).bit_length() == bits:
            break
    if p < q:
        p, q = q, p
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d, dmp1=d % (p - 1), dmq1=d % (q - 1), iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()


def self_signed(key: rsa.RSAPrivateKey, common_name: str, not_before: datetime, serial: int) -> tuple[str, str]:
    """(certificate PEM, PKCS#8 private key PEM) for a JWT bearer connected app."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "leakline simulated org (fake)")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return cert_pem, key_pem
