"""Streaming ingest: hash, compress and encrypt a source in constant memory.

Five threads share a fixed pool of contiguous block buffers; each does its heavy work with the
GIL released (hashlib, zstandard, system calls) or holds it only briefly (AES-GCM, about 0.15 ms
per MiB):

```
evidence-read    reads the source into pooled blocks (os.readv for plain files, else readinto)
                 and offers each to the background compressor
caller's thread  hashes each block in one call (sha256 cannot be split, so it sets the pace;
                 one GIL hand-off per 4 MiB block: per 128 KiB segment, the hand-offs cost
                 a quarter of the throughput). Hashed blocks are held back a few blocks
                 before sealing (SEAL_LAG)
evidence-seal    takes each block in order: its compressed frame if the background compressor
                 has one ready, else the block as a zstd frame of raw blocks (headers and data
                 slices as pieces, no copy); seals the stream chunk by chunk, AES-256-GCM
                 encrypting the pieces straight into page-aligned output buffers
evidence-write   writes full output buffers to the temp file, with O_DIRECT where the
                 filesystem allows it (no page-cache copy, no dirty pages left for the final
                 fsync), else buffered, starting writeback as it goes
evidence-zstd    (adaptive mode) compresses offered blocks, newest first, at the lowest CPU
                 priority, so compression only uses CPU the other threads leave free
```
Either way the stored stream is a sequence of valid zstd frames, so the object format is the
same whether a block was compressed or stored raw. The caller fsyncs the file before it is
renamed into place. Memory is bounded by the pools (about 100 MB), whatever the source size.
"""

from __future__ import annotations

import collections
import errno
import fcntl
import hashlib
import io
import mmap
import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from leakline.evidence.objfmt import CHUNK_SIZE, TAG_SIZE, ChunkSealer

BLOCK_SIZE = 4 << 20
# Block buffers in flight (memory: POOL_BLOCKS * BLOCK_SIZE).
POOL_BLOCKS = 16
DEFAULT_LEVEL = 1
# The background compressor runs this much nicer (Linux, per thread): it takes spare CPU only.
COMPRESS_NICE = 19
# How long the sealer waits for a block the compressor is working on before storing it raw.
PATIENCE = 0.01
# Tests: make the sealer wait for every offered block to be compressed.
WAIT_FOR_OFFERED = False
# After this many blocks in a row that did not shrink, only every PROBE_EVERY-th block is tried.
INCOMPRESSIBLE_RUN = 2
PROBE_EVERY = 8
# Hashed blocks held back from the sealer, giving the compressor time to finish them.
SEAL_LAG = 6
# Output buffers: page-aligned, so whole ones can be written with O_DIRECT.
OUT_BUFFER = 8 << 20
OUT_BUFFERS = 3
ALIGN = 4096
# Buffered fallback: start writeback of every this many written bytes.
WRITEBACK_EVERY = 32 << 20
_RAW_BLOCK = 128 << 10
# The background compressor's unit of work (it checks between pieces whether to give up).
COMPRESS_PIECE = 1 << 20
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


class _Block:
    """A pooled buffer that holds up to its size of contiguous source bytes.

    Contiguous, so the hashing thread hashes a whole block in one call (one GIL release and
    re-acquisition per block: the GIL hand-offs, not the hashing, were what slowed an add). A
    block stored raw is sealed as the pieces of a zstd frame of raw blocks (``_raw_pieces``),
    without a copy.
    """

    __slots__ = ("buffer", "frame_bytes", "index", "length", "refs", "state", "view")

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(size)
        self.view = memoryview(self.buffer)
        self.length = 0  # source bytes held
        self.index = 0  # block number in the source
        self.refs = 0  # threads still using the buffer
        self.state = _NEW
        self.frame_bytes: bytes | None = None  # the compressed frame, once made

    def fill(self, read: Callable[[memoryview], int | None]) -> int:
        """Read source bytes into the buffer; fewer than a full block only at end of source."""
        view, length = self.view, 0
        while length < len(view):
            got = read(view[length:])
            if not got:
                break
            length += got
        self.length = length
        return length

    def data(self) -> memoryview:
        """The source bytes held."""
        return self.view[: self.length]


