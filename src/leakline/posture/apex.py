"""Just enough Apex lexing for the checks: comments removed, string literals blanked.

Line structure is kept (every newline stays), so offsets map back to source lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEYWORDS = frozenset(
    {"new", "null", "true", "false", "this", "super", "string", "integer", "list", "map", "set"}
)
_IDENT = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")
_SIGNATURE = re.compile(
    r"\b(?:public|private|global|protected|static|webservice|override|virtual)\b[\w\s<>,\[\].]*?\s(\w+)\s*\(([^()]*)\)\s*\{"
)


_LEXEME = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|'(?:\\.|[^'\\\n])*'?", re.DOTALL)


def _blank_lexeme(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith("'"):
        closed = len(text) > 1 and text.endswith("'")
        return "'" + " " * (len(text) - (2 if closed else 1)) + ("'" if closed else "")
    return "".join(c if c == "\n" else " " for c in text)


def blank(text: str) -> str:
    """Comments → spaces; string literal contents → spaces (quotes kept); newlines kept."""
    return _LEXEME.sub(_blank_lexeme, text)


_BRACKET = re.compile(r"[()\[\]{}]")


def balanced(code: str, open_at: int) -> int:
    """Index just past the parenthesis/brace group opening at ``open_at``."""
    depth = 0
    for match in _BRACKET.finditer(code, open_at):
        if match.group(0) in "([{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return match.end()
    return len(code)


def first_argument(args: str) -> str:
    """The first top-level comma-separated part of an argument list (without parentheses)."""
    depth = 0
    for index, ch in enumerate(args):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            return args[:index]
    return args


def references(expr: str) -> list[str]:
    """Identifiers (dotted chains by their root) used as values in ``expr``; calls and keywords left out."""
    found = []
    for match in _IDENT.finditer(expr):
        rest = expr[match.end() :].lstrip()
        if rest.startswith("("):
            continue  # a method call: its arguments are scanned on their own
        if match.start() > 0 and expr[match.start() - 1] in ".:":
            continue
        root = match.group(0).split(".")[0].strip()
        if root.lower() not in _KEYWORDS and root not in found and not root[0].isupper():
            found.append(root)
    return found


def assignments(code: str, name: str) -> list[str]:
    """Right-hand sides of every ``name = …;`` / ``name += …;`` in ``code``."""
    out = []
    for match in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*\+?=(?!=)", code):
        end = match.end()
        depth = 0
        while end < len(code):
            ch = code[end]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == ";" and depth <= 0:
                break
            end += 1
        out.append(code[match.end() : end])
    return out


@dataclass(frozen=True)
class Method:
    name: str
    start: int
    end: int
    params: tuple[str, ...]


def methods(code: str) -> list[Method]:
    """Method bodies with their parameter names."""
    found = []
    for match in _SIGNATURE.finditer(code):
        params = tuple(p.split()[-1] for p in match.group(2).split(",") if p.strip())
        found.append(Method(match.group(1), match.start(), balanced(code, match.end() - 1), params))
    return found
