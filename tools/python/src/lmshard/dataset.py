"""A dataset directory opened for reading: manifest, shards, global indexing, items and batches."""
from __future__ import annotations

import bisect
import hashlib
import os

import numpy as np

from .collate import gather_batch
from .errors import ShardError
from .format import MANIFEST, POSITION_CODES, TOKEN_CODES
from .manifest import MAX_MANIFEST_BYTES, parse_manifest
from .files import read_bounded
from .masks import make_attention_mask_from_positions
from .shard import Shard


class ShardedDataset:
    """A validated lmshard dataset: the manifest strictly, each shard file's
    size against it, then every shard's headers against each other.

    Global sequence ``g`` is shard order, then order within the shard. Reads
    are zero-copy views over read-only memory maps.

    Pickling carries only the directory and a fingerprint of the manifest
    (a few hundred bytes, whatever the dataset's size); the copy reopens the
    maps on first use. So a DataLoader worker started with ``spawn`` maps the
    same page cache instead of receiving a private copy of the data, and a
    dataset replaced between pickling and reopening raises ``ShardError``.
    """

    def __init__(self, directory: str):
        self.directory = os.fspath(directory)
        self._open(expect=None)

    def _open(self, expect: str | None) -> None:
        path = os.path.join(self.directory, MANIFEST)
        raw = read_bounded(path, MAX_MANIFEST_BYTES)
        fingerprint = hashlib.blake2b(raw, digest_size=16).hexdigest()
        if expect is not None and fingerprint != expect:
            raise ShardError(path, None, "the dataset changed since this object was pickled (manifest differs)")
        m = parse_manifest(raw, path)
        tcode, pcode = TOKEN_CODES[m["token_dtype"]], POSITION_CODES[m["position_dtype"]]
        shards, starts = [], [0]
        for s in m["shards"]:
            sizes = {part: e["size"] for part, e in s["files"].items()}
            shard = Shard(self.directory, s["name"], tcode, pcode, sizes, m["seq_len"])
            if shard.sequence_count != s["sequences"] or shard.token_count != s["tokens"]:
                raise ShardError(shard.paths["idx"], 18, "counts disagree with the manifest")
            shards.append(shard)
            starts.append(starts[-1] + shard.sequence_count)
        lengths = {sh.row_length for sh in shards if sh.sequence_count}
        self.fingerprint, self._manifest, self._shards, self._starts = fingerprint, m, shards, starts
        self._count = starts[-1]
        self._regions = None  # built on the first batch (rowregion.py)
        self._starts_array = np.asarray(starts, dtype=np.int64)
        # One row length across the dataset: batches gather whole rows.
        self._row_length = lengths.pop() if len(lengths) == 1 and None not in lengths else None

    # Pickling: directory + fingerprint, maps reopened lazily in the new process.
    def __getstate__(self):
        return {"directory": self.directory, "fingerprint": self.fingerprint, "count": self._count}

    def __setstate__(self, state):
        self.directory, self.fingerprint, self._count = state["directory"], state["fingerprint"], state["count"]
        self._shards = None

    def _ensure_open(self) -> None:
        if self._shards is None:
            self._open(expect=self.fingerprint)

    @property
    def manifest(self) -> dict:
        """The validated ``manifest.json``."""
        self._ensure_open()
        return self._manifest

    @property
    def shards(self) -> list[Shard]:
        """Open shards in manifest order."""
        self._ensure_open()
        return self._shards

    @property
    def starts(self) -> list[int]:
        """Global index of each shard's first sequence, plus the total."""
        self._ensure_open()
        return self._starts

    @property
    def starts_array(self) -> np.ndarray:
        self._ensure_open()
        return self._starts_array

    @property
    def row_length(self) -> int | None:
        """The stored length of every sequence when they are all equal (else None)."""
        self._ensure_open()
        return self._row_length

    def __len__(self) -> int:
        return self._count

    def row_regions(self):
        """(regions, table) for ``gather_rows``: an ``UnsafeRowRegion`` per plane (tokens,
        positions, mask; None for a plane whose rows cannot share a page-aligned stride) and
        the row table below; None when rows differ in length. Built once, on first use."""
        self._ensure_open()
        if self._regions is None:
            regions = False
            if self._row_length:
                from .format import PLANE_HEADER_SIZE
                from .rowregion import UnsafeRowRegion
                shards = self._shards
                counts = [sh.sequence_count for sh in shards]
                planes = [("bin", 0, shards[0].token_dtype), ("pos", PLANE_HEADER_SIZE, shards[0].position_dtype),
                          ("mask", PLANE_HEADER_SIZE, np.dtype(np.uint8))]
                # A ShardError here (a file changed since open) leaves _regions unset: every
                # later batch raises it again rather than reading the changed file.
                built = [UnsafeRowRegion.build([sh.paths[part] for sh in shards], header, self._row_length, dt,
                                               counts) for part, header, dt in planes]
                # Column j (j = searchsorted(starts, g, "right"), g in range) maps global
                # row g of shard j - 1 to its row in each region: g + table[:, j].
                table = np.zeros((3, len(shards) + 1), dtype=np.int64)
                for p, r in enumerate(built):
                    if r is not None:
                        table[p, 1:] = r.first_row - self._starts_array[:-1]
                regions = (built, table)
            self._regions = regions
        return self._regions or None

    def locate(self, index: int):
        """(shard number, local index) of global sequence ``index``."""
        self._ensure_open()
        if not 0 <= index < len(self):
            raise IndexError(f"sequence {index} out of range 0..<{len(self)}")
        k = bisect.bisect_right(self._starts, index) - 1
        return k, index - self._starts[k]

    def sequence(self, index: int):
        """Zero-copy (tokens, positions, loss mask uint8) of global sequence ``index``."""
        k, i = self.locate(index)
        return self._shards[k].sequence(i)

    def item(self, index: int, attention_mask: bool = True) -> dict:
        """The notebook's ``LMDataset.__getitem__`` as numpy arrays (uint32 ids, bool masks):
        ``tokens = ids[:-1]``, ``labels = ids[1:]``, ``loss_mask = mask[1:]``, ``position_ids = positions[:-1]``."""
        ids, pos, mask = self.sequence(index)
        out = {
            "tokens": np.ascontiguousarray(ids[:-1], dtype=np.uint32),
            "labels": np.ascontiguousarray(ids[1:], dtype=np.uint32),
            "loss_mask": mask[1:] != 0,
            "position_ids": np.ascontiguousarray(pos[:-1], dtype=np.uint32),
        }
        if attention_mask:
            out["attention_mask"] = make_attention_mask_from_positions(out["position_ids"])
        return out

    def batch(self, indices, attention_mask=False, cu_seqlens: bool = False, fold_padding: bool = False,
              dtype=np.uint32) -> dict:
        """The items ``indices`` collated into ``[bs, n - 1]`` arrays, gathered
        straight from the maps (see ``collate.gather_batch``); equal to
        ``collate_lm([item(i) for i in indices])``. All rows must have one length.

        ``attention_mask``: False, True (dense ``[bs, n, n]``) or ``"lazy"``
        (a ``BlockCausalMask``). ``cu_seqlens``: add batch-level ``cu_seqlens``
        and ``max_seqlen`` for flash-attention varlen. ``fold_padding``: one
        segment for each row's trailing padding (see ``lmshard.masks``).
        ``dtype``: of tokens, labels and positions (``np.int64`` for torch).
        """
        self._ensure_open()
        return gather_batch(self, indices, attention_mask=attention_mask, cu_seqlens=cu_seqlens,
                            fold_padding=fold_padding, dtype=dtype)
