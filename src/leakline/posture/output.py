"""Render an audit as table rows, JSON, Markdown or SARIF 2.1.0.

Messages come from the checks, which only ever put masked secrets into them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leakline import __version__
from leakline.core import jsonio
from leakline.core.models import Severity
from leakline.posture.engine import Audit, severity_of
from leakline.posture.results import Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def rows(audit: Audit) -> list[dict[str, Any]]:
    """One flat row per result (the JSON ``results`` list and the table)."""
    out = []
    for outcome in audit.outcomes:
        for result in outcome.results:
            row = {
                "check": outcome.check.id,
                "severity": severity_of(outcome.check, result).value,
                **result.as_dict(),
            }
            out.append(row)
    return out


def to_json_data(audit: Audit) -> dict[str, Any]:
    """Stable JSON document: score, per-check summary and every result."""
    counts = {s.value: 0 for s in Status}
    for outcome in audit.outcomes:
        counts[outcome.status.value] += 1
    return {
        "tool": "leakline posture",
        "version": __version__,
        "score": {
            "value": audit.score.value,
            "band": audit.score.band,
            "passed_weight": audit.score.passed_weight,
            "total_weight": audit.score.total_weight,
        },
        "checks": [
            {
                "id": o.check.id,
                "title": o.check.meta.title,
                "severity": o.check.meta.severity.value,
                "status": o.status.value,
                "mappings": o.check.meta.mappings.model_dump(mode="json"),
            }
            for o in audit.outcomes
        ],
        "check_status_counts": counts,
        "results": rows(audit),
    }


def to_json(audit: Audit) -> str:
    return jsonio.dumps(to_json_data(audit))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(audit: Audit) -> str:
    """A report section: score, failures first, then everything else."""
    score = (
        f"{audit.score.value} / 100 ({audit.score.band})"
        if audit.score.value is not None
        else audit.score.band
    )
    lines = ["# Posture audit", "", f"Score: **{score}**", ""]
    lines += ["| Status | Severity | Check | Resource | Where | Detail |", "|---|---|---|---|---|---|"]
    order = {Status.FAIL: 0, Status.MANUAL: 1, Status.NOT_EVALUATED: 2, Status.PASS: 3}
    for row in sorted(
        rows(audit), key=lambda r: (order[Status(r["status"])], -Severity(r["severity"]).rank, r["check"])
    ):
        where = f"{row['file']}:{row['line']}" if row.get("file") else ""
        lines.append(
            f"| {row['status']} | {row['severity']} | {row['check']} | {_md_cell(row['resource'])} | "
            f"{_md_cell(where)} | {_md_cell(row['message'])} |"
        )
    return "\n".join(lines) + "\n"


def to_sarif(audit: Audit, roots: dict[str, Path] | None = None) -> str:
    """SARIF 2.1.0: one rule per check, one result per FAIL (with file and line where known).

    With ``roots`` (``metadata`` / ``code`` → folder), locations carry a ``uriBaseId``
    (``METADATA`` / ``CODE``) defined in ``originalUriBaseIds``, so the relative paths resolve.
    """
    roots = roots or {}
    rules = []
    for outcome in audit.outcomes:
        meta = outcome.check.meta
        rules.append(
            {
                "id": outcome.check.id,
                "name": outcome.check.id,
                "shortDescription": {"text": meta.title},
                "fullDescription": {"text": meta.rationale},
                "help": {"text": meta.remediation},
                "helpUri": meta.references[0] if meta.references[0].startswith("http") else None,
                "defaultConfiguration": {"level": _SARIF_LEVEL[meta.severity]},
                "properties": {
                    "security-severity": _SECURITY_SEVERITY[meta.severity],
                    "tags": ["security", meta.category],
                    "soc2": list(meta.mappings.soc2),
                    "iso27001": list(meta.mappings.iso27001),
                    "sbs": list(meta.mappings.sbs),
                },
            }
        )
    for rule in rules:
        if rule["helpUri"] is None:
            del rule["helpUri"]
    index = {o.check.id: i for i, o in enumerate(audit.outcomes)}
    results = []
    for check, result in audit.failures():
        severity = severity_of(check, result)
        entry: dict[str, Any] = {
            "ruleId": check.id,
            "ruleIndex": index[check.id],
            "level": _SARIF_LEVEL[severity],
            "message": {"text": f"{result.resource}: {result.message}"},
            "properties": {"severity": severity.value},
        }
        if result.file is not None:
            artifact: dict[str, Any] = {"uri": result.file}
            base = "code" if "code" in check.meta.inputs else "metadata"
            if base in roots:
                artifact["uriBaseId"] = base.upper()
            location: dict[str, Any] = {"artifactLocation": artifact}
            if result.line is not None:
                location["region"] = {"startLine": result.line}
            entry["locations"] = [{"physicalLocation": location}]
        results.append(entry)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "leakline-posture", "version": __version__, "rules": rules}},
        "results": results,
    }
    if roots:
        run["originalUriBaseIds"] = {
            name.upper(): {"uri": folder.resolve().as_uri() + "/"} for name, folder in sorted(roots.items())
        }
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    return jsonio.dumps(doc)
