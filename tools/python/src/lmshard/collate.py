"""Batch collation: ``collate_lm`` for item dicts and the vectorised gather behind ``batch``."""
from __future__ import annotations

import numpy as np

from .masks import BlockCausalMask, cu_seqlens as _cu_seqlens, make_attention_mask_from_positions, segment_ids


def _indices(ds, indices) -> np.ndarray:
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    n = len(ds)
    # One reduction: a negative index read as uint64 is larger than any valid one.
    if idx.size and idx.view(np.uint64).max() >= n:
        bad = int(idx[(idx < 0) | (idx >= n)][0])
        raise IndexError(f"sequence {bad} out of range 0..<{n}")
    return idx


def gather_rows(ds, indices):
    """Stored rows ``indices`` of ``ds`` as ``[bs, L]`` (ids, positions, mask) in their on-disk dtypes.

    With equal-length rows, one ``np.take`` per plane from the dataset's
    ``UnsafeRowRegion``s (all shards behind one array: see ``rowregion.py``);
    a plane without a region (its stride cannot be page-aligned, e.g. 2048-byte
    position rows after a 32-byte header), and datasets of unequal rows, copy
    row by row. Rows of unequal length in one batch raise ``ValueError``.
    """
    idx = _indices(ds, indices)  # first: a row number outside the shards would read unmapped gaps
    starts = ds.starts_array
    j = np.searchsorted(starts, idx, side="right")
    regions = ds.row_regions()
    if regions is not None:
        planes, table = regions
        rows = table[:, j] + idx  # [3, bs] row numbers inside each region
        out = [None if p is None else np.take(p.rows, r, axis=0) for p, r in zip(planes, rows)]
        if all(o is not None for o in out):
            return tuple(out)
    else:
        out = [None, None, None]
    shards = ds.shards
    pairs = list(zip((j - 1).tolist(), (idx - starts[j - 1]).tolist()))
    lengths = {int(shards[k].lengths[i]) for k, i in pairs}
    if len(lengths) > 1:
        raise ValueError(f"batch: sequences differ in length ({sorted(lengths)})")
    length = lengths.pop() if lengths else 1
    first = shards[0]
    for p, dtype in enumerate((first.token_dtype, first.position_dtype, np.dtype(np.uint8))):
        if out[p] is None:
            plane = np.empty((len(pairs), length), dtype)
            for r, (k, i) in enumerate(pairs):
                plane[r] = shards[k].sequence(i)[p]
            out[p] = plane
    return tuple(out)


def gather_batch(ds, indices, attention_mask=False, cu_seqlens=False, fold_padding=False, dtype=np.uint32) -> dict:
    """``collate_lm`` of the items ``indices`` without building items (``ShardedDataset.batch``)."""
    ids, pos, mask = gather_rows(ds, indices)
    wide = ids.astype(dtype)
    out = {
        # Row-strided views of one widened [bs, L] array: one conversion, not two.
        "tokens": wide[:, :-1],
        "labels": wide[:, 1:],
        "loss_mask": mask[:, 1:] != 0,
        "position_ids": pos[:, :-1].astype(dtype),
    }
    add_attention(out, attention_mask, cu_seqlens, fold_padding)
    return out


def add_attention(out: dict, attention_mask=False, cu_seqlens=False, fold_padding=False) -> dict:
    """Adds ``attention_mask`` (dense, or ``"lazy"``: a ``BlockCausalMask``) and/or
    batch-level ``cu_seqlens``/``max_seqlen`` computed from the batch's positions."""
    pos, loss = out["position_ids"], out["loss_mask"]
    if attention_mask == "lazy":
        out["attention_mask"] = BlockCausalMask(segment_ids(pos, loss, fold_padding))
    elif attention_mask:
        out["attention_mask"] = make_attention_mask_from_positions(pos, loss, fold_padding)
    if cu_seqlens:
        out["cu_seqlens"], out["max_seqlen"] = _cu_seqlens(pos, loss, fold_padding)
    return out


def collate_lm(batch):
    """Stacks item dicts key by key into ``[bs, ...]`` arrays (tensors when the items are tensors).

    A dict is passed through unchanged: that is a batch already collated by
    ``LMShardDataset.__getitems__``, which ``DataLoader`` hands to ``collate_fn``.
    """
    if isinstance(batch, dict):
        return batch
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
