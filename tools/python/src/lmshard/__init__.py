"""lmshard: read lmshard datasets (FORMAT.md) in training loops.

Memory-mapped, validated reading with the notebook's item dict
(``LMShardDataset``, ``ShardedDataset``), fast batch collation with
``cu_seqlens`` and lazy block-causal masks, a resumable sampler identical to
the Swift one (``BatchSampler``), weighted mixing (``MixedDataset``),
``verify`` (needs the ``xxhash`` extra) and a Megatron-LM dataset class
(``lmshard.megatron``, needs megatron-core). numpy is the only hard dependency.
"""
from .collate import collate_lm
from .dataset import ShardedDataset
from .errors import ShardError
from .format import FORMAT_VERSION, __version__
from .manifest import read_manifest
from .masks import BlockCausalMask, cu_seqlens, make_attention_mask_from_positions, segment_ids, segment_starts
from .mixing import MixedDataset
from .sampler import BatchSampler, SplitMix64
from .shard import Shard
from .torch_dataset import LMShardDataset
from .verify import Damage, verify

__all__ = ["BatchSampler", "BlockCausalMask", "Damage", "FORMAT_VERSION", "LMShardDataset", "MixedDataset",
           "Shard", "ShardError", "ShardedDataset", "SplitMix64", "collate_lm", "cu_seqlens",
           "make_attention_mask_from_positions", "read_manifest", "segment_ids", "segment_starts", "verify",
           "__version__"]
