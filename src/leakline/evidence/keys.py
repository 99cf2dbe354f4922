"""The case key: where it comes from, its fingerprint, and what it protects.

Sources, in order (never ``case.yaml``, never the command line):

1. ``LEAKLINE_KEY_FILE``: a file holding exactly 32 raw bytes.
2. ``LEAKLINE_PASSPHRASE``: stretched with scrypt and the per-case salt stored in the locker.
3. Neither set: a per-case key file ``$LEAKLINE_HOME/keys/<case-id>.key`` (default
   ``~/.leakline``), created with mode 0600 on first use.

The locker stores only a key id (an HMAC of a fixed label under the key), so a wrong key is
reported as such instead of producing garbage. Sub-keys are derived with HKDF so the key id,
the data-key wrapping and the signing-key wrapping never share a key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from leakline.core.errors import ConfigError, IntegrityError

KEY_SIZE = 32
WRAP_MAGIC = b"LLKEY1\0\0"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

SOURCE_KEY_FILE = "key_file"
SOURCE_PASSPHRASE = "passphrase"
SOURCE_CASE_KEY_FILE = "case_key_file"

_derived_cache: dict[tuple[bytes, bytes, int, int, int], bytes] = {}


@dataclass(frozen=True)
class CaseKey:
    """The 32-byte case key and where it came from (for messages; never the key itself)."""

    secret: bytes
    source: str
    where: str
    created: bool = False

    def derive(self, label: str) -> bytes:
        """A 32-byte sub-key for ``label`` (HKDF-SHA256); use it instead of the case key itself."""
        return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=label.encode()).derive(
            self.secret
        )

    @property
    def key_id(self) -> str:
        """Public fingerprint of the key: lets us say "wrong key" without storing the key."""
        return "k1-" + hmac.new(self.secret, b"leakline key id v1", hashlib.sha256).hexdigest()[:24]

    def wrap(self, data_key: bytes, label: str) -> bytes:
        """Encrypt a data key under the case key, bound to ``label`` (the object id)."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.derive("leakline wrap v1")).encrypt(nonce, data_key, label.encode())
        return WRAP_MAGIC + nonce + sealed

    def unwrap(self, blob: bytes, label: str, what: str) -> bytes:
        """Decrypt a wrapped data key; ``IntegrityError`` naming ``what`` when it was altered."""
        if len(blob) != len(WRAP_MAGIC) + 12 + KEY_SIZE + 16 or not blob.startswith(WRAP_MAGIC):
            raise IntegrityError(f"{what}: wrapped key has the wrong size or header")
        nonce, sealed = blob[8:20], blob[20:]
        try:
            return AESGCM(self.derive("leakline wrap v1")).decrypt(nonce, sealed, label.encode())
        except InvalidTag:
            raise IntegrityError(f"{what}: wrapped key fails authentication (modified or moved)") from None

    def seal_private_key(self, private: Ed25519PrivateKey) -> bytes:
        """The case's Ed25519 private key, encrypted under the case key."""
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self.derive("leakline signing v1")).encrypt(nonce, raw, b"ed25519")

    def open_private_key(self, blob: bytes) -> Ed25519PrivateKey:
        """Decrypt the signing key sealed by ``seal_private_key``."""
        try:
            raw = AESGCM(self.derive("leakline signing v1")).decrypt(blob[:12], blob[12:], b"ed25519")
        except InvalidTag:
            raise IntegrityError("locker.json: signing key fails authentication (modified)") from None
        return Ed25519PrivateKey.from_private_bytes(raw)


def leakline_home() -> Path:
    """``$LEAKLINE_HOME`` or ``~/.leakline``."""
    env = os.environ.get("LEAKLINE_HOME")
    return Path(env) if env else Path.home() / ".leakline"


def new_salt() -> bytes:
    """A fresh per-case scrypt salt."""
    return secrets.token_bytes(16)


def load_case_key(case_id: str, salt: bytes | None, *, create: bool) -> CaseKey:
    """Find the case key (see module doc). ``salt`` is needed for a passphrase."""
    key_file = os.environ.get("LEAKLINE_KEY_FILE")
    passphrase = os.environ.get("LEAKLINE_PASSPHRASE")
    if key_file and passphrase:
        raise ConfigError(
            "both LEAKLINE_KEY_FILE and LEAKLINE_PASSPHRASE are set",
            hint="unset the one this case does not use",
        )
    if key_file:
        return CaseKey(
            _read_key_file(Path(key_file), "LEAKLINE_KEY_FILE"), SOURCE_KEY_FILE, "LEAKLINE_KEY_FILE"
        )
    if passphrase:
        if salt is None:
            raise ConfigError("this locker has no passphrase salt", hint="it was created with a key file")
        return CaseKey(_stretch(passphrase, salt), SOURCE_PASSPHRASE, "LEAKLINE_PASSPHRASE")
    path = leakline_home() / "keys" / f"{case_id}.key"
    if path.exists():
        return CaseKey(_read_key_file(path, str(path)), SOURCE_CASE_KEY_FILE, str(path))
    if not create:
        raise ConfigError(
            "no evidence key: LEAKLINE_KEY_FILE and LEAKLINE_PASSPHRASE are unset and "
            f"there is no per-case key file {path}",
            hint="set the variable this case was created with, or restore the key file",
        )
    return CaseKey(_create_key_file(path), SOURCE_CASE_KEY_FILE, str(path), created=True)


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the key file named by {what}: {exc.strerror}") from None
    if len(data) != KEY_SIZE:
        raise ConfigError(
            f"key file {path} holds {len(data)} bytes; an evidence key is exactly {KEY_SIZE} raw bytes",
            hint="create one with: head -c 32 /dev/urandom > FILE && chmod 600 FILE",
        )
    return data


def _create_key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(KEY_SIZE)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process created it first: use theirs.
        return _read_key_file(path, str(path))
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    return secret


def _stretch(passphrase: str, salt: bytes) -> bytes:
    pass_digest = hashlib.sha256(passphrase.encode("utf-8")).digest()
    cache_key = (pass_digest, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    cached = _derived_cache.get(cache_key)
    if cached is None:
        cached = Scrypt(salt=salt, length=KEY_SIZE, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
            passphrase.encode("utf-8")
        )
        _derived_cache[cache_key] = cached
    return cached


def public_key_pem(public: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM, readable by ``cryptography`` and ``openssl``."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_fingerprint(public: Ed25519PublicKey) -> str:
    """sha256 of the raw public key, hex."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()
