"""Retention: records holding personal data kept longer than a declared period, and what to minimise.

Policy file (YAML, the organisation's own retention schedule)::

    reviewed: "2026-03-01"
    citation: "Records retention schedule v4 §3; GDPR Art. 5(1)(e)"
    policies:
      - object: Lead
        retain_days: 730
        date_field: LastModifiedDate     # age is measured from this field
        action: delete                   # delete | anonymise
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leakline.core.clock import parse_utc
from leakline.core.registry import UnitLoadError, UnitProblem, validate_file
from leakline.flowmap.build import field_elements
from leakline.flowmap.config import load_rules
from leakline.flowmap.source import OrgData
from leakline.pii.elements import load_elements


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Policy(_Model):
    object: str
    retain_days: int = Field(ge=1)
    date_field: str = "LastModifiedDate"
    action: Literal["delete", "anonymise"] = "delete"


class RetentionPolicy(_Model):
    reviewed: str
    citation: str
    policies: list[Policy] = Field(min_length=1)


class RetentionResult(_Model):
    object: str
    status: Literal["FAIL", "PASS", "NOT_EVALUATED"]
    retain_days: int
    cutoff: datetime
    records: int
    over_retention: int
    personal_fields: dict[str, int] = Field(description="field → over-retention records where it is filled")
    elements: list[str]
    plan: str


def load_policy(path: Path) -> RetentionPolicy:
    """The retention policy file (all problems with file:line)."""
    if not path.is_file():
        raise UnitLoadError([UnitProblem(str(path), 1, "retention policy file not found")])
    data, problems = validate_file(path, RetentionPolicy)
    if problems or data is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty retention policy")])
    return data


def evaluate_retention(org: OrgData, policy: RetentionPolicy, now: datetime) -> list[RetentionResult]:
    """Counts per object of records older than the policy allows, and the personal fields they hold."""
    rules = load_rules()
    elements = load_elements()
    out: list[RetentionResult] = []
    for p in policy.policies:
        cutoff = now - timedelta(days=p.retain_days)
        records = org.load_object(p.object)
        if not records:
            out.append(RetentionResult(object=p.object, status="NOT_EVALUATED", retain_days=p.retain_days,
                                       cutoff=cutoff, records=0, over_retention=0, personal_fields={}, elements=[],
                                       plan=f"no {p.object} records collected"))
            continue
        personal: dict[str, set[str]] = {}
        for name in records[0]:
            found = {e for e in field_elements(p.object, name, org, rules)
                     if elements.get(e) and elements[e].category in rules.personal_categories}
            if found:
                personal[name] = found
        old = 0
        filled: Counter[str] = Counter()
        for rec in records:
            stamp = rec.get(p.date_field)
            if not stamp:
                continue
            when = stamp if isinstance(stamp, datetime) else parse_utc(str(stamp), p.date_field)
            if when < cutoff:
                old += 1
                for name in personal:
                    if rec.get(name) not in (None, ""):
                        filled[name] += 1
        els = sorted({e for name in filled for e in personal[name]})
        verb = "delete" if p.action == "delete" else "anonymise (clear " + ", ".join(sorted(filled)) + ")"
        out.append(RetentionResult(
            object=p.object, status="FAIL" if old and filled else "PASS", retain_days=p.retain_days,
            cutoff=cutoff, records=len(records), over_retention=old, personal_fields=dict(sorted(filled.items())),
            elements=els,
            plan=(f"{verb} {old} {p.object} record(s) with {p.date_field} before {cutoff.date()}" if old
                  else "nothing beyond the retention period"),
        ))
    return out
