"""Opening dataset files safely: regular files only, bounded reads, read-only maps.

A path in a dataset may be a FIFO (``open`` would wait forever for a writer),
``/dev/zero`` (an endless read), a directory or a symlink loop. Every open goes
through ``open_regular``: ``O_NONBLOCK`` so a FIFO cannot block, then ``fstat``
so only a regular file is read. Every failure is a ``ShardError`` naming the path.
"""
from __future__ import annotations

import errno
import mmap
import os
import stat

import numpy as np

from .errors import ShardError

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: str) -> tuple[int, int]:
    """Opens ``path`` read-only; returns (fd, size). Raises ``ShardError`` unless it is a regular file."""
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise ShardError(path, None, "missing") from None
    except ValueError as e:  # e.g. an embedded NUL byte
        raise ShardError(path, None, f"invalid path: {e}") from None
    except OSError as e:
        what = "symlink loop" if e.errno == errno.ELOOP else (e.strerror or str(e))
        raise ShardError(path, None, f"cannot open: {what}") from None
    try:
        st = os.fstat(fd)
    except OSError as e:
        os.close(fd)
        raise ShardError(path, None, f"cannot stat: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a file")
        raise ShardError(path, None, f"not a regular file ({kind})")
    return fd, st.st_size


def read_bounded(path: str, limit: int) -> bytes:
    """The whole regular file at ``path``, refusing files over ``limit`` bytes
    (checked before reading, and again while reading in case it grows)."""
    fd, size = open_regular(path)
    try:
        if size > limit:
            raise ShardError(path, None, f"{size} bytes, larger than the {limit}-byte limit")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ShardError(path, None, f"grew past the {limit}-byte limit while being read")
        return b"".join(chunks)
    except OSError as e:
        raise ShardError(path, None, f"cannot read: {e.strerror}") from None
    finally:
        os.close(fd)


def map_file(path: str) -> np.ndarray:
    """Read-only memory map of a whole regular file as ``uint8`` (an empty array
    for an empty file, which ``mmap`` rejects). The map outlives the descriptor."""
    fd, size = open_regular(path)
    try:
        if size == 0:
            return np.zeros(0, dtype=np.uint8)
        try:
            mm = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as e:
            raise ShardError(path, None, f"cannot map: {e}") from None
    finally:
        os.close(fd)
    return np.frombuffer(mm, dtype=np.uint8)
