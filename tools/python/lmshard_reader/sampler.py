"""SplitMix64 and the batch sampler; bit-for-bit the Swift `BatchSampler` (FORMAT.md section 8)."""
from __future__ import annotations

_MASK = (1 << 64) - 1


class SplitMix64:
    """SplitMix64 PRNG over Python ints masked to 64 bits."""

    def __init__(self, seed: int):
        self.state = seed & _MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)


class BatchSampler:
    """Seeded, epoch-aware, rank-sharded batches of global sequence indices.

    Iterating yields this rank's batches for the current ``epoch`` (set it with
    ``set_epoch``, as with PyTorch's ``DistributedSampler``).
    """

    def __init__(self, count: int, batch_size: int, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = True, rank: int = 0, world_size: int = 1):
        if count < 0 or batch_size <= 0 or world_size <= 0 or not 0 <= rank < world_size:
            raise ValueError("invalid sampler configuration")
        self.count, self.batch_size, self.shuffle, self.seed = count, batch_size, shuffle, seed
        self.drop_last, self.rank, self.world_size = drop_last, rank, world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def order(self, epoch: int) -> list[int]:
        """Permutation of range(count): Fisher-Yates with j = next() % (i + 1)."""
        perm = list(range(self.count))
        if not self.shuffle or self.count < 2:
            return perm
        rng = SplitMix64((self.seed + (epoch & _MASK) * 0xD1B54A32D192ED03) & _MASK)
        for i in range(self.count - 1, 0, -1):
            j = rng.next() % (i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        return perm

    def batches_per_epoch(self) -> int:
        g = self.batch_size * self.world_size
        return self.count // g if self.drop_last else -(-self.count // g)

    def batches(self, epoch: int) -> list[list[int]]:
        perm = self.order(epoch)
        if not perm:
            return []
        g = self.batch_size * self.world_size
        out = []
        for b in range(self.batches_per_epoch()):
            start = b * g + self.rank * self.batch_size
            out.append([perm[k % len(perm)] for k in range(start, start + self.batch_size)])
        return out

    def __iter__(self):
        return iter(self.batches(self.epoch))

    def __len__(self) -> int:
        return self.batches_per_epoch()
