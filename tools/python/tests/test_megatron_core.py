"""LMShardGPTDataset inside Megatron-LM core's own dataset builder (skips without megatron-core)."""
import numpy as np
import pytest

from fixtures import write_random

torch = pytest.importorskip("torch", reason="torch is not installed: Megatron-LM core tests skipped")
pytest.importorskip("megatron.core.datasets.blended_megatron_dataset_builder",
                    reason="megatron-core is not installed (pip install megatron-core): Megatron tests skipped")

from megatron.core.datasets.blended_dataset import BlendedDataset  # noqa: E402
from megatron.core.datasets.blended_megatron_dataset_builder import BlendedMegatronDatasetBuilder  # noqa: E402
from megatron.core.datasets.gpt_dataset import GPTDatasetConfig  # noqa: E402

from lmshard import ShardedDataset  # noqa: E402
from lmshard.megatron import LMShardGPTDataset  # noqa: E402


class Tokenizer:
    """The few attributes GPTDatasetConfig and MegatronDataset read from a tokenizer."""
    vocab_size, eod, pad = 1000, 0, 1
    special_tokens_dict = {}
    unique_identifiers = {"class": "Tokenizer", "vocab_size": 1000}


def _config(blend, **kw):
    return GPTDatasetConfig(random_seed=1234, sequence_length=32, blend=blend, split="80,10,10",
                            reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
                            tokenizer=Tokenizer(), **kw)


@pytest.fixture
def two_datasets(tmp_path):
    dirs = []
    for d, rows in enumerate((50, 30)):
        path = tmp_path / f"d{d}"
        path.mkdir()
        write_random(path, shards=((rows // 2, 33), (rows - rows // 2, 33)), vocab=1000, seq_len=33, seed=3 * d)
        dirs.append(str(path))
    return dirs


def _check_sample(sample, ds, row):
    item = ds.item(row, attention_mask=True)
    assert sample["tokens"].tolist() == item["tokens"].tolist() and sample["tokens"].dtype == torch.int64
    assert sample["labels"].tolist() == item["labels"].tolist()
    assert sample["loss_mask"].tolist() == item["loss_mask"].astype(np.float32).tolist()
    assert sample["loss_mask"].dtype == torch.float32
    assert sample["position_ids"].tolist() == item["position_ids"].tolist()
    if "attention_mask" in sample:  # Megatron's convention: True = masked out
        assert sample["attention_mask"].shape == (1, 32, 32)
        assert (~sample["attention_mask"][0]).tolist() == item["attention_mask"].tolist()


def test_builder_blends_lmshard_datasets(two_datasets):
    config = _config((two_datasets, [0.7, 0.3]))
    train, valid, test = BlendedMegatronDatasetBuilder(LMShardGPTDataset, [200, 20, 20], lambda: True, config).build()
    assert isinstance(train, BlendedDataset) and len(train) >= 200
    plain = [ShardedDataset(d) for d in two_datasets]
    seen = np.zeros(2, int)
    for i in range(len(train)):
        d, j = int(train.dataset_index[i]), int(train.dataset_sample_index[i])
        mid = train.datasets[d]
        row = mid.row_of(j)
        assert row < int(round(0.8 * len(plain[d])))  # the train split's rows
        sample = train[i]
        assert sample["dataset_id"] == d
        _check_sample(sample, plain[d], row)
        seen[d] += 1
    assert abs(seen[0] / seen.sum() - 0.7) < 0.02
    # Valid rows come from Megatron's 80-90% range of each dataset.
    for d, mid in enumerate(valid.datasets):
        rows = {mid.row_of(j) for j in range(len(mid))}
        lo, hi = int(round(0.8 * len(plain[d]))), int(round(0.9 * len(plain[d])))
        assert rows == set(range(lo, hi))


def test_single_dataset_epochs_and_padding_sample(two_datasets):
    config = _config(([two_datasets[0]], None), create_attention_mask=True)
    train, _, _ = BlendedMegatronDatasetBuilder(LMShardGPTDataset, [100, None, None], lambda: True, config).build()
    assert isinstance(train, LMShardGPTDataset) and len(train) == 100  # 40 train rows, walked 2.5 times
    ds = ShardedDataset(two_datasets[0])
    rows = [train.row_of(i) for i in range(100)]
    assert sorted(rows[:40]) == list(range(40)) and sorted(rows[40:80]) == list(range(40))
    assert rows[:40] != rows[40:80]  # each epoch reshuffled
    for i in (0, 41, 99):
        _check_sample(train[i], ds, rows[i])
    assert train[None]["loss_mask"].sum() == 0
    again, _, _ = BlendedMegatronDatasetBuilder(LMShardGPTDataset, [100, None, None], lambda: True, config).build()
    assert [again.row_of(i) for i in range(100)] == rows  # deterministic from random_seed


def test_wrong_row_length_is_explained(two_datasets):
    config = GPTDatasetConfig(random_seed=1, sequence_length=64, blend=([two_datasets[0]], None), split="100,0,0",
                              reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
                              tokenizer=Tokenizer())
    with pytest.raises(ValueError, match="build with --seq-len 65"):
        BlendedMegatronDatasetBuilder(LMShardGPTDataset, [10, None, None], lambda: True, config).build()


def test_megatron_indexed_dataset_reads_the_token_plane(two_datasets):
    from megatron.core.datasets.indexed_dataset import IndexedDataset
    ds = ShardedDataset(two_datasets[0])
    g = 0
    for shard in ds.manifest["shards"]:
        idx = IndexedDataset(f"{two_datasets[0]}/{shard['name']}")
        for i in range(len(idx)):
            assert idx[i].tolist() == ds.sequence(g)[0].tolist()
            g += 1
    assert g == len(ds)


def test_inter_document_masking_gives_padded_cu_seqlens(two_datasets):
    # Newer megatron-core configs have inter_document_masking; set it by hand on older ones.
    config = _config(([two_datasets[0]], None), create_attention_mask=False)
    config.inter_document_masking = True
    train, _, _ = BlendedMegatronDatasetBuilder(LMShardGPTDataset, [10, None, None], lambda: True, config).build()
    ds = ShardedDataset(two_datasets[0])
    for i in range(5):
        sample = train[i]
        assert "attention_mask" not in sample
        pos = ds.item(train.row_of(i))["position_ids"]
        starts = [k for k in range(32) if k == 0 or pos[k] == 0]
        want = starts + [32] * (33 - len(starts))  # padded to sequence_length + 1 with the length
        assert sample["cu_seqlens"].tolist() == want and sample["cu_seqlens"].dtype == torch.int32
        assert int(sample["max_seqlen"]) == max(b - a for a, b in zip(starts, starts[1:] + [32]))
