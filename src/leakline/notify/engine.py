"""Who must be told what, by when: evaluate the jurisdiction rules against subject counts.

Pure: rows + context + rules in, one ``ObligationResult`` per regime × obligation out. Where the
law asks for a human judgement (risk of harm, materiality, applicability) the status is
``assess`` and the question is given; it is never decided here. A residence no rule file covers
yields a "no rule data" entry instead of silence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from leakline.core.clock import iso, to_utc
from leakline.core.errors import UsageError
from leakline.notify.deadlines import add_period, remaining, year_end
from leakline.notify.models import SECTORS, Jurisdiction, Obligation
from leakline.notify.rules import load_jurisdictions
from leakline.notify.subjects import SubjectRow

Status = Literal["required", "assess", "not_required"]
NOT_LEGAL_ADVICE = (
    "Decision support for counsel, not legal advice: rules are summaries with a review date and a "
    "verified flag per fact group; confirm every obligation against the current law."
)


@dataclass(frozen=True)
class Context:
    """Facts about the incident and the organisation that the rules depend on."""

    discovered_at: datetime
    establishment: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "discovered_at", to_utc(self.discovered_at))
        unknown = sorted(self.sectors - set(SECTORS))
        if unknown:
            raise UsageError(
                f"unknown sector(s) {', '.join(unknown)}", hint=f"choose from {', '.join(SECTORS)}"
            )
        object.__setattr__(self, "establishment", frozenset(e.upper() for e in self.establishment))


@dataclass(frozen=True)
class ObligationResult:
    """One regime × obligation outcome (the JSON ``obligations`` entry)."""

    regime: str
    step: str
    audience: str
    recipient: str
    status: Status
    deadline_utc: datetime | None
    deadline_local: str | None
    deadline_text: str
    clock_start: str
    affected: int
    triggered_by: tuple[str, ...]
    citation: str
    question: str | None
    reason: str
    verified: bool

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (issue 8) plus a few explanatory keys."""
        return {
            "regime": self.regime,
            "audience": self.audience,
            "status": self.status,
            "deadline_utc": iso(self.deadline_utc) if self.deadline_utc else None,
            "deadline_text": self.deadline_text,
            "clock_start": self.clock_start,
            "affected": self.affected,
            "triggered_by": list(self.triggered_by),
            "citation": self.citation,
            "step": self.step,
            "recipient": self.recipient,
            "deadline_local": self.deadline_local,
            "question": self.question,
            "reason": self.reason,
            "verified": self.verified,
        }


def matches(residence: str, pattern: str) -> bool:
    """``*`` matches all; ``US-CA`` matches itself; a bare country ``DE`` also matches ``DE-BY``."""
    if pattern == "*":
        return True
    return residence == pattern or (len(pattern) == 2 and residence.startswith(pattern + "-"))


def _in_residence(rule: Jurisdiction, row: SubjectRow) -> bool:
    return any(matches(row.residence, p) for p in rule.scope.residence)


def _home_rows(rule: Jurisdiction, rows: list[SubjectRow]) -> list[SubjectRow]:
    """Rows that make a sector-gated regime worth listing as ruled out."""
    if rule.kind == "us_federal":
        return [r for r in rows if r.residence.startswith("US-") or r.residence in ("US", "PR", "GU", "VI")]
    return [r for r in rows if _in_residence(rule, r)]


def _combo(rule: Jurisdiction, row: SubjectRow) -> tuple[str, ...] | None:
    for combo in rule.covered_data.any_of:
        if set(combo) <= row.elements:
            return combo
    return None


def _harbored(rule: Jurisdiction, ob: Obligation, row: SubjectRow) -> bool:
    harbor = rule.safe_harbor
    if not (harbor.encryption and ob.safe_harbor_applies and row.encrypted):
        return False
    return not (row.key_compromised and harbor.key_compromise_exception)


