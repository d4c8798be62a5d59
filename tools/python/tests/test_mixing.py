"""Weighted mixing: deterministic, proportions as weighted, each source in its own shuffled passes."""
import pickle

import numpy as np
import pytest

from fixtures import write_random
from lmshard import BatchSampler, MixedDataset, ShardedDataset, collate_lm
from lmshard.mixing import blend_cycle


@pytest.fixture
def sources(tmp_path):
    dirs = []
    for d, rows in enumerate((40, 10, 200)):
        path = tmp_path / f"src{d}"
        path.mkdir()
        write_random(path, shards=((rows, 9),), seq_len=9, seed=d * 10)
        dirs.append(str(path))
    return dirs


def test_blend_cycle_hand_worked():
    # Weights 0.5/0.25/0.25: slot 0 -> 0 (errors .5 .25 .25), slot 1 -> 1 (0 .5 .5, lowest on tie),
    # slot 2 -> 2, slot 3 -> 0.
    source, rank = blend_cycle([0.5, 0.25, 0.25], 4)
    assert source.tolist() == [0, 1, 2, 0] and rank.tolist() == [0, 0, 0, 1]


def test_deterministic_and_picklable(sources):
    a = MixedDataset(sources, [0.5, 0.3, 0.2], num_samples=3000, seed=7)
    b = MixedDataset(sources, [0.5, 0.3, 0.2], num_samples=3000, seed=7)
    c = pickle.loads(pickle.dumps(a))
    picks = [a.source_of(i) for i in range(3000)]
    assert picks == [b.source_of(i) for i in range(3000)] == [c.source_of(i) for i in range(3000)]
    other = MixedDataset(sources, [0.5, 0.3, 0.2], num_samples=3000, seed=8)
    other_picks = [other.source_of(i) for i in range(3000)]
    assert [d for d, _ in other_picks] == [d for d, _ in picks]  # the seed changes rows, not sources
    assert other_picks != picks


@pytest.mark.parametrize("weights,cycle", [([0.5, 0.3, 0.2], 10_000), ([1, 1, 8], 97), ([0.2, 0.0, 0.8], 1000)])
def test_proportions_match_weights(sources, weights, cycle):
    n = 20_000
    mix = MixedDataset(sources, weights, num_samples=n, seed=1, cycle=cycle)
    counts = np.bincount([mix.source_of(i)[0] for i in range(n)], minlength=3)
    w = np.asarray(weights, float) / sum(weights)
    assert np.all(np.abs(counts - w * n) <= 1 + n / cycle), (counts, w * n)
    assert np.all(np.abs(counts / n - w) < 0.01)
    if weights[1] == 0:
        assert counts[1] == 0


def test_each_source_walks_its_own_shuffled_passes(sources):
    mix = MixedDataset(sources, [0.2, 0.6, 0.2], num_samples=500, seed=3)
    rows = [r for d, r in (mix.source_of(i) for i in range(500)) if d == 1]  # 10-row source, weight 0.6
    passes = [rows[k:k + 10] for k in range(0, len(rows) - 9, 10)]
    assert len(passes) >= 25
    assert all(sorted(p) == list(range(10)) for p in passes)
    assert len({tuple(p) for p in passes}) > 1  # reshuffled each pass


def test_items_and_batches_read_the_chosen_rows(sources):
    mix = MixedDataset(sources, [0.5, 0.3, 0.2], seed=2)
    assert len(mix) == 250  # default: the sources' total row count
    plain = [ShardedDataset(s) for s in sources]
    for i in (0, 1, 2, 100, 249):
        d, row = mix.source_of(i)
        assert mix.item(i)["tokens"].tolist() == plain[d].item(row)["tokens"].tolist()
    idx = [7, 0, 249, 13, 13]
    fast = mix.batch(idx, cu_seqlens=True)
    slow = collate_lm([mix.item(i, attention_mask=False) for i in idx])
    for k in slow:
        assert np.array_equal(fast[k], slow[k]), k
    assert fast["cu_seqlens"][-1] == 5 * 8


def test_resumable_with_the_sampler(sources):
    mix = MixedDataset(sources, [0.5, 0.3, 0.2], num_samples=100, seed=2)
    s = BatchSampler(len(mix), 4, seed=5)
    it = iter(s)
    head = [next(it) for _ in range(7)]
    resumed = BatchSampler(len(mix), 4, seed=5)
    resumed.load_state_dict(s.state_dict())
    rest = list(resumed)
    assert head + rest == s.batches(0)
    assert [mix.batch(b)["tokens"].tolist() for b in head + rest] == [mix.batch(b)["tokens"].tolist()
                                                                      for b in s.batches(0)]


def test_bad_arguments(sources):
    for weights, match in (([1, 2], "one weight per source"), ([1, -1, 1], "non-negative"),
                           ([0, 0, 0], "not all zero"), ([1, float("nan"), 1], "finite")):
        with pytest.raises(ValueError, match=match):
            MixedDataset(sources, weights)
    with pytest.raises(IndexError):
        MixedDataset(sources, [1, 1, 1], num_samples=5).source_of(5)
