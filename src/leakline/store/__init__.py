"""Event store: normalizers into one ``events`` schema (Parquet) and DuckDB views."""

from leakline.store.base import RowProblem
from leakline.store.elf import normalize_elf_csv
from leakline.store.eventstore import (
    INGESTIBLE_KINDS,
    KIND_AUDIT_CSV,
    KIND_ELF,
    KIND_LOGIN_HISTORY_CSV,
    KIND_RECORDS,
    EventStore,
    IngestResult,
    detect_kind,
    normalize,
)

__all__ = [
    "INGESTIBLE_KINDS",
    "KIND_AUDIT_CSV",
    "KIND_ELF",
    "KIND_LOGIN_HISTORY_CSV",
    "KIND_RECORDS",
    "EventStore",
    "IngestResult",
    "RowProblem",
    "detect_kind",
    "normalize",
    "normalize_elf_csv",
]