@dataclass
class _Count:
    affected: int = 0
    harbored: int = 0
    uncovered: int = 0
    per_residence: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    triggers: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _count(rule: Jurisdiction, ob: Obligation, rows: list[SubjectRow]) -> _Count:
    tally = _Count()
    for row in rows:
        combo = _combo(rule, row)
        if combo is None:
            tally.uncovered += row.count
        elif _harbored(rule, ob, row):
            tally.harbored += row.count
        else:
            tally.affected += row.count
            tally.per_residence[row.residence] += row.count
            tally.triggers[f"{row.residence}: {'+'.join(combo)}"] += row.count
    return tally


def affected_count(rule: Jurisdiction, ob: Obligation, rows: list[SubjectRow]) -> int:
    """Subjects whose data is covered by ``rule`` and not excused by its safe harbor for ``ob``."""
    return _count(rule, ob, rows).affected


class _Evaluator:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def local(self, when: datetime | None) -> str | None:
        if when is None:
            return None
        return when.astimezone(self.ctx.zone).strftime("%Y-%m-%d %H:%M %Z")

    def deadline(
        self, rule: Jurisdiction, ob: Obligation, seen: frozenset[str] = frozenset()
    ) -> tuple[datetime | None, datetime | None]:
        """(clock start, deadline) for one obligation; ``None`` where the law sets no fixed period."""
        zone = ZoneInfo(rule.timezone)
        d = ob.deadline
        start: datetime | None
        if d.anchor == "step":
            other = next(o for o in rule.obligations if o.id == d.after_step)
            if other.id in seen:
                return None, None
            start = self.deadline(rule, other, seen | {ob.id})[1]
        elif d.anchor == "year_end":
            start = year_end(self.ctx.discovered_at, zone)
        else:
            start = self.ctx.discovered_at
        if start is None or d.amount is None or d.unit is None:
            return start, None
        return start, add_period(start, d.amount, d.unit, rule.holidays, zone)

    def one(
        self, rid: str, rule: Jurisdiction, ob: Obligation, rows: list[SubjectRow], via_residence_only: bool
    ) -> ObligationResult:
        ctx = self.ctx
        tally = _count(rule, ob, rows)
        start, due = self.deadline(rule, ob)
        questions: list[str] = []
        status: Status
        reason = ""
        threshold_count = (
            max(tally.per_residence.values(), default=0) if ob.threshold.per_subdivision else tally.affected
        )
        if ctx.discovered_at.date() < rule.effective:
            status, reason = (
                "not_required",
                f"not in force on the discovery date (effective {rule.effective.isoformat()})",
            )
        elif rule.scope.sectors and not (set(rule.scope.sectors) & ctx.sectors):
            wanted = " or ".join(f"--sector {s}" for s in rule.scope.sectors)
            status, reason = "not_required", f"applies only to declared sectors ({wanted}); none declared"
        elif tally.affected == 0:
            status = "not_required"
            if tally.harbored:
                reason = f"all {tally.harbored} covered subject(s) are encrypted without key compromise (safe harbor)"
            else:
                reason = "no subject's data elements form a covered combination"
        elif threshold_count < ob.threshold.min_affected:
            status = "not_required"
            reason = f"{threshold_count} affected is below the threshold ({ob.threshold.text or ob.threshold.min_affected})"
        elif ob.threshold.max_affected is not None and threshold_count > ob.threshold.max_affected:
            status = "not_required"
            reason = f"{threshold_count} affected is above this entry's range ({ob.threshold.text}); see the other entry"
        else:
            moot = ob.required_from is not None and tally.affected >= ob.required_from
            if via_residence_only and rule.scope.applicability_question:
                questions.append(rule.scope.applicability_question)
            if ob.assess_question and not moot:
                questions.append(ob.assess_question)
            if (
                rule.risk_of_harm.exception
                and ob.risk_of_harm_applies
                and not moot
                and rule.risk_of_harm.question
            ):
                questions.append(rule.risk_of_harm.question)
            status = "assess" if questions else "required"
            reason = f"{tally.affected} affected"
            if moot:
                reason += f" (≥ {ob.required_from}: notice required whatever the harm assessment)"
            if tally.harbored:
                reason += f"; {tally.harbored} more excluded by the encryption safe harbor"
        shown_due = due if status != "not_required" else None
        clock = ob.deadline.clock_start + (f" ({iso(start)})" if start is not None else "")
        return ObligationResult(
            regime=rid,
            step=ob.id,
            audience=ob.audience,
            recipient=ob.recipient,
            status=status,
            deadline_utc=shown_due,
            deadline_local=self.local(shown_due),
            deadline_text=ob.deadline.text,
            clock_start=clock,
            affected=tally.affected,
            triggered_by=tuple(f"{k} ({v})" for k, v in sorted(tally.triggers.items())),
            citation=rule.citation,
            question=" / ".join(questions) or None,
            reason=reason,
            verified=ob.verified,
        )


