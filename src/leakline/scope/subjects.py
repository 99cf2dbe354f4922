"""Affected data subjects: who is in the exposed records, where they live, which elements leaked.

Input: exposed records per object (fields read + record ids) and the org snapshot. Steps:

1. Elements per exposed record: the exposed fields of those records are scanned with
   ``leakline.pii`` (column-name hints + validated values, free text included).
2. The person a record is about: the record itself for person objects (Contact, Lead, User, or a
   custom object whose type field says "Individual"), the linked person for others
   (``Case.ContactId``); organisation records are not subjects. Rules in ``residency.yaml``.
3. Deduplication across objects and stores: union of records sharing a normalised email, an
   E.164 phone, or name + postal code (from the whole snapshot record, not just what leaked).
4. Residence: the address country/state fields (codes before names, mailing before billing),
   else the phone's country. ISO 3166-2 for subdivision countries (``US-CA``), else the country;
   ``ZZ`` (ISO "unknown") when nothing says.

Outputs hold counts only; the identifying list is encrypted (``write_subject_list``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
import pyarrow as pa
import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from phonenumbers import geocoder

from leakline.core.case import Case
from leakline.core.errors import ConfigError, IntegrityError, LeaklineError
from leakline.core.masking import keyed_hash
from leakline.pii.scan import scan_table
from leakline.pii.scanner import Hit, ValueScanner, column_words
from leakline.pii.sources import SF_TYPE_ELEMENTS, Table

RESIDENCY_FILE = Path(__file__).with_name("residency.yaml")
UNKNOWN_RESIDENCE = "ZZ"
MIN_HIT_SCORE = 0.5
SUBJECTS_CSV_COLUMNS = ("residence", "elements", "encrypted", "key_compromised", "count")
# Elements that only a column name can reveal (no value detector sees a name or a diagnosis).
_HINT_ONLY_OK = {
    "name",
    "address",
    "medical",
    "health_insurance",
    "biometric",
    "genetic",
    "drivers_license",
    "passport",
    "precise_geolocation",
    "card_security_code",
    "account_number_other",
}
_PREFIXES = ("mailing", "", "billing", "shipping", "other", "home", "personal")


@cache
def residency_rules() -> dict[str, Any]:
    """The residency reference data (``residency.yaml``)."""
    data: dict[str, Any] = yaml.safe_load(RESIDENCY_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, aliases in residency_rules()["countries"].items():
        names[code.lower()] = code
        for alias in aliases:
            names[str(alias).lower()] = code
    return names


def country_code(value: str | None) -> str | None:
    """``Germany``/``DE``/``deutschland`` → ``DE``; unknown text → None."""
    if not value:
        return None
    text = value.strip().lower()
    code = _country_names().get(text)
    if code:
        return code
    upper = text.upper()
    if len(upper) == 2 and upper in phonenumbers.SUPPORTED_REGIONS:
        return upper
    return None


def state_code(country: str, value: str | None) -> str | None:
    """``California``/``CA`` in the US → ``CA``; None if not a known subdivision of ``country``."""
    if not value:
        return None
    table: dict[str, str] = residency_rules()["subdivisions"].get(country, {})
    text = value.strip()
    if text.upper() in table:
        return text.upper()
    lowered = text.lower()
    return next((code for code, name in table.items() if name == lowered), None)


def jurisdiction(country: str | None, state: str | None) -> str:
    """``US`` + ``CA`` → ``US-CA``; ``DE`` → ``DE``; nothing → ``ZZ``."""
    if not country:
        return UNKNOWN_RESIDENCE
    if country in residency_rules()["subdivision_countries"] and state:
        return f"{country}-{state}"
    return country


def _field_words(name: str) -> tuple[str, ...]:
    return column_words(name)


def residence_of(record: Mapping[str, Any]) -> tuple[str, str]:
    """(jurisdiction, basis) for one snapshot record; basis: address | phone | locale | none."""
    rules = residency_rules()
    country_words = set(rules["country_columns"])
    state_words = set(rules["state_columns"])
    candidates: list[tuple[int, int, str, str | None]] = []  # (prefix rank, code-first, country, state)
    for name, value in record.items():
        if not isinstance(value, str) or not value.strip():
            continue
        words = _field_words(name)
        joined = "".join(words)
        country_hit = [w for w in country_words if joined.endswith(w.replace("_", ""))]
        if not country_hit:
            continue
        prefix = joined[: -len(country_hit[0].replace("_", ""))]
        code = country_code(value)
        if code is None:
            continue
        state = None
        for other, other_value in record.items():
            other_joined = "".join(_field_words(other))
            if (
                isinstance(other_value, str)
                and other_joined.startswith(prefix)
                and any(other_joined == prefix + w.replace("_", "") for w in state_words)
            ):
                state = state_code(code, other_value) or state
        rank = _PREFIXES.index(prefix) if prefix in _PREFIXES else len(_PREFIXES)
        candidates.append((rank, 0 if "code" in joined else 1, code, state))
    if candidates:
        _, _, code, state = min(candidates, key=lambda c: (c[0], c[1], c[3] is None))
        return jurisdiction(code, state), "address"
    locale = _locale_country(record)
    for name, value in record.items():
        if not isinstance(value, str) or not value.strip() or not _is_phone_field(name):
            continue
        number = _parse_phone(value, locale)
        if number is None:
            continue
        region = phonenumbers.region_code_for_number(number)
        if not region:
            continue
        state = None
        if region in rules["subdivision_countries"]:
            # North American numbers: the area code's state/province (libphonenumber geocoder).
            described = geocoder.description_for_number(number, "en")
            match = re.search(r", ([A-Z]{2})$", described)
            state = state_code(region, match.group(1)) if match else state_code(region, described)
        return jurisdiction(region, state), "phone"
    if locale:
        return jurisdiction(locale, None), "locale"
    return UNKNOWN_RESIDENCE, "none"


def _is_phone_field(name: str) -> bool:
    words = _field_words(name)
    return any(
        w in ("phone", "mobile", "telephone", "tel", "fax", "telefon", "cell") for w in words
    ) or "".join(words).endswith("phone")


def _locale_country(record: Mapping[str, Any]) -> str | None:
    """``LocaleSidKey = en_US`` → ``US`` (a weak residence signal, used last)."""
    for name, value in record.items():
        if isinstance(value, str) and "locale" in "".join(_field_words(name)):
            match = re.fullmatch(r"[a-z]{2,3}_([A-Z]{2})(?:_.*)?", value.strip())
            if match:
                return match.group(1)
    return None


def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    text = value.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def identity_keys(record: Mapping[str, Any], country: str | None) -> set[str]:
    """Join keys of a person record: ``e:<email>``, ``p:<E.164>|<name>``, ``n:<name>|<postal>``."""
    keys: set[str] = set()
    phones: set[str] = set()
    first = last = full = postal = ""
    for name, value in record.items():
        if not isinstance(value, str) or not value.strip():
            continue
        words = _field_words(name)
        joined = "".join(words)
        text = value.strip()
        if "@" in text and re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", text) and "username" not in joined:
            keys.add("e:" + text.lower())
        elif _is_phone_field(name):
            number = _parse_phone(text, country or _locale_country(record))
            if number is not None:
                phones.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        elif joined in ("firstname",):
            first = text.lower()
        elif joined in ("lastname",):
            last = text.lower()
        elif joined in ("name", "fullname", "contactname", "suppliedname"):
            full = text.lower()
        elif joined.endswith(("postalcode", "zip", "zipcode", "postcode", "plz")):
            postal = re.sub(r"\s+", "", text.lower())
    person_name = re.sub(r"[^\w ]+", "", " ".join(p for p in (first, last) if p) or full)
    if person_name and postal:
        keys.add("n:" + person_name + "|" + postal)
    # Households and offices share lines: a phone joins records only together with the name.
    keys.update(f"p:{phone}|{person_name}" for phone in phones)
    return keys


@dataclass
class _UnionFind:
    parent: dict[str, str] = field(default_factory=dict)

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class ExposedSet:
    """Records of one object exposed with these fields (``estimate``: ids re-derived from a filter)."""

    object: str
    fields: frozenset[str]
    record_ids: frozenset[str]
    estimate: bool = False


@dataclass
class Subject:
    """One deduplicated person (in memory only; never written in cleartext)."""

    key: str
    records: set[tuple[str, str]] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)
    residence: str = UNKNOWN_RESIDENCE
    basis: str = "none"
    estimate: bool = False


@dataclass
class SubjectResult:
    """Subjects plus counts; ``groups`` is what ``subjects_by_jurisdiction.csv`` holds."""

    subjects: list[Subject]
    unattributed_records: int
    residence_conflicts: int
    object_elements: dict[str, set[str]] = field(default_factory=dict)

    def groups(self) -> dict[tuple[str, tuple[str, ...]], int]:
        counts: Counter[tuple[str, tuple[str, ...]]] = Counter()
        for subject in self.subjects:
            if subject.elements:
                counts[(subject.residence, tuple(sorted(subject.elements)))] += 1
        return dict(sorted(counts.items()))


def _row_elements(
    obj: str, records: list[dict[str, Any]], fields: list[str], schema_fields: Mapping[str, Any]
) -> list[set[str]]:
    """Per record: elements present in its exposed ``fields`` (scanner + column rules)."""
    hints = {
        name: frozenset({SF_TYPE_ELEMENTS[str(meta.get("type"))]})
        for name, meta in schema_fields.items()
        if isinstance(meta, dict) and meta.get("type") in SF_TYPE_ELEMENTS
    }
    batch = pa.RecordBatch.from_arrays(
        [pa.array([_text(r.get(f)) for r in records], pa.string()) for f in fields], names=fields
    )
    per_row: list[set[str]] = [set() for _ in records]
    by_column: dict[str, list[Hit]] = {}

    def collect(_table: Table, _batch: pa.RecordBatch, hits: dict[str, list[Hit]]) -> None:
        by_column.update(hits)

    result = scan_table(Table(obj, lambda: iter([batch]), hints), ValueScanner(), collect)
    columns = {c.name: c for c in result.columns}
    for name in fields:
        for hit in by_column.get(name, []):
            if hit.score >= MIN_HIT_SCORE:
                per_row[hit.row].add(hit.element)
        column = columns.get(name)
        if column is None:
            continue
        for element in column.elements:
            # A column-name element counts for every non-empty cell when values cannot show it
            # (names), when the schema types the field, or when most values validated.
            trusted = (
                element.element in _HINT_ONLY_OK
                or element.element in hints.get(name, frozenset())
                or (element.hits and element.rows >= 0.5 * max(1, column.nonempty))
            )
            if "column_name" not in element.signals or not trusted:
                continue
            for index, record in enumerate(records):
                if _text(record.get(name)):
                    per_row[index].add(element.element)
    return per_row


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _is_person_record(obj: str, record: Mapping[str, Any]) -> bool | None:
    """True/False when rules decide; None when only the data can tell."""
    rules = residency_rules()
    if obj in rules["person_objects"]:
        return True
    if str(record.get("IsPersonAccount", "")).lower() == "true":
        return True
    for name, value in record.items():
        if isinstance(value, str) and "type" in _field_words(name):
            lowered = value.strip().lower()
            if lowered in rules["person_type_values"]:
                return True
            if lowered in rules["organisation_type_values"]:
                return False
    if obj in rules["organisation_objects"]:
        return False
    return None


def resolve_subjects(
    exposed: Iterable[ExposedSet],
    records_of: Any,
    schema: Mapping[str, Any] | None = None,
) -> SubjectResult:
    """Deduplicated subjects of the exposed records.

    ``records_of(object) -> Mapping[id, record]`` gives the snapshot (whole records, so residence
    and join keys come from fields that did not leak too).
    """
    schema = schema or {}
    person_elements: dict[tuple[str, str], set[str]] = defaultdict(set)
    person_estimate: dict[tuple[str, str], bool] = {}
    object_elements: dict[str, set[str]] = {}
    unattributed = 0
    links = residency_rules()["person_links"]
    for exposure in exposed:
        table = records_of(exposure.object)
        records = [table[rid] for rid in sorted(exposure.record_ids) if rid in table]
        fields = sorted(exposure.fields)
        if not records or not fields:
            continue
        schema_fields = (schema.get(exposure.object) or {}).get("fields") or {}
        elements_per_row = _row_elements(exposure.object, records, fields, schema_fields)
        for record, elements in zip(records, elements_per_row, strict=True):
            if not elements:
                continue
            object_elements.setdefault(exposure.object, set()).update(elements)
            person: tuple[str, str] | None = None
            decided = _is_person_record(exposure.object, record)
            if decided:
                person = (exposure.object, str(record.get("Id")))
            else:
                for link in links:
                    target = record.get(link)
                    if isinstance(target, str) and target:
                        person = (_object_of(target, records_of), target)
                        break
                if person is None and decided is None and elements & {"name", "email", "phone"}:
                    person = (exposure.object, str(record.get("Id")))
            if person is None:
                unattributed += 1
                continue
            person_elements[person] |= elements
            person_estimate[person] = person_estimate.get(person, False) or exposure.estimate
    finder = _UnionFind()
    residences: dict[tuple[str, str], tuple[str, str]] = {}
    for person in person_elements:
        record = records_of(person[0]).get(person[1], {}) if person[0] else {}
        residence, basis = residence_of(record)
        residences[person] = (residence, basis)
        node = f"r:{person[0]}:{person[1]}"
        finder.find(node)
        for key in identity_keys(record, residence.split("-")[0] if residence != UNKNOWN_RESIDENCE else None):
            finder.union(node, key)
    subjects: dict[str, Subject] = {}
    conflicts = 0
    votes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for person, elements in sorted(person_elements.items()):
        root = finder.find(f"r:{person[0]}:{person[1]}")
        subject = subjects.setdefault(root, Subject(key=root))
        subject.records.add(person)
        subject.elements |= elements
        subject.estimate = subject.estimate or person_estimate[person]
        votes[root][residences[person]] += 1
    for root, subject in subjects.items():
        ranked = sorted(votes[root].items(), key=lambda kv: (kv[0][0] == UNKNOWN_RESIDENCE, -kv[1], kv[0]))
        subject.residence, subject.basis = ranked[0][0]
        if len({r for (r, _), _ in ranked if r != UNKNOWN_RESIDENCE}) > 1:
            conflicts += 1
    return SubjectResult(
        sorted(subjects.values(), key=lambda s: s.key), unattributed, conflicts, object_elements
    )


def _object_of(record_id: str, records_of: Any) -> str:
    """The object holding ``record_id`` (by key prefix among person objects)."""
    for obj in residency_rules()["person_objects"]:
        if record_id in records_of(obj):
            return str(obj)
    return ""


def write_subjects_csv(result: SubjectResult, path: Path, *, encrypted: bool = False) -> Path:
    """``residence,elements,encrypted,key_compromised,count`` (the obligations engine's input)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUBJECTS_CSV_COLUMNS)
    for (residence, elements), count in result.groups().items():
        writer.writerow([residence, ";".join(elements), str(encrypted).lower(), "false", count])
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)
    return path


