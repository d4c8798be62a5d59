"""Training Megatron-LM on an lmshard dataset, loss masks and position ids included.

Megatron reads lmshard's ``.bin``/``.idx`` unchanged, but its ``GPTDataset``
re-cuts the token stream into its own samples and never reads ``.pos`` or
``.mask``, so packing, SFT/FIM loss masks and per-document positions are lost.
``LMShardGPTDataset`` is a ``MegatronDataset`` whose sample is one lmshard row:

    from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder
    from megatron.core.datasets.gpt_dataset import GPTDatasetConfig
    from lmshard.megatron import LMShardGPTDataset

    config = GPTDatasetConfig(random_seed=1234, sequence_length=4096,   # rows built with --seq-len 4097
                              blend=(["data/code", "data/web"], [0.3, 0.7]), split="98,1,1",
                              reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
                              create_attention_mask=False, tokenizer=tokenizer)
    train, valid, test = BlendedMegatronDatasetBuilder(
        LMShardGPTDataset, [train_samples, valid_samples, test_samples], lambda: True, config).build()

(in ``pretrain_gpt.py``, build these in ``train_valid_test_datasets_provider``
instead of ``GPTDataset``; the blend paths are lmshard dataset directories).

Each sample: ``tokens``/``labels`` (int64) = row ids ``[:-1]``/``[1:]``,
``loss_mask`` (float32) = the row's mask ``[1:]``, ``position_ids`` (int64) =
its positions ``[:-1]`` (restarting at every packed document), and with
``create_attention_mask`` an ``attention_mask`` ``[1, n, n]`` in Megatron's
convention (True = masked out) that is block-causal per packed document. When
the config asks for ``inter_document_masking`` (newer megatron-core), the
sample carries ``cu_seqlens`` padded to ``n + 1`` and ``max_seqlen`` as
``GPTDataset`` does, for the ``thd`` packed-sequence path.

Order: a split is Megatron's contiguous range of rows (``split``); its samples
are walked in epochs, each a seeded shuffle (FORMAT.md section 8's Fisher-Yates,
seed ``random_seed + epoch * 0xD1B54A32D192ED03``) of the split's rows, for as
many samples as the builder asks (``num_samples``). Nothing is cached to disk.
Rows must hold ``sequence_length + 1`` tokens (Megatron's
``add_extra_token_to_sequence``, its default).
"""
from __future__ import annotations

import numpy as np
import torch
from megatron.core.datasets.megatron_dataset import MegatronDataset

from .dataset import ShardedDataset
from .masks import segment_ids
from .sampler import _EPOCH_MUL, _MASK, shuffled_order


class LMShardGPTDataset(MegatronDataset):
    """A ``MegatronDataset`` of lmshard rows (see the module doc)."""

    def __init__(self, dataset: ShardedDataset, dataset_path, indices, num_samples, index_split, config):
        super().__init__(dataset, dataset_path, indices, num_samples, index_split, config)
        rows = dataset.row_length
        want = config.sequence_length + (1 if getattr(config, "add_extra_token_to_sequence", True) else 0)
        if len(dataset) and rows != want:
            raise ValueError(f"{dataset.directory}: rows hold {rows or 'unequal numbers of'} tokens; sequence_length "
                             f"{config.sequence_length} needs rows of {want} (build with --seq-len {want})")
        self.indices = np.asarray(indices if indices is not None else np.arange(len(dataset)), dtype=np.int64)
        self._length = len(self.indices) if num_samples is None else max(int(num_samples), len(self.indices))
        if len(self.indices) == 0:
            self._length = 0
        self._epoch_order: tuple[int, list[int]] | None = None

    @staticmethod
    def numel_low_level_dataset(low_level_dataset: ShardedDataset) -> int:
        return len(low_level_dataset)

    @staticmethod
    def build_low_level_dataset(dataset_path: str, config) -> ShardedDataset:
        return ShardedDataset(dataset_path)

    def __len__(self) -> int:
        return self._length

    def row_of(self, idx: int) -> int:
        """The global lmshard row that sample ``idx`` reads."""
        if not 0 <= idx < self._length:
            raise IndexError(f"sample {idx} out of range 0..<{self._length}")
        epoch, k = divmod(idx, len(self.indices))
        if self._epoch_order is None or self._epoch_order[0] != epoch:
            seed = (int(self.config.random_seed) + epoch * _EPOCH_MUL) & _MASK
            self._epoch_order = (epoch, shuffled_order(len(self.indices), seed))
        return int(self.indices[self._epoch_order[1][k]])

    def __getitem__(self, idx):
        padding = idx is None  # Megatron asks for a padding sample with idx None: no loss
        item = self.dataset.item(self.row_of(0 if padding else idx), attention_mask=False)
        n = item["tokens"].shape[0]
        out = {
            "tokens": torch.from_numpy(item["tokens"].astype(np.int64)),
            "labels": torch.from_numpy(item["labels"].astype(np.int64)),
            "loss_mask": torch.from_numpy(item["loss_mask"].astype(np.float32)),
            "position_ids": torch.from_numpy(item["position_ids"].astype(np.int64)),
        }
        if padding:
            out["loss_mask"].zero_()
        seg = segment_ids(item["position_ids"])
        if getattr(self.config, "inter_document_masking", False):
            starts = np.flatnonzero(np.diff(seg, prepend=-1)).astype(np.int32)
            cu = np.full(n + 1, n, dtype=np.int32)
            cu[:len(starts)] = starts
            out["cu_seqlens"] = torch.from_numpy(cu)
            out["max_seqlen"] = torch.tensor(int(np.diff(np.append(starts, n)).max()) if n else 0)
        elif getattr(self.config, "create_attention_mask", True):
            allowed = np.tri(n, dtype=bool) & (seg[:, None] == seg[None, :])
            out["attention_mask"] = torch.from_numpy(~allowed)[None]
        return out
