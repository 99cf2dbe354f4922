"""On-disk format of one evidence object: zstd, then AES-256-GCM in authenticated chunks.

```
header   16 bytes  b"LLOBJ1\\0\\0" | chunk size (u32 BE) | flags (u32 BE, bit 0 = zstd)
chunk i  AES-256-GCM(data key, nonce_i, compressed bytes, aad = header) = bytes + 16-byte tag
nonce_i  i (u64 BE) | 00 00 00 | 01 on the last chunk, else 00
```
Every chunk but the last holds exactly ``chunk size`` compressed bytes. Each object has its
own random data key, so the nonces never repeat under a key. Because the chunk index and the
last-chunk flag are part of the nonce, a flipped bit, a dropped, swapped, repeated or
reordered chunk, and a file cut at a chunk boundary all fail authentication. After the last
chunk the reader checks the sha256 of the plaintext against the object's id.

The data key is stored wrapped under the case key (``keys.py``), so destroying the wrapped
key makes every copy of the object unreadable (crypto-shredding).
"""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Callable
from typing import IO

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from leakline.core.errors import IntegrityError

MAGIC = b"LLOBJ1\0\0"
HEADER_SIZE = 16
TAG_SIZE = 16
CHUNK_SIZE = 1 << 20
FLAG_ZSTD = 1


def header(chunk_size: int = CHUNK_SIZE, flags: int = FLAG_ZSTD) -> bytes:
    """The 16-byte object header (also the AAD of every chunk)."""
    return MAGIC + struct.pack(">II", chunk_size, flags)


def nonce(index: int, final: bool) -> bytes:
    """Nonce of chunk ``index``; the last chunk is marked so truncation is detected."""
    return index.to_bytes(8, "big") + b"\0\0\0" + (b"\1" if final else b"\0")


