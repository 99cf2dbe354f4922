"""EventLogFile CSV → ``events``.

Column names come from the file's header (or ``LogFileFieldNames`` when a body has none), never
from a fixed list: schemas change every release. The fast path parses with Arrow's multi-threaded
CSV reader, computes times, numbers and status with one narrow DuckDB query and takes text
columns, ids, ``event_key`` and ``raw`` straight from the Arrow columns, two slices at a time; if
any row is malformed (wrong field count, unreadable time) the file is re-read with the ``csv``
module so every problem gets its exact line.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from leakline.core.errors import BadInputError
from leakline.store.base import EVENTS_ARROW_SCHEMA, RowProblem, empty_events, id18

TIME_COLUMNS = ("TIMESTAMP", "TIMESTAMP_DERIVED")
_SLICE = 125_000
_WORKERS = 2

# schema column → ELF columns, first present wins (order = preference).
_TEXT_MAP: dict[str, tuple[str, ...]] = {
    "org_id": ("ORGANIZATION_ID",),
    "username": ("USER_NAME",),
    "session_key": ("SESSION_KEY",),
    "login_key": ("LOGIN_KEY",),
    "request_id": ("REQUEST_ID",),
    "src_ip": ("SOURCE_IP", "CLIENT_IP"),
    "user_agent": ("USER_AGENT", "BROWSER_TYPE"),
    "client": ("CLIENT_NAME",),
    "app_name": ("CONNECTED_APP_NAME",),
    "entity": ("ENTITY_NAME", "ENTITY_TYPE"),
    "operation": ("METHOD_NAME", "OPERATION_TYPE", "OPERATION", "METHOD", "HTTP_METHOD"),
    "query": ("QUERY", "SEARCH_QUERY"),
    "status_detail": ("LOGIN_STATUS", "STATUS_CODE", "REQUEST_STATUS", "JOB_STATUS"),
    "login_type": ("LOGIN_TYPE",),
    "job_id": ("JOB_ID",),
    "uri": ("URI", "REQUEST_PATH", "PAGE_URL"),
}
_ID_MAP: dict[str, tuple[str, ...]] = {
    "user_id": ("USER_ID_DERIVED", "USER_ID"),
    "connected_app_id": ("CONNECTED_APP_ID",),
}
_ROWS = ("ROWS_PROCESSED", "ROW_COUNT", "RECORDS_PROCESSED", "NUMBER_OF_RECORDS", "NUM_RESULTS")
_BYTES = ("RESPONSE_SIZE", "SIZE_BYTES")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pick(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    present = set(columns)
    for name in candidates:
        if name in present:
            return name
    return None


# Columns that are, by definition, another form of the same value (reference: *_DERIVED columns):
# when both are in a file the typed column holds that value, so neither needs a copy in ``raw``.
_ALIASES = (("USER_ID_DERIVED", "USER_ID"), ("TIMESTAMP", "TIMESTAMP_DERIVED"))


def mapped_columns(columns: Sequence[str]) -> frozenset[str]:
    """The source columns a typed column is filled from: these are left out of ``raw``.

    Per typed column, the first candidate present in the header (the one it is read from), plus
    ``USER_ID`` next to ``USER_ID_DERIVED`` and ``TIMESTAMP_DERIVED`` next to ``TIMESTAMP`` (the same
    value in another form). Other fallback candidates (``CLIENT_IP`` next to ``SOURCE_IP``,
    ``REQUEST_STATUS`` next to ``STATUS_CODE`` …) carry their own information and stay in ``raw``, as
    does every column no typed column reads. The original text of every column stays recoverable
    from the evidence object (``evidence_sha256`` + ``evidence_row``).
    """
    groups = (*_TEXT_MAP.values(), *_ID_MAP.values(), _ROWS, _BYTES, TIME_COLUMNS, ("EVENT_TYPE",))
    picked = {p for p in (_pick(columns, g) for g in groups) if p is not None}
    present = set(columns)
    picked.update(alias for main, alias in _ALIASES if main in picked and alias in present)
    return frozenset(picked)


# The only source columns the DuckDB part of the mapping reads (see _transform_sql).
_SQL_INPUTS = frozenset(
    {
        *TIME_COLUMNS,
        *_ROWS,
        *_BYTES,
        "RESULT_SIZE_MB",
        "LOGIN_STATUS",
        "SUCCESS",
        "REQUEST_STATUS",
        "STATUS_CODE",
    }
)


def _transform_sql(columns: Sequence[str]) -> str:
    """One SELECT from the text table ``src`` to the computed columns ``ts``, ``rows``, ``bytes``, ``status``.

    Text columns, ids, ``event_key`` and ``raw`` are assembled in Arrow (_run): moving them through
    DuckDB and back costs more than the whole parse.
    """

    ts_parts = []
    if "TIMESTAMP" in columns:
        ts_parts.append(f"try_strptime(NULLIF({_q('TIMESTAMP')}, ''), '%Y%m%d%H%M%S.%g')")
        ts_parts.append(f"try_strptime(NULLIF({_q('TIMESTAMP')}, ''), '%Y%m%d%H%M%S')")
    if "TIMESTAMP_DERIVED" in columns:
        ts_parts.append(f"try_strptime(NULLIF({_q('TIMESTAMP_DERIVED')}, ''), '%Y-%m-%dT%H:%M:%S.%gZ')")
        ts_parts.append(f"try_strptime(NULLIF({_q('TIMESTAMP_DERIVED')}, ''), '%Y-%m-%dT%H:%M:%SZ')")
    ts_expr = "COALESCE(" + ", ".join([*ts_parts, "NULL::TIMESTAMP"]) + ")"

    def number(candidates: Sequence[str], scale: int = 1) -> str:
        present = [c for c in candidates if c in columns]
        if scale != 1:
            parts = [
                f"CAST(round(TRY_CAST(NULLIF({_q(c)}, '') AS DOUBLE) * {scale}) AS BIGINT)" for c in present
            ]
        else:
            # ELF writes integers, but some versions write "12.0": fall back to DOUBLE only then.
            parts = [
                f"COALESCE(TRY_CAST({_q(c)} AS BIGINT), TRY_CAST(TRY_CAST(NULLIF({_q(c)}, '') AS DOUBLE) AS BIGINT))"
                for c in present
            ]
        return "COALESCE(" + ", ".join([*parts, "NULL::BIGINT"]) + ")"

    bytes_expr = number(_BYTES)
    if "RESULT_SIZE_MB" in columns:
        bytes_expr = f"COALESCE({bytes_expr}, {number(('RESULT_SIZE_MB',), scale=1048576)})"

    status_parts = []
    if "LOGIN_STATUS" in columns:
        status_parts.append(
            f"CASE WHEN {_q('LOGIN_STATUS')} = '' THEN NULL WHEN {_q('LOGIN_STATUS')} = 'LOGIN_NO_ERROR' "
            "THEN 'success' ELSE 'failure' END"
        )
    if "SUCCESS" in columns:
        status_parts.append(
            f"CASE lower({_q('SUCCESS')}) WHEN '1' THEN 'success' WHEN 'true' THEN 'success' "
            "WHEN '0' THEN 'failure' WHEN 'false' THEN 'failure' END"
        )
    if "REQUEST_STATUS" in columns:
        status_parts.append(
            f"CASE {_q('REQUEST_STATUS')} WHEN 'S' THEN 'success' WHEN 'F' THEN 'failure' "
            "WHEN 'A' THEN 'failure' WHEN 'N' THEN 'failure' END"
        )
    if "STATUS_CODE" in columns:
        status_parts.append(
            f"CASE WHEN TRY_CAST({_q('STATUS_CODE')} AS INTEGER) BETWEEN 100 AND 399 THEN 'success' "
            f"WHEN TRY_CAST({_q('STATUS_CODE')} AS INTEGER) >= 400 THEN 'failure' END"
        )
    status_expr = "COALESCE(" + ", ".join([*status_parts, "NULL::VARCHAR"]) + ")"

    select = {"ts": ts_expr, "rows": number(_ROWS), "bytes": bytes_expr, "status": status_expr}
    return "SELECT " + ",\n  ".join(f"{expr} AS {_q(name)}" for name, expr in select.items()) + " FROM src"


def _id_column(table: pa.Table, candidates: Sequence[str]) -> pa.ChunkedArray | pa.Array:
    """18-char ids, converted once per distinct value (ids repeat: users, apps)."""
    column = _text_column(table, candidates)
    encoded = pc.dictionary_encode(column)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    out = []
    for chunk in chunks:
        converted = pa.array([id18(v) for v in chunk.dictionary.to_pylist()], pa.string())
        out.append(converted.take(chunk.indices))
    return pa.chunked_array(out, pa.string())


def _empty_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty text → NULL, chunk by chunk.

    The replacement is an all-null *array*: pyarrow 22's ``if_else`` with a null *scalar* returns
    garbage for sliced string arrays (non-zero offset), which Arrow slices and CSV blocks can be.
    """
    chunks = [pc.if_else(pc.equal(c, ""), pa.nulls(len(c), pa.string()), c) for c in column.chunks]
    return pa.chunked_array(chunks, pa.string())


