"""The one ``events`` schema every normalizer writes and every rule reads.

Times are UTC (DuckDB ``TIMESTAMP`` without zone, by convention always UTC). User ids are in
18-char form. Every column a source does not have is NULL; ``raw`` keeps the source columns
(original name → original text) that no typed column holds (records: every field), so nothing is
dropped, and every row points at its original text (``evidence_sha256`` + ``evidence_row``).
"""

from __future__ import annotations

EVENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("ts", "TIMESTAMP", "event time, UTC"),
    ("source", "VARCHAR", "elf | login_history | setup_audit_trail | rtem | auth_session | oauth_token"),
    (
        "event_type",
        "VARCHAR",
        "ELF EventType (Login, RestApi, BulkApi2, …) or object name (LoginHistory, ApiEvent …)",
    ),
    ("org_id", "VARCHAR", "organization id (as given)"),
    ("user_id", "VARCHAR", "18-char user id"),
    ("username", "VARCHAR", "username where the source gives it"),
    ("session_key", "VARCHAR", "SESSION_KEY / SessionKey"),
    ("login_key", "VARCHAR", "LOGIN_KEY / LoginKey"),
    ("request_id", "VARCHAR", "REQUEST_ID / RequestIdentifier"),
    ("src_ip", "VARCHAR", "client/source IP (SOURCE_IP preferred over CLIENT_IP for Login)"),
    ("user_agent", "VARCHAR", "USER_AGENT, or BROWSER_TYPE on API logins"),
    ("client", "VARCHAR", "CLIENT_NAME / Client"),
    ("connected_app_id", "VARCHAR", "CONNECTED_APP_ID / ConnectedAppId"),
    ("app_name", "VARCHAR", "connected app name (CONNECTED_APP_NAME, LoginHistory.Application)"),
    ("entity", "VARCHAR", "object touched (ENTITY_NAME / ENTITY_TYPE / QueriedEntities)"),
    ("operation", "VARCHAR", "METHOD / METHOD_NAME / OPERATION_TYPE / Operation / SetupAuditTrail Action"),
    ("query", "VARCHAR", "SOQL text where logged"),
    ("rows", "BIGINT", "rows processed/returned"),
    ("bytes", "BIGINT", "response size / result size in bytes"),
    ("status", "VARCHAR", "normalised outcome: success | failure (NULL if unknown)"),
    (
        "status_detail",
        "VARCHAR",
        "source status text (LOGIN_STATUS, REQUEST_STATUS, STATUS_CODE, JOB_STATUS …)",
    ),
    ("login_type", "VARCHAR", "LOGIN_TYPE / LoginType / LoginSubType"),
    ("job_id", "VARCHAR", "Bulk job id"),
    ("uri", "VARCHAR", "URI / request path"),
    ("country", "VARCHAR", "ISO country of the source IP where the source gives it"),
    (
        "record_id",
        "VARCHAR",
        "18-char Id of the source record (LoginHistory, SetupAuditTrail, RTEM …); NULL for ELF",
    ),
    (
        "event_key",
        "VARCHAR",
        "identity across re-delivered files (ELF REQUEST_ID|TIMESTAMP|EVENT_TYPE, record Id or EventIdentifier); NULL = never deduplicated",
    ),
    ("evidence_sha256", "VARCHAR", "sha256 of the evidence object the row came from"),
    ("evidence_row", "BIGINT", "1-based data row (CSV) or record index within that object"),
    (
        "raw",
        "MAP(VARCHAR, VARCHAR)",
        "source columns no typed column holds (ELF) / every field (records): original name → original text",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _, _ in EVENT_COLUMNS)


def create_table_sql(table: str = "events") -> str:
    """DDL for an empty events table (used by tests and rule examples)."""
    cols = ",\n  ".join(f'"{name}" {sqltype}' for name, sqltype, _ in EVENT_COLUMNS)
    return f"CREATE TABLE {table} (\n  {cols}\n)"