class ChunkSealer:
    """Encrypts a stream of compressed bytes into chunks.

    Each sealed chunk goes to ``sink`` as bytes, or, with ``reserve``, is encrypted in place
    into the writable view of exactly the requested size that ``reserve`` returns (no copy).
    """

    def __init__(
        self,
        data_key: bytes,
        sink: Callable[[bytes], None] | None = None,
        chunk_size: int = CHUNK_SIZE,
        *,
        reserve: Callable[[int], memoryview] | None = None,
    ) -> None:
        if (sink is None) == (reserve is None):
            raise ValueError("give exactly one of sink and reserve")
        self._aead = AESGCM(data_key)
        self._sink = sink
        self._reserve = reserve
        self._chunk_size = chunk_size
        self._header = header(chunk_size)
        self._pending = bytearray(chunk_size)
        self._fill = 0
        self._index = 0
        if reserve is not None:
            reserve(HEADER_SIZE)[:] = self._header
        elif sink is not None:
            sink(self._header)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Encrypt every full chunk that is certainly not the last; keep the rest pending."""
        view = memoryview(data)
        size = self._chunk_size
        pending = memoryview(self._pending)
        while view:
            if self._fill == size:
                # More data follows, so the pending full chunk is not the last one.
                self._emit(pending, final=False)
                self._fill = 0
            if not self._fill and len(view) > size:
                self._emit(view[:size], final=False)
                view = view[size:]
                continue
            take = min(size - self._fill, len(view))
            pending[self._fill : self._fill + take] = view[:take]
            self._fill += take
            view = view[take:]

    def close(self) -> None:
        """Emit the last chunk (possibly empty) with the final flag."""
        self._emit(memoryview(self._pending)[: self._fill], final=True)
        self._fill = 0

    def _emit(self, chunk: bytes | bytearray | memoryview, final: bool) -> None:
        chunk_nonce = nonce(self._index, final)
        if self._reserve is not None:
            self._aead.encrypt_into(chunk_nonce, chunk, self._header, self._reserve(len(chunk) + TAG_SIZE))
        elif self._sink is not None:
            self._sink(self._aead.encrypt(chunk_nonce, chunk, self._header))
        self._index += 1


class ChunkReader(io.RawIOBase):
    """Reads an object file and yields the decrypted (still compressed) bytes, chunk by chunk."""

    def __init__(self, source: IO[bytes], data_key: bytes, label: str) -> None:
        super().__init__()
        self._src = source
        self._label = label
        head = source.read(HEADER_SIZE)
        if len(head) != HEADER_SIZE or head[:8] != MAGIC:
            raise IntegrityError(f"{label}: not a leakline evidence object (bad header)")
        self._header = head
        self._chunk_size, self.flags = struct.unpack(">II", head[8:])
        if not 0 < self._chunk_size <= 64 << 20:
            raise IntegrityError(f"{label}: header names an impossible chunk size")
        self._aead = AESGCM(data_key)
        self._index = 0
        self._buffer = b""
        self._offset = 0
        self._done = False
        self._lookahead = source.read(1)

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._offset >= len(self._buffer):
            if self._done:
                return 0
            self._next_chunk()
        count = min(len(target), len(self._buffer) - self._offset)
        target[:count] = self._buffer[self._offset : self._offset + count]
        self._offset += count
        return count

    def _next_chunk(self) -> None:
        record = self._chunk_size + TAG_SIZE
        if not self._lookahead:
            raise IntegrityError(
                f"{self._label}: truncated (ends after chunk {self._index - 1} without its last chunk)"
            )
        data = self._lookahead + self._src.read(record - 1)
        self._lookahead = self._src.read(1)
        final = not self._lookahead
        if len(data) < TAG_SIZE:
            raise IntegrityError(f"{self._label}: truncated inside chunk {self._index}")
        try:
            plain = self._aead.decrypt(nonce(self._index, final), data, self._header)
        except InvalidTag:
            if final and self._authentic_as_middle(data):
                raise IntegrityError(
                    f"{self._label}: truncated (ends after chunk {self._index}; the last chunk is missing)"
                ) from None
            raise IntegrityError(
                f"{self._label}: chunk {self._index} fails authentication "
                "(modified, truncated, reordered or inserted data)"
            ) from None
        if not final and len(plain) != self._chunk_size:
            raise IntegrityError(f"{self._label}: chunk {self._index} has a wrong length")
        self._index += 1
        self._buffer, self._offset = plain, 0
        self._done = final

    def _authentic_as_middle(self, data: bytes) -> bool:
        try:
            self._aead.decrypt(nonce(self._index, False), data, self._header)
        except InvalidTag:
            return False
        return True


class PlainReader(io.RawIOBase):
    """Decrypted, decompressed object bytes; checks the sha256 id at end of stream."""

    def __init__(self, source: IO[bytes], data_key: bytes, sha256: str, label: str) -> None:
        super().__init__()
        self._source = source
        self._chunks = ChunkReader(source, data_key, label)
        reader: io.RawIOBase | zstandard.ZstdDecompressionReader
        if self._chunks.flags & FLAG_ZSTD:
            reader = zstandard.ZstdDecompressor().stream_reader(
                io.BufferedReader(self._chunks, buffer_size=CHUNK_SIZE), read_across_frames=True
            )
        else:
            reader = self._chunks
        self._reader = reader
        self._hash = hashlib.sha256()
        self._expected = sha256
        self._label = label
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._reader.read(len(target))
        except zstandard.ZstdError as exc:
            raise IntegrityError(f"{self._label}: compressed stream is corrupt ({exc})") from None
        if not data:
            self._finish()
            return 0
        count = len(data)
        target[:count] = data
        self._hash.update(data)
        self.size += count
        return count

    def _finish(self) -> None:
        # A zstd frame can end before the last chunk; read to the chunk stream's end so a
        # missing last chunk or trailing data is still caught.
        if self._chunks.read(1):
            raise IntegrityError(f"{self._label}: data after the end of the compressed stream")
        actual = self._hash.hexdigest()
        if actual != self._expected:
            raise IntegrityError(f"{self._label}: content sha256 is {actual[:16]}…, not the object id")

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()
