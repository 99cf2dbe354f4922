"""Inputs to scan, all streamed as Arrow record batches of string columns.

``open_source(target)`` understands: a CSV/TSV, Parquet, JSON or JSON-lines file; a folder of
them (recursively); an org folder (``sobjects/<Object>.jsonl`` + ``schema.json``, the layout of
collected or simulated Salesforce records); a case folder (every org folder inside it);
``sqlite:///path`` (or a ``.db``/``.sqlite`` file); ``postgresql://…``. Column names always
come from the input's header or schema at run time. Memory is bounded by ``BATCH_ROWS`` /
``CSV_BLOCK_BYTES`` whatever the input size.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leakline.core.errors import BadInputError, RemoteError, UsageError

BATCH_ROWS = 20_000
CSV_BLOCK_BYTES = 8 << 20
FILE_SUFFIXES = {".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson"}
SQLITE_SUFFIXES = {".db", ".sqlite", ".sqlite3"}
# Salesforce field types (schema.json / describe) that name an element outright.
SF_TYPE_ELEMENTS = {"email": "email", "phone": "phone"}


@dataclass
class Table:
    """One scannable table: a file, a database table or a Salesforce object."""

    name: str
    batches: Callable[[], Iterator[pa.RecordBatch]]
    hints: dict[str, frozenset[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class Source:
    """What ``leakline scan`` reads: a display name (no credentials) and its tables."""

    display: str
    tables: Callable[[], Iterator[Table]]


def redact_url(url: str) -> str:
    """``postgresql://user:pw@host/db`` → ``postgresql://user@host/db`` (never show a password)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def open_source(target: str) -> Source:
    """Resolve a scan target string to a Source, or raise a one-line error."""
    if target.startswith(("postgresql://", "postgres://")):
        return Source(redact_url(target), lambda: _postgres_tables(target))
    if target.startswith("sqlite:///"):
        path = Path(target[len("sqlite:///") :])
        # SQLAlchemy form: sqlite:///relative and sqlite:////absolute; accept a missed slash too.
        if not path.is_file() and Path("/" + str(path)).is_file():
            path = Path("/" + str(path))
        if not path.is_file():
            raise BadInputError("no such SQLite database", path=path)
        return Source(f"sqlite:///{path}", lambda: _sqlite_tables(path))
    path = Path(target)
    if not path.exists():
        raise UsageError(
            f"nothing to scan at {target}", hint="give a file, a folder, sqlite:///FILE or postgresql://…"
        )
    if path.is_dir():
        return Source(str(path), lambda: _dir_tables(path))
    return Source(str(path), lambda: iter(_file_tables(path, path.name)))


# --- files ----------------------------------------------------------------------------------
def _file_tables(path: Path, name: str) -> list[Table]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return [_csv_table(path, name, "\t" if suffix == ".tsv" else ",")]
    if suffix == ".parquet":
        return [Table(name, lambda: _parquet_batches(path))]
    if suffix in (".jsonl", ".ndjson"):
        return [Table(name, lambda: _jsonl_batches(path))]
    if suffix == ".json":
        return [Table(name, lambda: _json_batches(path))]
    if suffix in SQLITE_SUFFIXES:
        return list(_sqlite_tables(path))
    raise UsageError(
        f"{path}: unsupported file type {suffix or '(none)'}", hint="CSV, TSV, Parquet, JSON, JSONL, SQLite"
    )


def _dir_tables(root: Path) -> Iterator[Table]:
    if (root / "case.yaml").is_file():
        snapshot = root / "events" / "_objects"
        if snapshot.is_dir():
            # Records collected into the case, as the event store keeps them (one folder per object).
            for folder in sorted(p for p in snapshot.iterdir() if p.is_dir()):
                yield Table(folder.name, partial(_snapshot_batches, folder))
            return
        orgs = sorted(p.parent for p in root.rglob("sobjects") if p.is_dir() and "locker" not in p.parts)
        if not orgs:
            raise UsageError(
                f"{root}: no collected Salesforce records in this case",
                hint="collect first, or scan an org folder or export directly",
            )
        for org in orgs:
            yield from _org_tables(org, prefix=f"{org.relative_to(root)}/" if org != root else "")
        return
    if (root / "sobjects").is_dir():
        yield from _org_tables(root, prefix="")
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in FILE_SUFFIXES | SQLITE_SUFFIXES:
            yield from _file_tables(path, str(path.relative_to(root)))


def _snapshot_batches(folder: Path) -> Iterator[pa.RecordBatch]:
    for path in sorted(folder.glob("*.parquet")):
        for batch in _parquet_batches(path):
            keep = [i for i, n in enumerate(batch.schema.names) if not n.startswith("_evidence")]
            yield pa.RecordBatch.from_arrays(
                [batch.column(i) for i in keep], names=[batch.schema.names[i] for i in keep]
            )


def _org_tables(org: Path, prefix: str) -> Iterator[Table]:
    schema: dict[str, Any] = {}
    schema_path = org / "schema.json"
    if schema_path.is_file():
        try:
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise BadInputError(f"unreadable schema: {exc}", path=schema_path) from None
    for path in sorted((org / "sobjects").glob("*.jsonl")):
        obj = path.stem
        fields = (schema.get(obj) or {}).get("fields") or {}
        hints = {
            name: frozenset({SF_TYPE_ELEMENTS[str(meta.get("type"))]})
            for name, meta in fields.items()
            if isinstance(meta, dict) and meta.get("type") in SF_TYPE_ELEMENTS
        }
        yield Table(f"{prefix}{obj}", partial(_jsonl_batches, path), hints)


