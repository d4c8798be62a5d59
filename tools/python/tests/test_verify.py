import os

from fixtures import write_example, write_random
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
