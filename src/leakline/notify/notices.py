"""Draft notices (Jinja2, with ``[[COUNSEL: …]]`` placeholders) and their linter.

Each draft starts with a machine-readable first line naming its regime, step and template, so
the linter can check it against the same rule file that produced it: every required heading
present, no admission phrase (``admission_phrases.yaml``), placeholders reported until resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from leakline.core.clock import iso
from leakline.core.errors import BadInputError
from leakline.notify.engine import Context, ObligationResult
from leakline.notify.models import ContentItem, Jurisdiction
from leakline.notify.rules import load_jurisdictions
from leakline.notify.subjects import SubjectRow
from leakline.pii.elements import load_elements

TEMPLATES = Path(__file__).with_name("templates")
PHRASES_FILE = Path(__file__).with_name("admission_phrases.yaml")
_HEADER = re.compile(r"<!--\s*leakline-draft\s+(?P<fields>[^>]*?)\s*-->")
_PLACEHOLDER = "[[COUNSEL:"


@dataclass(frozen=True)
class LintProblem:
    """One finding of the notice linter."""

    path: str
    line: int
    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@cache
def _env() -> Environment:
    # Markdown output, not HTML: nothing to escape; StrictUndefined turns a template typo into an error.
    return Environment(  # noqa: S701
        loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, keep_trailing_newline=True
    )


@cache
def admission_phrases() -> tuple[tuple[str, str], ...]:
    """(phrase, why) pairs from the data file."""
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    return tuple((str(p["phrase"]), str(p["why"])) for p in data["phrases"])


@cache
def template_headings() -> dict[str, tuple[str, ...]]:
    """Template name → headings required when the rule lists no content items."""
    data = yaml.safe_load((TEMPLATES / "required_headings.yaml").read_text(encoding="utf-8"))
    return {str(k): tuple(v) for k, v in data.items()}


def _template_for(rule: Jurisdiction, result: ObligationResult) -> str:
    if result.audience == "individuals":
        return "individual_notice"
    if rule.kind in ("us_state", "us_territory"):
        return "ag_letter"
    return "regulator_notification"


def _content(rule: Jurisdiction, step: str) -> tuple[ContentItem, ...]:
    ob = next((o for o in rule.obligations if o.id == step), None)
    return ob.content if ob is not None else ()


def draft_notices(
    results: list[ObligationResult],
    rows: list[SubjectRow],
    ctx: Context,
    out_dir: Path,
    rules: dict[str, Jurisdiction] | None = None,
) -> list[Path]:
    """Write one draft per audience entry that is required or to assess, plus a holding statement."""
    rules = load_jurisdictions() if rules is None else rules
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _env()
    written: list[Path] = []
    labels = load_elements()
    for r in results:
        if (
            r.status == "not_required"
            or r.regime not in rules
            or r.audience not in ("individuals", "regulator")
        ):
            continue
        rule = rules[r.regime]
        template = _template_for(rule, r)
        content = _content(rule, r.step)
        title = next((c.heading for c in content if c.id == "title"), None)
        codes = {t.split(":")[0] for t in r.triggered_by}
        ids = sorted({e for row in rows if row.residence in codes for e in row.elements})
        elements = [labels[e].label if e in labels else e for e in ids] or ["(see scope)"]
        text = env.get_template(f"{template}.md.j2").render(
            r=r.to_json() | {"deadline_utc": iso(r.deadline_utc) if r.deadline_utc else None},
            content=[c.model_dump() for c in content],
            title=title,
            elements=", ".join(elements),
            discovered_at=iso(ctx.discovered_at),
        )
        path = out_dir / f"{r.regime}__{r.step}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    holding = out_dir / "holding_statement.md"
    holding.write_text(env.get_template("holding_statement.md.j2").render(), encoding="utf-8")
    written.append(holding)
    return written


def _required_headings(fields: dict[str, str], path: Path, rules: dict[str, Jurisdiction]) -> tuple[str, ...]:
    template = fields.get("template", "")
    regime, step = fields.get("regime", ""), fields.get("step", "")
    if regime in rules:
        content = _content(rules[regime], step)
        if content:
            return tuple(c.heading for c in content)
    if template not in template_headings():
        raise BadInputError(f"unknown draft template {template!r}", path=path, line=1)
    return template_headings()[template]


def lint_text(text: str, path: Path, rules: dict[str, Jurisdiction] | None = None) -> list[LintProblem]:
    """Lint one draft's text (see module docstring)."""
    rules = load_jurisdictions() if rules is None else rules
    lines = text.splitlines()
    match = _HEADER.search(lines[0]) if lines else None
    if match is None:
        raise BadInputError(
            "not a leakline draft (first line must be <!-- leakline-draft regime=… step=… template=… -->)",
            path=path,
            line=1,
        )
    fields = dict(part.split("=", 1) for part in match.group("fields").split() if "=" in part)
    problems: list[LintProblem] = []
    headings = {ln.lstrip("#").strip().lower() for ln in lines if ln.startswith("#")}
    for heading in _required_headings(fields, path, rules):
        if heading.lower() not in headings:
            problems.append(LintProblem(str(path), 1, "error", f"missing required heading {heading!r}"))
    for number, line in enumerate(lines, start=1):
        lowered = line.lower()
        for phrase, why in admission_phrases():
            if re.search(r"(?<![a-z])" + re.escape(phrase.lower()) + r"(?![a-z])", lowered):
                problems.append(
                    LintProblem(str(path), number, "error", f"admission phrase {phrase!r} ({why})")
                )
        if _PLACEHOLDER in line:
            problems.append(
                LintProblem(str(path), number, "warning", "unresolved [[COUNSEL: …]] placeholder")
            )
    return problems


def lint_file(path: Path, rules: dict[str, Jurisdiction] | None = None) -> list[LintProblem]:
    """Lint one draft file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read draft: {exc}", path=path) from None
    return lint_text(text, path, rules)
