"""Datasets pickle to their directory and options (bytes, not data) and reopen the maps in the
new process: zero-copy across spawn workers, checked with multiprocessing and, when torch
imports, with a real DataLoader."""
import multiprocessing as mp
import os
import pickle
import sys

import numpy as np
import pytest

from fixtures import write_random
from lmshard import BatchSampler, LMShardDataset, MixedDataset, ShardedDataset, ShardError, collate_lm

METHODS = [m for m in ("spawn", "fork") if m in mp.get_all_start_methods()]


def _big(tmp_path):
    # ~1.3 MB of planes: a pickle holding data would be at least that large.
    write_random(tmp_path, shards=((200, 1025), (150, 1025)), vocab=50_000, seq_len=1025)
    return str(tmp_path)


def _read_in_child(payload):
    """Runs in the worker: unpickle, read three items, report whether the .bin is mapped here."""
    ds, indices = pickle.loads(payload)
    items = [ds[i] for i in indices]
    maps = open("/proc/self/maps").read() if os.path.exists("/proc/self/maps") else None
    data = ds.data if hasattr(ds, "data") else ds
    bin_path = data.shards[0].paths["bin"]
    return [{k: np.asarray(v).tolist() for k, v in it.items()} for it in items], (
        None if maps is None else bin_path in maps)


def test_pickles_are_small(tmp_path):
    directory = _big(tmp_path)
    for obj in (ShardedDataset(directory), LMShardDataset(directory),
                MixedDataset([directory, directory], [0.7, 0.3])):
        size = len(pickle.dumps(obj))
        assert size < 1024, (type(obj).__name__, size)


@pytest.mark.parametrize("method", METHODS)
def test_multiprocessing_workers_reopen_the_maps(tmp_path, method):
    directory = _big(tmp_path)
    ds = LMShardDataset(directory, attention_mask=False)
    ds.data.batch([0, 1])  # the parent has opened everything, including the row regions
    payload = pickle.dumps((ds, [0, 199, 349]))
    assert len(payload) < 1024
    with mp.get_context(method).Pool(1) as pool:
        items, mapped = pool.apply(_read_in_child, (payload,))
    for got, i in zip(items, [0, 199, 349]):
        want = {k: np.asarray(v).tolist() for k, v in ds[i].items()}
        assert got == want
    if mapped is not None:
        assert mapped, "the worker read the data without mapping the shard file"


def test_a_replaced_dataset_is_detected_on_reopen(tmp_path):
    directory = _big(tmp_path)
    payload = pickle.dumps(ShardedDataset(directory))
    write_random(tmp_path, shards=((3, 1025),), vocab=50_000, seq_len=1025, seed=9)
    copy = pickle.loads(payload)  # lazy: nothing is read yet
    with pytest.raises(ShardError, match="changed since this object was pickled"):
        copy.sequence(0)


def test_unpickled_copy_reads_the_same(tmp_path):
    directory = _big(tmp_path)
    ds = ShardedDataset(directory)
    copy = pickle.loads(pickle.dumps(ds))
    assert len(copy) == len(ds) == 350
    assert copy.batch([5, 300])["tokens"].tolist() == ds.batch([5, 300])["tokens"].tolist()
    mix = MixedDataset([directory, directory], [0.5, 0.5], num_samples=40, seed=3)
    mix2 = pickle.loads(pickle.dumps(mix))
    assert [mix2.source_of(i) for i in range(40)] == [mix.source_of(i) for i in range(40)]


@pytest.mark.parametrize("method", METHODS)
def test_torch_dataloader_workers(tmp_path, method):
    torch = pytest.importorskip("torch", reason="torch is not installed: DataLoader worker test skipped")
    from torch.utils.data import DataLoader
    directory = _big(tmp_path)
    ds = LMShardDataset(directory, attention_mask=False)
    sampler = BatchSampler(len(ds), 4, seed=5)
    want = [collate_lm([ds[i] for i in b]) for b in sampler.batches(0)]
    loader = DataLoader(ds, batch_sampler=sampler, collate_fn=collate_lm, num_workers=2,
                        multiprocessing_context=method)
    got = list(loader)
    assert len(got) == len(want) == 87
    for g, w in zip(got, want):
        for k in w:
            assert torch.equal(g[k], w[k]), k
            assert g[k].dtype == w[k].dtype, k
