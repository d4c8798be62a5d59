"""``LMShardDataset``: the notebook's ``LMDataset`` over an lmshard directory, for PyTorch."""
from __future__ import annotations

import numpy as np

from .dataset import ShardedDataset
from .masks import make_attention_mask_from_positions

try:
    import torch
    from torch.utils.data import Dataset as _Base
except ImportError:  # torch is optional: a plain sequence of numpy dicts
    torch, _Base = None, object


class LMShardDataset(_Base):
    """Items ``tokens``, ``labels``, ``loss_mask``, ``position_ids`` (and
    ``attention_mask``) per stored row.

    A ``torch.utils.data.Dataset`` returning tensors (ids and positions int64,
    the dtype embeddings take; masks bool) when torch is importable, else a
    plain sequence returning numpy arrays (ids uint32).

    Options: ``attention_mask`` True (the notebook's dense ``[n, n]``, 1 MiB per
    1024-token item), ``"lazy"`` (batches carry a ``BlockCausalMask``) or False;
    ``cu_seqlens`` adds batch-level ``cu_seqlens``/``max_seqlen``;
    ``fold_padding`` folds trailing padding into one segment (``lmshard.masks``).

    Batches: ``DataLoader(ds, batch_sampler=sampler, collate_fn=collate_lm)``
    calls ``__getitems__`` with a whole batch of indices, which gathers it
    straight from the maps in the worker (no per-item dicts).

    Pickles to its directory and options (see ``ShardedDataset``), so
    ``spawn`` workers reopen the maps instead of copying the data.
    """

    def __init__(self, directory, attention_mask=True, cu_seqlens: bool = False, fold_padding: bool = False):
        self.data = directory if isinstance(directory, ShardedDataset) else ShardedDataset(directory)
        self.attention_mask, self.cu_seqlens, self.fold_padding = attention_mask, cu_seqlens, fold_padding

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx: int) -> dict:
        if idx < 0:
            idx += len(self)
        item = self.data.item(idx, attention_mask=False)
        if self.attention_mask and self.attention_mask != "lazy":  # "lazy" masks are per batch
            item["attention_mask"] = make_attention_mask_from_positions(item["position_ids"], item["loss_mask"],
                                                                        self.fold_padding)
        if torch is not None:
            return {k: torch.from_numpy(v.astype(np.int64) if v.dtype == np.uint32 else v) for k, v in item.items()}
        return item

    def __getitems__(self, indices) -> dict:
        """One collated batch (tensors when torch is importable)."""
        out = self.data.batch(indices, attention_mask=self.attention_mask, cu_seqlens=self.cu_seqlens,
                              fold_padding=self.fold_padding, dtype=np.int64 if torch is not None else np.uint32)
        if torch is None:
            return out
        return {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in out.items()}
