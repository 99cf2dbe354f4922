"""ChainLog: append-only, hash-chained JSONL with exact problem locations."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from leakline.core.chainlog import GENESIS, ChainLog, entry_hash
from leakline.core.errors import IntegrityError


def _log(tmp_path: Path, count: int = 4) -> ChainLog:
    log = ChainLog(tmp_path / "x.log")
    for i in range(count):
        log.append({"action": "a", "n": i})
    return log


def _lines(log: ChainLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def _messages(log: ChainLog) -> list[str]:
    return [str(problem) for problem in log.verify()]


def test_append_assigns_seq_prev_and_hash(tmp_path: Path) -> None:
    log = ChainLog(tmp_path / "x.log")
    first = log.append({"action": "a"})
    second = log.append({"action": "b"})
    assert (first["seq"], first["prev"]) == (1, GENESIS)
    assert (second["seq"], second["prev"]) == (2, first["hash"])
    assert second["hash"] == entry_hash(second)
    assert [e["action"] for e in log.entries()] == ["a", "b"]
    assert log.verify() == []
    head = log.head()
    assert head is not None and (head.seq, head.hash) == (2, second["hash"])


def test_reserved_fields_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seq"):
        ChainLog(tmp_path / "x.log").append({"seq": 5})


def test_modified_line_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1] = lines[1].replace(b'"n":1', b'"n":7')
    log.path.write_bytes(b"".join(lines))
    assert _messages(log) == [f"{log.path}:2: entry seq 2 was modified (hash mismatch)"]


def test_bit_flip_breaking_json_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    data = bytearray(log.path.read_bytes())
    data[len(_lines(log)[0]) + 1] ^= 0x01  # first byte after '{' on line 2
    log.path.write_bytes(bytes(data))
    assert _messages(log)[0].startswith(f"{log.path}:2: ")


def test_deleted_line_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    del lines[1]
    log.path.write_bytes(b"".join(lines))
    assert _messages(log) == [
        f"{log.path}:2: seq 3 where seq 2 was expected "
        "(skips ahead: an entry before this line was deleted, or lines were moved)"
    ]


def test_reordered_lines_are_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    log.path.write_bytes(b"".join(lines))
    messages = _messages(log)
    assert messages[0].startswith(f"{log.path}:2: seq 3 where seq 2 was expected (skips ahead")
    assert messages[1].startswith(f"{log.path}:3: seq 2 where seq 4 was expected")


def test_inserted_line_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    forged = json.loads(lines[1])
    forged["n"] = 99
    forged["hash"] = entry_hash(forged)
    lines.insert(2, json.dumps(forged, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    log.path.write_bytes(b"".join(lines))
    messages = _messages(log)
    assert messages[0] == (
        f"{log.path}:3: seq 2 where seq 3 was expected "
        "(repeats or goes back: an entry was inserted before this line, or lines were moved)"
    )


def test_truncation_is_caught_by_the_head(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    log.path.write_bytes(b"".join(lines[:2]))
    assert _messages(log) == [
        f"{log.path}: log truncated: head records entry seq 4 but the log ends at seq 2"
    ]


def test_torn_tail_is_not_an_entry_and_is_cut_on_append(tmp_path: Path) -> None:
    log = _log(tmp_path, 2)
    with log.path.open("ab") as handle:
        handle.write(b'{"action":"half')
    assert [e["seq"] for e in log.entries()] == [1, 2]
    assert log.verify() == []
    third = log.append({"action": "c"})
    assert third["seq"] == 3
    assert log.verify() == []
    assert log.path.read_bytes().count(b"half") == 0


def test_require_intact_raises_integrity_error(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.path.write_bytes(log.path.read_bytes().replace(b'"n":0', b'"n":5'))
    with pytest.raises(IntegrityError, match=":1: entry seq 1 was modified"):
        log.require_intact()


def _writer(path: str, tag: str, count: int) -> None:
    log = ChainLog(Path(path))
    for i in range(count):
        log.append({"who": tag, "i": i})


def test_two_processes_append_safely(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), tag, 40)) for tag in ("p", "q")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    log = ChainLog(path)
    entries = list(log.entries())
    assert [e["seq"] for e in entries] == list(range(1, 81))
    assert sorted((e["who"], e["i"]) for e in entries) == sorted(
        [("p", i) for i in range(40)] + [("q", i) for i in range(40)]
    )
    assert log.verify() == []


def test_append_refuses_a_log_cut_below_its_head(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    log.path.write_bytes(b"".join(lines[:3]) + lines[3][:10])
    with pytest.raises(
        IntegrityError, match="log ends at seq 3 but its head records seq 4; refusing to append"
    ):
        log.append({"action": "late"})
    assert log.path.read_bytes().endswith(lines[3][:10])