# --- the encrypted affected-subject list (for the mailing house) ----------------------------
_MAGIC = b"LLSUBJ1"
_LIST_COLUMNS = (
    "subject_id",
    "residence",
    "residence_basis",
    "elements",
    "estimate",
    "name",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "records",
)


def _first(record: Mapping[str, Any], suffixes: tuple[str, ...]) -> str:
    for prefix in _PREFIXES:
        for name, value in record.items():
            joined = "".join(_field_words(name))
            if isinstance(value, str) and value.strip() and joined in {prefix + s for s in suffixes}:
                return value.strip()
    return ""


def subject_list_csv(result: SubjectResult, records_of: Any, hash_key: bytes) -> bytes:
    """The mailing list in cleartext bytes (only ever passed to ``encrypt_blob``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_LIST_COLUMNS)
    for subject in result.subjects:
        if not subject.elements:
            continue
        merged: dict[str, Any] = {}
        for obj, rid in sorted(subject.records):
            for name, value in (records_of(obj).get(rid) or {}).items():
                if value not in (None, "") and name not in merged:
                    merged[name] = value
        first, last = _first(merged, ("firstname",)), _first(merged, ("lastname",))
        name = " ".join(p for p in (first, last) if p) or _first(
            merged, ("name", "contactname", "suppliedname")
        )
        writer.writerow(
            [
                keyed_hash(subject.key, hash_key),
                subject.residence,
                subject.basis,
                ";".join(sorted(subject.elements)),
                str(subject.estimate).lower(),
                name,
                _first(merged, ("email",)),
                _first(merged, ("phone", "mobilephone")),
                _first(merged, ("street", "address")),
                _first(merged, ("city",)),
                _first(merged, ("state", "statecode")),
                _first(merged, ("postalcode", "zip", "zipcode", "postcode")),
                _first(merged, ("countrycode", "country")),
                ";".join(f"{obj}:{rid}" for obj, rid in sorted(subject.records)),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _case_key(case: Case) -> bytes | None:
    """The evidence locker's case key, if the case has a locker."""
    try:
        from leakline.evidence.locker import Locker
    except ImportError:
        return None
    if not (case.locker_dir / "locker.json").is_file():
        return None
    try:
        key = Locker.open(case).key
    except LeaklineError:
        return None
    secret: bytes = key.secret
    return secret


