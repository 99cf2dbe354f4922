"""Dynamic SOQL/SOSL built by concatenating values that may come from input (SOQL injection)."""

from __future__ import annotations

import re

from leakline.posture.apex import assignments, balanced, blank, first_argument, methods, references
from leakline.posture.checklib import ALL, metadata_or_reason, not_evaluated, passed
from leakline.posture.results import Context, Result, Status

QUERY_CALL = re.compile(
    r"\b(?:Database\s*\.\s*(?:query|countQuery|getQueryLocator|queryWithBinds)|Search\s*\.\s*query)\s*\(",
    re.IGNORECASE,
)
ESCAPE_CALL = re.compile(r"\bString\s*\.\s*escapeSingleQuotes\s*\(", re.IGNORECASE)


def _unescaped(expr: str) -> str:
    """``expr`` with every String.escapeSingleQuotes(...) call blanked out (escaped values are safe)."""
    while (match := ESCAPE_CALL.search(expr)) is not None:
        end = balanced(expr, match.end() - 1)
        expr = expr[: match.start()] + " " * (end - match.start()) + expr[end:]
    return expr


def _constant(scope: str, name: str) -> bool:
    """True if every assignment of ``name`` in ``scope`` is made of string literals only."""
    values = assignments(scope, name)
    return bool(values) and all(not references(_unescaped(v)) for v in values)


def _unsafe(scope: str, expr: str, exclude: str = "") -> list[str]:
    return [r for r in references(_unescaped(expr)) if r != exclude and not _constant(scope, r)]


def evaluate(ctx: Context) -> list[Result]:
    """FAIL per query call whose query string concatenates a non-constant, unescaped value.

    A query passed as one variable is followed to its assignments in the same method. Values
    wrapped in String.escapeSingleQuotes and bind variables (``:name``) are safe; identifiers
    starting with a capital letter are taken as class constants or type names.
    """
    meta, reason = metadata_or_reason(ctx)
    if meta is None:
        return reason
    if not meta.apex:
        return not_evaluated("(apex)", "no Apex classes or triggers in the metadata")
    results: list[Result] = []
    for source in meta.apex:
        code = blank("\n".join(source.lines))
        bodies = methods(code)
        for call in QUERY_CALL.finditer(code):
            method = next((m for m in bodies if m.start <= call.start() < m.end), None)
            scope = code[method.start : method.end] if method else code
            params = method.params if method else ()
            query = first_argument(code[call.end() : balanced(code, call.end() - 1) - 1]).strip()
            if "+" in query:
                unsafe = _unsafe(scope, query)
            elif re.fullmatch(r"[A-Za-z_]\w*", query):
                built = assignments(scope, query)
                unsafe = [u for b in built for u in _unsafe(scope, b, exclude=query)]
                if not built and query in params:
                    unsafe = [query]
            else:
                unsafe = []
            if unsafe:
                names = sorted(set(unsafe), key=unsafe.index)
                from_input = [n for n in names if n in params]
                note = f" ({', '.join(from_input)}: method parameter)" if from_input else ""
                line = code.count("\n", 0, call.start()) + 1
                results.append(
                    Result(
                        Status.FAIL,
                        f"ApexClass {source.name}",
                        f"dynamic query concatenates {', '.join(names)} without escaping or bind variables{note}",
                        source.file,
                        line,
                    )
                )
    return results or passed(ALL, f"no injectable dynamic query in {len(meta.apex)} Apex file(s)")
