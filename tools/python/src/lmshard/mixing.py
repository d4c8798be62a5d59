"""Weighted mixing of several lmshard datasets into one deterministic, resumable dataset.

How a mixed sample is chosen (no state beyond the arguments, so any index is
computed directly and a resumed run sees exactly the same samples):

* **Which source.** Samples come in cycles of ``cycle`` slots. One cycle is
  laid out once, by Megatron's blending rule: slot ``s`` goes to the source
  whose count so far lags its weight most (largest ``w_d * (s + 1) - count_d``,
  lowest ``d`` on ties). Every cycle repeats that layout, so after any number
  of samples each source's share is within ``1 / cycle`` of its weight plus one
  cycle's rounding (``|count_d - w_d * n| <= 1 + n / cycle``), and sources are
  interleaved evenly rather than in runs.
* **Which row.** Source ``d``'s ``j``-th sample is row ``perm_{d,e}[j mod N_d]``
  of its pass ``e = j // N_d``: each source walks its own shuffled passes
  (FORMAT.md section 8's shuffle, seeded ``seed + (d + 1) * 0x9E3779B97F4A7C15``
  for pass ``e``), independently of the others. A source with a large weight
  and few rows repeats (in a new order each pass); one with many rows and a
  small weight is only partly seen.

Epochs: a ``MixedDataset`` has ``num_samples`` samples (default: the sources'
total row count), like Megatron's ``BlendedDataset`` of a given size. Iterate it
with a ``BatchSampler`` (its epochs reorder those same samples), or set
``num_samples`` to the whole run's sample count so that one pass is the run.
"""
from __future__ import annotations

import numpy as np

from .collate import add_attention
from .dataset import ShardedDataset
from .sampler import _GOLDEN, _MASK, shuffled_order

_PASS_MUL = 0xD1B54A32D192ED03


def blend_cycle(weights, cycle: int) -> tuple[np.ndarray, np.ndarray]:
    """(source of each slot, rank of the slot among its source's slots) for one cycle."""
    w = np.asarray(weights, dtype=np.float64)
    counts = np.zeros(len(w), dtype=np.int64)
    source = np.empty(cycle, dtype=np.int64)
    rank = np.empty(cycle, dtype=np.int64)
    for s in range(cycle):
        d = int(np.argmax(w * (s + 1) - counts))
        source[s], rank[s] = d, counts[d]
        counts[d] += 1
    return source, rank


class MixedDataset:
    """Several lmshard datasets mixed by weight (see the module doc for the rules).

    ``sources``: directories or ``ShardedDataset``s (same ``seq_len`` for
    batching); ``weights``: non-negative, normalised here; ``seed`` seeds each
    source's passes. ``source_of(i)`` tells where sample ``i`` comes from;
    ``item``/``batch``/``__getitem__`` read it like a ``ShardedDataset``.
    Pickles to its sources' directories and options.
    """

    def __init__(self, sources, weights, num_samples: int | None = None, seed: int = 0, cycle: int = 10_000):
        self.sources = [s if isinstance(s, ShardedDataset) else ShardedDataset(s) for s in sources]
        w = np.asarray(weights, dtype=np.float64)
        if len(self.sources) == 0 or w.shape != (len(self.sources),):
            raise ValueError(f"need one weight per source: {len(self.sources)} sources, weights {list(weights)}")
        if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights must be finite, non-negative and not all zero: {list(weights)}")
        for d, (src, wd) in enumerate(zip(self.sources, w)):
            if wd > 0 and len(src) == 0:
                raise ValueError(f"source {d} ({src.directory}) has weight {wd} but no sequences")
        if cycle <= 0:
            raise ValueError(f"cycle must be positive, got {cycle}")
        if not 0 <= seed < 1 << 63:
            raise ValueError(f"seed {seed}: must be in 0...2^63-1")
        self.weights = w / w.sum()
        self.num_samples = sum(len(s) for s in self.sources) if num_samples is None else int(num_samples)
        if self.num_samples < 0:
            raise ValueError(f"num_samples must be >= 0, got {num_samples}")
        self.seed, self.cycle = seed, cycle
        self._layout()

    def _layout(self) -> None:
        self._slot_source, self._slot_rank = blend_cycle(self.weights, self.cycle)
        self._per_cycle = np.bincount(self._slot_source, minlength=len(self.sources)).astype(np.int64)
        self._passes: dict[int, tuple[int, list[int]]] = {}

    def __getstate__(self):
        return {"sources": self.sources, "weights": self.weights, "num_samples": self.num_samples,
                "seed": self.seed, "cycle": self.cycle}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._layout()

    def __len__(self) -> int:
        return self.num_samples

    def _row(self, d: int, j: int) -> int:
        n = len(self.sources[d])
        e, r = divmod(j, n)
        cached = self._passes.get(d)
        if cached is None or cached[0] != e:
            seed = (self.seed + (d + 1) * _GOLDEN + e * _PASS_MUL) & _MASK
            cached = self._passes[d] = (e, shuffled_order(n, seed))
        return cached[1][r]

    def source_of(self, index: int) -> tuple[int, int]:
        """(source number, row in that source) of mixed sample ``index``."""
        if not 0 <= index < self.num_samples:
            raise IndexError(f"sample {index} out of range 0..<{self.num_samples}")
        c, s = divmod(index, self.cycle)
        d = int(self._slot_source[s])
        return d, self._row(d, c * int(self._per_cycle[d]) + int(self._slot_rank[s]))

    def sequence(self, index: int):
        d, row = self.source_of(index)
        return self.sources[d].sequence(row)

    def item(self, index: int, attention_mask: bool = True) -> dict:
        d, row = self.source_of(index)
        return self.sources[d].item(row, attention_mask)

    def __getitem__(self, index: int) -> dict:
        return self.item(index)

    def batch(self, indices, attention_mask=False, cu_seqlens: bool = False, fold_padding: bool = False,
              dtype=np.uint32) -> dict:
        """Like ``ShardedDataset.batch``: rows gathered per source, then put in batch order."""
        where = [self.source_of(int(i)) for i in indices]
        parts = {}
        for d in sorted({d for d, _ in where}):
            rows = [(r, row) for r, (dd, row) in enumerate(where) if dd == d]
            parts[d] = ([r for r, _ in rows], self.sources[d].batch([row for _, row in rows], dtype=dtype))
        lengths = {p["tokens"].shape[1] for _, p in parts.values()}
        if len(lengths) > 1:
            raise ValueError(f"batch: sources have different row lengths ({sorted(lengths)})")
        out = {}
        for key in ("tokens", "labels", "loss_mask", "position_ids"):
            first = next(iter(parts.values()))[1][key]
            arr = np.empty((len(where),) + first.shape[1:], first.dtype)
            for rows, part in parts.values():
                arr[rows] = part[key]
            out[key] = arr
        return add_attention(out, attention_mask, cu_seqlens, fold_padding)
