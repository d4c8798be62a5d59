"""Constants and header parsing for the lmshard format, version 1 (see FORMAT.md).

Every check here mirrors `Sources/LMShard/ShardReader.swift`: a file that the
Swift reader rejects is rejected here too, with a `ShardError` naming the file
and byte offset.
"""
from __future__ import annotations

import struct

import numpy as np

from .errors import ShardError

FORMAT_NAME = "lmshard"
FORMAT_VERSION = 1
# The package's major version is the format version it reads and writes (a
# test checks it); a literal, so the build reads it without importing numpy.
__version__ = "1.0.0"
MANIFEST = "manifest.json"

IDX_MAGIC = b"MMIDIDX\x00\x00"
IDX_VERSION = 1
IDX_HEADER_SIZE = 34  # 9 magic + 8 version + 1 dtype + 8 sequence count + 8 document count

POS_MAGIC = b"LMSHPOS\x00"
MASK_MAGIC = b"LMSHMSK\x00"
PLANE_VERSION = 1
PLANE_HEADER_SIZE = 32

SUM_MAGIC = b"LMSHSUM\x00"
SUM_VERSION = 1
SUM_TABLE_OFFSET = 24
SUM_ENTRY_SIZE = 32
SUM_FILES = ("bin", "idx", "pos", "mask")
ALL_FILES = ("bin", "idx", "pos", "mask", "sum")

# Megatron DType codes used by lmshard -> numpy dtype (little-endian).
TOKEN_DTYPES = {8: np.dtype("<u2"), 4: np.dtype("<i4")}
TOKEN_CODES = {"uint16": 8, "int32": 4}
# Plane element codes are bits per element.
POSITION_DTYPES = {16: np.dtype("<u2"), 32: np.dtype("<u4")}
POSITION_CODES = {"uint16": 16, "uint32": 32}
MASK_CODE = 8


def token_dtype_for_vocab(vocab_size: int) -> str:
    """``uint16`` when every id < 65536 fits, else ``int32``."""
    return "uint16" if vocab_size <= 1 << 16 else "int32"


def position_dtype_for_seq_len(seq_len: int) -> str:
    """``uint16`` when positions (< seq_len) fit, else ``uint32``."""
    return "uint16" if seq_len <= 1 << 16 else "uint32"


def idx_size(n: int) -> int:
    """Exact size of an ``.idx`` holding ``n`` sequences, one document each."""
    return IDX_HEADER_SIZE + 20 * n + 8


def _u(fmt: str, buf, offset: int, path: str):
    size = struct.calcsize(fmt)
    if offset + size > len(buf):
        raise ShardError(path, offset, f"truncated (needs {size} bytes)")
    return struct.unpack_from(fmt, buf, offset)[0]


def parse_index(buf, path: str):
    """Validates an ``.idx`` buffer; returns (token dtype, lengths i64 array, element starts i64 array).

    Checks magic, version, dtype code, N, document count = N + 1, exact size,
    non-negative lengths, contiguous pointers and document indices 0..N.
    """
    if len(buf) < len(IDX_MAGIC):
        raise ShardError(path, 0, "truncated (needs 9 bytes)")
    if bytes(buf[:9]) != IDX_MAGIC:
        raise ShardError(path, 0, "bad magic")
    version = _u("<Q", buf, 9, path)
    if version != IDX_VERSION:
        raise ShardError(path, 9, f"unsupported version {version}")
    code = _u("<B", buf, 17, path)
    if code not in TOKEN_DTYPES:
        raise ShardError(path, 17, f"bad dtype code {code}")
    n = _u("<Q", buf, 18, path)
    if n > max(0, len(buf) - IDX_HEADER_SIZE - 8) // 20:
        raise ShardError(path, 18, f"sequence count {n}: arrays do not fit in {len(buf)} bytes")
    docs = _u("<Q", buf, 26, path)
    if docs != n + 1:
        raise ShardError(path, 26, f"document count {docs}, expected {n + 1}")
    if len(buf) != idx_size(n):
        raise ShardError(path, None, f"size {len(buf)} bytes, expected {idx_size(n)}")
    dtype = TOKEN_DTYPES[code]
    lengths = np.frombuffer(buf, dtype="<i4", count=n, offset=IDX_HEADER_SIZE)
    pointers = np.frombuffer(buf, dtype="<i8", count=n, offset=IDX_HEADER_SIZE + 4 * n)
    documents = np.frombuffer(buf, dtype="<i8", count=n + 1, offset=IDX_HEADER_SIZE + 12 * n)
    if n and lengths.min() < 0:
        i = int(np.argmin(lengths))
        raise ShardError(path, IDX_HEADER_SIZE + 4 * i, f"sequence length {lengths[i]} is negative")
    starts = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(lengths[:-1], out=starts[1:])
    bad = np.flatnonzero(pointers != starts * dtype.itemsize)
    if bad.size:
        i = int(bad[0])
        raise ShardError(path, IDX_HEADER_SIZE + 4 * n + 8 * i,
                         f"sequence pointer {pointers[i]}, expected {starts[i] * dtype.itemsize}")
    bad = np.flatnonzero(documents != np.arange(n + 1))
    if bad.size:
        d = int(bad[0])
        raise ShardError(path, IDX_HEADER_SIZE + 12 * n + 8 * d, f"document index {documents[d]}, expected {d}")
    return dtype, lengths.astype(np.int64), starts


def parse_plane(buf, path: str, magic: bytes, tokens: int, sequences: int) -> int:
    """Validates a ``.pos``/``.mask`` header against the index counts; returns the element code."""
    if len(buf) < 8:
        raise ShardError(path, 0, "truncated (needs 8 bytes)")
    if bytes(buf[:8]) != magic:
        raise ShardError(path, 0, "bad magic")
    version = _u("<I", buf, 8, path)
    if version != PLANE_VERSION:
        raise ShardError(path, 8, f"unsupported version {version}")
    code = _u("<B", buf, 12, path)
    for o in range(13, 16):
        if _u("<B", buf, o, path) != 0:
            raise ShardError(path, o, "reserved byte must be 0")
    count = _u("<Q", buf, 16, path)
    if count != tokens:
        raise ShardError(path, 16, f"element count {count}, expected {tokens} from the index")
    seqs = _u("<Q", buf, 24, path)
    if seqs != sequences:
        raise ShardError(path, 24, f"sequence count {seqs}, expected {sequences} from the index")
    return code
