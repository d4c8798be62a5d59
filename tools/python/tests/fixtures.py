"""Fixture datasets written by the minimal Python writer (lmshard.writer)."""
import numpy as np

from lmshard.writer import write_manifest, write_shard

# The worked example of FORMAT.md section 9.
EXAMPLE_ROWS = [
    ([5, 6, 7, 8], [0, 1, 0, 1], [0, 1, 1, 1]),
    ([9, 10, 11, 0], [0, 1, 2, 0], [1, 1, 1, 0]),
]
# XXH3-64 of the files the Swift ShardWriter wrote for that example (FORMAT.md).
EXAMPLE_HASHES = {"bin": "a9fa14a07e7d8680", "idx": "dbce01693ae2f008", "pos": "107de1b7a65ce211",
                  "mask": "1da942cb6ad22a85", "sum": "8b15e6be5c2e0066"}


def write_example(directory):
    shard = write_shard(str(directory), "shard-00000", EXAMPLE_ROWS, vocab_size=100, seq_len=4, block_size=64)
    return write_manifest(str(directory), [shard], vocab_size=100, seq_len=4,
                          config={"seq_len": 4, "strategy": "no_incomplete"}, tokenizer_name="example",
                          tokenizer_sha256="0" * 64, eos_id=0, pad_id=0, block_size=64)


def random_rows(count, length, vocab, seed):
    """Packed rows: documents of random length whose positions restart at 0."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        ids = rng.integers(0, vocab, length)
        pos, p = [], 0
        for _ in range(length):
            if rng.random() < 0.2:
                p = 0
            pos.append(p)
            p += 1
        rows.append((ids, pos, rng.random(length) < 0.7))
    return rows


def write_random(directory, shards=((7, 16), (0, 16), (5, 16)), vocab=1000, seq_len=16, block_size=64, seed=0):
    entries, rows_all = [], []
    for k, (count, length) in enumerate(shards):
        rows = random_rows(count, length, vocab, seed + k)
        rows_all += rows
        entries.append(write_shard(str(directory), f"shard-{k}", rows, vocab, seq_len, block_size))
    write_manifest(str(directory), entries, vocab, seq_len, {"seq_len": seq_len}, "test", "ab" * 32, 0, 1, block_size)
    return rows_all


def reseal(directory, name="shard-00000"):
    """Recomputes ``name``'s ``.sum`` and the manifest's sizes and hashes from the files as
    they are now: damage that keeps every checksum valid, which only structural checks can find."""
    import json
    import os

    from lmshard.writer import file_entries, sum_file

    directory = str(directory)
    mpath = os.path.join(directory, "manifest.json")
    m = json.loads(open(mpath, "rb").read())
    data = {p: open(os.path.join(directory, f"{name}.{p}"), "rb").read() for p in ("bin", "idx", "pos", "mask")}
    data["sum"] = sum_file(data, m["checksum"]["block_size"])
    with open(os.path.join(directory, f"{name}.sum"), "wb") as f:
        f.write(data["sum"])
    next(s for s in m["shards"] if s["name"] == name)["files"] = file_entries(data)
    m["totals"]["bytes"] = sum(f["size"] for s in m["shards"] for f in s["files"].values())
    with open(mpath, "w") as f:
        json.dump(m, f, indent=2)
