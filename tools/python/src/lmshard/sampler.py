"""SplitMix64 and the resumable batch sampler; bit-for-bit the Swift ``BatchSampler`` (FORMAT.md section 8)."""
from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_EPOCH_MUL = 0xD1B54A32D192ED03
STATE_FORMAT = "lmshard.sampler"
STATE_VERSION = 1
# Fields a saved state must agree on with the sampler that loads it.
_CONFIG = ("count", "batch_size", "world_size", "shuffle", "drop_last")


class SplitMix64:
    """SplitMix64 PRNG over Python ints masked to 64 bits."""

    def __init__(self, seed: int):
        self.state = seed & _MASK

    def next(self) -> int:
        self.state = (self.state + _GOLDEN) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)


def splitmix64_stream(seed: int, count: int) -> np.ndarray:
    """The first ``count`` outputs of ``SplitMix64(seed)`` as ``uint64``, vectorised:
    output ``k`` depends only on ``seed + (k + 1) * golden`` (numpy wraps mod 2^64)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed & _MASK) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(_GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def shuffled_order(count: int, seed: int) -> list[int]:
    """Fisher-Yates over ``range(count)`` with ``j = next() % (i + 1)`` for ``i = count-1 .. 1``."""
    perm = list(range(count))
    if count < 2:
        return perm
    draws = splitmix64_stream(seed, count - 1)
    bounds = np.arange(count, 1, -1, dtype=np.uint64)  # i + 1 for i = count-1 .. 1
    js = (draws % bounds).tolist()
    for i, j in zip(range(count - 1, 0, -1), js):
        perm[i], perm[j] = perm[j], perm[i]
    return perm


class BatchSampler:
    """Seeded, epoch-aware, rank-sharded, resumable batches of global sequence indices.

    Iterating yields this rank's remaining batches of the current epoch and
    counts them in ``position``; when the epoch is exhausted the sampler moves
    to the next epoch (``epoch + 1``, position 0), so ``for epoch ...: for b in
    loader`` needs no ``set_epoch``. ``set_epoch(e)`` still works as with
    ``DistributedSampler``: a different epoch restarts at position 0, the
    current one keeps its position (so calling it after ``load_state_dict``
    does not undo the resume).

    ``state_dict()`` is ``{format, version, count, batch_size, world_size,
    shuffle, drop_last, seed, epoch, position}`` (FORMAT.md section 8, the same
    as the Swift sampler's); it is the same on every rank. A sampler restored
    with ``load_state_dict`` from the state of one that yielded ``k`` batches
    yields exactly the rest. With ``DataLoader(num_workers > 0)`` the sampler
    runs in the main process ahead of the training loop (by the prefetch), so
    either use torchdata's ``StatefulDataLoader``, which snapshots the state
    per delivered batch, or save ``state_dict(epoch=e, position=steps_done)``.
    """

    def __init__(self, count: int, batch_size: int, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = True, rank: int = 0, world_size: int = 1):
        if count < 0 or batch_size <= 0 or world_size <= 0 or not 0 <= rank < world_size:
            raise ValueError(f"invalid sampler configuration: count {count}, batch_size {batch_size}, "
                             f"rank {rank}, world_size {world_size}")
        if not 0 <= seed < 1 << 63:
            raise ValueError(f"seed {seed}: must be in 0...2^63-1 (saved states hold it as a JSON integer)")
        self.count, self.batch_size, self.shuffle, self.seed = count, batch_size, shuffle, seed
        self.drop_last, self.rank, self.world_size = drop_last, rank, world_size
        self.epoch = 0
        self.position = 0
        self._cached: tuple[int, list[int]] | None = None

    def set_epoch(self, epoch: int) -> None:
        if epoch != self.epoch:
            self.epoch, self.position = epoch, 0

    def order(self, epoch: int) -> list[int]:
        """Permutation of ``range(count)`` for ``epoch`` (the identity without shuffling)."""
        if not self.shuffle:
            return list(range(self.count))
        if self._cached is None or self._cached[0] != epoch:
            self._cached = (epoch, shuffled_order(self.count, (self.seed + (epoch & _MASK) * _EPOCH_MUL) & _MASK))
        return list(self._cached[1])

    def batches_per_epoch(self) -> int:
        g = self.batch_size * self.world_size
        return self.count // g if self.drop_last else -(-self.count // g)

    def _batch(self, perm: list[int], b: int) -> list[int]:
        start = b * self.batch_size * self.world_size + self.rank * self.batch_size
        return [perm[k % len(perm)] for k in range(start, start + self.batch_size)]

    def batches(self, epoch: int) -> list[list[int]]:
        """All of this rank's batches of ``epoch`` (does not move the sampler)."""
        perm = self.order(epoch)
        return [self._batch(perm, b) for b in range(self.batches_per_epoch())] if perm else []

    def __iter__(self):
        epoch, total = self.epoch, self.batches_per_epoch()
        perm = self.order(epoch) if total else []
        while self.epoch == epoch and self.position < total:
            b = self.position
            self.position = b + 1
            yield self._batch(perm, b)
        if self.epoch == epoch:
            self.epoch, self.position = epoch + 1, 0

    def __len__(self) -> int:
        return self.batches_per_epoch()

    def state_dict(self, epoch: int | None = None, position: int | None = None) -> dict:
        """Everything needed to resume; ``epoch``/``position`` override the
        sampler's own counters (for a loop that knows how many batches it consumed)."""
        return {"format": STATE_FORMAT, "version": STATE_VERSION, "count": self.count,
                "batch_size": self.batch_size, "world_size": self.world_size, "shuffle": self.shuffle,
                "drop_last": self.drop_last, "seed": self.seed,
                "epoch": self.epoch if epoch is None else epoch,
                "position": self.position if position is None else position}

    def load_state_dict(self, state: dict) -> None:
        """Resumes from ``state``; raises ``ValueError`` naming a field that does
        not fit this sampler (a different dataset size, batch size, world size ...)."""
        check_state(state)
        for k in _CONFIG:
            if state[k] != getattr(self, k):
                raise ValueError(f"sampler state: {k} is {state[k]!r}, this sampler has {getattr(self, k)!r}")
        if state["position"] > self.batches_per_epoch():
            raise ValueError(f"sampler state: position {state['position']} beyond the epoch's "
                             f"{self.batches_per_epoch()} batches")
        self.seed, self.epoch, self.position = state["seed"], state["epoch"], state["position"]


def check_state(state) -> None:
    """Validates the shape of a saved sampler state (FORMAT.md section 8)."""
    if not isinstance(state, dict):
        raise ValueError("sampler state: expected a dict")
    keys = {"format", "version", "seed", "epoch", "position", *_CONFIG}
    missing = sorted(keys - state.keys())
    if missing:
        raise ValueError(f"sampler state: missing field {missing[0]!r}")
    if state["format"] != STATE_FORMAT or state["version"] != STATE_VERSION:
        raise ValueError(f"sampler state: format {state['format']!r} version {state['version']!r}, "
                         f"expected {STATE_FORMAT!r} version {STATE_VERSION}")
    limits = {"count": 0, "batch_size": 1, "world_size": 1, "seed": 0, "epoch": 0, "position": 0}
    for k, lo in limits.items():
        v = state[k]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v < 1 << 63:
            raise ValueError(f"sampler state: {k} must be an integer in {lo}...2^63-1, got {v!r}")
    for k in ("shuffle", "drop_last"):
        if not isinstance(state[k], bool):
            raise ValueError(f"sampler state: {k} must be true or false, got {state[k]!r}")
