"""Streaming ingest: hash, compress and encrypt a source in constant memory.

The caller's thread reads fixed-size blocks and hands each one to a hashing thread (sha256
releases the GIL) and, in order, to a writer thread that encrypts chunk by chunk into an
already-encrypted temp file. Blocks are compressed as independent zstd frames by a small
thread pool (zstd releases the GIL). With ``adaptive`` compression (the default), a block for
which no compressor is free is stored in a raw (uncompressed) zstd frame instead of waiting:
hashing, not compression, sets the pace, and the stored stream is still one valid zstd stream.
Bounded queues keep a few blocks in flight whatever the source size.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from leakline.evidence.objfmt import CHUNK_SIZE, ChunkSealer

BLOCK_SIZE = 4 << 20
QUEUE_DEPTH = 8
DEFAULT_LEVEL = 1
_RAW_BLOCK = 128 << 10
# zstd frame magic, a descriptor without content size/checksum, and a 128 KiB window.
_RAW_FRAME_HEADER = b"\x28\xb5\x2f\xfd\x00" + bytes([7 << 3])


@dataclass(frozen=True)
class Ingested:
    """What one ingest produced: the plaintext id and size, the stored size, how blocks were packed.

    The ciphertext is not hashed here (that would double the hashing work of every add); the
    seal records each stored file's sha256 in the signed manifest.
    """

    sha256: str
    size: int
    stored_size: int
    compressed_blocks: int
    raw_blocks: int


class _Worker(threading.Thread):
    """Runs ``handle`` on each queued item; after a failure, drains so the feeder never blocks."""

    def __init__(self, name: str, handle: Callable[[Any], None], finish: Callable[[], None]) -> None:
        super().__init__(name=name, daemon=True)
        self.inbox: queue.Queue[Any] = queue.Queue(QUEUE_DEPTH)
        self._handle = handle
        self._finish = finish
        self.error: BaseException | None = None

    def run(self) -> None:
        while True:
            item = self.inbox.get()
            if self.error is not None:
                if item is None:
                    return
                continue
            try:
                if item is None:
                    self._finish()
                    return
                self._handle(item)
            except BaseException as exc:  # re-raised in the feeding thread
                self.error = exc
                if item is None:
                    return


def raw_frame_parts(data: bytes) -> list[bytes | memoryview]:
    """``data`` as the pieces of a zstd frame of raw (stored) blocks: valid zstd, no compression.

    Pieces, not one joined buffer: the sealer copies them into its chunk buffer anyway.
    """
    view = memoryview(data)
    parts: list[bytes | memoryview] = [_RAW_FRAME_HEADER]
    if not data:
        parts.append((1).to_bytes(3, "little"))  # one empty last block
    for offset in range(0, len(data), _RAW_BLOCK):
        block = view[offset : offset + _RAW_BLOCK]
        last = offset + _RAW_BLOCK >= len(data)
        parts.append(((len(block) << 3) | int(last)).to_bytes(3, "little"))
        parts.append(block)
    return parts


def raw_frame(data: bytes) -> bytes:
    """``data`` as one zstd frame of raw blocks."""
    return b"".join(raw_frame_parts(data))


def compress_workers() -> int:
    """Compression threads: one core is left for hashing."""
    return max(1, (os.cpu_count() or 2) - 1)


def ingest(
    source: BinaryIO,
    target: Path,
    data_key: bytes,
    level: int = DEFAULT_LEVEL,
    chunk_size: int = CHUNK_SIZE,
    adaptive: bool = True,
) -> Ingested:
    """Write ``source`` encrypted to ``target`` (created exclusively); return hashes and sizes."""
    plain_hash = hashlib.sha256()
    stored_size = 0
    out = open(target, "xb", buffering=0)

    def sink(data: bytes) -> None:
        nonlocal stored_size
        view = memoryview(data)
        while view:
            written = out.write(view)
            view = view[written or 0 :]
        stored_size += len(data)

    sealer = ChunkSealer(data_key, sink, chunk_size)
    local = threading.local()

    def compress(block: bytes) -> bytes:
        context = getattr(local, "context", None)
        if context is None:
            context = local.context = zstandard.ZstdCompressor(level=level, write_checksum=False)
        frame: bytes = context.compress(block)
        return frame

    def write(item: Future[bytes] | list[bytes | memoryview]) -> None:
        if isinstance(item, Future):
            sealer.write(item.result())
            return
        for part in item:
            sealer.write(part)

    hasher = _Worker("evidence-hash", plain_hash.update, lambda: None)
    writer = _Worker("evidence-write", write, sealer.close)
    workers = compress_workers()
    size = compressed = raw = 0
    in_flight: list[Future[bytes]] = []
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="evidence-zstd") as pool:
            hasher.start()
            writer.start()
            while block := source.read(BLOCK_SIZE):
                size += len(block)
                hasher.inbox.put(block)
                in_flight = [job for job in in_flight if not job.done()]
                item: Future[bytes] | list[bytes | memoryview]
                if adaptive and len(in_flight) >= workers:
                    item, raw = raw_frame_parts(block), raw + 1
                else:
                    item, compressed = pool.submit(compress, block), compressed + 1
                    in_flight.append(item)
                writer.inbox.put(item)
                if hasher.error is not None or writer.error is not None:
                    break
            for worker in (hasher, writer):
                worker.inbox.put(None)
            for worker in (hasher, writer):
                worker.join()
    finally:
        for worker in (hasher, writer):
            if worker.is_alive():
                worker.inbox.put(None)
                worker.join()
        try:
            os.fsync(out.fileno())
        finally:
            out.close()
    for worker in (hasher, writer):
        if worker.error is not None:
            raise worker.error
    return Ingested(plain_hash.hexdigest(), size, stored_size, compressed, raw)
