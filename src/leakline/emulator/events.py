"""Event Monitoring about the emulator's own traffic.

Each handled request becomes rows for the ``RestApi`` and ``ApiTotalUsage`` event types, each
token grant a ``Login`` row, each Bulk API 2.0 job state change a ``BulkApi2`` row. Rows wait in
``state/pending_events.jsonl`` and are published as immutable *hourly* EventLogFile files
(one per event type and hour, ``Sequence`` 1, 2, … as Salesforce does for later deliveries of
the same hour) the next time EventLogFile is queried, so activity against the emulator shows
up in its own logs without ever rewriting a file a client may already have downloaded.
CSV format is Salesforce's: quoted header, every field quoted, LF line ends, TIMESTAMP
``yyyyMMddHHmmss.SSS`` UTC, 15-char ids (``*_DERIVED`` 18-char).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from leakline.emulator.org import OrgState

# Column lists per Salesforce's documentation (reference §1.4); order as we write them.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "RestApi": [
        ("EVENT_TYPE", "String"),
        ("TIMESTAMP", "String"),
        ("REQUEST_ID", "String"),
        ("ORGANIZATION_ID", "Id"),
        ("USER_ID", "Id"),
        ("RUN_TIME", "Number"),
        ("CPU_TIME", "Number"),
        ("URI", "String"),
        ("SESSION_KEY", "String"),
        ("LOGIN_KEY", "String"),
        ("USER_TYPE", "String"),
        ("REQUEST_STATUS", "String"),
        ("DB_TOTAL_TIME", "Number"),
        ("MEDIA_TYPE", "String"),
        ("STATUS_CODE", "Number"),
        ("USER_AGENT", "String"),
        ("ROWS_PROCESSED", "Number"),
        ("NUMBER_FIELDS", "Number"),
        ("DB_BLOCKS", "Number"),
        ("DB_CPU_TIME", "Number"),
        ("REQUEST_SIZE", "Number"),
        ("RESPONSE_SIZE", "Number"),
        ("METHOD", "String"),
        ("ENTITY_NAME", "String"),
        ("CLIENT_NAME", "String"),
        ("CONNECTED_APP_ID", "Id"),
        ("EXCEPTION_MESSAGE", "String"),
        ("CLIENT_IP", "IP"),
        ("TIMESTAMP_DERIVED", "DateTime"),
        ("USER_ID_DERIVED", "Id"),
        ("URI_ID_DERIVED", "Id"),
    ],
    "ApiTotalUsage": [
        ("EVENT_TYPE", "String"),
        ("TIMESTAMP", "String"),
        ("REQUEST_ID", "String"),
        ("ORGANIZATION_ID", "Id"),
        ("USER_ID", "Id"),
        ("USER_NAME", "String"),
        ("API_FAMILY", "String"),
        ("API_VERSION", "Number"),
        ("API_RESOURCE", "String"),
        ("CLIENT_NAME", "String"),
        ("CONNECTED_APP_ID", "Id"),
        ("CONNECTED_APP_NAME", "String"),
        ("ENTITY_NAME", "String"),
        ("HTTP_METHOD", "String"),
        ("STATUS_CODE", "Number"),
        ("COUNTS_AGAINST_API_LIMIT", "Boolean"),
        ("CLIENT_IP", "IP"),
        ("TIMESTAMP_DERIVED", "DateTime"),
    ],
    "Login": [
        ("EVENT_TYPE", "String"),
        ("TIMESTAMP", "String"),
        ("REQUEST_ID", "String"),
        ("ORGANIZATION_ID", "Id"),
        ("USER_ID", "Id"),
        ("RUN_TIME", "Number"),
        ("CPU_TIME", "Number"),
        ("URI", "String"),
        ("SESSION_KEY", "String"),
        ("LOGIN_KEY", "String"),
        ("USER_TYPE", "String"),
        ("REQUEST_STATUS", "String"),
        ("DB_TOTAL_TIME", "Number"),
        ("LOGIN_TYPE", "String"),
        ("BROWSER_TYPE", "String"),
        ("API_TYPE", "String"),
        ("API_VERSION", "Number"),
        ("USER_NAME", "String"),
        ("TLS_PROTOCOL", "String"),
        ("CIPHER_SUITE", "String"),
        ("AUTHENTICATION_METHOD_REFERENCE", "String"),
        ("LOGIN_SUB_TYPE", "String"),
        ("LOGIN_STATUS", "String"),
        ("LOGIN_URL", "String"),
        ("SOURCE_IP", "IP"),
        ("CLIENT_IP", "IP"),
        ("TIMESTAMP_DERIVED", "DateTime"),
        ("USER_ID_DERIVED", "Id"),
        ("URI_ID_DERIVED", "Id"),
    ],
    "BulkApi2": [
        ("EVENT_TYPE", "String"),
        ("TIMESTAMP", "String"),
        ("REQUEST_ID", "String"),
        ("ORGANIZATION_ID", "Id"),
        ("USER_ID", "Id"),
        ("RUN_TIME", "Number"),
        ("CPU_TIME", "Number"),
        ("URI", "String"),
        ("SESSION_KEY", "String"),
        ("LOGIN_KEY", "String"),
        ("JOB_ID", "Id"),
        ("JOB_STATUS", "String"),
        ("OPERATION_TYPE", "String"),
        ("ENTITY_TYPE", "String"),
        ("RECORDS_PROCESSED", "Number"),
        ("RECORDS_FAILED", "Number"),
        ("RESULT_SIZE_MB", "Number"),
        ("CLIENT_IP", "IP"),
        ("TIMESTAMP_DERIVED", "DateTime"),
        ("USER_ID_DERIVED", "Id"),
        ("URI_ID_DERIVED", "Id"),
    ],
}


def elf_timestamp(moment: datetime) -> str:
    """``yyyyMMddHHmmss.SSS`` in UTC."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y%m%d%H%M%S.") + f"{utc.microsecond // 1000:03d}"


