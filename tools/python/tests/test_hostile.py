"""Hostile manifests and shard paths: always the package's ShardError naming the file, never
another exception, a hang or an unbounded read."""
import json
import os
import threading

import pytest

from fixtures import write_example
from lmshard import LMShardDataset, ShardedDataset, ShardError, read_manifest, verify


def _manifest(tmp_path):
    write_example(tmp_path)
    path = tmp_path / "manifest.json"
    return path, json.loads(path.read_text())


def _expect(tmp_path, match, opener=read_manifest):
    with pytest.raises(ShardError, match=match) as e:
        opener(str(tmp_path))
    assert str(tmp_path) in e.value.file
    return e.value


def test_deep_nesting_is_a_shard_error(tmp_path):
    path, good = _manifest(tmp_path)
    for depth in (1000, 100_000):
        path.write_text('{"config": ' + "[" * depth + "]" * depth + "}")
        _expect(tmp_path, "manifest.json")


def test_manifest_that_is_a_directory(tmp_path):
    path, _ = _manifest(tmp_path)
    os.remove(path)
    os.mkdir(path)
    _expect(tmp_path, "not a regular file \\(a directory\\)")


def test_symlink_loop(tmp_path):
    path, _ = _manifest(tmp_path)
    os.remove(path)
    os.symlink("manifest.json", path)  # points at itself
    _expect(tmp_path, "symlink loop")


def test_dev_zero_is_refused_without_reading(tmp_path):
    path, _ = _manifest(tmp_path)
    os.remove(path)
    os.symlink("/dev/zero", path)
    _expect(tmp_path, "not a regular file \\(a device\\)")


def test_oversized_manifest_is_refused_before_reading(tmp_path, monkeypatch):
    import lmshard.dataset
    import lmshard.manifest
    path, good = _manifest(tmp_path)
    monkeypatch.setattr(lmshard.manifest, "MAX_MANIFEST_BYTES", 100)
    monkeypatch.setattr(lmshard.dataset, "MAX_MANIFEST_BYTES", 100)
    _expect(tmp_path, "larger than the 100-byte limit")
    _expect(tmp_path, "larger than the 100-byte limit", ShardedDataset)


def test_fifo_does_not_hang(tmp_path):
    path, _ = _manifest(tmp_path)
    os.remove(path)
    os.mkfifo(path)
    result = {}

    def run():
        try:
            read_manifest(str(tmp_path))
        except ShardError as e:
            result["error"] = e
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "reading a FIFO manifest hung"
    assert "not a regular file (a FIFO)" in str(result["error"])


def test_fifo_shard_file_does_not_hang(tmp_path):
    write_example(tmp_path)
    bin_ = tmp_path / "shard-00000.bin"
    os.remove(bin_)
    os.mkfifo(bin_)
    _expect(tmp_path, "a FIFO", ShardedDataset)
    damage = verify(str(tmp_path))
    assert [(d.file, d.kind) for d in damage] == [("bin", "unreadable")]


def test_nul_in_a_shard_name(tmp_path):
    path, good = _manifest(tmp_path)
    good["shards"][0]["name"] = "shard\x00-00000"
    path.write_text(json.dumps(good))
    e = _expect(tmp_path, "shards\\[0\\].name: must be a plain, non-hidden file stem")
    assert e.file == str(path)


@pytest.mark.parametrize("field,value", [
    ("format_version", True), ("vocab_size", True), ("seq_len", 4.0), ("eos_id", False),
    ("totals", {"shards": True, "sequences": 2, "tokens": 8, "bytes": 378}),
    ("totals", {"shards": 1, "sequences": 2.0, "tokens": 8, "bytes": 378}),
    ("checksum", {"algorithm": "xxh3-64", "block_size": True}),
    ("tokenizer", {"name": 7, "sha256": "0" * 64}),
    ("shards", {}),
])
def test_type_confusion(tmp_path, field, value):
    path, good = _manifest(tmp_path)
    good[field] = value
    path.write_text(json.dumps(good))
    _expect(tmp_path, field)


def test_shard_counts_and_sizes_of_the_wrong_type(tmp_path):
    path, good = _manifest(tmp_path)
    for key, value in (("sequences", True), ("tokens", "8")):
        bad = json.loads(json.dumps(good))
        bad["shards"][0][key] = value
        path.write_text(json.dumps(bad))
        _expect(tmp_path, f"shards\\[0\\].{key}")
    bad = json.loads(json.dumps(good))
    bad["shards"][0]["files"]["sum"]["size"] = 192.0
    path.write_text(json.dumps(bad))
    _expect(tmp_path, "shards\\[0\\].files.sum.size")


def test_garbage_bytes(tmp_path):
    path, _ = _manifest(tmp_path)
    for raw, match in ((b"\xff\xfe{}", "invalid UTF-8"), (b"", "invalid JSON"), (b"[1, 2", "invalid JSON"),
                       (b"1" * 5000, "invalid JSON"), (b"null", "expected an object")):
        path.write_bytes(raw)
        _expect(tmp_path, match)
        _expect(tmp_path, match, LMShardDataset)


def test_shard_file_that_is_a_directory_or_dangling(tmp_path):
    write_example(tmp_path)
    idx = tmp_path / "shard-00000.idx"
    os.remove(idx)
    os.mkdir(idx)
    _expect(tmp_path, "a directory", ShardedDataset)
    os.rmdir(idx)
    os.symlink("nowhere", idx)
    _expect(tmp_path, "missing", ShardedDataset)


def test_shard_error_survives_pickling():
    # DataLoader workers send exceptions to the main process by pickling them.
    import pickle
    e = pickle.loads(pickle.dumps(ShardError("/d/s.idx", 9, "unsupported version 2")))
    assert (e.file, e.offset, e.reason, str(e)) == ("/d/s.idx", 9, "unsupported version 2", "/d/s.idx@9: unsupported version 2")
