"""The .bin/.idx pair read by a small reader written from Megatron-LM's published
MMIDIDX layout (megatron/core/datasets/indexed_dataset.py: _IndexReader), not from
lmshard's code: proof that Megatron reads lmshard token planes unchanged."""
import struct

import numpy as np

from fixtures import write_example, write_random
from lmshard import ShardedDataset

_DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32, 8: np.uint16}


class MegatronMMapReader:
    def __init__(self, prefix):
        with open(prefix + ".idx", "rb") as f:
            assert f.read(9) == b"MMIDIDX\x00\x00"
            assert struct.unpack("<Q", f.read(8))[0] == 1
            self.dtype = _DTYPES[struct.unpack("<B", f.read(1))[0]]
            self.sequence_count = struct.unpack("<Q", f.read(8))[0]
            self.document_count = struct.unpack("<Q", f.read(8))[0]
            offset = f.tell()
        idx = np.memmap(prefix + ".idx", mode="r", order="C")
        self.sequence_lengths = np.frombuffer(idx, np.int32, self.sequence_count, offset)
        self.sequence_pointers = np.frombuffer(idx, np.int64, self.sequence_count, offset + self.sequence_lengths.nbytes)
        self.document_indices = np.frombuffer(idx, np.int64, self.document_count,
                                              offset + self.sequence_lengths.nbytes + self.sequence_pointers.nbytes)
        self.bin = np.memmap(prefix + ".bin", mode="r", order="C")

    def __len__(self):
        return self.sequence_count

    def __getitem__(self, i):
        return np.frombuffer(self.bin, self.dtype, int(self.sequence_lengths[i]), int(self.sequence_pointers[i]))


def test_megatron_reads_the_example(tmp_path):
    write_example(tmp_path)
    r = MegatronMMapReader(str(tmp_path / "shard-00000"))
    assert r.dtype == np.uint16 and len(r) == 2
    assert r[0].tolist() == [5, 6, 7, 8] and r[1].tolist() == [9, 10, 11, 0]
    assert r.document_indices.tolist() == [0, 1, 2]  # one document per sequence


def test_megatron_agrees_with_the_lmshard_reader(tmp_path):
    write_random(tmp_path, shards=((9, 33), (4, 33)), vocab=100_000, seq_len=33)
    ds = ShardedDataset(str(tmp_path))
    g = 0
    for k in range(2):
        r = MegatronMMapReader(str(tmp_path / f"shard-{k}"))
        assert r.dtype == np.int32
        for i in range(len(r)):
            assert r[i].tolist() == ds.sequence(g)[0].tolist()
            g += 1
    assert g == len(ds)
