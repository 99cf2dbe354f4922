"""Read an integration-code folder: the text files the code checks look at.

Integration code is Python, JavaScript/TypeScript, Java, Apex, YAML, ``.env``, properties and
JSON config. Binary, vendored and very large files are skipped (vendored code is not the
customer's integration; very large files are data, not code).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from leakline.core.errors import BadInputError
from leakline.posture.loader import SKIP_DIRS

CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".tsx",
        ".java",
        ".kt",
        ".cls",
        ".trigger",
        ".apex",
        ".yaml",
        ".yml",
        ".env",
        ".properties",
        ".json",
        ".cfg",
        ".ini",
        ".conf",
        ".toml",
        ".sh",
        ".rb",
        ".go",
        ".cs",
        ".php",
    }
)
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class CodeFile:
    """One text file: path relative to the code folder and its lines."""

    file: str
    suffix: str
    lines: tuple[str, ...]


@dataclass
class CodeBase:
    root: str
    files: list[CodeFile] = field(default_factory=list)


def _is_code(name: str) -> str | None:
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env."):
        return ".env"
    suffix = os.path.splitext(lower)[1]
    return suffix if suffix in CODE_SUFFIXES else None


def load_code(directory: Path) -> CodeBase:
    """Collect the code files under ``directory`` (sorted, deterministic)."""
    if not directory.is_dir():
        raise BadInputError("code folder not found", path=directory)
    code = CodeBase(str(directory))
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            suffix = _is_code(name)
            if suffix is None:
                continue
            path = Path(current) / name
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\x00" in data[:4096]:
                continue
            text = data.decode("utf-8", errors="replace")
            code.files.append(
                CodeFile(path.relative_to(directory).as_posix(), suffix, tuple(text.splitlines()))
            )
    return code
