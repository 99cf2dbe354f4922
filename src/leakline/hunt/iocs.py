"""Indicators of compromise: shipped campaign feeds, user imports (CSV, STIX 2.1, Tor lists).

IOCs are data. Shipped feeds live in ``hunt/iocs/*.yaml`` with a source URL per entry and a
``reviewed`` date. Imports are kept in the case (``work/iocs/<name>.json``) so a hunt is
reproducible from the case folder alone. Rules see every IOC in a table ``iocs`` with
integer bounds for IPv4 addresses and CIDR ranges, so matching is a range join in SQL.
"""

from __future__ import annotations

import csv
import functools
import ipaddress
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.errors import BadInputError

FEEDS_DIR = Path(__file__).with_name("iocs")
IocKind = Literal["ip", "cidr", "user_agent"]
TAGS = ("campaign", "tor", "vps", "vpn", "proxy", "scanner", "user")


class IocEntry(BaseModel):
    """One indicator."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: IocKind
    value: str = Field(min_length=1)
    tags: tuple[str, ...] = ("user",)
    campaign: str | None = None
    source: str = Field(min_length=1, description="URL or file the indicator came from")
    reviewed: date | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(TAGS))
        if unknown:
            raise ValueError(f"unknown tag(s) {unknown}; use {list(TAGS)}")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _value(self) -> IocEntry:
        if self.kind == "ip":
            ipaddress.ip_address(self.value)
        elif self.kind == "cidr":
            ipaddress.ip_network(self.value, strict=False)
        return self

    def bounds(self) -> tuple[int | None, int | None]:
        """Integer range of an IPv4 ip/cidr (None for anything else)."""
        if self.kind == "ip":
            addr = ipaddress.ip_address(self.value)
            return (int(addr), int(addr)) if addr.version == 4 else (None, None)
        if self.kind == "cidr":
            net = ipaddress.ip_network(self.value, strict=False)
            if net.version == 4:
                return int(net.network_address), int(net.broadcast_address)
        return None, None


class Feed(BaseModel):
    """Schema of a shipped feed file."""

    model_config = ConfigDict(extra="forbid")
    title: str
    reviewed: date
    entries: list[IocEntry] = Field(min_length=1)


def shipped_iocs(directory: Path = FEEDS_DIR) -> list[IocEntry]:
    """Every entry of every shipped feed (entry's reviewed date defaults to the feed's)."""
    return list(_shipped(directory))


@functools.lru_cache(maxsize=4)
def _shipped(directory: Path) -> tuple[IocEntry, ...]:
    from leakline.core.registry import load_units

    out: list[IocEntry] = []
    for unit in load_units(directory, Feed):
        for entry in unit.model.entries:
            out.append(entry if entry.reviewed else entry.model_copy(update={"reviewed": unit.model.reviewed}))
    return tuple(out)


def _user_dir(case: Case) -> Path:
    return case.work_dir / "iocs"


def case_iocs(case: Case) -> list[IocEntry]:
    """Indicators imported into this case."""
    out: list[IocEntry] = []
    for path in sorted(_user_dir(case).glob("*.json")):
        for number, item in enumerate(json.loads(path.read_text(encoding="utf-8")), start=1):
            try:
                out.append(IocEntry.model_validate(item))
            except ValidationError as exc:
                raise BadInputError(f"invalid stored IOC #{number}: {_first(exc)}", path=path) from None
    return out


def all_iocs(case: Case | None) -> list[IocEntry]:
    """Shipped feeds plus the case's imports."""
    return shipped_iocs() + (case_iocs(case) if case is not None else [])


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {str(err['msg']).removeprefix('Value error, ')}" if where else str(err["msg"])


def _guess_kind(value: str) -> IocKind:
    # Something shaped like an address is an address (a typo must fail, not become a user agent).
    if re.fullmatch(r"[0-9.]+(/\d+)?|[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(/\d+)?", value):
        return "cidr" if "/" in value else "ip"
    try:
        ipaddress.ip_address(value)
        return "ip"
    except ValueError:
        pass
    try:
        ipaddress.ip_network(value, strict=False)
        return "cidr"
    except ValueError:
        return "user_agent"


def parse_csv(path: Path) -> list[IocEntry]:
    """CSV with a header: ``value`` required; ``kind``, ``tags`` (``;``-separated), ``campaign``, ``source``."""
    out: list[IocEntry] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "value" not in reader.fieldnames:
            raise BadInputError("CSV needs a header with a 'value' column", path=path, line=1)
        for row in reader:
            line = reader.line_num
            value = (row.get("value") or "").strip()
            if not value:
                raise BadInputError("empty value", path=path, line=line)
            tags = [t.strip() for t in (row.get("tags") or "user").split(";") if t.strip()]
            try:
                out.append(
                    IocEntry(
                        kind=(row.get("kind") or "").strip() or _guess_kind(value),  # type: ignore[arg-type]
                        value=value,
                        tags=tuple(tags),
                        campaign=(row.get("campaign") or "").strip() or None,
                        source=(row.get("source") or "").strip() or path.name,
                    )
                )
            except ValidationError as exc:
                raise BadInputError(_first(exc), path=path, line=line) from None
    return out


