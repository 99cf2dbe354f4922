"""Error hierarchy. Library code raises these; only the CLI prints them and exits.

Exit codes (documented in the README): 0 ok; 1 findings at or above ``--fail-on``;
2 usage error; 3 bad input; 4 remote/API error; 5 integrity failure.
"""

from __future__ import annotations

from pathlib import Path


class LeaklineError(Exception):
    """A problem the user can act on: rendered as one line plus an optional hint."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(LeaklineError):
    """Wrong arguments or a command that does not fit the current state."""

    exit_code = 2


class ConfigError(UsageError):
    """Missing or invalid configuration (key, case folder, credentials)."""


class BadInputError(LeaklineError):
    """Malformed or unreadable input; carries the file and line where known."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        path: Path | str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(where + message, hint)


class RemoteError(LeaklineError):
    """The org (or emulator) refused or failed a request."""

    exit_code = 4


class IntegrityError(LeaklineError):
    """Evidence failed verification: tampered, truncated, missing or reordered."""

    exit_code = 5


class FindingsAtThreshold(LeaklineError):
    """Raised by commands with ``--fail-on`` when findings reach the threshold."""

    exit_code = 1
