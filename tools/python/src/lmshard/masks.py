"""Attention structure of packed rows: segments, the block-causal mask, ``cu_seqlens``.

A segment starts at index 0 of a row and at every token whose position id is 0
(FORMAT.md section 7); token ``i`` attends to ``j`` iff ``j <= i`` and both are in
the same segment. That is the notebook's ``make_attention_mask_from_positions``
and stays the default.

Padding also has position 0, so under that rule every pad token of a
``no_incomplete`` row is a segment of its own (up to hundreds per SFT row),
which makes varlen kernels launch many one-token segments. ``fold_padding=True``
merges the row's *trailing run of position-0 tokens whose loss mask is 0* into
one segment. That changes nothing any loss sees: the first token of the run
attends only to itself either way, and every token of the run has loss mask 0,
so the only outputs that differ carry no loss (and no later token exists to
read them). Where the two differ: under the fold, pad token ``k`` of the run
attends to the pads before it instead of only itself.
"""
from __future__ import annotations

import numpy as np


def _as_2d(a):
    a = np.asarray(a)
    return (a[None, :], True) if a.ndim == 1 else (a, False)


def segment_starts(position_ids, loss_mask=None, fold_padding: bool = False) -> np.ndarray:
    """Boolean ``[..., n]``: True where a segment starts. Works on one row or a ``[bs, n]`` batch;
    ``fold_padding`` needs ``loss_mask`` (the item's, i.e. the labels' mask)."""
    pos, single = _as_2d(position_ids)
    starts = pos == 0
    if starts.shape[1]:
        starts[:, 0] = True
    if fold_padding:
        if loss_mask is None:
            raise ValueError("fold_padding needs the loss mask to tell padding from one-token documents")
        loss, _ = _as_2d(loss_mask)
        if loss.shape != pos.shape:
            raise ValueError(f"loss_mask shape {loss.shape} differs from position_ids shape {pos.shape}")
        quiet = (pos == 0) & (loss == 0)
        # Trailing run: True from the last non-quiet token onwards (a suffix AND-scan).
        run = np.logical_and.accumulate(quiet[:, ::-1], axis=1)[:, ::-1]
        inner = run.copy()
        inner[:, 1:] &= run[:, :-1]  # in the run and so is its predecessor
        if inner.shape[1]:
            inner[:, 0] = False
        starts &= ~inner
    return starts[0] if single else starts


def segment_ids(position_ids, loss_mask=None, fold_padding: bool = False) -> np.ndarray:
    """Segment number per token, 0 for each row's first segment (``int32``)."""
    starts = segment_starts(position_ids, loss_mask, fold_padding)
    return (np.cumsum(starts, axis=-1, dtype=np.int32) - 1) if starts.size else np.zeros(starts.shape, np.int32)


def make_attention_mask_from_positions(position_ids, loss_mask=None, fold_padding: bool = False) -> np.ndarray:
    """The notebook's ``[n, n]`` block-diagonal causal mask (``[bs, n, n]`` for a batch)."""
    seg = segment_ids(position_ids, loss_mask, fold_padding)
    n = seg.shape[-1]
    causal = np.tri(n, dtype=bool)
    return causal & (seg[..., :, None] == seg[..., None, :])


def cu_seqlens(position_ids, loss_mask=None, fold_padding: bool = False):
    """``(cu_seqlens int32, max_seqlen int)`` in flash-attention's varlen form.

    For one row: ``[0, segment starts..., n]``. For a ``[bs, n]`` batch: the
    segments of the flattened ``[bs * n]`` token stream (every row start is a
    segment start), which is what ``flash_attn_varlen_func`` takes with the
    batch reshaped to ``[bs * n, ...]``.
    """
    starts = segment_starts(position_ids, loss_mask, fold_padding)
    flat = np.flatnonzero(starts.ravel())
    cu = np.empty(len(flat) + 1, dtype=np.int32)
    cu[:-1] = flat
    cu[-1] = starts.size
    return cu, int(np.diff(cu).max()) if starts.size else 0


class BlockCausalMask:
    """The block-causal attention mask of a batch, kept as ``[bs, n]`` segment ids.

    The dense ``[bs, n, n]`` mask is 1 MiB per 1024-token row; this holds 4
    bytes per token and materialises only on request: ``dense()`` (or
    ``np.asarray``) for SDPA, ``mask_mod`` for PyTorch FlexAttention
    (``create_block_mask(mask.mask_mod, bs, None, n, n)``), ``segment_ids`` for
    kernels that take them directly.
    """

    def __init__(self, segment_ids: np.ndarray):
        self.segment_ids = np.ascontiguousarray(segment_ids, dtype=np.int32)
        if self.segment_ids.ndim != 2:
            raise ValueError("BlockCausalMask holds [bs, n] segment ids")

    @classmethod
    def from_positions(cls, position_ids, loss_mask=None, fold_padding: bool = False) -> "BlockCausalMask":
        pos, _ = _as_2d(position_ids)
        loss = None if loss_mask is None else _as_2d(loss_mask)[0]
        return cls(segment_ids(pos, loss, fold_padding))

    @property
    def shape(self):
        bs, n = self.segment_ids.shape
        return (bs, n, n)

    def dense(self, rows=None) -> np.ndarray:
        """``[bs, n, n]`` bool (True = may attend); ``rows`` selects a subset of the batch."""
        seg = self.segment_ids if rows is None else self.segment_ids[rows]
        n = seg.shape[-1]
        return np.tri(n, dtype=bool) & (seg[..., :, None] == seg[..., None, :])

    def __array__(self, dtype=None, copy=None):
        d = self.dense()
        return d if dtype is None else d.astype(dtype)

    def __getitem__(self, b):
        return self.dense(b)

    def __len__(self):
        return self.segment_ids.shape[0]

    def mask_mod(self, device=None):
        """A FlexAttention ``mask_mod(b, h, q, kv)`` over these segments (needs torch)."""
        import torch

        seg = torch.from_numpy(self.segment_ids)
        if device is not None:
            seg = seg.to(device)

        def mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (seg[b, q_idx] == seg[b, kv_idx])

        return mod
