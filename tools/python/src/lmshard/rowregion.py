"""All shards' rows of one plane behind a single ``[rows, L]`` array: a batch is one fancy index.

A shuffled batch takes its rows from unrelated shards, each a separate memory
map, so numpy needs one operation per row and plane; at 8 rows x 3 planes that
per-call overhead made the Python batch path slower than a bare ``np.memmap``
baseline (0.29x). Here each plane's shard files are mapped side by side into
one reserved address range, each at a page-aligned address chosen so that its
rows fall on the same ``L * itemsize`` stride; one ``np.take`` per plane then
gathers a batch from any mix of shards. Measured in tools/bench/reader (8 x 1024
shuffled, 2 shared and busy cores): 0.29x of the baseline before, 1.02x
after (median of alternating runs); what is left is reading three planes.

This is raw address-space manipulation (``mmap`` with ``MAP_FIXED`` through
ctypes), so it stays behind ``UnsafeRowRegion`` and is only reached through
``gather_rows``, which passes it row numbers computed from validated indices
(gap rows between shards are ``PROT_NONE``: touching one would crash).
Where it cannot be built (not Linux/macOS, rows of unequal length, a row size
whose stride cannot be page-aligned with the header, e.g. an even ``L`` with
a 32-byte plane header) ``build`` returns None and batches copy row by row.
"""
from __future__ import annotations

import ctypes
import mmap
import os
import sys
import weakref

import numpy as np

from .errors import ShardError
from .files import open_regular

_PAGE = mmap.PAGESIZE
_MAP_FIXED = 0x10  # same value on Linux and macOS
_ENABLED = sys.platform.startswith("linux") or sys.platform == "darwin"


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int64)
    libc.munmap.restype = ctypes.c_int
    libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    return libc


def _round_up(x: int, m: int) -> int:
    return -(-x // m) * m


def _placement(lower: int, header: int, row_bytes: int):
    """Smallest page-aligned ``a >= lower`` with ``(a + header) % row_bytes == 0``, or None."""
    a = _round_up(lower, _PAGE)
    for _ in range(row_bytes // np.gcd(row_bytes, _PAGE) + 1):
        if (a + header) % row_bytes == 0:
            return a
        a += _PAGE
    return None


class UnsafeRowRegion:
    """One plane of every shard mapped into one address range (see the module doc).

    ``rows`` is a ``[R, L]`` array over the whole range; shard ``k``'s row
    ``i`` is ``rows[first_row[k] + i]``. Rows outside a shard are unmapped
    gaps: callers must only index rows they got from ``first_row``.
    """

    def __init__(self, base: int, size: int, rows: np.ndarray, first_row: np.ndarray, libc):
        self.rows, self.first_row = rows, first_row
        self._finalizer = weakref.finalize(self, libc.munmap, ctypes.c_void_p(base), size)

    @classmethod
    def build(cls, paths, header: int, row_length: int, dtype: np.dtype, counts) -> "UnsafeRowRegion | None":
        """Maps ``paths`` (one file per shard, ``counts[k]`` rows after ``header`` bytes)."""
        if not _ENABLED or row_length <= 0:
            return None
        dtype = np.dtype(dtype)
        row_bytes = row_length * dtype.itemsize
        offsets, end = [], 0
        for path, n in zip(paths, counts):
            a = _placement(end, header, row_bytes)
            if a is None:
                return None
            offsets.append(a)
            end = a + _round_up(header + n * row_bytes, _PAGE) if n else a
        size = max(end, _PAGE)
        try:
            libc = _libc()
        except (OSError, AttributeError):
            return None
        prot_none, prot_read = 0, mmap.PROT_READ
        anon = mmap.MAP_PRIVATE | getattr(mmap, "MAP_ANONYMOUS", getattr(mmap, "MAP_ANON", 0))
        base = libc.mmap(None, size, prot_none, anon, -1, 0)
        if base in (None, ctypes.c_void_p(-1).value):
            return None
        ok = False
        try:
            for path, n, a in zip(paths, counts, offsets):
                if not n:
                    continue
                fd, file_size = open_regular(path)
                try:
                    # The files were validated when the dataset was opened; one replaced since
                    # then must not be mapped with the old layout (a shorter file would fault).
                    if file_size != header + n * row_bytes:
                        raise ShardError(path, None, f"size {file_size} bytes, expected {header + n * row_bytes}:"
                                         " changed since the dataset was opened")
                    got = libc.mmap(base + a, file_size, prot_read, mmap.MAP_SHARED | _MAP_FIXED, fd, 0)
                finally:
                    os.close(fd)
                if got != base + a:
                    return None
            buf = (ctypes.c_char * size).from_address(base)
            total_rows = size // row_bytes
            rows = np.ndarray((total_rows, row_length), dtype=dtype, buffer=buf, strides=(row_bytes, dtype.itemsize))
            rows.flags.writeable = False
            first = np.asarray([(a + header) // row_bytes for a in offsets], dtype=np.int64)
            region = cls(base, size, rows, first, libc)
            buf._region = region  # views of `rows` keep the mapping alive
            ok = True
            return region
        except OSError:
            return None
        finally:
            if not ok:
                libc.munmap(ctypes.c_void_p(base), size)