def _text_column(table: pa.Table, candidates: Sequence[str]) -> pa.ChunkedArray | pa.Array:
    """First non-empty of the candidate columns."""
    present = [c for c in candidates if c in table.column_names]
    if not present:
        return pa.nulls(table.num_rows, pa.string())
    parts = [_empty_to_null(table.column(c)) for c in present]
    return parts[0] if len(parts) == 1 else pc.coalesce(*parts)


class _Prefixed(io.RawIOBase):
    """A stream that first replays bytes already read (the header sniff), then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


_EVENT_TYPE_IN_NAME = re.compile(r"(?:^|[/_-])(?:elf[/_-])?([A-Za-z][A-Za-z0-9]+)[/_-]\d{4}-\d{2}-\d{2}")


def event_type_from_name(name: str) -> str | None:
    """``elf/Login/2026-03-01/…`` or ``eventlogs/Login/2026-03-01.csv`` → ``Login``."""
    match = _EVENT_TYPE_IN_NAME.search(name)
    return match.group(1) if match else None


def read_header(head: bytes, name: str) -> list[str]:
    """Parse the first CSV record of ``head``; raises BadInputError if it is not an ELF header."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise BadInputError("empty file: not an EventLogFile CSV", path=name, line=1)
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    return [c.strip() for c in first]