def _raw_pieces(data: memoryview) -> list[bytes | memoryview]:
    """``data`` as the pieces of one zstd frame of raw (stored) blocks of at most 128 KiB."""
    count = max(1, -(-len(data) // _RAW_BLOCK))
    pieces: list[bytes | memoryview] = [_RAW_FRAME_HEADER]
    for index in range(count):
        part = data[index * _RAW_BLOCK : (index + 1) * _RAW_BLOCK]
        pieces.append(((len(part) << 3) | (index == count - 1)).to_bytes(3, "little"))
        pieces.append(part)
    return pieces


def _raw_size(length: int) -> int:
    return len(_RAW_FRAME_HEADER) + 3 * max(1, -(-length // _RAW_BLOCK)) + length


def raw_frame(data: bytes) -> bytes:
    """``data`` as one zstd frame of raw (stored, uncompressed) blocks."""
    return b"".join(_raw_pieces(memoryview(data)))


def should_compress(index: int) -> bool:
    """Adaptive policy: offer block ``index`` to the background compressor (default: every block)."""
    return True


_NEW, _OFFERED, _COMPRESSING, _DONE, _RAW = range(5)


class _Compressor(threading.Thread):
    """Compresses offered blocks in the background, newest first, at a lower CPU priority.

    Newest first keeps it as far ahead of the sealer as the pool allows. The sealer claims each
    block in order: a finished frame is used; a block not yet started is stored raw; a block in
    progress is waited for briefly, then stored raw and the late frame dropped. So compression
    only ever uses CPU the hashing, reading and sealing threads leave free.
    """

    def __init__(self, compress: Callable[[_Block], bytes | None], release: Callable[[_Block], None]) -> None:
        super().__init__(name="evidence-zstd", daemon=True)
        self._compress = compress
        self._release = release
        self._cv = threading.Condition()
        self._offered: collections.deque[_Block] = collections.deque()
        self._closed = False
        self.error: BaseException | None = None
        self._incompressible_run = 0  # blocks in a row that did not shrink

    def wants(self, index: int) -> bool:
        """Whether block ``index`` is worth offering: after INCOMPRESSIBLE_RUN blocks in a row
        that did not shrink (compressed or encrypted input), only every PROBE_EVERY-th block is
        tried until one shrinks again, so CPU is not spent compressing what cannot be."""
        return self._incompressible_run < INCOMPRESSIBLE_RUN or index % PROBE_EVERY == 0

    def note(self, shrank: bool) -> None:
        """Record whether a block the compressor finished got smaller."""
        self._incompressible_run = 0 if shrank else self._incompressible_run + 1

    def offer(self, block: _Block) -> None:
        with self._cv:
            block.state = _OFFERED
            self._offered.append(block)
            self._cv.notify_all()

    def claim(self, block: _Block) -> bytes | None:
        """The sealer's turn for ``block``: its compressed frame, or None to store it raw."""
        with self._cv:
            if block.state == _OFFERED and WAIT_FOR_OFFERED:
                self._cv.wait_for(lambda: block.state == _DONE or self.error is not None)
            if block.state == _OFFERED:
                self._offered.remove(block)
            elif block.state == _COMPRESSING:
                self._cv.wait_for(lambda: block.state != _COMPRESSING, None if WAIT_FOR_OFFERED else PATIENCE)
            frame, block.frame_bytes, block.state = block.frame_bytes, None, _RAW
            return frame

    def release(self, block: _Block) -> None:
        """One user of ``block`` is done; the last gives the buffer back."""
        with self._cv:
            block.refs -= 1
            if block.refs == 0:
                if block.state == _OFFERED:  # dropped after a failure, never claimed
                    self._offered.remove(block)
                block.frame_bytes, block.state = None, _RAW
                self._release(block)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def run(self) -> None:
        _lower_thread_priority(COMPRESS_NICE)
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._offered or self._closed)
                if self._closed or self.error is not None:
                    return
                block = self._offered.pop()
                block.state, block.refs = _COMPRESSING, block.refs + 1
            frame: bytes | None = None
            try:
                frame = self._compress(block)
            except BaseException as exc:  # re-raised in the caller's thread
                self.error = exc
            with self._cv:
                if block.state == _COMPRESSING:
                    block.state, block.frame_bytes = _DONE, frame
                self._cv.notify_all()
            self.release(block)


class _Stage(threading.Thread):
    """Runs ``handle`` on each queued item in order; on ``None``, ``finish``, then ends ``downstream``.

    After a failure it keeps taking items and passes each to ``drop`` (which gives back the
    buffers the item holds), so no other thread ever waits forever on a buffer.
    """

    def __init__(
        self,
        name: str,
        handle: Callable[[Any], None],
        finish: Callable[[], None],
        drop: Callable[[Any], None],
        failed: threading.Event,
    ) -> None:
        super().__init__(name=name, daemon=True)
        # Unbounded: the buffer pools bound what is in flight.
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.downstream: _Stage | None = None
        self._handle = handle
        self._finish = finish
        self._drop = drop
        self._failed = failed
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while (item := self.inbox.get()) is not None:
                if self.error is not None:
                    self._drop(item)
                    continue
                try:
                    self._handle(item)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._fail(exc)
            if self.error is None:
                try:
                    self._finish()
                except BaseException as exc:
                    self._fail(exc)
        finally:
            if self.downstream is not None:
                self.downstream.inbox.put(None)

    def _fail(self, exc: BaseException) -> None:
        self.error = exc
        self._failed.set()


class _Pool:
    """Up to ``limit`` buffers made by ``make`` on first need, then recycled."""

    def __init__(self, make: Callable[[], Any], limit: int) -> None:
        self._make = make
        self._limit = limit
        self._made = 0
        self._free: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def take(self) -> Any:
        if self._made < self._limit:
            try:
                return self._free.get_nowait()
            except queue.Empty:
                self._made += 1
                return self._make()
        return self._free.get()

    def give(self, buffer: Any) -> None:
        self._free.put(buffer)


def _set_direct(fd: int, on: bool) -> bool:
    """Switch O_DIRECT on or off for ``fd``; False when the platform or filesystem refuses."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return False
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, (flags | flag) if on else (flags & ~flag))
    except OSError:
        return False
    return on


class _Output:
    """Sealed bytes into page-aligned buffers; full buffers go to a writer thread.

    With O_DIRECT only whole multiples of ``ALIGN`` are written at aligned offsets; the unaligned
    rest of a buffer moves to the start of the next one, and the file's tail is written buffered.
    """

    def __init__(self, fd: int, record: int, failed: threading.Event) -> None:
        self.fd = fd
        self.size = max(OUT_BUFFER, -(-(2 * record + ALIGN) // ALIGN) * ALIGN)
        self.direct = False
        self.written = 0
        self._kicked = 0
        self._pool = _Pool(lambda: mmap.mmap(-1, self.size), OUT_BUFFERS)
        self._buffer: mmap.mmap = self._pool.take()
        self._view = memoryview(self._buffer)
        self._fill = 0
        self._offset = 0  # file offset of the current buffer's first byte
        self.writer = _Stage("evidence-write", self._write, lambda: None, self._recycle, failed)

    def begin(self) -> None:
        """Write what is buffered so far (the header) at once, then switch to O_DIRECT."""
        _pwrite_all(self.fd, self._view[: self._fill], 0)
        self.direct = _set_direct(self.fd, True)

    def reserve(self, size: int) -> memoryview:
        """The next ``size`` bytes of the file, as a writable view to fill."""
        if self._fill + size > self.size:
            self._hand_off(final=False)
        view = self._view[self._fill : self._fill + size]
        self._fill += size
        return view

    def close(self) -> None:
        """Hand off everything buffered, the unaligned tail last."""
        self._hand_off(final=True)

    def _hand_off(self, final: bool) -> None:
        cut = self._fill - self._fill % ALIGN if self.direct else self._fill
        rest = self._fill - cut
        if final:
            if cut:
                self.writer.inbox.put((self._buffer, self._offset, 0, cut, True, False))
            if rest:
                self.writer.inbox.put((self._buffer, self._offset + cut, cut, self._fill, False, False))
            return
        buffer: mmap.mmap = self._pool.take()
        view = memoryview(buffer)
        view[:rest] = self._view[cut : self._fill]
        self.writer.inbox.put((self._buffer, self._offset, 0, cut, True, True))
        self._buffer, self._view, self._fill, self._offset = buffer, view, rest, self._offset + cut

    def _write(self, item: tuple[mmap.mmap, int, int, int, bool, bool]) -> None:
        buffer, offset, start, end, may_be_direct, _ = item
        try:
            data = memoryview(buffer)[start:end]
            if self.direct and not may_be_direct:
                self.direct = _set_direct(self.fd, False)
            while data:
                try:
                    count = os.pwrite(self.fd, data, offset)
                except OSError as exc:
                    # A device or filesystem with stricter O_DIRECT rules: go buffered.
                    if self.direct and exc.errno == errno.EINVAL:
                        self.direct = _set_direct(self.fd, False)
                        continue
                    raise
                data, offset = data[count:], offset + count
            self.written = offset
            if not self.direct and self.written - self._kicked >= WRITEBACK_EVERY:
                _start_writeback(self.fd, self._kicked, self.written - self._kicked)
                self._kicked = self.written
        finally:
            self._recycle(item)

    def _recycle(self, item: tuple[mmap.mmap, int, int, int, bool, bool]) -> None:
        if item[5]:
            self._pool.give(item[0])


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a range back now, so the final fsync finds little to do."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        # On Linux this starts asynchronous writeback of the dirty range (and drops clean pages).
        advise(fd, offset, length, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass


def _lower_thread_priority(increment: int) -> None:
    """Lower the calling thread's CPU priority (Linux only: elsewhere a thread id is no pid)."""
    if increment <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + increment))
    except OSError:
        pass


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while data:
        count = os.pwrite(fd, data, offset)
        data, offset = data[count:], offset + count


def _source_reader(source: BinaryIO) -> tuple[Callable[[memoryview], int | None], Callable[[], None]]:
    """A read of ``source`` into a buffer, and what to call when done.

    A plain file with nothing buffered in Python is read with ``os.readv`` straight from its
    descriptor (one system call, one GIL release per block); anything else through
    ``readinto`` (or ``read``).
    """
    fd = _plain_fd(source)
    if fd is None:
        return _reader(source), lambda: None

    def read(view: memoryview) -> int:
        return os.readv(fd, [view])

    def done() -> None:
        source.seek(os.lseek(fd, 0, os.SEEK_CUR))

    return read, done


def _plain_fd(source: BinaryIO) -> int | None:
    if type(source) not in (io.FileIO, io.BufferedReader) or not hasattr(os, "readv"):
        return None
    try:
        fd = source.fileno()
        if not source.seekable() or source.tell() != os.lseek(fd, 0, os.SEEK_CUR):
            return None  # bytes already buffered in Python
    except (OSError, ValueError):
        return None
    return fd


def _reader(source: BinaryIO) -> Callable[[memoryview], int | None]:
    readinto = getattr(source, "readinto", None)
    if readinto is not None:
        return readinto  # type: ignore[no-any-return]

    def read(view: memoryview) -> int:
        data = source.read(len(view))
        view[: len(data)] = data
        return len(data)

    return read


class _Reader(threading.Thread):
    """Reads the source into pooled blocks and queues them for hashing, in order.

    Reading has its own thread so the hashing thread does nothing but hash (sha256 sets the
    pace); each block is offered to the background compressor as soon as it is read. Ends the
    queue with None, also after a failure (kept in ``error``).
    """

    def __init__(
        self, source: BinaryIO, blocks: _Pool, compressor: _Compressor | None, failed: threading.Event
    ) -> None:
        super().__init__(name="evidence-read", daemon=True)
        self.filled: queue.SimpleQueue[_Block | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self._source = source
        self._blocks = blocks
        self._compressor = compressor
        self._failed = failed

    def run(self) -> None:
        try:
            read, done_reading = _source_reader(self._source)
            index = 0
            while not self._failed.is_set():
                block: _Block = self._blocks.take()
                length = block.fill(read) if not self._failed.is_set() else 0
                if not length:
                    self._blocks.give(block)
                    break
                block.index, block.refs, block.state = index, 1, _NEW
                if self._compressor is not None and should_compress(index) and self._compressor.wants(index):
                    self._compressor.offer(block)
                self.filled.put(block)
                index += 1
                if length < len(block.buffer):
                    break
            done_reading()
        except BaseException as exc:  # re-raised in the caller's thread
            self.error = exc
            self._failed.set()
        finally:
            self.filled.put(None)


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
    failed = threading.Event()
    blocks = _Pool(lambda: _Block(BLOCK_SIZE), POOL_BLOCKS)
    counts = {"zstd": 0, "raw": 0}
    compressor = zstandard.ZstdCompressor(level=level, write_checksum=False)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        output = _Output(fd, chunk_size + TAG_SIZE, failed)
        sealer = ChunkSealer(data_key, chunk_size=chunk_size, reserve=output.reserve)
        output.begin()

        def compress(block: _Block) -> bytes | None:
            frame, data, parts = compressor.compressobj(size=block.length), block.data(), []
            for start in range(0, block.length, COMPRESS_PIECE):
                if block.state == _RAW:
                    return None  # the sealer stored it raw meanwhile: stop wasting CPU
                parts.append(frame.compress(data[start : start + COMPRESS_PIECE]))
            parts.append(frame.flush())
            packed = b"".join(parts)
            # Incompressible (already compressed, encrypted, random): the raw frame is as good.
            shrank = len(packed) < _raw_size(block.length)
            background.note(shrank)
            return packed if shrank else None

        def compress_now(block: _Block) -> bytes:
            return compressor.compress(block.data())

        background = _Compressor(compress, blocks.give)

        def give_back(block: _Block) -> None:
            background.release(block)

        def seal_block(block: _Block) -> None:
            try:
                frame = background.claim(block) if adaptive else compress_now(block)
                if frame is not None:
                    sealer.write(frame)
                    counts["zstd"] += 1
                else:
                    sealer.write(*_raw_pieces(block.data()))
                    counts["raw"] += 1
            finally:
                background.release(block)

        def finish_sealing() -> None:
            sealer.close()
            output.close()

        sealing = _Stage("evidence-seal", seal_block, finish_sealing, give_back, failed)
        writer = output.writer
        sealing.downstream = writer
        stages = (writer, sealing)
        for stage in stages:
            stage.start()
        if adaptive:
            background.start()
        reader = _Reader(source, blocks, background if adaptive else None, failed)
        reader.start()
        size = 0
        held: collections.deque[_Block] = collections.deque()
        # Never hold back so many that the reader waits for a buffer the sealer would free.
        lag = max(0, min(SEAL_LAG, POOL_BLOCKS - 2)) if adaptive else 0
        drained = False  # the reader's closing None was taken
        try:
            while (block := reader.filled.get()) is not None:
                if failed.is_set():
                    background.release(block)
                    continue
                size += block.length
                plain_hash.update(block.data())
                held.append(block)
                if len(held) > lag:
                    sealing.inbox.put(held.popleft())
            drained = True
        finally:
            if not drained:  # left early (an exception here): the reader stops at its next block
                failed.set()
                while (block := reader.filled.get()) is not None:
                    background.release(block)
            reader.join()
            while held:
                sealing.inbox.put(held.popleft())
            sealing.inbox.put(None)
            for stage in reversed(stages):
                stage.join()
            background.close()
            if background.is_alive():
                background.join()
        for error in (reader.error, sealing.error, writer.error, background.error):
            if error is not None:
                raise error
        os.fsync(fd)
        stored_size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    return Ingested(plain_hash.hexdigest(), size, stored_size, counts["zstd"], counts["raw"])