def _csv_table(path: Path, name: str, delimiter: str) -> Table:
    table = Table(name, lambda: iter(()))

    def batches() -> Iterator[pa.RecordBatch]:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            header = next(csv.reader(fh, delimiter=delimiter), None)
        if not header:
            return
        names = [h if h else f"column_{i + 1}" for i, h in enumerate(header)]

        skipped: list[int] = []

        def on_invalid(row: Any) -> str:
            # The row's text may hold PII: only its shape is kept (line numbers found below).
            skipped.append(row.actual_columns)
            return "skip"

        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
                ),
            )
            yield from reader
            if skipped:
                table.problems.extend(_ragged_rows(path, delimiter, len(names)))
        except pa.ArrowInvalid as exc:
            message = str(exc).split(":", 1)[0] if "UTF8" not in str(exc) else "not valid UTF-8"
            raise BadInputError(
                f"unreadable CSV ({message})", path=path, hint="save it as UTF-8 CSV"
            ) from None

    table.batches = batches
    return table


def _ragged_rows(path: Path, delimiter: str, expected: int, limit: int = 50) -> list[str]:
    """Second pass, only for files with bad rows: Arrow cannot number rows when values span lines."""
    problems: list[str] = []
    extra = 0
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)
        start = reader.line_num + 1
        for record in reader:
            if record and len(record) != expected:
                if len(problems) < limit:
                    problems.append(
                        f"{path}:{start}: expected {expected} columns, got {len(record)}; row skipped"
                    )
                else:
                    extra += 1
            start = reader.line_num + 1
    if extra:
        problems.append(f"{path}: {extra} more rows with the wrong number of columns skipped")
    return problems


def _stringify(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    try:
        return pc.cast(array, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([_cell(v) for v in array.to_pylist()], pa.string())


def _parquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInputError(f"unreadable Parquet ({type(exc).__name__})", path=path) from None
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        yield pa.RecordBatch.from_arrays([_stringify(c) for c in batch.columns], names=batch.schema.names)


def _cell(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def flatten_record(record: dict[str, Any], prefix: str = "") -> dict[str, str | None]:
    """Nested objects become dotted columns (``Account.Name``); Salesforce ``attributes`` dropped."""
    flat: dict[str, str | None] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_record(value, prefix=f"{name}."))
        else:
            flat[name] = _cell(value)
    return flat


def _records_to_batch(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return pa.RecordBatch.from_arrays(
        [pa.array([row.get(n) for row in rows], pa.string()) for n in names], names=list(names)
    )


def _jsonl_batches(path: Path) -> Iterator[pa.RecordBatch]:
    rows: list[dict[str, str | None]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise BadInputError(
                    "not valid JSON (one object per line expected)", path=path, line=number
                ) from None
            rows.append(flatten_record(record) if isinstance(record, dict) else {"value": _cell(record)})
            if len(rows) >= BATCH_ROWS:
                yield _records_to_batch(rows)
                rows = []
    if rows:
        yield _records_to_batch(rows)


def _json_batches(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not valid JSON ({exc.msg})", path=path, line=exc.lineno) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]  # a Salesforce query result
    records = data if isinstance(data, list) else [data]
    for start in range(0, len(records), BATCH_ROWS):
        chunk = records[start : start + BATCH_ROWS]
        yield _records_to_batch(
            [flatten_record(r) if isinstance(r, dict) else {"value": _cell(r)} for r in chunk]
        )


# --- databases ------------------------------------------------------------------------------
def _rows_to_batch(names: list[str], rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.RecordBatch.from_arrays(
        [pa.array([_cell(v) for v in col], pa.string()) for col in columns], names=names
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(path: Path) -> Iterator[Table]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    except sqlite3.DatabaseError as exc:
        raise BadInputError(f"not a readable SQLite database ({exc})", path=path) from None

    def batches(table: str) -> Iterator[pa.RecordBatch]:
        cursor = con.execute(f"SELECT * FROM {_quote_ident(table)}")
        columns = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield _rows_to_batch(columns, rows)

    try:
        for name in names:
            if not name.startswith("sqlite_"):
                yield Table(name, partial(batches, name))
    finally:
        con.close()


def _postgres_tables(url: str) -> Iterator[Table]:
    import psycopg
    from psycopg import sql

    try:
        con = psycopg.connect(url, connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise RemoteError(f"cannot connect to {redact_url(url)}: {reason}") from None
    try:
        with con.cursor() as cur:
            cur.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                "AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2"
            )
            tables = cur.fetchall()

        def batches(schema: str, table: str) -> Iterator[pa.RecordBatch]:
            with con.cursor() as cur:
                cur.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema=%s AND table_name=%s "
                    "ORDER BY ordinal_position",
                    (schema, table),
                )
                columns = [r[0] for r in cur.fetchall()]
            if not columns:
                return
            query = sql.SQL("SELECT {} FROM {}.{}").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns),
                sql.Identifier(schema),
                sql.Identifier(table),
            )
            # A named (server-side) cursor streams rows instead of loading the table.
            with con.transaction(), con.cursor(name="leakline_scan") as cur:
                cur.itersize = BATCH_ROWS
                cur.execute(query)
                while rows := cur.fetchmany(BATCH_ROWS):
                    yield _rows_to_batch(columns, rows)

        for schema, table in tables:
            label = table if schema == "public" else f"{schema}.{table}"
            yield Table(label, partial(batches, schema, table))
    finally:
        con.close()
