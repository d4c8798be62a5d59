"""Reader throughput: lmshard readers vs a plain numpy memmap of the same tokens, same run.

Builds (or reuses) a dataset of rows of seq_len + 1 tokens with the FORMAT.md
writer, then times batches of ``bs x seq_len`` items, sequential and shuffled:

* baseline: ``np.memmap`` of the ``.bin`` as a [rows, seq_len + 1] matrix, a
  batch = fancy-indexed rows -> tokens/labels slices (the least work possible);
* python: ``lmshard_reader`` items (validated maps, the notebook's item dict
  without the [n, n] mask) stacked by ``collate_lm``;
* swift (when ``--lmshard-bin`` or ``$LMSHARD_BIN`` is given): runs
  ``lmshard bench-reader DIR --batch-size BS --batches K [--shuffle]`` which must
  print one JSON line ``{"tokens_per_s": .., "batches_per_s": ..}``.

Results are printed as ratios against the baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from lmshard_reader import BatchSampler, ShardedDataset, collate_lm  # noqa: E402
from lmshard_reader.writer import write_manifest, write_shard  # noqa: E402


def build(directory: str, rows: int, seq_len: int, vocab: int, shards: int) -> None:
    if os.path.exists(os.path.join(directory, "manifest.json")):
        return
    rng = np.random.default_rng(0)
    entries = []
    per = rows // shards
    for k in range(shards):
        ids = rng.integers(0, vocab, (per, seq_len + 1))
        pos = np.tile(np.arange(seq_len + 1) % 300, (per, 1))  # documents of 300 tokens
        mask = rng.random((per, seq_len + 1)) < 0.9
        entries.append(write_shard(directory, f"shard-{k:05d}", list(zip(ids, pos, mask)), vocab, seq_len + 1))
    write_manifest(directory, entries, vocab, seq_len + 1, {"bench": True}, "bench", "0" * 64, 0, 0)


def timed(fn, batches):
    start = time.perf_counter()
    for b in batches:
        fn(b)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "lmshard-bench-reader"))
    ap.add_argument("--rows", type=int, default=16384)
    ap.add_argument("--seq-len", type=int, default=1024)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--batches", type=int, default=1000)
    ap.add_argument("--lmshard-bin", default=os.environ.get("LMSHARD_BIN"))
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    build(args.dir, args.rows, args.seq_len, args.vocab, args.shards)

    ds = ShardedDataset(args.dir)
    row = args.seq_len + 1
    # Baseline: the same token bytes as one matrix per shard (all shards equal-sized here).
    mats = [np.memmap(os.path.join(args.dir, f"{s['name']}.bin"), dtype=np.uint16, mode="r").reshape(-1, row)
            for s in ds.manifest["shards"]]
    per = mats[0].shape[0]

    def baseline(indices):
        rows = np.stack([mats[i // per][i % per] for i in indices]).astype(np.int64)
        return rows[:, :-1], rows[:, 1:]

    def python_items(indices):
        return collate_lm([ds.item(i, attention_mask=False) for i in indices])

    def python_batch(indices):
        return ds.batch(indices)

    tokens_per_batch = args.batch_size * args.seq_len
    for shuffle in (False, True):
        sampler = BatchSampler(len(ds), args.batch_size, shuffle=shuffle, seed=1234)
        batches = (sampler.batches(0) * (args.batches // max(1, sampler.batches_per_epoch()) + 1))[:args.batches]
        timed(baseline, batches[:50])  # warm the page cache
        tb = timed(baseline, batches)
        tp = timed(python_items, batches)
        tq = timed(python_batch, batches)
        label = "shuffled" if shuffle else "sequential"
        print(f"[{label}] bs {args.batch_size} x {args.seq_len}, {len(batches)} batches")
        print(f"  {'numpy memmap baseline':<23}: {len(batches) / tb:10.1f} batches/s {len(batches) * tokens_per_batch / tb:14.0f} tokens/s")
        for name, t in (("py items+collate_lm", tp), ("py ShardedDataset.batch", tq)):
            print(f"  {name:<23}: {len(batches) / t:10.1f} batches/s {len(batches) * tokens_per_batch / t:14.0f} tokens/s"
                  f"  ratio {tb / t:5.2f}x baseline")
        cmd = None
        if args.lmshard_bin:
            cmd = [args.lmshard_bin, "bench-reader", args.dir, "--batch-size", str(args.batch_size),
                   "--batches", str(len(batches))] + (["--shuffle"] if shuffle else [])
        if cmd:
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            bps = json.loads(out)["batches_per_s"]
            print(f"  {'lmshard (swift)':<23}: {bps:10.1f} batches/s {bps * tokens_per_batch:14.0f} tokens/s"
                  f"  ratio {bps / (len(batches) / tb):5.2f}x baseline")


if __name__ == "__main__":
    main()
