"""Memory-mapped reading of an lmshard dataset, the notebook's item dict and ``collate_lm``."""
from __future__ import annotations

import bisect
import os

import numpy as np

from .format import (ALL_FILES, MASK_CODE, MASK_MAGIC, PLANE_HEADER_SIZE, POS_MAGIC, POSITION_CODES,
                     POSITION_DTYPES, TOKEN_CODES, ShardError, parse_index, parse_plane)
from .manifest import read_manifest


def _map(path: str) -> np.ndarray:
    """Read-only memory map of a whole file (an empty array for an empty file: mmap rejects length 0)."""
    try:
        if os.path.getsize(path) == 0:
            return np.zeros(0, dtype=np.uint8)
        return np.memmap(path, dtype=np.uint8, mode="r")
    except FileNotFoundError:
        raise ShardError(path, None, "missing") from None


class Shard:
    """One shard: four validated memory maps and the per-sequence spans."""

    def __init__(self, directory: str, name: str, token_code: int | None = None, position_code: int | None = None):
        self.name = name
        p = {part: os.path.join(directory, f"{name}.{part}") for part in ALL_FILES}
        idx = _map(p["idx"])
        self.token_dtype, self.lengths, self.starts = parse_index(idx, p["idx"])
        code = {np.dtype("<u2"): 8, np.dtype("<i4"): 4}[self.token_dtype]
        if token_code is not None and code != token_code:
            raise ShardError(p["idx"], 17, f"dtype code {code} disagrees with the manifest")
        n, t = len(self.lengths), int(self.lengths.sum())
        self.sequence_count, self.token_count = n, t
        bin_ = _map(p["bin"])
        if len(bin_) != t * self.token_dtype.itemsize:
            raise ShardError(p["bin"], None, f"size {len(bin_)} bytes, expected {t * self.token_dtype.itemsize}")
        pos = _map(p["pos"])
        pcode = parse_plane(pos, p["pos"], POS_MAGIC, t, n)
        if pcode not in POSITION_DTYPES or (position_code is not None and pcode != position_code):
            raise ShardError(p["pos"], 12, f"bad dtype code {pcode}")
        self.position_dtype = POSITION_DTYPES[pcode]
        if len(pos) != PLANE_HEADER_SIZE + t * self.position_dtype.itemsize:
            raise ShardError(p["pos"], None, f"size {len(pos)} bytes, expected "
                             f"{PLANE_HEADER_SIZE + t * self.position_dtype.itemsize}")
        mask = _map(p["mask"])
        mcode = parse_plane(mask, p["mask"], MASK_MAGIC, t, n)
        if mcode != MASK_CODE:
            raise ShardError(p["mask"], 12, f"bad dtype code {mcode}")
        if len(mask) != PLANE_HEADER_SIZE + t:
            raise ShardError(p["mask"], None, f"size {len(mask)} bytes, expected {PLANE_HEADER_SIZE + t}")
        self.tokens = bin_.view(self.token_dtype) if t else np.zeros(0, self.token_dtype)
        self.positions = pos[PLANE_HEADER_SIZE:].view(self.position_dtype)
        self.mask = mask[PLANE_HEADER_SIZE:]

    def sequence(self, i: int):
        """Zero-copy (tokens, positions, loss mask as uint8) views of local sequence ``i``."""
        s, n = int(self.starts[i]), int(self.lengths[i])
        return self.tokens[s:s + n], self.positions[s:s + n], self.mask[s:s + n]


def make_attention_mask_from_positions(position_ids) -> np.ndarray:
    """[n, n] block-diagonal causal mask: a segment starts at index 0 and at every position 0."""
    pos = np.asarray(position_ids)
    n = pos.shape[0]
    seg = np.cumsum(pos == 0) if n else np.zeros(0, dtype=np.int64)
    if n and pos[0] != 0:
        seg = seg + 1  # index 0 always opens a segment
    causal = np.tril(np.ones((n, n), dtype=bool))
    return causal & (seg[:, None] == seg[None, :])


def segment_ids(position_ids) -> np.ndarray:
    """Segment id per token (0 for the first segment)."""
    pos = np.asarray(position_ids)
    if pos.shape[0] == 0:
        return np.zeros(0, dtype=np.int32)
    seg = np.cumsum(pos == 0).astype(np.int32)
    return seg - seg[0]


def cu_seqlens(position_ids):
    """(cu_seqlens int32 [0, starts..., n], max_seqlen) in flash-attention's varlen form."""
    pos = np.asarray(position_ids)
    n = pos.shape[0]
    starts = np.flatnonzero(pos[1:] == 0) + 1 if n else np.zeros(0, dtype=np.int64)
    cu = np.concatenate(([0], starts, [n] if n else [])).astype(np.int32)
    return cu, int(np.diff(cu).max()) if n else 0


