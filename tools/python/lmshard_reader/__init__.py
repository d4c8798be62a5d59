"""Reader for lmshard datasets (FORMAT.md): memory-mapped, validated, with the
notebook's LMDataset item dict, ``collate_lm``, the Swift-identical sampler and ``verify``."""
from .dataset import (LMShardDataset, Shard, ShardedDataset, collate_lm, cu_seqlens, make_attention_mask_from_positions,
                      segment_ids)
from .format import ShardError
from .manifest import read_manifest
from .sampler import BatchSampler, SplitMix64
from .verify import Damage, verify

__all__ = ["LMShardDataset", "Shard", "ShardedDataset", "collate_lm", "cu_seqlens", "make_attention_mask_from_positions",
           "segment_ids", "ShardError", "read_manifest", "BatchSampler", "SplitMix64", "Damage", "verify"]
