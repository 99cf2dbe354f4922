"""Two processes adding at once; SIGKILL in the middle of an add; canary plaintext never on disk."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from leakline.core.case import Case
from leakline.evidence import Locker, Provenance
from leakline.evidence.integrity import seal, verify

CANARY = b"CANARY-4111111111111111-jane.canary@example.com"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from leakline.core.case import Case
    from leakline.evidence import Locker, Provenance

    case, tag = Path(sys.argv[1]), sys.argv[2]
    locker = Locker.open(Case.load(case))
    for i in range(12):
        locker.add_bytes(f"{tag}-{i}".encode() * 100, provenance=Provenance(source="leakline"), name=f"{tag}{i}")
        locker.add_bytes(f"shared-{i}".encode() * 100, provenance=Provenance(source="leakline"), name=f"s{i}")
    """
)

SLOW_ADD = textwrap.dedent(
    """
    import io, sys, time
    from pathlib import Path
    from leakline.core.case import Case
    from leakline.evidence import Locker, Provenance

    case, ready = Path(sys.argv[1]), Path(sys.argv[2])

    class Slow(io.RawIOBase):
        def __init__(self):
            self.blocks = 0
        def readable(self):
            return True
        def readinto(self, buf):
            self.blocks += 1
            if self.blocks == 4:
                ready.write_text("mid-add")
                time.sleep(60)
            n = min(len(buf), 1 << 20)
            buf[:n] = (b"CANARY-4111111111111111-jane.canary@example.com," * 30000)[:n]
            return n

    Locker.open(Case.load(case)).add_stream(Slow(), provenance=Provenance(source="leakline"), name="slow")
    """
)


def _run(script: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script, *args], env=os.environ.copy())


def test_two_processes_add_at_once(tmp_case: Case, locker: Locker) -> None:
    procs = [_run(WRITER, str(tmp_case.root), tag) for tag in ("p", "q")]
    try:
        for proc in procs:
            assert proc.wait(120) == 0
    finally:  # a hung writer fails this test only, not whichever test runs next
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    report = verify(locker, record=False)
    assert report.problems == []
    entries = list(locker.log.entries())
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    acquired = [e for e in entries if e["action"] == "acquired"]
    assert len(acquired) == 48
    assert len(locker.list()) == 36
    for info in locker.list():
        with locker.open_object(info.sha256) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == info.sha256


def test_sigkill_during_add_leaves_no_half_object(tmp_case: Case, locker: Locker, tmp_path: Path) -> None:
    locker.add_bytes(b"before", provenance=Provenance(source="leakline"), name="before")
    ready = tmp_path / "ready"
    proc = _run(SLOW_ADD, str(tmp_case.root), str(ready))
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    parts = list((locker.root / "tmp").glob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert CANARY not in parts[0].read_bytes()
    assert verify(locker).problems == []
    assert [info.name for info in locker.list()] == ["before"]
    # A fresh open removes the dead process's encrypted partial file; the add can be rerun.
    again = Locker.open(Case.load(tmp_case.root))
    assert list((locker.root / "tmp").glob("*.part")) == []
    info = again.add_bytes(CANARY * 1000, provenance=Provenance(source="leakline"), name="slow")
    assert again.has(info.sha256)
    assert verify(again, record=False).problems == []


def test_canary_plaintext_never_in_locker_files(tmp_case: Case, locker: Locker, tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(b'"Id","Email"\n' + b"".join(b'"003%015d","%s"\n' % (i, CANARY) for i in range(2000)))
    locker.chunk_size = 4096
    locker.add_file(source, kind="csv")
    locker.add_bytes(CANARY, provenance=Provenance(source="api", endpoint="/q"), name="tiny")
    locker.add_bytes(CANARY * 3, provenance=Provenance(source="api", endpoint="/q"), name="small")
    seal(locker)
    assert verify(locker).problems == []
    for sha in [info.sha256 for info in locker.list()]:
        with locker.open_object(sha) as handle:
            assert CANARY in handle.read()
    passphrase = os.environ["LEAKLINE_PASSPHRASE"].encode()
    for path in tmp_case.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert CANARY not in data, path
            assert CANARY.lower() not in data.lower(), path
            assert passphrase not in data, path


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 3 * 4096])
def test_chunk_boundaries_roundtrip(locker: Locker, size: int) -> None:
    locker.chunk_size = 4096
    data = os.urandom(size)
    info = locker.add_bytes(data, provenance=Provenance(source="leakline"), name=f"n{size}")
    with locker.open_object(info.sha256) as handle:
        assert handle.read() == data
    assert verify(locker, record=False).problems == []


@pytest.mark.parametrize("size", [0, 1, 128 << 10, (128 << 10) + 1, 300_000])
def test_raw_frames_are_valid_zstd(size: int) -> None:
    import io

    import zstandard

    from leakline.evidence.pipeline import raw_frame

    data = os.urandom(size)
    stream = raw_frame(data) + zstandard.ZstdCompressor(level=1).compress(b"tail") + raw_frame(data)
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(stream), read_across_frames=True)
    assert reader.read() == data + b"tail" + data


def test_compressed_and_raw_blocks_mix(locker: Locker, monkeypatch: pytest.MonkeyPatch) -> None:
    from leakline.evidence import pipeline

    # Every other block is compressed, the others stored raw; the stream stays valid zstd.
    monkeypatch.setattr(pipeline, "should_compress", lambda index: index % 2 == 0)
    monkeypatch.setattr(pipeline, "WAIT_FOR_OFFERED", True)
    monkeypatch.setattr(pipeline, "BLOCK_SIZE", 1 << 16)
    data = b'"API","20260301090000.000","005000000000001"\n' * 10_000
    info = locker.add_bytes(data, provenance=Provenance(source="leakline"), name="mixed")
    entry = [e for e in locker.log.entries() if e["action"] == "acquired"][-1]
    assert entry["detail"]["blocks"]["zstd"] >= 1 and entry["detail"]["blocks"]["stored"] >= 1
    with locker.open_object(info.sha256) as handle:
        assert handle.read() == data
