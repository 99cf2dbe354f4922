"""Helpers shared by checks: input guards, permission holders, settings, PII names, code lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache

from leakline.core.masking import mask_secret
from leakline.core.models import Severity
from leakline.pii.elements import load_elements
from leakline.posture.codescan import CodeFile
from leakline.posture.model import OrgMetadata, PermissionHolder, Setting
from leakline.posture.results import Context, Result, Status

ALL = "(all)"


def metadata_or_reason(ctx: Context) -> tuple[OrgMetadata | None, list[Result]]:
    """The metadata, or a NOT_EVALUATED result saying why there is none."""
    if ctx.metadata is None:
        return None, [Result(Status.NOT_EVALUATED, "(metadata)", ctx.metadata_reason)]
    return ctx.metadata, []


def holder_detail_or_reason(meta: OrgMetadata) -> list[Result]:
    """NOT_EVALUATED when holders carry user permissions only (live mode), else nothing."""
    if meta.holder_detail_missing:
        return [Result(Status.NOT_EVALUATED, "(profiles)", meta.holder_detail_missing)]
    return []


def not_evaluated(resource: str, reason: str) -> list[Result]:
    return [Result(Status.NOT_EVALUATED, resource, reason)]


def passed(resource: str, message: str) -> list[Result]:
    return [Result(Status.PASS, resource, message)]


# --- names -------------------------------------------------------------------------------

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def tokens(name: str) -> list[str]:
    """``Social_Security_Number__c`` → [social, security, number]; ``MobilePhone`` → [mobile, phone]."""
    base = re.sub(r"__(c|pc|mdt|r|x|e|b)$", "", name, flags=re.IGNORECASE)
    if "__" in base:  # namespace prefix
        base = base.split("__", 1)[1]
    return [t.lower() for t in _CAMEL.findall(base)]


def name_matches(name: str, hints: Iterable[str]) -> bool:
    """True if a token of ``name`` is one of ``hints`` (or, for hints of 5+ letters, starts with it)."""
    parts = tokens(name)
    return any(p == h or (len(h) >= 5 and p.startswith(h)) for p in parts for h in hints)


def is_admin(holder: PermissionHolder, admin_profiles: Iterable[str]) -> bool:
    return holder.kind == "profile" and holder.name.lower() in {a.lower() for a in admin_profiles}


def _hint_in(hint: str, parts: list[str], allow_concat: bool) -> bool:
    joined = "_" + "_".join(parts) + "_"
    if "_" in hint:
        return f"_{hint}_" in joined
    if hint in parts:
        return True
    return allow_concat and len(hint) >= 6 and hint in "".join(parts)


@cache
def _element_hints() -> tuple[tuple[str, bool, str, tuple[str, ...]], ...]:
    return tuple(
        (element_id, e.sensitive, e.category, tuple(h.lower() for h in e.column_hints))
        for element_id, e in sorted(load_elements().items())
    )


@lru_cache(maxsize=65536)
def pii_elements(name: str, description: str | None = None, sensitive_only: bool = True) -> tuple[str, ...]:
    """Element ids (``pii/elements.yaml``) suggested by a field name and its description."""
    name_parts = tokens(name)
    text_parts = [t.lower() for t in re.findall(r"[A-Za-z0-9]+", description or "")]
    found = []
    for element_id, sensitive, _category, hints in _element_hints():
        if sensitive_only and not sensitive:
            continue
        if any(
            _hint_in(h, name_parts, True) or (text_parts and _hint_in(h, text_parts, False)) for h in hints
        ):
            found.append(element_id)
    return tuple(found)


# --- permission holders --------------------------------------------------------------------


def permission_check(
    ctx: Context,
    permission: str,
    *,
    exempt: Callable[[PermissionHolder], bool] | None = None,
) -> list[Result]:
    """FAIL for every non-admin profile / permission set that grants ``permission``.

    Params used: ``admin_profiles`` (holders that are expected to hold it) and
    ``integration_name_hints`` (names that suggest a non-human / integration identity).
    """
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.holders:
        return not_evaluated("(profiles)", "no profiles or permission sets in the metadata")
    admins = ctx.params["admin_profiles"]
    hints = ctx.params["integration_name_hints"]
    results = []
    for holder in meta.holders:
        where = holder.user_permissions.get(permission)
        if where is None or is_admin(holder, admins) or (exempt is not None and exempt(holder)):
            continue
        notes = []
        if "ApiUserOnly" in holder.user_permissions:
            notes.append("API-only (integration) identity")
        elif name_matches(holder.name, hints):
            notes.append("name suggests an integration identity")
        if holder.is_guest:
            notes.append("guest user profile")
        note = f" ({'; '.join(notes)})" if notes else ""
        results.append(
            Result.at(
                Status.FAIL, holder.label, f"grants {permission} outside the admin profile{note}", where
            )
        )
    if results:
        return results
    return passed(ALL, f"no non-admin profile or permission set of {len(meta.holders)} grants {permission}")


# --- Security.settings ---------------------------------------------------------------------


def setting(ctx: Context, key: str) -> tuple[Setting | None, list[Result]]:
    """A ``Security.settings`` value, or NOT_EVALUATED saying what is missing."""
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return None, reason
    if meta.security is None:
        return None, not_evaluated(
            "SecuritySettings", "no Security.settings in the metadata (retrieve SecuritySettings)"
        )
    found = meta.security.values.get(key)
    if found is None:
        return None, not_evaluated("SecuritySettings", f"{key} is not set in {meta.security.file}")
    return found, []


def boolean_setting(ctx: Context, key: str, want: bool, why: str) -> list[Result]:
    """PASS if ``key`` equals ``want``; FAIL (located) otherwise."""
    found, reason = setting(ctx, key)
    if found is None:
        return reason
    actual = found.value.lower() == "true"
    if actual == want:
        return [Result.at(Status.PASS, f"SecuritySettings.{key}", f"{key} is {found.value}", found.where)]
    return [Result.at(Status.FAIL, f"SecuritySettings.{key}", f"{key} is {found.value}: {why}", found.where)]


def enum_setting(ctx: Context, key: str) -> list[Result]:
    """Compare ``key`` with ``compliant`` / ``critical`` lists from the check parameters.

    A value in neither list is a FAIL at the check's severity (the baseline's warning tier);
    a value in ``critical`` is a FAIL at critical severity.
    """
    found, reason = setting(ctx, key)
    if found is None:
        return reason
    resource = f"SecuritySettings.{key}"
    if found.value in ctx.params["compliant"]:
        return [Result.at(Status.PASS, resource, f"{key} is {found.value} (baseline compliant)", found.where)]
    if found.value in ctx.params["critical"]:
        return [
            Result.at(
                Status.FAIL,
                resource,
                f"{key} is {found.value} (baseline critical)",
                found.where,
                severity=Severity.CRITICAL,
            )
        ]
    return [Result.at(Status.FAIL, resource, f"{key} is {found.value} (baseline warning)", found.where)]


def number_setting(ctx: Context, key: str, minimum: int) -> list[Result]:
    """PASS if the integer ``key`` is at least ``minimum``."""
    found, reason = setting(ctx, key)
    if found is None:
        return reason
    resource = f"SecuritySettings.{key}"
    try:
        value = int(found.value)
    except ValueError:
        return [Result.at(Status.NOT_EVALUATED, resource, f"{key} is not a number", found.where)]
    if value >= minimum:
        return [Result.at(Status.PASS, resource, f"{key} is {value} (at least {minimum})", found.where)]
    return [Result.at(Status.FAIL, resource, f"{key} is {value} (baseline: at least {minimum})", found.where)]


# --- code ----------------------------------------------------------------------------------


def code_lines(ctx: Context) -> tuple[list[CodeFile] | None, list[Result]]:
    if ctx.code is None:
        return None, [Result(Status.NOT_EVALUATED, "(code)", ctx.code_reason)]
    return ctx.code.files, []


def scan_lines(
    files: Iterable[CodeFile], pattern: re.Pattern[str], suffixes: frozenset[str] | None = None
) -> Iterator[tuple[CodeFile, int, re.Match[str]]]:
    """Every match of ``pattern`` in every line (1-based line numbers)."""
    for code_file in files:
        if suffixes is not None and code_file.suffix not in suffixes:
            continue
        for number, text in enumerate(code_file.lines, start=1):
            for match in pattern.finditer(text):
                yield code_file, number, match


def masked(value: str) -> str:
    """The only way a found secret may appear in a message."""
    return mask_secret(value)


def code_summary(files: list[CodeFile], what: str) -> list[Result]:
    return passed(ALL, f"no {what} found in {len(files)} code file(s)")