def _env_key(salt: bytes) -> bytes:
    key_file = os.environ.get("LEAKLINE_KEY_FILE")
    passphrase = os.environ.get("LEAKLINE_PASSPHRASE")
    if key_file:
        data = Path(key_file).read_bytes()
        if len(data) != 32:
            raise ConfigError("LEAKLINE_KEY_FILE must hold exactly 32 bytes")
        return data
    if passphrase:
        return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))
    raise ConfigError(
        "no key to encrypt the subject list",
        hint="set LEAKLINE_PASSPHRASE or LEAKLINE_KEY_FILE (or open the locker)",
    )


def _blob_key(case: Case, salt: bytes) -> bytes:
    base = _case_key(case)
    material = base if base is not None else _env_key(salt)
    # A sub-key for this purpose only, so the list never shares a key with the evidence.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"leakline subject list v1").derive(
        material
    )


def encrypt_blob(case: Case, data: bytes) -> bytes:
    """AES-256-GCM under a sub-key of the case key (locker key, else LEAKLINE_KEY_FILE/PASSPHRASE)."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = _MAGIC + salt + nonce
    return header + AESGCM(_blob_key(case, salt)).encrypt(nonce, data, _MAGIC + case.meta.id.encode())


def decrypt_blob(case: Case, blob: bytes) -> bytes:
    """Inverse of ``encrypt_blob``; ``IntegrityError`` if the file was altered or the key is wrong."""
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 28 + 16:
        raise IntegrityError("not a leakline subject list (bad header)")
    salt = blob[len(_MAGIC) : len(_MAGIC) + 16]
    nonce = blob[len(_MAGIC) + 16 : len(_MAGIC) + 28]
    try:
        return AESGCM(_blob_key(case, salt)).decrypt(
            nonce, blob[len(_MAGIC) + 28 :], _MAGIC + case.meta.id.encode()
        )
    except InvalidTag:
        raise IntegrityError("subject list fails authentication (wrong key or modified)") from None


def write_subject_list(case: Case, result: SubjectResult, records_of: Any, path: Path) -> Path:
    """Write the encrypted affected-subject list (``*.csv.enc``)."""
    hash_key = _blob_key(case, b"subject-id-salt!")
    blob = encrypt_blob(case, subject_list_csv(result, records_of, hash_key))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    return path
