"""Scan a source: every table, every column, streamed; the result holds counts and masked samples only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pyarrow as pa

from leakline.pii.scanner import (
    ColumnStats,
    Hit,
    TableResult,
    ValueScanner,
    finish_column,
    new_column,
    update_column,
)
from leakline.pii.sources import Source, Table

BatchCallback = Callable[[Table, pa.RecordBatch, dict[str, list[Hit]]], None]


@dataclass(frozen=True)
class ScanReport:
    """Result of ``leakline scan`` (the JSON output is ``asdict`` of this)."""

    source: str
    tables: tuple[TableResult, ...]
    problems: tuple[str, ...]

    def element_rows(self, min_confidence: float = 0.5) -> dict[str, int]:
        """Element id → rows carrying it (summed over columns at or above ``min_confidence``)."""
        totals: Counter[str] = Counter()
        for table in self.tables:
            for column in table.columns:
                for element in column.elements:
                    if element.confidence >= min_confidence:
                        totals[element.element] += element.rows
        return dict(sorted(totals.items()))

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["summary"] = self.element_rows()
        return data


def scan_table(table: Table, scanner: ValueScanner, on_batch: BatchCallback | None = None) -> TableResult:
    """Scan one table batch by batch; ``on_batch`` sees each batch with its hits per column."""
    columns: dict[str, ColumnStats] = {}
    rows = 0
    for batch in table.batches():
        rows += batch.num_rows
        hits_by_column: dict[str, list[Hit]] = {}
        for name, values in zip(batch.schema.names, batch.columns, strict=True):
            stats = columns.get(name)
            if stats is None:
                stats = columns[name] = new_column(name, table.hints.get(name, frozenset()))
            hits = scanner.scan_array(values, stats)
            update_column(stats, values, hits)
            hits_by_column[name] = hits
        if on_batch is not None:
            on_batch(table, batch, hits_by_column)
    results = tuple(finish_column(stats) for stats in columns.values())
    return TableResult(table.name, rows, tuple(r for r in results if r.elements))


def scan_source(source: Source, on_batch: BatchCallback | None = None) -> ScanReport:
    """Scan every table of ``source``; problems (skipped rows) are collected, not fatal."""
    scanner = ValueScanner()
    tables: list[TableResult] = []
    problems: list[str] = []
    for table in source.tables():
        tables.append(scan_table(table, scanner, on_batch))
        problems.extend(table.problems)
    return ScanReport(source.display, tuple(tables), tuple(problems))
