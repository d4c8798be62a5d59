from lmshard import BatchSampler, SplitMix64

# Asserted identically by Tests/LMShardTests/SamplerTests.swift (shuffleOrderPinned).
PINNED_ORDER = [0, 1, 8, 6, 4, 3, 7, 2, 9, 5]


def test_splitmix_reference_values():
    r = SplitMix64(0)
    assert [r.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_same_order_as_swift():
    assert BatchSampler(10, 1, seed=1234).order(0) == PINNED_ORDER


def test_permutation_epochs_and_ranks():
    s = BatchSampler(100, 4, seed=42)
    a = s.order(0)
    assert sorted(a) == list(range(100)) and a != list(range(100))
    assert s.order(1) != a and s.order(0) == a
    ranks = [BatchSampler(23, 2, seed=9, drop_last=True, rank=r, world_size=3) for r in range(3)]
    flat = [i for r in ranks for b in r.batches(0) for i in b]
    assert len(flat) == 18 and len(set(flat)) == 18  # 3 global batches of 6, disjoint
    padded = [BatchSampler(23, 2, seed=9, drop_last=False, rank=r, world_size=3) for r in range(3)]
    flat = [i for r in padded for b in r.batches(0) for i in b]
    assert len(flat) == 24 and set(flat) == set(range(23))
    s = ranks[1]
    s.set_epoch(2)
    assert list(s) == s.batches(2) and len(s) == 3