def _no_rule_data(code: str, rows: list[SubjectRow], ctx: Context) -> ObligationResult:
    total = sum(r.count for r in rows)
    return ObligationResult(
        regime=code,
        step="no_rule_data",
        audience="individuals",
        recipient=f"Residents of {code}",
        status="assess",
        deadline_utc=None,
        deadline_local=None,
        deadline_text="no rule data",
        clock_start=f"discovery ({iso(ctx.discovered_at)})",
        affected=total,
        triggered_by=tuple(f"{r.residence}: {'+'.join(sorted(r.elements))} ({r.count})" for r in rows),
        citation="none: leakline has no rule file for this jurisdiction",
        question=f"leakline has no rule data for {code}: does a breach-notification law apply there, and what does it require?",
        reason="no rule data",
        verified=False,
    )


def evaluate(
    rows: Iterable[SubjectRow], ctx: Context, rules: Mapping[str, Jurisdiction] | None = None
) -> list[ObligationResult]:
    """Every obligation that applies or was ruled out, soonest deadline first."""
    rules = load_jurisdictions() if rules is None else rules
    subject_rows = [r for r in rows if r.count > 0]
    ev = _Evaluator(ctx)
    results: list[ObligationResult] = []
    covered_codes: set[str] = set()
    for rid in sorted(rules):
        rule = rules[rid]
        established = bool(set(rule.scope.establishment) & ctx.establishment)
        in_scope = subject_rows if established else [r for r in subject_rows if _in_residence(rule, r)]
        if "*" not in rule.scope.residence:
            covered_codes.update(r.residence for r in subject_rows if _in_residence(rule, r))
        if not in_scope:
            continue
        if (
            rule.scope.sectors
            and not (set(rule.scope.sectors) & ctx.sectors)
            and not _home_rows(rule, subject_rows)
        ):
            continue
        via_residence_only = bool(rule.scope.establishment) and not established
        results.extend(ev.one(rid, rule, ob, in_scope, via_residence_only) for ob in rule.obligations)
    unknown: dict[str, list[SubjectRow]] = defaultdict(list)
    for row in subject_rows:
        if row.residence not in covered_codes:
            unknown[row.residence].append(row)
    results.extend(_no_rule_data(code, unknown[code], ctx) for code in sorted(unknown))
    order = {"required": 0, "assess": 1, "not_required": 2}
    far = datetime.max.replace(tzinfo=ctx.discovered_at.tzinfo)
    return sorted(results, key=lambda r: (order[r.status], r.deadline_utc or far, r.regime, r.step))


def to_document(results: list[ObligationResult], ctx: Context) -> dict[str, Any]:
    """The ``--format json`` document."""
    return {
        "discovered_at": iso(ctx.discovered_at),
        "timezone": str(ctx.zone),
        "establishment": sorted(ctx.establishment),
        "sectors": sorted(ctx.sectors),
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "obligations": [r.to_json() for r in results],
    }


def countdown(results: list[ObligationResult], now: datetime) -> list[dict[str, str]]:
    """Rows for the report's countdown table: open obligations with a fixed deadline first."""
    rows = []
    for r in results:
        if r.status == "not_required":
            continue
        rows.append(
            {
                "regime": r.regime,
                "step": r.step,
                "audience": r.audience,
                "status": r.status,
                "deadline_utc": iso(r.deadline_utc) if r.deadline_utc else "",
                "deadline_local": r.deadline_local or "",
                "remaining": remaining(r.deadline_utc, now) if r.deadline_utc else r.deadline_text,
            }
        )
    return rows
