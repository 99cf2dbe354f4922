"""Render a ``Report`` as HTML (single offline file), PDF (WeasyPrint), JSON or Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from leakline import __version__
from leakline.core import jsonio
from leakline.core.errors import UsageError
from leakline.report.build import SECTION_TITLES, Report

AUDIENCE_TITLES = {
    "exec": "Executive report",
    "counsel": "Report for counsel",
    "regulator": "Report for the regulator",
    "auditor": "Incident record for auditors",
    "technical": "Technical report",
}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class _Attr(dict[str, Any]):
    """Dict with attribute access and None for missing keys (templates read optional fields)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # e.g. __html__: Jinja probes for it
        return self.get(name)

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.items())


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return _Attr({k: _wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def render_html(report: Report, *, reveal: bool = False) -> str:
    """One self-contained HTML file: inline CSS and SVG, no external resources."""
    template = _env.get_template("report.html.j2")
    data = _wrap(report.__dict__)
    return template.render(
        r=data,
        titles=SECTION_TITLES,
        audience_title=AUDIENCE_TITLES[report.audience],
        tool_version=__version__,
        reveal=reveal,
    )


def render_json(report: Report) -> str:
    return jsonio.dumps(report.to_json())


def render_md(report: Report) -> str:
    """Markdown: the summary, findings, obligations and journal as tables."""
    s = report.summary
    lines = [
        f"# {report.case['title']} — {AUDIENCE_TITLES[report.audience]}",
        "",
        f"Case `{report.case['id']}` · generated {report.generated_at} (UTC)",
        "",
        "## Executive summary",
        "",
        f"- When (UTC): {s.get('first_activity') or '—'} → {s.get('last_activity') or '—'}",
        f"- Findings: {', '.join(f'{v} {k}' for k, v in s.get('findings_by_severity', {}).items()) or 'none'}",
        f"- Accounts: {', '.join(s.get('actors', [])) or '—'}",
        f"- People affected: {s.get('affected_people') if s.get('affected_people') is not None else 'not yet determined'}",
        f"- Containment actions applied: {s.get('containment_actions_applied', 0)}",
    ]
    for item in s.get("what", []):
        lines.append(f"- {item}")
    if "findings" in report.sections:
        lines += ["", "## Findings", "", "| severity | rule | title | first seen | evidence |", "|---|---|---|---|---|"]
        for f in report.findings:
            ev = "; ".join(f"{e['sha256'][:12]}… ({e['row_count']} rows)" for e in f["evidence"])
            lines.append(f"| {f['severity']} | `{f['rule_id']}` | {f['title']} | {f['first_seen'] or ''} | {ev} |")
    if "obligations" in report.sections and report.obligations is not None:
        lines += ["", "## Obligations", "", "| regime | audience | status | deadline (UTC) | affected |", "|---|---|---|---|---|"]
        for o in report.obligations:
            lines.append(
                f"| {o.get('regime')} | {o.get('audience')} | {o.get('status')} | {o.get('deadline_utc') or '—'} | {o.get('affected')} |"
            )
    if "containment" in report.sections:
        lines += ["", "## Containment journal", ""]
        for e in report.journal:
            lines.append(f"- {e.get('ts', '')} {e.get('event', '')} {e.get('step', e.get('action', ''))} {e.get('result', '')}")
    return "\n".join(lines) + "\n"


def render_pdf(report: Report, path: Path, *, reveal: bool = False) -> None:
    """PDF through WeasyPrint from the same HTML."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise UsageError("PDF output needs WeasyPrint", hint="pip install 'leakline[pdf]'") from None
    HTML(string=render_html(report, reveal=reveal)).write_pdf(str(path))
