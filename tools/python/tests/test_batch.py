"""The fast batch path against the notebook's item-by-item collation, and the attention
structure of a batch: batch-level cu_seqlens, fold_padding, the lazy block mask."""
import numpy as np
import pytest

from fixtures import write_example, write_random
from lmshard import BlockCausalMask, LMShardDataset, ShardedDataset, collate_lm, cu_seqlens, segment_ids
from lmshard.writer import write_manifest, write_shard

# An SFT-like row: a 3-token document, then padding (position 0, loss mask 0), and a row
# ending in a one-token document that has loss (it must stay its own segment).
PADDED = [([1, 2, 3, 0, 0, 0], [0, 1, 2, 0, 0, 0], [0, 1, 1, 0, 0, 0]),
          ([4, 5, 6, 7, 8, 9], [0, 1, 0, 1, 2, 0], [1, 1, 1, 1, 1, 1])]


def _dataset(tmp_path, rows, vocab=100, seq_len=None):
    seq_len = seq_len or max(len(r[0]) for r in rows)
    shard = write_shard(str(tmp_path), "s", rows, vocab, seq_len)
    write_manifest(str(tmp_path), [shard], vocab, seq_len, {}, "t", "0" * 64)
    return ShardedDataset(str(tmp_path))


def _same(fast, slow):
    assert set(fast) == set(slow)
    for k in slow:
        assert np.array_equal(fast[k], slow[k]), k
        assert fast[k].dtype == slow[k].dtype, k


def test_batch_equals_collated_items_through_the_row_regions(tmp_path):
    write_random(tmp_path, shards=((6, 17), (0, 17), (5, 17), (9, 17)), seq_len=17)
    ds = ShardedDataset(str(tmp_path))
    assert ds.row_regions() is not None  # 17-token rows: every plane's stride can be page-aligned
    for idx in ([0], [19, 0, 11, 5, 6, 10], list(range(20)), [3, 3, 3]):
        _same(ds.batch(idx, attention_mask=True), collate_lm([ds.item(i) for i in idx]))
    assert ds.batch([4, 2], dtype=np.int64)["labels"].tolist() == [ds.sequence(4)[0][1:].tolist(),
                                                                   ds.sequence(2)[0][1:].tolist()]
    with pytest.raises(IndexError):
        ds.batch([0, 20])
    with pytest.raises(IndexError):
        ds.batch([-1])
    with pytest.raises(IndexError):  # far outside: must not reach the unmapped gaps between shards
        ds.batch([-(1 << 62) + 5, 1 << 62])


def test_batch_with_planes_that_have_no_row_region(tmp_path):
    # 1024-token rows: a 2048-byte position row (1024-byte mask row) can never start 32 bytes
    # into a page-aligned map, so those planes are copied row by row; tokens still use a region.
    write_random(tmp_path, shards=((3, 1024), (2, 1024)), seq_len=1024)
    ds = ShardedDataset(str(tmp_path))
    regions, _ = ds.row_regions()
    assert regions[0] is not None and regions[1] is None and regions[2] is None
    idx = [4, 0, 2]
    _same(ds.batch(idx), collate_lm([ds.item(i, attention_mask=False) for i in idx]))


def test_rows_of_unequal_length(tmp_path):
    ds = _dataset(tmp_path, [([1, 2, 3], [0, 1, 2], [1, 1, 1]), ([4, 5], [0, 1], [1, 1]), ([6, 7, 8], [0, 0, 1], [1, 1, 1])])
    assert ds.row_length is None and ds.row_regions() is None
    _same(ds.batch([2, 0]), collate_lm([ds.item(i, attention_mask=False) for i in [2, 0]]))
    with pytest.raises(ValueError, match="differ in length"):
        ds.batch([0, 1])


def test_batch_cu_seqlens_hand_worked(tmp_path):
    write_example(tmp_path)  # items: positions [0, 1, 0] and [0, 1, 2]
    b = ShardedDataset(str(tmp_path)).batch([0, 1], cu_seqlens=True)
    # Flattened [0, 1, 0 | 0, 1, 2]: segments start at 0, 2 and 3 (every row start is one).
    assert b["cu_seqlens"].tolist() == [0, 2, 3, 6] and b["cu_seqlens"].dtype == np.int32
    assert b["max_seqlen"] == 3


def test_fold_padding_hand_worked(tmp_path):
    ds = _dataset(tmp_path, PADDED)
    # Items: positions [0, 1, 2, 0, 0] loss [1, 1, 0, 0, 0]; positions [0, 1, 0, 1, 2] loss [1, 1, 1, 1, 1].
    plain = ds.batch([0, 1], cu_seqlens=True)
    assert plain["cu_seqlens"].tolist() == [0, 3, 4, 5, 7, 10] and plain["max_seqlen"] == 3
    folded = ds.batch([0, 1], cu_seqlens=True, fold_padding=True)
    assert folded["cu_seqlens"].tolist() == [0, 3, 5, 7, 10]  # the two pads are one segment
    assert segment_ids([0, 1, 2, 0, 0], [1, 1, 0, 0, 0], fold_padding=True).tolist() == [0, 0, 0, 1, 1]
    assert segment_ids([0, 1, 2, 0, 0]).tolist() == [0, 0, 0, 1, 2]
    # A trailing position-0 token that has loss is a real one-token document: not folded.
    assert cu_seqlens([0, 1, 0, 0], [1, 1, 1, 0], fold_padding=True)[0].tolist() == [0, 2, 3, 4]
    with pytest.raises(ValueError, match="needs the loss mask"):
        cu_seqlens([0, 1], fold_padding=True)


