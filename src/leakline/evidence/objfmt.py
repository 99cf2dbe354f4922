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

import collections
import hashlib
import io
import struct
from collections.abc import Callable
from typing import IO

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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
    """Encrypts a stream of compressed bytes into chunks, straight into the output.

    Data comes as pieces (views of the caller's buffers). A chunk is sealed once more bytes are
    known to follow it (the last chunk's nonce differs), from the pieces themselves, into the
    writable view of exactly its size that ``reserve`` returns. Only the bytes not yet sealed
    (at most one chunk) are copied, so the caller may reuse its buffers when ``write`` returns.
    """

    def __init__(
        self, data_key: bytes, *, reserve: Callable[[int], memoryview], chunk_size: int = CHUNK_SIZE
    ) -> None:
        self._key = data_key
        self._reserve = reserve
        self._chunk_size = chunk_size
        self._header = header(chunk_size)
        self._pending = bytearray(chunk_size)
        self._fill = 0
        self._index = 0
        reserve(HEADER_SIZE)[:] = self._header

    def write(self, *pieces: bytes | bytearray | memoryview) -> None:
        """Add ``pieces`` to the stream; seal every full chunk that is certainly not the last."""
        views = [memoryview(piece).cast("B") for piece in pieces if len(piece)]
        size = self._chunk_size
        total = self._fill + sum(len(view) for view in views)
        queue = collections.deque(views)
        if total > size:
            if self._fill:
                queue.appendleft(memoryview(self._pending)[: self._fill])
            while total > size:
                chunk, need = [], size
                while need:
                    view = queue.popleft()
                    if len(view) > need:
                        view, rest = view[:need], view[need:]
                        queue.appendleft(rest)
                    chunk.append(view)
                    need -= len(view)
                self._emit(chunk, final=False)
                total -= size
            self._fill = 0  # the pending bytes, if any, were in the first sealed chunk
        for view in queue:
            self._pending[self._fill : self._fill + len(view)] = view
            self._fill += len(view)

    def close(self) -> None:
        """Seal the last chunk (possibly empty) with the final flag."""
        self._emit([memoryview(self._pending)[: self._fill]], final=True)
        self._fill = 0

    def _emit(self, chunk: list[memoryview], final: bool) -> None:
        """AES-256-GCM of the pieces as one message, streamed piece by piece (no join, no copy)."""
        out = self._reserve(sum(len(view) for view in chunk) + TAG_SIZE)
        cipher = Cipher(algorithms.AES(self._key), modes.GCM(nonce(self._index, final))).encryptor()
        cipher.authenticate_additional_data(self._header)
        done = 0
        for view in chunk:
            # The tag's 16 bytes after the ciphertext give update_into the slack it asks for.
            done += cipher.update_into(view, out[done:])
        if cipher.finalize():  # GCM is a stream mode: nothing is held back
            raise AssertionError("AES-GCM returned bytes at finalize")
        out[done:] = cipher.tag
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
