"""SOQL errors: a message plus the 0-based character position in the query text."""

from __future__ import annotations

from leakline.core.errors import BadInputError


class SoqlError(BadInputError):
    """A query that cannot be parsed or evaluated. ``position`` is a 0-based offset (or None)."""

    def __init__(self, message: str, position: int | None = None, hint: str | None = None) -> None:
        self.position = position
        self.reason = message
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"SOQL: {message}{where}", hint)


class SoqlFieldError(SoqlError):
    """The query names a field (or relationship) that the object does not have."""

    def __init__(self, field: str, sobject: str, position: int | None = None) -> None:
        self.field = field
        self.sobject = sobject
        super().__init__(f"No such column '{field}' on entity '{sobject}'", position)


class SoqlUnsupportedError(SoqlError):
    """Valid SOQL that the evaluator does not implement (subqueries, TYPEOF, GROUP BY …)."""
