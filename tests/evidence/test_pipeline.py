"""The ingest pipeline: aligned (O_DIRECT) and buffered writes, buffer hand-offs, failures."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import random
import threading
from pathlib import Path

import pytest

from leakline.core.errors import IntegrityError
from leakline.evidence import pipeline
from leakline.evidence.objfmt import PlainReader


def _sample(size: int, seed: int = 7) -> bytes:
    """Alternating compressible and random stretches, so both block kinds and odd sizes occur."""
    rng = random.Random(seed)
    parts, total = [], 0
    while total < size:
        part = rng.randbytes(rng.randrange(1, 40_000)) if rng.random() < 0.5 else b"x,y,z\n" * 5000
        parts.append(part)
        total += len(part)
    return b"".join(parts)[:size]


def _read_back(path: Path, key: bytes, sha: str) -> bytes:
    with PlainReader(path.open("rb"), key, sha, str(path)) as reader:
        return reader.read()


@pytest.fixture
def small_buffers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small blocks and output buffers: many hand-offs, unaligned tails, recycled buffers.
    monkeypatch.setattr(pipeline, "BLOCK_SIZE", 2 << 17)
    monkeypatch.setattr(pipeline, "POOL_BLOCKS", 3)
    monkeypatch.setattr(pipeline, "OUT_BUFFER", 3 * 4096)
    monkeypatch.setattr(pipeline, "OUT_BUFFERS", 2)
    monkeypatch.setattr(pipeline, "WRITEBACK_EVERY", 64 << 10)


@pytest.mark.parametrize("direct", [True, False], ids=["o_direct", "buffered"])
@pytest.mark.parametrize("size", [0, 1, 4095, 50_000, 50_001, 777_777])
@pytest.mark.usefixtures("small_buffers")
def test_roundtrip_direct_and_buffered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: bool, size: int
) -> None:
    if not direct:
        monkeypatch.setattr(pipeline, "_set_direct", lambda fd, on: False)
    monkeypatch.setattr(pipeline, "should_compress", lambda index: index % 3 != 1)
    monkeypatch.setattr(pipeline, "WAIT_FOR_OFFERED", True)
    data = _sample(size)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(io.BytesIO(data), target, key, chunk_size=4096)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert (result.size, result.stored_size) == (len(data), target.stat().st_size)
    assert _read_back(target, key, result.sha256) == data


def test_default_sizes_cross_output_buffers(tmp_path: Path) -> None:
    # More than one 8 MiB output buffer of incompressible data, with the default sizes.
    data = os.urandom(pipeline.OUT_BUFFER + (3 << 20) + 12345)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(io.BytesIO(data), target, key)
    assert result.stored_size == target.stat().st_size > len(data)
    assert _read_back(target, key, result.sha256) == data


def test_direct_write_refused_midway_falls_back_to_buffered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_buffers: None
) -> None:
    real = os.pwrite
    calls = {"n": 0}

    def pwrite(fd: int, data: memoryview, offset: int) -> int:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(errno.EINVAL, "Invalid argument")
        return real(fd, data, offset)

    monkeypatch.setattr(pipeline.os, "pwrite", pwrite)
    data = os.urandom(200_000)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(io.BytesIO(data), target, key, chunk_size=4096)
    assert _read_back(target, key, result.sha256) == data


@pytest.mark.usefixtures("small_buffers")
@pytest.mark.parametrize("stage", ["read", "write", "compress"])
def test_a_failing_stage_raises_and_nothing_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    class Boom(Exception):
        pass

    data = _sample(600_000)
    source: io.BytesIO = io.BytesIO(data)
    if stage == "read":

        class Failing(io.BytesIO):
            def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
                if self.tell() > 200_000:
                    raise Boom()
                return super().readinto(buffer)

        source = Failing(data)
    elif stage == "write":
        real = os.pwrite

        def pwrite(fd: int, view: memoryview, offset: int) -> int:
            if offset > 100_000:
                raise Boom()
            return real(fd, view, offset)

        monkeypatch.setattr(pipeline.os, "pwrite", pwrite)
    else:

        def compress_all(index: int) -> bool:
            if index == 1:
                raise Boom()
            return True

        monkeypatch.setattr(pipeline, "should_compress", compress_all)
    before = threading.active_count()
    with pytest.raises(Boom):
        pipeline.ingest(source, tmp_path / "obj.part", os.urandom(32), chunk_size=4096)
    assert threading.active_count() == before


def test_source_without_readinto(tmp_path: Path) -> None:
    class ReadOnly:
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def read(self, size: int = -1) -> bytes:
            return self._data.read(min(size, 1000))

    data = _sample(30_000)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(ReadOnly(data), target, key)  # type: ignore[arg-type]
    assert _read_back(target, key, result.sha256) == data


def test_ciphertext_only_on_disk_and_tamper_detected(tmp_path: Path, small_buffers: None) -> None:
    data = b"CANARY-4111111111111111," * 40_000
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(io.BytesIO(data), target, key, chunk_size=4096)
    stored = bytearray(target.read_bytes())
    assert b"CANARY" not in stored
    stored[len(stored) // 2] ^= 1
    target.write_bytes(bytes(stored))
    with pytest.raises(IntegrityError, match="fails authentication"):
        _read_back(target, key, result.sha256)


@pytest.mark.parametrize("peeked", [False, True], ids=["readv", "python_buffered"])
@pytest.mark.usefixtures("small_buffers")
def test_file_source_read_directly_or_through_its_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, peeked: bool
) -> None:
    calls = []
    real = os.readv
    monkeypatch.setattr(pipeline.os, "readv", lambda fd, views: calls.append(fd) or real(fd, views))
    data = _sample(900_001)
    path = tmp_path / "source.bin"
    path.write_bytes(b"skip" + data)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    with path.open("rb") as handle:
        if peeked:
            assert handle.read(4) == b"skip"  # more bytes now sit in Python's buffer
        else:
            handle.seek(4)
        result = pipeline.ingest(handle, target, key, chunk_size=4096)
        assert bool(calls) is not peeked
        assert handle.tell() == len(data) + 4
        assert handle.read() == b""
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert _read_back(target, key, result.sha256) == data


@pytest.mark.parametrize("patience", [0.0, 0.02])
@pytest.mark.usefixtures("small_buffers")
def test_background_compression_races_stay_consistent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patience: float
) -> None:
    # With no patience, blocks in progress are stored raw and their late frames dropped.
    monkeypatch.setattr(pipeline, "PATIENCE", patience)
    data = b"".join(b"%08d,CANARY-4111111111111111,x\n" % i for i in range(60_000))
    key = os.urandom(32)
    for attempt in range(3):
        target = tmp_path / f"obj{attempt}.part"
        result = pipeline.ingest(io.BytesIO(data), target, key, chunk_size=4096)
        assert result.compressed_blocks + result.raw_blocks == -(-len(data) // (2 << 17))
        assert _read_back(target, key, result.sha256) == data


@pytest.mark.parametrize("seed", range(6))
def test_chunk_sealer_pieces_equal_one_buffer(seed: int) -> None:
    # The sealer encrypts pieces (raw-frame headers, data slices, frames) that straddle chunk
    # boundaries; the result must be exactly the chunked encryption of their concatenation.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from leakline.evidence.objfmt import HEADER_SIZE, TAG_SIZE, ChunkSealer, header, nonce

    rng = random.Random(seed)
    key, chunk = os.urandom(32), 4096
    writes = [
        [
            rng.randbytes(rng.choice((0, 1, 3, 100, 4095, 4096, 4097, 9000)))
            for _ in range(rng.randrange(1, 6))
        ]
        for _ in range(rng.randrange(1, 12))
    ]
    out = bytearray()

    def reserve(size: int) -> memoryview:
        out.extend(bytes(size))
        return memoryview(out)[len(out) - size :]

    sealer = ChunkSealer(key, reserve=reserve, chunk_size=chunk)
    for pieces in writes:
        # bytes, a read-only view and a writable one: every kind of buffer the pipeline passes
        sealer.write(
            *(
                p if i % 3 == 0 else memoryview(p) if i % 3 == 1 else bytearray(p)
                for i, p in enumerate(pieces)
            )
        )
    sealer.close()
    stream = b"".join(b"".join(pieces) for pieces in writes)
    parts = [stream[i : i + chunk] for i in range(0, len(stream), chunk)] or [b""]
    # a full last chunk is still sealed as the last one (final flag), never followed by an empty one
    expected = header(chunk) + b"".join(
        AESGCM(key).encrypt(nonce(i, i == len(parts) - 1), part, header(chunk))
        for i, part in enumerate(parts)
    )
    assert bytes(out) == expected
    assert len(out) == HEADER_SIZE + len(stream) + TAG_SIZE * len(parts)


def test_compressor_backs_off_on_incompressible_input() -> None:
    # Compressed or encrypted evidence (zip bundles, .gz logs) must not burn CPU on zstd: after
    # a run of blocks that did not shrink only every PROBE_EVERY-th block is tried, until one shrinks.
    background = pipeline._Compressor(lambda block: None, lambda block: None)
    assert all(background.wants(i) for i in range(1, 8))
    for _ in range(pipeline.INCOMPRESSIBLE_RUN):
        background.note(shrank=False)
    assert [i for i in range(1, 3 * pipeline.PROBE_EVERY) if background.wants(i)] == [
        pipeline.PROBE_EVERY,
        2 * pipeline.PROBE_EVERY,
    ]
    background.note(shrank=True)
    assert background.wants(1)


def test_incompressible_source_roundtrips_mostly_raw(tmp_path: Path) -> None:
    data = os.urandom(12 * pipeline.BLOCK_SIZE + 5)
    key = os.urandom(32)
    target = tmp_path / "obj.part"
    result = pipeline.ingest(io.BytesIO(data), target, key)
    assert result.compressed_blocks == 0
    assert _read_back(target, key, result.sha256) == data


def test_ingest_ends_while_the_reader_thread_is_still_finishing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader thread may still be alive after it queued its last block and the end marker;
    # the end of an ingest must not depend on that timing (it once hung an add under load).
    import time

    finish = pipeline._Reader.run

    def slow_exit(self: pipeline._Reader) -> None:
        finish(self)
        time.sleep(0.3)

    monkeypatch.setattr(pipeline._Reader, "run", slow_exit)
    key = os.urandom(32)
    done: list[int] = []

    def run() -> None:
        for index in range(3):
            pipeline.ingest(io.BytesIO(b"x" * (index * 97)), tmp_path / f"obj{index}.part", key)
            done.append(index)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert len(done) == 3, f"ingest {len(done)} did not finish"
