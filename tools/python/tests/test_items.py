import numpy as np

from fixtures import write_example, write_random
from lmshard import (LMShardDataset, ShardedDataset, collate_lm, cu_seqlens, make_attention_mask_from_positions,
                            segment_ids)


def test_notebook_attention_mask():
    # The notebook's assert, verbatim values: two documents of 3 and 2 tokens.
    assert np.array_equal(
        make_attention_mask_from_positions(np.array([0, 1, 2, 0, 1], dtype=np.uint32)),
        np.array([
            [True, False, False, False, False],
            [True, True, False, False, False],
            [True, True, True, False, False],
            [False, False, False, True, False],
            [False, False, False, True, True],
        ]),
    )


def test_segments_and_varlen():
    # Pads have position 0, so [0, 1, 0, 0] is a 2-token document and two 1-token pads.
    assert segment_ids([0, 1, 0, 0]).tolist() == [0, 0, 1, 2]
    cu, m = cu_seqlens(np.array([0, 1, 0, 0]))
    assert cu.tolist() == [0, 2, 3, 4] and m == 2
    # A row starting mid-document still opens a segment at index 0.
    assert cu_seqlens(np.array([5, 6, 0]))[0].tolist() == [0, 2, 3]
    assert make_attention_mask_from_positions([5, 6, 0]).tolist() == [[True, False, False], [True, True, False],
                                                                         [False, False, True]]


def test_item_dict_matches_notebook(tmp_path):
    write_example(tmp_path)
    ds = LMShardDataset(str(tmp_path))
    item = ds[1]
    as_list = {k: np.asarray(v).tolist() for k, v in item.items()}
    # Stored ids [9, 10, 11, 0], positions [0, 1, 2, 0], mask [1, 1, 1, 0].
    assert as_list["tokens"] == [9, 10, 11]       # ids[:-1]
    assert as_list["labels"] == [10, 11, 0]       # ids[1:]
    assert as_list["loss_mask"] == [True, True, False]  # mask[1:]
    assert as_list["position_ids"] == [0, 1, 2]   # positions[:-1]
    assert np.asarray(item["attention_mask"]).shape == (3, 3)
    assert set(item) == {"tokens", "labels", "loss_mask", "position_ids", "attention_mask"}
    assert ds[-1]["tokens"].tolist() == item["tokens"].tolist()


def test_collate_stacks(tmp_path):
    write_random(tmp_path, shards=((8, 17),), seq_len=17)
    ds = LMShardDataset(str(tmp_path))
    batch = collate_lm([ds[i] for i in range(8)])
    assert batch["tokens"].shape == (8, 16)
    assert batch["labels"].shape == (8, 16)
    assert batch["position_ids"].shape == (8, 16)
    assert batch["loss_mask"].shape == (8, 16)
    assert batch["attention_mask"].shape == (8, 16, 16)
    raw = ShardedDataset(str(tmp_path))
    assert np.asarray(batch["labels"][3]).tolist() == raw.sequence(3)[0][1:].tolist()


def test_fast_batch_equals_collate(tmp_path):
    write_random(tmp_path, shards=((6, 9), (3, 9)), seq_len=9)
    ds = ShardedDataset(str(tmp_path))
    idx = [8, 0, 5, 3]
    slow = collate_lm([ds.item(i) for i in idx])
    fast = ds.batch(idx, attention_mask=True)
    assert set(slow) == set(fast)
    for k in slow:
        assert np.array_equal(slow[k], fast[k]) and slow[k].dtype == fast[k].dtype, k
