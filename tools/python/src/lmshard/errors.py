"""The package's one error type for bad dataset files."""
from __future__ import annotations


class ShardError(Exception):
    """A malformed, truncated, inconsistent or hostile dataset file.

    Every failure to read a dataset raises this (never ``OSError``,
    ``ValueError``, ``RecursionError`` ...), so a training loop can catch one
    type. Attributes: ``file`` (path), ``offset`` (byte offset, or None when the
    problem is the whole file or a manifest field), ``reason``.
    """

    def __init__(self, file: str, offset: int | None, reason: str):
        self.file, self.offset, self.reason = file, offset, reason
        where = f"{file}@{offset}" if offset is not None else file
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):
        # Exceptions pickle as cls(*args) by default; ours takes three
        # arguments, and DataLoader workers send errors to the main process.
        return (type(self), (self.file, self.offset, self.reason))