def check_elf_header(columns: Sequence[str], name: str) -> None:
    """An ELF body has a TIMESTAMP (or TIMESTAMP_DERIVED) column; anything else is refused."""
    if not any(c in columns for c in TIME_COLUMNS):
        shown = ",".join(columns[:6]) + (",…" if len(columns) > 6 else "")
        raise BadInputError(
            f"not an EventLogFile CSV: header has no TIMESTAMP or TIMESTAMP_DERIVED column (header: {shown})",
            path=name,
            line=1,
        )
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if list(columns).count(c) > 1})
        raise BadInputError(f"EventLogFile header repeats column(s) {', '.join(dupes)}", path=name, line=1)


def normalize_elf_csv(
    stream: IO[bytes],
    evidence_sha256: str,
    name: str,
    *,
    field_names: Sequence[str] | None = None,
    event_type: str | None = None,
) -> tuple[pa.Table, list[RowProblem]]:
    """Normalise one ELF CSV body into the events schema.

    ``field_names`` (from ``LogFileFieldNames``) is used only when the body has no header row.
    ``event_type`` (from the EventLogFile record or the object name) fills rows without an
    ``EVENT_TYPE`` column. Returns the rows that loaded plus one problem per bad row.
    """
    if not stream.seekable():
        spool = tempfile.TemporaryFile()
        shutil.copyfileobj(stream, spool, 1 << 20)
        spool.seek(0)
        try:
            return normalize_elf_csv(
                spool, evidence_sha256, name, field_names=field_names, event_type=event_type
            )
        finally:
            spool.close()
    head = stream.read(65536)
    header = read_header(head, name)
    has_header = any(c in header for c in TIME_COLUMNS) or not field_names
    columns = list(header) if has_header else [c.strip() for c in field_names or ()]
    check_elf_header(columns, name)
    default_type = event_type or event_type_from_name(name)

    invalid: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.number or 0)
        return "skip"

    source = _Prefixed(head, stream)
    try:
        table = pacsv.read_csv(
            io.BufferedReader(source, buffer_size=1 << 20),
            read_options=pacsv.ReadOptions(
                column_names=columns, skip_rows=1 if has_header else 0, block_size=16 << 20
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise BadInputError(f"unreadable EventLogFile CSV: {exc}", path=name) from None
    except UnicodeDecodeError as exc:
        raise BadInputError(f"EventLogFile CSV is not UTF-8: {exc.reason}", path=name) from None
    n = table.num_rows
    table = table.append_column("__row", pa.array(np.arange(1, n + 1, dtype=np.int64)))
    table = table.append_column("__line", pa.nulls(n, pa.int64()))
    # Slices keep the working set small and run two at a time (Arrow and DuckDB release the GIL);
    # results are concatenated in slice order, so the output does not depend on the scheduling.
    slices = [table.slice(start, _SLICE) for start in range(0, n, _SLICE)] or [table]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        parts = list(pool.map(lambda part: _run(part, columns, default_type, evidence_sha256), slices))
    result = pa.concat_tables(parts)
    if not invalid and result.column("ts").null_count == 0:
        return result.drop_columns(["__line"]).cast(EVENTS_ARROW_SCHEMA), []
    return _slow_path(head, stream, columns, has_header, default_type, evidence_sha256, name)


def _run(table: pa.Table, columns: Sequence[str], event_type: str | None, sha256: str) -> pa.Table:
    """The events columns (schema order, plus ``__line``) of ``table`` (source text + ``__row``/``__line``)."""
    n = table.num_rows
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 1")  # slices already run in parallel
        con.execute("SET preserve_insertion_order = true")
        # Only the columns the SQL reads go to DuckDB, and only small typed columns come back.
        con.register("src", table.select([c for c in columns if c in _SQL_INPUTS]))
        computed = con.execute(_transform_sql(columns)).to_arrow_table()
    finally:
        con.close()
    if computed.num_rows != n:  # pragma: no cover - DuckDB guarantees one row out per row in
        raise RuntimeError("event mapping changed the row count")

    default_type = event_type or "Unknown"
    if "EVENT_TYPE" in columns:
        event_types: pa.ChunkedArray | pa.Array = pc.fill_null(
            _empty_to_null(table.column("EVENT_TYPE")), pa.scalar(default_type, pa.string())
        )
    else:
        event_types = pa.repeat(pa.scalar(default_type, pa.string()), n)
    ts_text = _pick(columns, TIME_COLUMNS)
    if "REQUEST_ID" in columns and ts_text:
        # REQUEST_ID|TIMESTAMP|EVENT_TYPE; NULL (never deduplicated) when REQUEST_ID is empty.
        event_key: pa.ChunkedArray | pa.Array = pc.binary_join_element_wise(
            _empty_to_null(table.column("REQUEST_ID")), table.column(ts_text), event_types, "|"
        )
    else:
        event_key = pa.nulls(n, pa.string())
    mapped = mapped_columns(columns)

    out: dict[str, pa.ChunkedArray | pa.Array] = {}
    for field in EVENTS_ARROW_SCHEMA:
        name = field.name
        if name == "raw":
            out[name] = _raw_map(table, [c for c in columns if c not in mapped])
        elif name == "source":
            out[name] = pa.repeat(pa.scalar("elf", pa.string()), n)
        elif name == "event_type":
            out[name] = event_types
        elif name == "event_key":
            out[name] = event_key
        elif name == "evidence_sha256":
            out[name] = pa.repeat(pa.scalar(sha256, pa.string()), n)
        elif name == "evidence_row":
            out[name] = table.column("__row")
        elif name in _TEXT_MAP:
            out[name] = _text_column(table, _TEXT_MAP[name])
        elif name in _ID_MAP:
            out[name] = _id_column(table, _ID_MAP[name])
        elif name in computed.column_names:
            out[name] = computed.column(name)
        else:
            out[name] = pa.nulls(n, field.type)
    out["__line"] = table.column("__line")
    return pa.table(out)


_MAP_BATCH = 65_536


@functools.lru_cache(maxsize=4)
def _keys(columns: tuple[str, ...], rows: int) -> pa.Array:
    """``columns`` repeated ``rows`` times (the MAP keys of ``rows`` rows); cached across calls."""
    return pa.array(list(columns), pa.string()).take(
        pa.array(np.tile(np.arange(len(columns), dtype=np.int32), rows))
    )


@functools.lru_cache(maxsize=8)
def _interleave(width: int, rows: int) -> pa.Array:
    """Indices turning ``width`` concatenated columns of ``rows`` values into row-major order."""
    return pa.array(np.arange(width * rows, dtype=np.int64).reshape(width, rows).T.ravel())


def _raw_map(table: pa.Table, raw_columns: Sequence[str]) -> pa.ChunkedArray:
    """``raw``: per row, the given source columns (header order) → their text."""
    map_type = EVENTS_ARROW_SCHEMA.field("raw").type
    width = len(raw_columns)
    if width == 0 or table.num_rows == 0:
        offsets = pa.array(np.zeros(table.num_rows + 1, dtype=np.int32))
        empty = pa.array([], pa.string())
        return pa.chunked_array([pa.MapArray.from_arrays(offsets, empty, empty)], map_type)
    keys = _keys(tuple(raw_columns), _MAP_BATCH)
    maps = []
    for batch in table.select(list(raw_columns)).to_batches(max_chunksize=_MAP_BATCH):
        rows = batch.num_rows
        if rows == 0:
            continue
        # Every row has the same keys in the same order: keys are one cached array, sliced (zero-copy).
        values = pa.concat_arrays(batch.columns).take(_interleave(width, rows))
        offsets = pa.array(np.arange(0, (rows + 1) * width, width, dtype=np.int32))
        maps.append(pa.MapArray.from_arrays(offsets, keys.slice(0, rows * width), values))
    return pa.chunked_array(maps, map_type)


def _slow_path(
    head: bytes,
    stream: IO[bytes],
    columns: list[str],
    has_header: bool,
    event_type: str | None,
    sha256: str,
    name: str,
) -> tuple[pa.Table, list[RowProblem]]:
    """Re-read with the csv module to report each bad row with its line; keep the good rows."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    problems: list[RowProblem] = []
    values: list[list[str]] = [[] for _ in columns]
    rows: list[int] = []
    lines: list[int] = []
    record = 0
    start_line = 1
    if has_header:
        next(reader, None)
        start_line = reader.line_num + 1
    for fields in reader:
        line = start_line
        start_line = reader.line_num + 1
        if not fields:
            continue
        record += 1
        if len(fields) != len(columns):
            problems.append(RowProblem(name, line, f"expected {len(columns)} fields, found {len(fields)}"))
            continue
        for i, value in enumerate(fields):
            values[i].append(value)
        rows.append(record)
        lines.append(line)
    text.detach()
    arrays = [pa.array(v, pa.string()) for v in values]
    table = pa.table(
        [*arrays, pa.array(rows, pa.int64()), pa.array(lines, pa.int64())],
        names=[*columns, "__row", "__line"],
    )
    result = _run(table, columns, event_type, sha256)
    bad_ts = result.filter(pc.is_null(result.column("ts")))
    for line in bad_ts.column("__line").to_pylist():
        problems.append(
            RowProblem(name, line, "no readable TIMESTAMP / TIMESTAMP_DERIVED (yyyyMMddHHmmss.SSS)")
        )
    good = result.filter(pc.is_valid(result.column("ts")))
    problems.sort(key=lambda p: p.line or 0)
    if good.num_rows == 0:
        return empty_events(), problems
    return good.drop_columns(["__line"]).cast(EVENTS_ARROW_SCHEMA), problems