def sf_datetime(moment: datetime) -> str:
    """How the REST API writes date-times: ``2026-03-01T09:00:00.000+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def iso_ms(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def render_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """Salesforce ELF CSV: every field quoted, LF line ends, quotes doubled."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


class EventRecorder:
    """Collects event rows and publishes them as EventLogFile records."""

    def __init__(self, org: OrgState, enabled: bool = True) -> None:
        self.org = org
        self.enabled = enabled

    def record(self, event_type: str, moment: datetime, row: dict[str, Any]) -> None:
        """Queue one event row (TIMESTAMP etc. are filled in here)."""
        if not self.enabled:
            return
        full = {
            "EVENT_TYPE": event_type,
            "TIMESTAMP": elf_timestamp(moment),
            "TIMESTAMP_DERIVED": iso_ms(moment),
            "ORGANIZATION_ID": self.org.org_id[:15],
            **row,
        }
        with self.org.lock:
            self.org.append_doc_line("pending_events", {"type": event_type, "row": full})

    def publish(self, now: datetime) -> int:
        """Write pending rows into new hourly files; returns the number of files created."""
        if not self.enabled:
            return 0
        with self.org.lock:
            pending = self.org.read_doc_lines("pending_events")
            if not pending:
                return 0
            groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            for item in pending:
                row = item["row"]
                groups[(item["type"], row["TIMESTAMP"][:10])].append(row)
            existing = self.org.table("EventLogFile")
            created = 0
            for (event_type, hour), rows in sorted(groups.items()):
                hour_start = datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)
                sequence = 1 + sum(
                    1
                    for rec in existing.values()
                    if rec.get("EventType") == event_type
                    and rec.get("Interval") == "Hourly"
                    and str(rec.get("LogDate", "")).startswith(hour_start.strftime("%Y-%m-%dT%H"))
                )
                cols = [c for c, _ in COLUMNS.get(event_type, [])] or sorted({k for r in rows for k in r})
                types = [t for _, t in COLUMNS.get(event_type, [])] or ["String"] * len(cols)
                body = render_csv(cols, rows)
                rel = f"eventlogs/{event_type}/{hour_start.strftime('%Y-%m-%dT%H')}-{sequence}.csv"
                path = self.org.state_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(body)
                record = {
                    "Id": self.org.new_id("EventLogFile"),
                    "EventType": event_type,
                    "LogDate": sf_datetime(hour_start),
                    "Interval": "Hourly",
                    "Sequence": sequence,
                    "LogFileLength": float(len(body)),
                    "LogFileContentType": "CSV",
                    "LogFileFieldNames": ",".join(cols),
                    "LogFileFieldTypes": ",".join(types),
                    "ApiVersion": float(self.org.api_version),
                    "CreatedDate": sf_datetime(now),
                }
                self.org.add_event_log_file(record, rel)
                created += 1
            self.org.save_doc_lines_reset("pending_events")
            return created
