import json
import os

import numpy as np
import pytest
import xxhash

from fixtures import EXAMPLE_HASHES, write_example, write_random
from lmshard import ShardedDataset, ShardError, read_manifest


def test_python_writer_matches_swift_bytes(tmp_path):
    # The Python writer follows FORMAT.md; its files must hash exactly like the Swift writer's.
    m = write_example(tmp_path)
    for part, want in EXAMPLE_HASHES.items():
        data = (tmp_path / f"shard-00000.{part}").read_bytes()
        assert f"{xxhash.xxh3_64_intdigest(data):016x}" == want, part
        assert m["shards"][0]["files"][part]["xxh3"] == want
    # The manifest too: Swift writes JSON exactly as json.dumps(indent=2) + newline.
    assert f"{xxhash.xxh3_64_intdigest((tmp_path / 'manifest.json').read_bytes()):016x}" == "5669ca2783c737c3"
    # FORMAT.md's byte-level reading of the .idx: N = 2, lengths 4 and 4, pointers 0 and 8.
    idx = (tmp_path / "shard-00000.idx").read_bytes()
    assert idx[:9] == b"MMIDIDX\x00\x00" and idx[17] == 8 and len(idx) == 82
    assert np.frombuffer(idx, "<i8", 2, 42).tolist() == [0, 8]


def test_round_trip_random(tmp_path):
    rows = write_random(tmp_path)
    ds = ShardedDataset(str(tmp_path))
    assert len(ds) == 12
    for i, (ids, pos, mask) in enumerate(rows):
        t, p, m = ds.sequence(i)
        assert t.tolist() == list(ids) and p.tolist() == list(pos) and (m != 0).tolist() == list(mask)
    assert ds.locate(7) == (2, 0)  # shard 1 is empty
    with pytest.raises(IndexError):
        ds.sequence(12)


def test_int32_tokens_and_uint32_positions(tmp_path):
    rows = write_random(tmp_path, shards=((3, 8),), vocab=100_000, seq_len=70_000)
    ds = ShardedDataset(str(tmp_path))
    assert ds.shards[0].token_dtype == np.dtype("<i4") and ds.shards[0].position_dtype == np.dtype("<u4")
    assert ds.sequence(2)[0].tolist() == list(rows[2][0])


def test_manifest_is_strict(tmp_path):
    write_example(tmp_path)
    path = tmp_path / "manifest.json"
    good = json.loads(path.read_text())
    cases = [("format", "other"), ("format_version", 2), ("token_dtype", "int32"), ("vocab_size", 100_000),
             ("eos_id", 500), ("seq_len", "4"), ("surprise", 1)]
    for key, value in cases:
        bad = dict(good)
        bad[key] = value
        path.write_text(json.dumps(bad))
        with pytest.raises(ShardError):
            read_manifest(str(tmp_path))
    bad = dict(good)
    del bad["seq_len"]
    path.write_text(json.dumps(bad))
    with pytest.raises(ShardError, match="seq_len: missing"):
        read_manifest(str(tmp_path))
    path.write_text(json.dumps(good)[:40])
    with pytest.raises(ShardError, match="invalid JSON"):
        read_manifest(str(tmp_path))


def test_truncation_and_header_flips_are_typed_errors(tmp_path):
    write_example(tmp_path)
    for part in ("bin", "idx", "pos", "mask"):
        path = tmp_path / f"shard-00000.{part}"
        original = path.read_bytes()
        for cut in sorted({0, 1, 8, 17, 33, len(original) // 2, len(original) - 1}):
            if cut >= len(original):
                continue
            path.write_bytes(original[:cut])
            with pytest.raises(ShardError):
                ShardedDataset(str(tmp_path))
        path.write_bytes(original)
    # Every .idx byte is structural: flipping any one fails validation.
    path = tmp_path / "shard-00000.idx"
    original = path.read_bytes()
    for i in range(len(original)):
        bad = bytearray(original)
        bad[i] ^= 0xFF
        path.write_bytes(bytes(bad))
        with pytest.raises(ShardError):
            ShardedDataset(str(tmp_path))
    path.write_bytes(original)
    os.remove(tmp_path / "shard-00000.mask")
    with pytest.raises(ShardError, match="missing"):
        ShardedDataset(str(tmp_path))


def test_int64_pointers_over_sparse_files(tmp_path):
    # Same hand-built shard as the Swift HandBuiltIndexTests: int32 sequences of 2^30, 2^30 and 3
    # tokens, so the third byte pointer is 2^33. Data files are sparse (truncate allocates nothing).
    import struct

    from lmshard import Shard

    lengths = [1 << 30, 1 << 30, 3]
    total = sum(lengths)
    pointers = [0, 1 << 32, 1 << 33]
    idx = (b"MMIDIDX\x00\x00" + struct.pack("<QBQQ", 1, 4, 3, 4) + struct.pack("<3i", *lengths)
           + struct.pack("<3q", *pointers) + struct.pack("<4q", 0, 1, 2, 3))
    (tmp_path / "big.idx").write_bytes(idx)

    def sparse(name, header, size, offset, payload):
        with open(tmp_path / name, "wb") as f:
            f.write(header)
            f.truncate(size)
            f.seek(offset)
            f.write(payload)

    plane = lambda magic, code: magic + struct.pack("<IB3xQQ", 1, code, total, 3)  # noqa: E731
    sparse("big.bin", b"", total * 4, 1 << 33, struct.pack("<3i", 7, 8, 9))
    sparse("big.pos", plane(b"LMSHPOS\x00", 32), 32 + total * 4, 32 + (1 << 33), struct.pack("<3I", 0, 1, 0))
    sparse("big.mask", plane(b"LMSHMSK\x00", 8), 32 + total, 32 + (1 << 31), bytes([1, 0, 1]))
    shard = Shard(str(tmp_path), "big")
    ids, pos, mask = shard.sequence(2)
    assert ids.tolist() == [7, 8, 9] and pos.tolist() == [0, 1, 0] and mask.tolist() == [1, 0, 1]