def test_lazy_mask_is_the_dense_mask(tmp_path):
    ds = _dataset(tmp_path, PADDED)
    for fold in (False, True):
        dense = ds.batch([0, 1], attention_mask=True, fold_padding=fold)["attention_mask"]
        lazy = ds.batch([0, 1], attention_mask="lazy", fold_padding=fold)["attention_mask"]
        assert isinstance(lazy, BlockCausalMask) and lazy.shape == dense.shape == (2, 5, 5)
        assert np.array_equal(np.asarray(lazy), dense) and np.array_equal(lazy[1], dense[1])
    # Row 0 by hand: a 3-token document, then two pads that (folded) see each other.
    folded = ds.batch([0], attention_mask=True, fold_padding=True)["attention_mask"][0].astype(int).tolist()
    assert folded == [[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 1]]


@pytest.mark.filterwarnings("ignore:flex_attention called without torch.compile")
def test_attention_with_torch_equals_per_document_attention(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed: SDPA/FlexAttention checks skipped")
    import torch.nn.functional as F
    write_random(tmp_path, shards=((4, 33),), seq_len=33, seed=4)
    ds = LMShardDataset(str(tmp_path), attention_mask="lazy", cu_seqlens=True)
    batch = ds.__getitems__([0, 1, 2, 3])
    bs, n = batch["tokens"].shape
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(bs, 2, n, 8, generator=g, dtype=torch.float64) for _ in range(3))
    dense = torch.from_numpy(batch["attention_mask"].dense())[:, None]
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=dense)
    # Reference: each document on its own with plain causal attention.
    cu = batch["cu_seqlens"].tolist()
    flat = [t.transpose(1, 2).reshape(bs * n, 2, 8) for t in (q, k, v)]
    want = torch.empty_like(flat[0])
    for a, b in zip(cu, cu[1:]):
        qq, kk, vv = (t[a:b].transpose(0, 1)[None] for t in flat)
        want[a:b] = F.scaled_dot_product_attention(qq, kk, vv, is_causal=True)[0].transpose(0, 1)
    got = out.transpose(1, 2).reshape(bs * n, 2, 8)
    assert torch.allclose(got, want, atol=1e-10)
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    except ImportError:
        return
    mask = create_block_mask(batch["attention_mask"].mask_mod(), bs, None, n, n, device="cpu")
    flex = flex_attention(q.float(), k.float(), v.float(), block_mask=mask)
    assert torch.allclose(flex, out.float(), atol=1e-5)


def test_fold_padding_changes_no_output_that_has_loss(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed: fold_padding SDPA check skipped")
    import torch.nn.functional as F
    ds = _dataset(tmp_path, PADDED)
    plain = ds.batch([0, 1], attention_mask=True)
    folded = ds.batch([0, 1], attention_mask=True, fold_padding=True)
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(2, 1, 5, 4, generator=g, dtype=torch.float64) for _ in range(3))
    a = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(plain["attention_mask"])[:, None])
    b = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(folded["attention_mask"])[:, None])
    loss = torch.from_numpy(plain["loss_mask"])[:, None, :, None].expand_as(a)
    assert torch.equal(a[loss], b[loss])
    assert not torch.equal(a, b)  # the pads themselves do attend differently


def test_a_shard_file_changed_before_the_first_batch_is_an_error(tmp_path):
    from lmshard import ShardError
    write_random(tmp_path, shards=((6, 17), (5, 17)), seq_len=17)
    ds = ShardedDataset(str(tmp_path))  # validated; the row regions are mapped on the first batch
    pos = tmp_path / "shard-1.pos"
    pos.write_bytes(pos.read_bytes()[:-17])  # replaced by a shorter file
    for _ in range(2):  # and again: never a fallback that reads the changed file
        with pytest.raises(ShardError, match="changed since the dataset was opened"):
            ds.batch([0, 7])


def test_dataloader_gathers_whole_batches(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed: DataLoader batch-path test skipped")
    from torch.utils.data import DataLoader

    from lmshard import BatchSampler
    write_random(tmp_path, shards=((6, 17), (5, 17)), seq_len=17)

    class Spy(LMShardDataset):
        calls = []

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return super().__getitems__(indices)

        def __getitem__(self, i):
            raise AssertionError("the DataLoader fell back to one item at a time")

    ds = Spy(str(tmp_path), attention_mask="lazy", cu_seqlens=True)
    sampler = BatchSampler(len(ds), 4, seed=2)
    batches = list(DataLoader(ds, batch_sampler=sampler, collate_fn=collate_lm))
    assert Spy.calls == sampler.batches(0) and len(batches) == 2
    b = batches[0]
    assert b["tokens"].dtype == torch.int64 and b["loss_mask"].dtype == torch.bool
    assert isinstance(b["attention_mask"], BlockCausalMask) and b["cu_seqlens"][-1] == 4 * 16