def parse_tor_list(path: Path) -> list[IocEntry]:
    """A plain list of exit addresses, one per line (``#`` comments and TorDNSEL ``ExitAddress`` lines ok)."""
    out: list[IocEntry] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        if text.startswith("ExitAddress "):
            text = text.split()[1]
        elif re.match(r"^(ExitNode|Published|LastStatus)\b", text):
            continue
        try:
            ipaddress.ip_address(text)
        except ValueError:
            raise BadInputError(f"not an IP address: {text[:60]!r}", path=path, line=number) from None
        out.append(IocEntry(kind="ip", value=text, tags=("tor",), source=path.name))
    return out


_STIX_IP = re.compile(r"\[(ipv4-addr|ipv6-addr):value\s*=\s*'([^']+)'\]")
_STIX_UA = re.compile(r"\[(?:network-traffic:extensions\.'http-request-ext'\.request_header\.'User-Agent'|"
                      r"user-agent:value)\s*=\s*'([^']+)'\]")


def parse_stix(path: Path) -> list[IocEntry]:
    """A STIX 2.1 bundle: indicators with ``[ipv4-addr:value = '…']`` / User-Agent patterns, and SCOs."""
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise BadInputError("not a STIX 2.1 bundle (top-level type must be 'bundle')", path=path, line=1)
    out: list[IocEntry] = []
    for obj in bundle.get("objects") or []:
        if not isinstance(obj, dict):
            continue
        name = obj.get("name")
        source = _stix_source(obj) or path.name
        if obj.get("type") == "indicator" and obj.get("pattern_type", "stix") == "stix":
            pattern = str(obj.get("pattern", ""))
            for _family, value in _STIX_IP.findall(pattern):
                ioc_kind: IocKind = "cidr" if "/" in value else "ip"
                out.append(_stix_entry(ioc_kind, value, name, source, path))
            for value in _STIX_UA.findall(pattern):
                out.append(_stix_entry("user_agent", value, name, source, path))
        elif obj.get("type") in ("ipv4-addr", "ipv6-addr") and obj.get("value"):
            value = str(obj["value"])
            out.append(_stix_entry("cidr" if "/" in value else "ip", value, name, source, path))
    if not out:
        raise BadInputError("no IP or User-Agent indicators found in the bundle", path=path)
    return out


def _stix_source(obj: dict[str, Any]) -> str | None:
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("url"):
            return str(ref["url"])
    return None


def _stix_entry(kind: IocKind, value: str, name: Any, source: str, path: Path) -> IocEntry:
    try:
        return IocEntry(kind=kind, value=value, campaign=str(name) if name else None, source=source)
    except ValidationError as exc:
        raise BadInputError(f"{value!r}: {_first(exc)}", path=path) from None


def import_file(case: Case, path: Path, fmt: str = "auto", name: str | None = None) -> tuple[Path, int]:
    """Parse ``path`` (csv | stix | tor | auto) and store it in the case; returns (stored file, count)."""
    if not path.is_file():
        raise BadInputError("no such file", path=path)
    if fmt == "auto":
        suffix = path.suffix.lower()
        fmt = "csv" if suffix == ".csv" else "stix" if suffix == ".json" else "tor"
    parsers = {"csv": parse_csv, "stix": parse_stix, "tor": parse_tor_list}
    if fmt not in parsers:
        raise BadInputError(f"unknown IOC format {fmt!r} (csv, stix, tor)", path=path)
    entries = parsers[fmt](path)
    folder = _user_dir(case)
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name or path.stem).strip("-") or "iocs"
    target = folder / f"{stem}.json"
    unique = {(e.kind, e.value): e for e in entries}
    jsonio.write(target, [e.model_dump(mode="json") for _, e in sorted(unique.items())])
    return target, len(unique)


def install(con: duckdb.DuckDBPyConnection, entries: list[IocEntry]) -> None:
    """(Re)create the temp table ``iocs`` that rules join against."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE iocs (kind VARCHAR, value VARCHAR, lo BIGINT, hi BIGINT, "
        "tags VARCHAR[], campaign VARCHAR, source VARCHAR)"
    )
    rows = []
    for e in entries:
        lo, hi = e.bounds()
        value = e.value.lower() if e.kind == "user_agent" else e.value
        rows.append((e.kind, value, lo, hi, list(e.tags), e.campaign, e.source))
    if rows:
        con.executemany("INSERT INTO iocs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
