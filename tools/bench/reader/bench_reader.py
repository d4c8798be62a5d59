"""Reader throughput: lmshard readers vs a plain numpy memmap of the same tokens, same run.

Builds (or reuses) a dataset of rows of seq_len + 1 tokens with the FORMAT.md
writer, then times batches of ``bs x seq_len`` items, sequential and shuffled:

* baseline: ``np.memmap`` of the ``.bin`` as a [rows, seq_len + 1] matrix, a
  batch = fancy-indexed rows -> tokens/labels slices (the least work possible);
* python: ``lmshard_reader`` items (validated maps, the notebook's item dict
  without the [n, n] mask) stacked by ``collate_lm``;
* swift (when ``--lmshard-bin`` or ``$LMSHARD_BIN`` is given): runs
  ``lmshard bench-reader DIR --batch-size BS --batches K --warmup-batches W [--shuffle]`` which must
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
    ap.add_argument("--batches", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3, help="each figure is the best of N runs, each on fresh maps")
    ap.add_argument("--lmshard-bin", default=os.environ.get("LMSHARD_BIN"))
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    build(args.dir, args.rows, args.seq_len, args.vocab, args.shards)

    ds = ShardedDataset(args.dir)
    row = args.seq_len + 1
    names = [s["name"] for s in ds.manifest["shards"]]

    def fresh_baseline():
        """The same token bytes as one matrix per shard (all shards equal-sized
        here), mapped anew so its page tables start as cold as a new process's."""
        mats = [np.memmap(os.path.join(args.dir, f"{n}.bin"), dtype=np.uint16, mode="r").reshape(-1, row)
                for n in names]
        per = mats[0].shape[0]

        def baseline(indices):
            rows = np.stack([mats[i // per][i % per] for i in indices]).astype(np.int64)
            return rows[:, :-1], rows[:, 1:]
        return baseline

    def python_items(indices):
        return collate_lm([ds.item(i, attention_mask=False) for i in indices])

    def python_batch(indices):
        return ds.batch(indices)

    def swift(shuffle, warmup):
        if not args.lmshard_bin:
            return None
        cmd = [args.lmshard_bin, "bench-reader", args.dir, "--batch-size", str(args.batch_size),
               "--batches", str(args.batches), "--warmup-batches", str(warmup)] + (["--shuffle"] if shuffle else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        return json.loads(out)["batches_per_s"]

    tokens_per_batch = args.batch_size * args.seq_len

    def line(name, bps, base_bps=None):
        ratio = f"  ratio {bps / base_bps:5.2f}x baseline" if base_bps else ""
        print(f"  {name:<23}: {bps:10.1f} batches/s {bps * tokens_per_batch:14.0f} tokens/s{ratio}")

    # Both sides warm up the same way before timing, each with freshly mapped
    # files: "warm" = one whole epoch first (every page mapped, as from the
    # second epoch of training on, so what is left is copying: the memory
    # bandwidth case the target is about); "first pass" = 50 batches only, so
    # most rows are first touches and page faults are part of the time. Each
    # repeat maps the files anew (the Swift line runs a new process).
    for shuffle, warm in ((False, True), (True, True), (True, False)):
        sampler = BatchSampler(len(ds), args.batch_size, shuffle=shuffle, seed=1234)
        epoch = sampler.batches(0)
        warmup = len(epoch) if warm else min(50, args.batches)
        batches = []
        e = 0
        while len(batches) < args.batches:
            batches += sampler.batches(e)
            e += 1
        batches = batches[:args.batches]
        def base_once():
            baseline = fresh_baseline()
            timed(baseline, batches[:warmup])
            return len(batches) / timed(baseline, batches)
        base_bps = max(base_once() for _ in range(args.repeat))
        label = ("shuffled" if shuffle else "sequential") + (", warm" if warm else ", first pass")
        print(f"[{label}] bs {args.batch_size} x {args.seq_len}, {len(batches)} batches after {warmup} warm-up batches")
        line("numpy memmap baseline", base_bps)
        if warm:
            timed(python_batch, batches[:warmup])
            line("py items+collate_lm", len(batches) / min(timed(python_items, batches) for _ in range(args.repeat)), base_bps)
            line("py ShardedDataset.batch", len(batches) / min(timed(python_batch, batches) for _ in range(args.repeat)), base_bps)
        bps = swift(shuffle, warmup) if args.lmshard_bin else None
        if bps is not None:
            bps = max([bps] + [swift(shuffle, warmup) for _ in range(args.repeat - 1)])
            line("lmshard (swift)", bps, base_bps)


if __name__ == "__main__":
    main()
