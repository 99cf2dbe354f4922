"""EventLogFile columns, column types and the columnar event sink that writes daily ELF CSVs.

Column lists are the current ones of the reference (``salesforce.md`` §1.4). Order: the leading
columns in the order real files use (EVENT_TYPE, TIMESTAMP, REQUEST_ID, ORGANIZATION_ID, USER_ID,
RUN_TIME, CPU_TIME, URI …), then the rest alphabetically. Real 2015 files carry one column the
current list of ``API`` lacks (``QUERY``); we keep it so older parsers still find it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from leakline.core.sfid import to18
from leakline.simulate.formats import elf_timestamps
from leakline.simulate.ids import RequestIds

_LEAD = ("EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "RUN_TIME", "CPU_TIME", "CLIENT_IP",
         "URI", "REQUEST_STATUS", "DB_TOTAL_TIME")

_DOC: dict[str, str] = {
    "Login": "API_TYPE, API_VERSION, AUTHENTICATION_METHOD_REFERENCE, AUTHENTICATION_SERVICE_ID, BROWSER_TYPE, "
             "CIPHER_SUITE, CLIENT_IP, CPU_TIME, DB_TOTAL_TIME, EVENT_TYPE, FORWARDED_FOR_IP, LOGIN_KEY, LOGIN_STATUS, "
             "LOGIN_SUB_TYPE, LOGIN_TYPE, LOGIN_URL, ORGANIZATION_ID, REQUEST_ID, REQUEST_STATUS, RUN_TIME, SESSION_KEY, "
             "SOURCE_IP, TIMESTAMP, TIMESTAMP_DERIVED, TLS_PROTOCOL, URI, URI_ID_DERIVED, USER_ID, USER_ID_DERIVED, "
             "USER_NAME, USER_TYPE",
    "Logout": "API_TYPE, API_VERSION, APP_TYPE, BROWSER_TYPE, CLIENT_IP, CLIENT_VERSION, EVENT_TYPE, LOGIN_KEY, "
              "ORGANIZATION_ID, PLATFORM_TYPE, REQUEST_ID, RESOLUTION_TYPE, SESSION_KEY, SESSION_LEVEL, SESSION_TYPE, "
              "TIMESTAMP, TIMESTAMP_DERIVED, USER_ID, USER_ID_DERIVED, USER_INITIATED_LOGOUT, USER_TYPE",
    "ApiTotalUsage": "API_FAMILY, API_RESOURCE, API_VERSION, CLIENT_IP, CLIENT_NAME, CONNECTED_APP_ID, "
                     "CONNECTED_APP_NAME, COUNTS_AGAINST_API_LIMIT, ENTITY_NAME, EVENT_TYPE, HTTP_METHOD, "
                     "ORGANIZATION_ID, REQUEST_ID, STATUS_CODE, TIMESTAMP, TIMESTAMP_DERIVED, USER_ID, USER_NAME",
    "API": "API_TYPE, API_VERSION, CLIENT_IP, CLIENT_NAME, CPU_TIME, DB_BLOCKS, DB_CPU_TIME, DB_TOTAL_TIME, ENTITY_NAME, "
           "EVENT_TYPE, EXCEPTION_MESSAGE, LOGIN_KEY, METHOD_NAME, ORGANIZATION_ID, QUERY, REQUEST_ID, REQUEST_SIZE, "
           "REQUEST_STATUS, RESPONSE_SIZE, ROWS_PROCESSED, RUN_TIME, SESSION_KEY, TIMESTAMP, TIMESTAMP_DERIVED, URI, "
           "URI_ID_DERIVED, USER_ID, USER_ID_DERIVED, USER_TYPE",
    "RestApi": "CLIENT_IP, CLIENT_NAME, CONNECTED_APP_ID, CPU_TIME, DB_BLOCKS, DB_CPU_TIME, DB_TOTAL_TIME, ENTITY_NAME, "
               "EVENT_TYPE, EXCEPTION_MESSAGE, LOGIN_KEY, MEDIA_TYPE, METHOD, NUMBER_FIELDS, ORGANIZATION_ID, REQUEST_ID, "
               "REQUEST_SIZE, REQUEST_STATUS, RESPONSE_SIZE, ROWS_PROCESSED, RUN_TIME, SESSION_KEY, STATUS_CODE, "
               "TIMESTAMP, TIMESTAMP_DERIVED, URI, URI_ID_DERIVED, USER_AGENT, USER_ID, USER_ID_DERIVED, USER_TYPE",
    "BulkApi": "BATCH_ID, CLIENT_IP, CPU_TIME, ENTITY_TYPE, EVENT_TYPE, JOB_ID, LOGIN_KEY, MESSAGE, NUMBER_FAILURES, "
               "OPERATION_TYPE, ORGANIZATION_ID, REQUEST_ID, ROWS_PROCESSED, RUN_TIME, SESSION_KEY, SUCCESS, TIMESTAMP, "
               "TIMESTAMP_DERIVED, URI, URI_ID_DERIVED, USER_ID, USER_ID_DERIVED",
    "BulkApi2": "CLIENT_IP, CPU_TIME, ENTITY_TYPE, EVENT_TYPE, JOB_ID, JOB_STATUS, LOGIN_KEY, OPERATION_TYPE, "
                "ORGANIZATION_ID, RECORDS_FAILED, RECORDS_PROCESSED, REQUEST_ID, RESULT_SIZE_MB, RUN_TIME, SESSION_KEY, "
                "TIMESTAMP, TIMESTAMP_DERIVED, URI, URI_ID_DERIVED, USER_ID, USER_ID_DERIVED",
    "Report": "AVERAGE_ROW_SIZE, CLIENT_IP, CPU_TIME, DB_BLOCKS, DB_CPU_TIME, DB_TOTAL_TIME, DISPLAY_TYPE, ENTITY_NAME, "
              "EVENT_TYPE, LOGIN_KEY, NUMBER_BUCKETS, NUMBER_COLUMNS, NUMBER_EXCEPTION_FILTERS, ORGANIZATION_ID, ORIGIN, "
              "RENDERING_TYPE, REPORT_ID, REPORT_ID_DERIVED, REQUEST_ID, REQUEST_STATUS, ROW_COUNT, RUN_TIME, "
              "SESSION_KEY, SORT, TIMESTAMP, TIMESTAMP_DERIVED, UI_NUMBER_COLUMNS, URI, URI_ID_DERIVED, USER_ID, "
              "USER_ID_DERIVED, USER_TYPE",
    "ReportExport": "CLIENT_IP, CLIENT_INFO, CPU_TIME, EVENT_TYPE, LOGIN_KEY, ORGANIZATION_ID, REPORT_DESCRIPTION, "
                    "REQUEST_ID, RUN_TIME, SESSION_KEY, TIMESTAMP, TIMESTAMP_DERIVED, URI, URI_ID_DERIVED, USER_ID, "
                    "USER_ID_DERIVED",
    "URI": "CLIENT_IP, CPU_TIME, DB_BLOCKS, DB_CPU_TIME, DB_TOTAL_TIME, EVENT_TYPE, LOGIN_KEY, ORGANIZATION_ID, "
           "REFERRER_URI, REQUEST_ID, REQUEST_STATUS, RUN_TIME, SESSION_KEY, TIMESTAMP, TIMESTAMP_DERIVED, URI, "
           "URI_ID_DERIVED, USER_ID, USER_ID_DERIVED, USER_TYPE",
    "LightningPageView": "APP_NAME, BROWSER_NAME, BROWSER_VERSION, CLIENT_GEO, CLIENT_ID, CLIENT_IP, CONNECTION_TYPE, "
                         "DEVICE_ID, DEVICE_MODEL, DEVICE_PLATFORM, DEVICE_SESSION_ID, DURATION, EFFECTIVE_PAGE_TIME, "
                         "EFFECTIVE_PAGE_TIME_DEVIATION, EFFECTIVE_PAGE_TIME_DEVIATION_ERROR_TYPE, "
                         "EFFECTIVE_PAGE_TIME_DEVIATION_REASON, EVENT_TYPE, GRANDPARENT_UI_ELEMENT, LOGIN_KEY, "
                         "ORGANIZATION_ID, OS_NAME, OS_VERSION, PAGE_APP_NAME, PAGE_CONTEXT, PAGE_ENTITY_ID, "
                         "PAGE_ENTITY_TYPE, PAGE_START_TIME, PAGE_URL, PARENT_UI_ELEMENT, PREVPAGE_APP_NAME, "
                         "PREVPAGE_CONTEXT, PREVPAGE_ENTITY_ID, PREVPAGE_ENTITY_TYPE, PREVPAGE_URL, REQUEST_ID, "
                         "SDK_APP_TYPE, SDK_APP_VERSION, SDK_VERSION, SESSION_KEY, TARGET_UI_ELEMENT, TIMESTAMP, "
                         "TIMESTAMP_DERIVED, UI_EVENT_ID, UI_EVENT_SEQUENCE_NUM, UI_EVENT_SOURCE, UI_EVENT_TIMESTAMP, "
                         "USER_AGENT, USER_ID, USER_ID_DERIVED, USER_TYPE",
    "Sites": "CLIENT_IP, CPU_TIME, DB_TOTAL_TIME, EVENT_TYPE, HTTP_HEADERS, HTTP_METHOD, IS_API, IS_ERROR, "
             "IS_FIRST_REQUEST, IS_GUEST, IS_SECURE, LOGIN_KEY, ORGANIZATION_ID, PAGE_NAME, QUERY, REQUEST_ID, "
             "REQUEST_STATUS, REQUEST_TYPE, RUN_TIME, SESSION_KEY, SITE_ID, TIMESTAMP, TIMESTAMP_DERIVED, URI, "
             "URI_ID_DERIVED, USER_ID, USER_ID_DERIVED, USER_TYPE",
}


def _order(names: list[str]) -> tuple[str, ...]:
    lead = [c for c in _LEAD if c in names]
    return tuple(lead + sorted(c for c in names if c not in lead))


COLUMNS: dict[str, tuple[str, ...]] = {et: _order([c.strip() for c in cols.split(",")]) for et, cols in _DOC.items()}

_NUMBER = {"RUN_TIME", "CPU_TIME", "DB_TOTAL_TIME", "DB_BLOCKS", "DB_CPU_TIME", "REQUEST_SIZE", "RESPONSE_SIZE",
           "ROWS_PROCESSED", "NUMBER_FIELDS", "STATUS_CODE", "ROW_COUNT", "AVERAGE_ROW_SIZE", "NUMBER_BUCKETS",
           "NUMBER_COLUMNS", "NUMBER_EXCEPTION_FILTERS", "UI_NUMBER_COLUMNS", "NUMBER_FAILURES", "RECORDS_FAILED",
           "RECORDS_PROCESSED", "RESULT_SIZE_MB", "DURATION", "EFFECTIVE_PAGE_TIME", "PAGE_START_TIME",
           "UI_EVENT_SEQUENCE_NUM", "UI_EVENT_TIMESTAMP", "API_VERSION"}
_IDS = {"ORGANIZATION_ID", "USER_ID", "REPORT_ID", "JOB_ID", "BATCH_ID", "CONNECTED_APP_ID", "SITE_ID",
        "PAGE_ENTITY_ID", "PREVPAGE_ENTITY_ID"}
_BOOLEAN = {"SUCCESS", "USER_INITIATED_LOGOUT", "IS_API", "IS_ERROR", "IS_FIRST_REQUEST", "IS_GUEST", "IS_SECURE",
            "COUNTS_AGAINST_API_LIMIT"}


def column_type(name: str) -> str:
    """LogFileFieldTypes entry for a column (the types Salesforce uses: Id, Number, IP, String …)."""
    if name in _IDS or name.endswith("_ID_DERIVED"):
        return "Id"
    if name in _NUMBER:
        return "Number"
    if name in _BOOLEAN:
        return "Boolean"
    if name in ("CLIENT_IP", "SOURCE_IP", "FORWARDED_FOR_IP"):
        return "IP"
    if name in ("URI", "QUERY", "USER_AGENT", "BROWSER_TYPE", "MESSAGE", "EXCEPTION_MESSAGE", "REFERRER_URI",
                "PAGE_URL", "PREVPAGE_URL", "REPORT_DESCRIPTION", "HTTP_HEADERS"):
        return "EscapedString"
    return "String"


Column = Any  # scalar, list or numpy array


@dataclass
class _Batch:
    ts: np.ndarray
    cols: dict[str, Column]
    req: list[str]
    scenario: str = ""
    step: str = ""


@dataclass
class Written:
    """An ELF file written to disk (for EventLogFile.jsonl) and the tagged rows inside it."""

    event_type: str
    day: str
    path: str
    length: int
    rows: int
    tagged: list[tuple[str, int, str, str]] = field(default_factory=list)  # request_id, row, scenario, step


class EventSink:
    """Collects events column-wise per event type; writes sorted daily CSVs."""

    def __init__(self, org_id15: str, request_ids: RequestIds) -> None:
        self.org_id15 = org_id15
        self._req = request_ids
        self._batches: dict[str, list[_Batch]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, event_type: str, ts: np.ndarray, cols: dict[str, Column], *, scenario: str = "",
            step: str = "") -> list[str]:
        """Add ``len(ts)`` events; returns their REQUEST_IDs. ``scenario`` marks them malicious."""
        ts = np.asarray(ts, dtype=np.int64)
        n = len(ts)
        if n == 0:
            return []
        unknown = set(cols) - set(COLUMNS[event_type])
        if unknown:
            raise ValueError(f"{event_type}: unknown columns {sorted(unknown)}")
        req = self._req.take(n)
        self._batches[event_type].append(_Batch(ts, cols, req, scenario, step))
        self.counts[event_type] += n
        return list(req)  # a copy: callers may extend it

    def total(self) -> int:
        """Events collected so far."""
        return sum(self.counts.values())

    def write(self, root: Path, day_ms: int) -> list[Written]:
        """Write ``eventlogs/<Type>/<YYYY-MM-DD>.csv`` for every type and day; returns what was written."""
        written: list[Written] = []
        for event_type in sorted(self._batches):
            written.extend(self._write_type(root, event_type, day_ms))
        return written

    def _write_type(self, root: Path, event_type: str, day_ms: int) -> list[Written]:
        batches = self._batches[event_type]
        columns = COLUMNS[event_type]
        ts = np.concatenate([b.ts for b in batches])
        n = len(ts)
        order = np.argsort(ts, kind="stable")
        ts_sorted = ts[order]
        data: dict[str, np.ndarray] = {}
        for col in columns:
            if col in ("EVENT_TYPE", "TIMESTAMP", "TIMESTAMP_DERIVED", "REQUEST_ID", "ORGANIZATION_ID"):
                continue
            parts = [_as_array(b.cols.get(col, ""), len(b.ts)) for b in batches]
            data[col] = np.concatenate(parts)[order] if parts else np.full(n, "", dtype=object)
        req = np.array([r for b in batches for r in b.req], dtype=object)[order]
        tag_scen = np.concatenate([np.full(len(b.ts), b.scenario, dtype=object) for b in batches])[order]
        tag_step = np.concatenate([np.full(len(b.ts), b.step, dtype=object) for b in batches])[order]
        for derived, source in (("USER_ID_DERIVED", "USER_ID"), ("REPORT_ID_DERIVED", "REPORT_ID")):
            if derived in columns and derived not in {c for b in batches for c in b.cols}:
                data[derived] = _derive18(data[source])
        stamp, stamp_derived = elf_timestamps(ts_sorted)
        days = ts_sorted // day_ms
        bounds = np.flatnonzero(np.diff(days)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [n]])
        out: list[Written] = []
        folder = root / "eventlogs" / event_type
        folder.mkdir(parents=True, exist_ok=True)
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            day = stamp_derived[lo][:10]
            rel = f"eventlogs/{event_type}/{day}.csv"
            buf = io.StringIO()
            writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(columns)
            cols_out: list[Any] = []
            for col in columns:
                if col == "EVENT_TYPE":
                    cols_out.append([event_type] * (hi - lo))
                elif col == "TIMESTAMP":
                    cols_out.append(stamp[lo:hi])
                elif col == "TIMESTAMP_DERIVED":
                    cols_out.append(stamp_derived[lo:hi])
                elif col == "REQUEST_ID":
                    cols_out.append(req[lo:hi].tolist())
                elif col == "ORGANIZATION_ID":
                    cols_out.append([self.org_id15] * (hi - lo))
                else:
                    cols_out.append(data[col][lo:hi].tolist())
            writer.writerows(zip(*cols_out, strict=True))
            body = buf.getvalue().encode("utf-8")
            (root / rel).write_bytes(body)
            item = Written(event_type, day, rel, len(body), hi - lo)
            for pos in np.flatnonzero(tag_scen[lo:hi] != "").tolist():
                item.tagged.append((str(req[lo + pos]), pos + 1, str(tag_scen[lo + pos]), str(tag_step[lo + pos])))
            out.append(item)
        return out


def _as_array(value: Column, n: int) -> np.ndarray:
    # Object arrays of str/int/float; the csv writer turns numbers into text (ints exactly, floats
    # rounded to 2 decimals first so sizes print like Salesforce's "0.45").
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return np.round(value, 2).astype(object)
        return value.astype(object)
    if isinstance(value, list):
        arr = np.empty(len(value), dtype=object)
        arr[:] = value
        return arr
    return np.full(n, value if isinstance(value, (int, float)) else str(value), dtype=object)


def _derive18(values: np.ndarray) -> np.ndarray:
    cache: dict[str, str] = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        if v not in cache:
            cache[v] = to18(v) if len(v) == 15 else v
        out[i] = cache[v]
    return out
