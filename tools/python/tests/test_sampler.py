import pytest

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


def _run(sampler, batches):
    """``batches`` batches, going on into the next epochs as a training loop does."""
    out = []
    if batches == 0:
        return out
    for _ in range(batches + 2):  # a restored state at the end of an epoch yields nothing once
        for b in sampler:
            out.append(b)
            if len(out) == batches:
                return out
    raise AssertionError(f"only {len(out)} of {batches} batches")


def test_vectorised_shuffle_is_the_scalar_fisher_yates():
    from lmshard.sampler import shuffled_order
    for count, seed in ((10, 1234), (1000, 7), (2, 0), (1, 5), (0, 5)):
        perm, rng = list(range(count)), SplitMix64(seed)
        for i in range(count - 1, 0, -1):
            j = rng.next() % (i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        assert shuffled_order(count, seed) == perm


def test_state_dict_shape():
    s = BatchSampler(23, 2, seed=9, rank=1, world_size=3)
    _run(s, 2)
    assert s.state_dict() == {"format": "lmshard.sampler", "version": 1, "count": 23, "batch_size": 2,
                              "world_size": 3, "shuffle": True, "drop_last": True, "seed": 9, "epoch": 0,
                              "position": 2}
    # Byte for byte the Swift SamplerState's JSON for the same sampler (SamplerTests.swift,
    # jsonRoundTripAndPythonShape), so either side resumes the other's checkpoint.
    import json
    assert json.dumps(s.state_dict(), separators=(",", ":")) == (
        '{"format":"lmshard.sampler","version":1,"count":23,"batch_size":2,"world_size":3,"shuffle":true,'
        '"drop_last":true,"seed":9,"epoch":0,"position":2}')


def test_resume_after_k_batches_yields_exactly_the_rest():
    # 3 batches per epoch; k runs across the epoch boundary and into the third epoch.
    reference = BatchSampler(23, 2, seed=9, rank=1, world_size=3)
    full = _run(reference, 9)
    assert full[:3] == reference.batches(0) and full[3:6] == reference.batches(1)
    for k in range(10):
        first = BatchSampler(23, 2, seed=9, rank=1, world_size=3)
        head = _run(first, k)
        resumed = BatchSampler(23, 2, seed=0, rank=1, world_size=3)  # seed comes from the state
        resumed.load_state_dict(first.state_dict())
        assert head + _run(resumed, 9 - k) == full, k


def test_epochs_advance_and_set_epoch_keeps_a_resumed_position():
    s = BatchSampler(10, 2, seed=3)
    assert list(s) == s.batches(0) and s.epoch == 1 and s.position == 0
    assert list(s) == s.batches(1)
    r = BatchSampler(10, 2, seed=3)
    r.load_state_dict({**s.state_dict(), "epoch": 4, "position": 3})
    r.set_epoch(4)  # a training loop calling set_epoch(epoch) after restoring keeps the position
    assert list(r) == r.batches(4)[3:]
    r.set_epoch(7)
    assert r.position == 0 and list(r) == r.batches(7)
    # Overrides for a loop that counts its own steps (DataLoader prefetch runs the sampler ahead).
    assert s.state_dict(epoch=1, position=2)["position"] == 2


def test_load_state_dict_rejects_a_state_that_does_not_fit():
    s = BatchSampler(10, 2, seed=3)
    good = s.state_dict()
    for field, value, match in (("count", 11, "count is 11"), ("batch_size", 3, "batch_size is 3"),
                                ("world_size", 2, "world_size"), ("shuffle", False, "shuffle"),
                                ("position", 6, "beyond the epoch"), ("epoch", -1, "epoch must be"),
                                ("seed", True, "seed must be"), ("format", "x", "format"),
                                ("drop_last", 1, "drop_last must be")):
        with pytest.raises(ValueError, match=match):
            BatchSampler(10, 2).load_state_dict({**good, field: value})
    with pytest.raises(ValueError, match="missing field 'position'"):
        BatchSampler(10, 2).load_state_dict({k: v for k, v in good.items() if k != "position"})
    with pytest.raises(ValueError, match="seed"):
        BatchSampler(10, 2, seed=-1)


@pytest.mark.parametrize("workers", [0, 2])
def test_dataloader_resume(tmp_path, workers):
    torch = pytest.importorskip("torch", reason="torch is not installed: DataLoader resume test skipped")
    from torch.utils.data import DataLoader

    from fixtures import write_random
    from lmshard import LMShardDataset, collate_lm
    write_random(tmp_path, shards=((30, 9), (20, 9)), seq_len=9)
    ds = LMShardDataset(str(tmp_path), attention_mask=False)

    def loader(sampler):
        return DataLoader(ds, batch_sampler=sampler, collate_fn=collate_lm, num_workers=workers)

    reference = loader(BatchSampler(len(ds), 4, seed=1))
    full = [b["tokens"].tolist() for _ in range(2) for b in reference]  # two epochs of 12 batches
    sampler = BatchSampler(len(ds), 4, seed=1)
    head, saved = [], None
    for step, b in enumerate(loader(sampler)):
        head.append(b["tokens"].tolist())
        if step == 4:
            # With workers the sampler has run ahead by the prefetch; the loop knows what it consumed.
            saved = sampler.state_dict(epoch=0, position=step + 1)
            break
    resumed = BatchSampler(len(ds), 4, seed=1)
    resumed.load_state_dict(saved)
    again = loader(resumed)
    rest = [b["tokens"].tolist() for _ in range(2) for b in again][:len(full) - len(head)]
    assert head + rest == full


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_dataloader_resume(tmp_path, workers):
    pytest.importorskip("torch", reason="torch is not installed: StatefulDataLoader test skipped")
    sdl = pytest.importorskip("torchdata.stateful_dataloader",
                              reason="torchdata is not installed: StatefulDataLoader test skipped")
    from fixtures import write_random
    from lmshard import LMShardDataset, collate_lm
    write_random(tmp_path, shards=((30, 9), (20, 9)), seq_len=9)
    ds = LMShardDataset(str(tmp_path), attention_mask=False)

    def loader(sampler):
        return sdl.StatefulDataLoader(ds, batch_sampler=sampler, collate_fn=collate_lm, num_workers=workers)

    ref = loader(BatchSampler(len(ds), 4, seed=1))
    full = [b["tokens"].tolist() for _ in range(2) for b in ref]  # 12 batches per epoch, two epochs
    for k in (5, 12, 13):
        first = loader(BatchSampler(len(ds), 4, seed=1))
        head, state, it = [], None, iter(first)
        for _ in range(k):
            try:
                head.append(next(it)["tokens"].tolist())
            except StopIteration:
                it = iter(first)
                head.append(next(it)["tokens"].tolist())
        state = first.state_dict()
        second = loader(BatchSampler(len(ds), 4, seed=77))
        second.load_state_dict(state)
        rest = []
        while len(head) + len(rest) < len(full):
            rest += [b["tokens"].tolist() for b in second]
        assert head + rest[:len(full) - len(head)] == full, k
