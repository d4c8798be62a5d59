import os

from fixtures import reseal, write_example, write_random
from lmshard import verify


def test_clean_dataset_verifies(tmp_path):
    write_random(tmp_path)
    assert verify(str(tmp_path)) == []
    assert verify(str(tmp_path), fraction=0.5, seed=3) == []


def test_every_byte_flip_is_found_in_its_block(tmp_path):
    write_example(tmp_path)  # block size 64
    for part in ("bin", "idx", "pos", "mask", "sum"):
        path = tmp_path / f"shard-00000.{part}"
        original = path.read_bytes()
        for i in range(len(original)):
            bad = bytearray(original)
            bad[i] ^= 0xFF
            path.write_bytes(bytes(bad))
            damage = verify(str(tmp_path))
            assert len(damage) == 1, (part, i)
            assert damage[0].file == part
            if part != "sum":
                assert damage[0].block == i // 64
        path.write_bytes(original)
    assert verify(str(tmp_path)) == []


def test_truncated_and_missing_files_are_reported(tmp_path):
    write_example(tmp_path)
    path = tmp_path / "shard-00000.pos"
    data = path.read_bytes()
    path.write_bytes(data[:10])
    assert [(d.file, d.kind) for d in verify(str(tmp_path))] == [("pos", "size")]
    path.write_bytes(data)
    os.remove(tmp_path / "shard-00000.sum")
    assert [(d.file, d.kind) for d in verify(str(tmp_path))] == [("sum", "missing")]


def test_manifest_vocab_and_block_size_are_cross_checked(tmp_path):
    import json
    write_example(tmp_path)  # ids up to 11, block size 64
    path = tmp_path / "manifest.json"
    good = json.loads(path.read_text())
    bad = dict(good, vocab_size=11)
    path.write_text(json.dumps(bad))
    assert [(d.file, d.kind) for d in verify(str(tmp_path))] == [("bin", "vocabulary")]
    bad = dict(good, checksum={"algorithm": "xxh3-64", "block_size": 65})
    path.write_text(json.dumps(bad))
    assert [(d.file, d.kind) for d in verify(str(tmp_path))] == [("sum", "unreadable")]


def test_structural_damage_with_valid_checksums_is_found(tmp_path):
    # The .idx version byte changed and every checksum recomputed: the hashes all
    # match, but no reader opens it, so verify must not say "ok".
    write_example(tmp_path)
    idx = tmp_path / "shard-00000.idx"
    data = bytearray(idx.read_bytes())
    data[9] = 2
    idx.write_bytes(bytes(data))
    reseal(tmp_path)
    damage = verify(str(tmp_path))
    assert [(d.file, d.kind) for d in damage] == [("idx", "structure")]
    assert "@9: unsupported version 2" in damage[0].detail
    # The same for a plane header (reserved byte) and a document index.
    write_example(tmp_path)
    pos = tmp_path / "shard-00000.pos"
    data = bytearray(pos.read_bytes())
    data[14] = 1
    pos.write_bytes(bytes(data))
    reseal(tmp_path)
    assert [(d.file, d.kind) for d in verify(str(tmp_path))] == [("pos", "structure")]


def test_negative_int32_ids_are_outside_the_vocabulary(tmp_path):
    import numpy as np

    from lmshard.writer import write_manifest, write_shard
    # vocab 100,000 > 65536 so ids are int32; -5 is stored as 0xFFFFFFFB.
    rows = [([1, 2, -5, 3], [0, 1, 2, 3], [1, 1, 1, 1])]
    shard = write_shard(str(tmp_path), "s", rows, vocab_size=100_000, seq_len=4)
    write_manifest(str(tmp_path), [shard], 100_000, 4, {}, "t", "0" * 64)
    damage = verify(str(tmp_path))
    assert [(d.file, d.kind) for d in damage] == [("bin", "vocabulary")]
    assert "token id -5 not in 0..<100000" in damage[0].detail
    assert np.frombuffer((tmp_path / "s.bin").read_bytes(), "<i4").tolist() == [1, 2, -5, 3]


def test_verify_without_xxhash_names_the_extra(tmp_path):
    import subprocess
    import sys
    write_example(tmp_path)
    code = ("import sys; sys.modules['xxhash'] = None\n"
            "import lmshard\n"
            f"ds = lmshard.ShardedDataset({str(tmp_path)!r}); assert ds.item(1)['tokens'].tolist() == [9, 10, 11]\n"
            "try:\n"
            f"    lmshard.verify({str(tmp_path)!r})\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'lmshard[xxhash]'" in out


def test_sequences_longer_than_seq_len_are_refused(tmp_path):
    # Checksums all valid, but a row of 4 tokens in a dataset whose seq_len is 3:
    # readers refuse to open it (FORMAT.md section 7), so verify reports structure.
    import pytest

    from lmshard import LMShardDataset
    from lmshard.errors import ShardError
    from lmshard.writer import write_manifest, write_shard
    rows = [([1, 2, 3], [0, 1, 2], [1, 1, 1]), ([4, 5, 6, 7], [0, 1, 2, 0], [1, 1, 1, 1])]
    shard = write_shard(str(tmp_path), "s", rows, vocab_size=100, seq_len=3)
    write_manifest(str(tmp_path), [shard], 100, 3, {}, "t", "0" * 64)
    damage = verify(str(tmp_path))
    assert [(d.file, d.kind) for d in damage] == [("idx", "structure")]
    assert "sequence 1 has length 4, longer than the manifest's seq_len 3" in damage[0].detail
    assert "@38" in damage[0].detail  # the length field of sequence 1: 34 + 4 * 1
    with pytest.raises(ShardError, match="longer than the manifest's seq_len 3"):
        LMShardDataset(str(tmp_path))


def test_positions_at_or_past_seq_len_are_found(tmp_path):
    from lmshard.writer import write_manifest, write_shard
    rows = [([1, 2, 3], [0, 1, 2], [1, 1, 1]), ([4, 5, 6], [0, 7, 9], [1, 1, 1])]
    shard = write_shard(str(tmp_path), "s", rows, vocab_size=100, seq_len=4)
    write_manifest(str(tmp_path), [shard], 100, 4, {}, "t", "0" * 64)
    damage = verify(str(tmp_path))
    assert [(d.file, d.kind) for d in damage] == [("pos", "position")]
    # The first bad position is element 4 of the plane: byte 32 + 2 * 4.
    assert damage[0].detail == "position 7 at byte 40 not < seq_len 4 (2 such)"
    # Sampled verification checks checksums only (section 8), as in Swift.
    assert verify(str(tmp_path), fraction=1.0) == []
