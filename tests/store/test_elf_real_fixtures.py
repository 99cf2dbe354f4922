"""Every file of the real logstash-input-sfdc_elf fixtures, against the fixture README's ground truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from leakline.core.errors import BadInputError
from leakline.store import KIND_ELF, KIND_RECORDS, detect_kind, normalize, normalize_elf_csv
from leakline.store.elf import mapped_columns, read_header

SHA = "ab" * 32


@pytest.fixture(scope="module")
def queue_util(real_fixtures: Path) -> Path:
    return real_fixtures / "logstash-input-sfdc_elf" / "spec" / "fixtures" / "queue_util"


def load(path: Path) -> pa.Table:
    with path.open("rb") as stream:
        table, problems = normalize_elf_csv(stream, SHA, path.name)
    assert problems == []
    return table


def sql(table: pa.Table, query: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.register("t", table)
    return con.execute(query).fetchall()


@pytest.mark.parametrize(
    ("name", "event_type", "rows", "columns", "raw_keys", "users", "ips", "first", "last"),
    [
        ("sample_data1.csv", "API", 4, 22, 8, 1, 1, "2015-07-26 22:24:19.439", "2015-07-26 22:24:31.343"),
        ("sample_data2.csv", "BulkApi", 4, 17, 6, 1, 0, "2015-07-26 09:17:31.583", "2015-07-26 09:18:05.960"),
        (
            "sample_data3.csv",
            "Login",
            1466,
            16,
            6,
            3,
            376,
            "2015-07-26 00:00:01.397",
            "2015-07-26 23:59:01.182",
        ),
        (
            "sample_data4.csv",
            "QueuedExecution",
            1,
            13,
            4,
            1,
            0,
            "2015-07-26 09:00:02.879",
            "2015-07-26 09:00:02.879",
        ),
        (
            "sample_data5.csv",
            "RestApi",
            308,
            21,
            9,
            2,
            2,
            "2015-07-26 09:17:30.171",
            "2015-07-26 22:27:37.251",
        ),
        (
            "create_event_sampledata1.csv",
            "UITracking",
            30,
            42,
            35,
            1,
            3,
            "2015-07-30 16:06:50.723",
            "2015-07-30 18:18:26.258",
        ),
    ],
)
def test_elf_file_matches_ground_truth(
    queue_util: Path,
    name: str,
    event_type: str,
    rows: int,
    columns: int,
    raw_keys: int,
    users: int,
    ips: int,
    first: str,
    last: str,
) -> None:
    table = load(queue_util / name)
    header = read_header((queue_util / name).read_bytes()[:65536], name)
    assert len(header) == columns
    # raw: the header's columns that no typed column holds, in header order (the rest are typed).
    assert [k for k, _ in table.column("raw")[0].as_py()] == [
        c for c in header if c not in mapped_columns(header)
    ]
    got = sql(
        table,
        "SELECT count(*), min(cardinality(raw)), max(cardinality(raw)), count(DISTINCT user_id), "
        "count(DISTINCT NULLIF(coalesce(raw['CLIENT_IP'], src_ip), '')), strftime(min(ts), '%Y-%m-%d %H:%M:%S.%g'), "
        "strftime(max(ts), '%Y-%m-%d %H:%M:%S.%g'), count(DISTINCT event_type), min(event_type), "
        "min(evidence_row), max(evidence_row), count(DISTINCT evidence_sha256), min(source), "
        "count(DISTINCT org_id), min(org_id) FROM t",
    )[0]
    assert got == (
        rows,
        raw_keys,
        raw_keys,
        users,
        ips,
        first,
        last,
        1,
        event_type,
        1,
        rows,
        1,
        "elf",
        1,
        "00D30000000V77Y",
    )


def test_user_ids_become_18_chars(queue_util: Path) -> None:
    table = load(queue_util / "sample_data3.csv")
    assert sorted(r[0] for r in sql(table, "SELECT DISTINCT user_id FROM t")) == [
        "005300000096CRfAAM",
        "0053000000ALCw8AAH",
        "0053000000Ank29AAB",
    ]


def test_login_ground_truth(queue_util: Path) -> None:
    table = load(queue_util / "sample_data3.csv")
    assert sql(
        table, "SELECT count(*) FILTER (username = 'ak@at.com'), count(*) FILTER (username IS NULL) FROM t"
    ) == [(1451, 15)]
    assert sql(table, "SELECT src_ip, count(*) FROM t GROUP BY ALL ORDER BY 2 DESC, 1") == [
        ("204.14.239.55", 1440),
        ("10.226.112.71", 9),
        ("98.210.108.218", 9),
        ("10.226.112.38", 4),
        ("204.14.239.17", 2),
        ("52.18.105.208", 2),
    ]
    assert sql(table, "SELECT uri, count(*) FROM t GROUP BY ALL ORDER BY 2 DESC") == [
        ("XIApi", 1448),
        ("/services/oauth2/token", 15),
        ("/index.jsp", 3),
    ]
    assert sql(
        table, "SELECT user_agent, count(*) FROM t WHERE user_agent IS NOT NULL GROUP BY ALL ORDER BY 2 DESC"
    )[:2] == [("Go 1.1 package http", 13), ("Jakarta Commons-HttpClient/3.1", 2)]
    assert sql(table, "SELECT count(*) FROM t WHERE user_agent IS NULL") == [(1448,)]
    assert sql(table, "SELECT count(DISTINCT raw['CLIENT_IP']) FROM t") == [(376,)]  # beside SOURCE_IP: kept
    assert sql(table, "SELECT max(n) FROM (SELECT hour(ts) h, count(*) n FROM t GROUP BY 1)") == [(71,)]


def test_restapi_ground_truth(queue_util: Path) -> None:
    table = load(queue_util / "sample_data5.csv")
    assert sql(table, "SELECT sum(bytes), max(bytes), count(rows), sum(rows), max(rows) FROM t") == [
        (129_341_744, 3_979_724, 295, 575, 285)
    ]
    assert sql(table, "SELECT user_id, src_ip, count(*), sum(bytes) FROM t GROUP BY ALL ORDER BY 3 DESC") == [
        ("0053000000Ank29AAB", "204.14.239.17", 289, 128_472_737),
        ("0053000000ALCw8AAH", "10.226.112.71", 19, 869_007),
    ]
    assert sql(table, "SELECT DISTINCT operation, status, status_detail, user_agent FROM t") == [
        ("GET", "success", "200", "9999")
    ]
    assert sql(table, "SELECT count(DISTINCT uri) FROM t") == [(294,)]


def test_bulkapi_tripled_quotes_keep_the_inner_quotes(queue_util: Path) -> None:
    table = load(queue_util / "sample_data2.csv")
    assert sql(table, "SELECT DISTINCT raw['MESSAGE'] FROM t") == [('"success"',)]
    assert sql(table, "SELECT entity, operation, rows, status FROM t ORDER BY ts") == [
        ("Account", "query", 45, "success"),
        ("Opportunity", "query", 14, "success"),
        ("User", "query", 74, "success"),
        ("UserRole", "query", 11, "success"),
    ]
    assert sql(table, "SELECT count(*) FROM t WHERE src_ip IS NULL") == [(4,)]


def test_uitracking_quoted_values_and_in_file_repeats_are_kept(queue_util: Path) -> None:
    table = load(queue_util / "create_event_sampledata1.csv")
    assert sql(
        table, "SELECT count(*) FROM t WHERE starts_with(user_agent, '\"') AND ends_with(user_agent, '\"')"
    ) == [(30,)]
    assert sql(table, "SELECT src_ip, count(*) FROM t GROUP BY ALL ORDER BY 2 DESC") == [
        ("70.197.8.76", 19),
        ("204.14.239.53", 6),
        ("70.214.5.238", 5),
    ]
    # 30 rows share only 19 REQUEST_ID+TIMESTAMP+EVENT_TYPE keys: all 30 stay (dedupe is across files only).
    assert sql(table, "SELECT count(DISTINCT event_key) FROM t") == [(19,)]


@pytest.mark.parametrize("name", ["create_event_sampledata2.csv", "create_event_sampledata3.csv"])
def test_non_elf_csv_is_a_clear_error(queue_util: Path, name: str) -> None:
    with (queue_util / name).open("rb") as stream, pytest.raises(BadInputError) as err:
        normalize_elf_csv(stream, SHA, name)
    assert err.value.line == 1
    assert str(err.value).startswith(f"{name}:1: not an EventLogFile CSV")


def test_eventlogfile_listing_json_is_snapshot_not_events(queue_util: Path) -> None:
    path = queue_util / "eventlogfile_list.json"
    assert detect_kind(path.read_bytes()[:4096], path.name) == KIND_RECORDS
    with path.open("rb") as stream:
        events, objects, sobject, problems = normalize(stream, SHA, path.name, KIND_RECORDS)
    assert (events.num_rows, sobject, problems) == (0, "EventLogFile", [])
    assert objects is not None
    assert objects.column("EventType").to_pylist() == [
        "ApexExecution",
        "BulkApi",
        "Login",
        "QueuedExecution",
        "RestApi",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "queue_util/create_event_ELF_list1.json",
        "queue_util/create_event_ELF_list2.json",
        "queue_util/create_event_ELF_list3.json",
        "org_query_response.json",
    ],
)
def test_other_record_sets_load_as_snapshots(queue_util: Path, name: str) -> None:
    path = queue_util.parent / name
    with path.open("rb") as stream:
        events, objects, sobject, problems = normalize(stream, SHA, name, KIND_RECORDS)
    assert events.num_rows == 0 and problems == []
    assert objects is not None and objects.num_rows >= 1
    assert sobject in ("EventLogFile", "Organization")


@pytest.mark.parametrize(
    "name", ["describe.json", "auth_success_response.json", "queue_util/eventlogfile_describe.json"]
)
def test_json_that_is_not_records_is_a_clear_error(queue_util: Path, name: str) -> None:
    path = queue_util.parent / name
    with path.open("rb") as stream, pytest.raises(BadInputError, match="not a record set"):
        normalize(stream, SHA, name, KIND_RECORDS)


def test_every_fixture_file_is_either_loaded_or_refused_clearly(queue_util: Path) -> None:
    root = queue_util.parent.parent.parent
    outcomes: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        head = path.read_bytes()[:65536]
        kind = detect_kind(head, path.name) or KIND_ELF
        try:
            with path.open("rb") as stream:
                events, objects, _, _ = normalize(stream, SHA, path.name, kind)
            outcomes[path.name] = f"{events.num_rows}/{objects.num_rows if objects is not None else '-'}"
        except BadInputError:
            outcomes[path.name] = "refused"
    assert outcomes == {
        "MIT-LICENSE": "refused",
        "auth_success_response.json": "refused",
        "describe.json": "refused",
        "org_query_response.json": "0/1",
        "create_event_ELF_list1.json": "0/1",
        "create_event_ELF_list2.json": "0/2",
        "create_event_ELF_list3.json": "0/2",
        "create_event_sampledata1.csv": "30/-",
        "create_event_sampledata2.csv": "refused",
        "create_event_sampledata3.csv": "refused",
        "eventlogfile_describe.json": "refused",
        "eventlogfile_list.json": "0/5",
        "sample_data1.csv": "4/-",
        "sample_data2.csv": "4/-",
        "sample_data3.csv": "1466/-",
        "sample_data4.csv": "1/-",
        "sample_data5.csv": "308/-",
    }


def test_sliced_processing_gives_the_same_rows(queue_util: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Guards the slice path (and pyarrow's if_else/offset bug it once hit): same table either way.
    whole = load(queue_util / "sample_data3.csv")
    monkeypatch.setattr("leakline.store.elf._SLICE", 500)
    sliced = load(queue_util / "sample_data3.csv")
    assert sliced.num_rows == whole.num_rows == 1466
    assert sliced.to_pylist() == whole.to_pylist()


def test_raw_keeps_only_columns_no_typed_column_holds() -> None:
    header = [
        "EVENT_TYPE", "TIMESTAMP", "TIMESTAMP_DERIVED", "USER_ID", "USER_ID_DERIVED", "SOURCE_IP",
        "CLIENT_IP", "STATUS_CODE", "REQUEST_STATUS", "ROWS_PROCESSED", "RUN_TIME", "NEW_COL",
    ]  # fmt: skip
    # Typed columns are read from the first present candidate; USER_ID / TIMESTAMP_DERIVED are the
    # same values in another form. CLIENT_IP and REQUEST_STATUS are fallbacks with their own
    # information, RUN_TIME and NEW_COL have no typed column: those stay in raw.
    kept = [c for c in header if c not in mapped_columns(header)]
    assert kept == ["CLIENT_IP", "REQUEST_STATUS", "RUN_TIME", "NEW_COL"]
    # Without the preferred candidate, the fallback is the column read: out of raw.
    assert mapped_columns(["TIMESTAMP_DERIVED", "USER_ID", "CLIENT_IP", "X"]) == {
        "TIMESTAMP_DERIVED",
        "USER_ID",
        "CLIENT_IP",
    }