class ShardedDataset:
    """A dataset directory: manifest validated, every shard mapped and validated."""

    def __init__(self, directory: str):
        self.directory = directory
        self.manifest = read_manifest(directory)
        tcode = TOKEN_CODES[self.manifest["token_dtype"]]
        pcode = POSITION_CODES[self.manifest["position_dtype"]]
        self.shards, self.starts = [], [0]
        for s in self.manifest["shards"]:
            for part in ALL_FILES:
                path = os.path.join(directory, f"{s['name']}.{part}")
                if not os.path.exists(path):
                    raise ShardError(path, None, "missing")
                size = os.path.getsize(path)
                if size != s["files"][part]["size"]:
                    raise ShardError(path, None, f"size {size} bytes, expected {s['files'][part]['size']}")
            shard = Shard(directory, s["name"], tcode, pcode)
            if shard.sequence_count != s["sequences"] or shard.token_count != s["tokens"]:
                raise ShardError(os.path.join(directory, s["name"] + ".idx"), 18, "counts disagree with the manifest")
            self.shards.append(shard)
            self.starts.append(self.starts[-1] + shard.sequence_count)

    def __len__(self) -> int:
        return self.starts[-1]

    def locate(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"sequence {index} out of range 0..<{len(self)}")
        k = bisect.bisect_right(self.starts, index) - 1
        return k, index - self.starts[k]

    def sequence(self, index: int):
        """Zero-copy (tokens, positions, loss mask uint8) of global sequence ``index``."""
        k, i = self.locate(index)
        return self.shards[k].sequence(i)

    def item(self, index: int, attention_mask: bool = True) -> dict:
        """The notebook's ``LMDataset.__getitem__`` as numpy arrays (uint32 ids, bool masks)."""
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

    def batch(self, indices, attention_mask: bool = False) -> dict:
        """``collate_lm`` of ``item(i)`` for ``indices``, filled straight into preallocated
        ``[bs, n - 1]`` arrays (no per-item dicts): the fast path for training loops.
        All sequences must have the same length."""
        bs = len(indices)
        views = [self.sequence(i) for i in indices]
        n = len(views[0][0]) if views else 1
        if any(len(v[0]) != n for v in views):
            raise ValueError(f"batch: sequences differ in length (expected {n})")
        m = max(0, n - 1)
        tokens = np.empty((bs, m), np.uint32)
        labels = np.empty((bs, m), np.uint32)
        positions = np.empty((bs, m), np.uint32)
        loss = np.empty((bs, m), bool)
        for r, (ids, pos, mask) in enumerate(views):
            tokens[r] = ids[:-1]
            labels[r] = ids[1:]
            positions[r] = pos[:-1]
            np.not_equal(mask[1:], 0, out=loss[r])
        out = {"tokens": tokens, "labels": labels, "loss_mask": loss, "position_ids": positions}
        if attention_mask:
            out["attention_mask"] = np.stack([make_attention_mask_from_positions(p) for p in positions])
        return out


def collate_lm(batch: list[dict]) -> dict:
    """Stacks item dicts key by key into ``[bs, ...]`` arrays (tensors when the items are tensors)."""
    if not batch:
        return {}
    first = batch[0]
    try:
        import torch
        if isinstance(first["tokens"], torch.Tensor):
            return {k: torch.stack([b[k] for b in batch]) for k in first}
    except ImportError:
        pass
    return {k: np.stack([b[k] for b in batch]) for k in first}


try:
    import torch
    from torch.utils.data import Dataset as _Base
except ImportError:  # torch is optional: plain sequence of numpy dicts
    torch, _Base = None, object


class LMShardDataset(_Base):
    """The notebook's ``LMDataset`` over an lmshard directory.

    A ``torch.utils.data.Dataset`` returning tensors (ids and positions as int64,
    the dtype embeddings take; masks bool) when torch is importable, else a plain
    sequence returning numpy arrays (ids uint32). ``attention_mask=False`` skips
    the [n, n] mask, which is 1 MiB per item at 1024 tokens.
    """

    def __init__(self, directory: str, attention_mask: bool = True):
        self.data = ShardedDataset(directory)
        self.attention_mask = attention_mask

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx: int) -> dict:
        if idx < 0:
            idx += len(self)
        item = self.data.item(idx, self.attention_mask)
        if torch is not None:
            return {k: torch.from_numpy(v.astype(np.int64) if v.dtype == np.uint32 else v) for k, v in item.items()}
        return item
