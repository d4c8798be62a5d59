"""Reader throughput: lmshard readers vs a plain numpy memmap of the same tokens, same run.

Builds (or reuses) a dataset of rows of seq_len + 1 tokens with the FORMAT.md
writer, then times batches of ``bs x seq_len`` items, sequential and shuffled:

* baseline: ``np.memmap`` of the ``.bin`` as a [rows, seq_len + 1] matrix, a
  batch = fancy-indexed rows -> tokens/labels slices (the least work possible);
* python items: ``lmshard`` items (validated maps, the notebook's item dict
  without the [n, n] mask) stacked by ``collate_lm``;
* python batch: ``ShardedDataset.batch(indices, dtype=np.int64)``, the vectorised
  path ``LMShardDataset`` runs for a DataLoader batch: tokens, labels and
  positions as int64 (what embeddings and the loss take) and a bool loss mask,
  gathered with one ``np.take`` per plane across shards (``rowregion.py``);
* swift (when ``--bench-bin`` or ``$LMSHARD_BENCH_BIN`` is given): runs
  ``lmshard-bench reader DIR --batch-size BS --batches K --warmup-batches W [--shuffle]`` which must
  print one JSON line ``{"tokens_per_s": .., "batches_per_s": ..}``.

Results are printed as ratios against the baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

try:  # the installed package (pip install ./tools/python), else the source tree
    import lmshard  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "src"))
from lmshard import BatchSampler, ShardedDataset, collate_lm  # noqa: E402
from lmshard.writer import write_manifest, write_shard  # noqa: E402


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


def swift_batches_per_s(binary: str, directory: str, batch_size: int, batches: int, warmup: int,
                        shuffle: bool, memcpy: bool = False) -> float:
    """The Swift reader's figure: one run of ``lmshard-bench reader`` (the bench-only
    executable, ``swift build -c release --product lmshard-bench``)."""
    cmd = [binary, "reader", directory, "--batch-size", str(batch_size), "--batches", str(batches),
           "--warmup-batches", str(warmup)] + (["--shuffle"] if shuffle else []) + (["--memcpy"] if memcpy else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)["batches_per_s"]


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
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs per figure, each on fresh maps; numpy and Swift runs alternate")
    ap.add_argument("--bench-bin", default=os.environ.get("LMSHARD_BENCH_BIN"),
                    help="the lmshard-bench executable (swift build -c release --product lmshard-bench)")
    ap.add_argument("--no-items", dest="items", action="store_false",
                    help="skip the slow item-by-item line (items + collate_lm)")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    build(args.dir, args.rows, args.seq_len, args.vocab, args.shards)

    ds = ShardedDataset(args.dir)
    row = args.seq_len + 1
    names = [s["name"] for s in ds.manifest["shards"]]

    token_dtype = np.uint16 if args.vocab <= 65536 else np.int32  # FORMAT.md: uint16 when every id fits
    pos_itemsize = 2 if args.seq_len + 1 <= 65536 else 4  # and uint16 positions when they fit

    def fresh_baseline():
        """The same token bytes as one matrix per shard (all shards equal-sized
        here), mapped anew so its page tables start as cold as a new process's."""
        mats = [np.memmap(os.path.join(args.dir, f"{n}.bin"), dtype=token_dtype, mode="r").reshape(-1, row)
                for n in names]
        per = mats[0].shape[0]

        def baseline(indices):
            rows = np.stack([mats[i // per][i % per] for i in indices]).astype(np.int64)
            return rows[:, :-1], rows[:, 1:]
        return baseline

    def python_items(indices):
        return collate_lm([ds.item(i, attention_mask=False) for i in indices])

    def swift(shuffle, warmup, memcpy=False):
        return swift_batches_per_s(args.bench_bin, args.dir, args.batch_size, args.batches, warmup, shuffle, memcpy)

    tokens_per_batch = args.batch_size * args.seq_len

    def line(name, bps, base_bps=None):
        ratio = f"  ratio {bps / base_bps:5.2f}x baseline" if base_bps else ""
        print(f"  {name:<23}: {bps:10.1f} batches/s {bps * tokens_per_batch:14.0f} tokens/s{ratio}")

    # Both sides warm up the same way before timing, each with freshly mapped
    # files: "warm" = one whole epoch first (every page mapped, as from the
    # second epoch of training on, so what is left is copying: the memory
    # bandwidth case the target is about); "first pass" = 50 batches only, so
    # most rows are first touches and page faults are part of the time. Each
    # run maps the files anew (the Swift lines run a new process). The numpy
    # and Swift runs alternate, so each ratio compares runs a second apart:
    # on a shared machine the speed of a core drifts more than that between
    # the first and the last run.
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

        def py_batch_once():
            # A fresh open, as the baseline maps anew: new maps and row regions, same warm-up.
            fresh = ShardedDataset(args.dir)
            fn = lambda indices: fresh.batch(indices, dtype=np.int64)  # noqa: E731
            timed(fn, batches[:warmup])
            return len(batches) / timed(fn, batches)

        base, py_runs, swift_runs, copy_runs = [], [], [], []
        for _ in range(args.repeat):
            base.append(base_once())
            py_runs.append(py_batch_once())
            if args.bench_bin:
                swift_runs.append(swift(shuffle, warmup))
                copy_runs.append(swift(shuffle, warmup, memcpy=True))
        base_bps = max(base)
        label = ("shuffled" if shuffle else "sequential") + (", warm" if warm else ", first pass")
        print(f"[{label}] bs {args.batch_size} x {args.seq_len}, {len(batches)} batches after {warmup} warm-up batches,"
              f" best of {args.repeat}")
        line("numpy memmap baseline", base_bps)
        if warm and args.items:
            timed(python_items, batches[:warmup])
            line("py items+collate_lm", len(batches) / min(timed(python_items, batches) for _ in range(args.repeat)), base_bps)
        line("py batch (int64)", max(py_runs), base_bps)
        ratios = sorted(p / b for p, b in zip(py_runs, base))
        print(f"  {'':<23}  ratio per alternating run: {', '.join(f'{r:.2f}x' for r in ratios)};"
              f" median {statistics.median(ratios):.2f}x")
        if swift_runs:
            line("lmshard (swift)", max(swift_runs), base_bps)
            ratios = sorted(sw / b for sw, b in zip(swift_runs, base))
            print(f"  {'':<23}  ratio per alternating run: {', '.join(f'{r:.2f}x' for r in ratios)};"
                  f" median {statistics.median(ratios):.2f}x")
            # Bytes each line moves per batch (read from the maps + written
            # out): collation reads three planes and writes 13 bytes a token
            # (UInt32 tokens, labels, positions and a Bool mask); the memcpy
            # reference writes what it reads. Equal GB/s means collation runs
            # at the pace of the memory system, not of its own instructions.
            stored = args.batch_size * (args.seq_len + 1) * (np.dtype(token_dtype).itemsize + pos_itemsize + 1)
            moved = {"collate": stored + tokens_per_batch * 13, "memcpy": 2 * stored}
            print(f"  {'memcpy of the row bytes':<23}: {max(copy_runs):10.1f} batches/s"
                  f"  (memory-bandwidth reference: memcpy moves {max(copy_runs) * moved['memcpy'] / 1e9:.1f} GB/s,"
                  f" lmshard collation {max(swift_runs) * moved['collate'] / 1e9:.1f} GB/s)")

if __name__ == "__main__":
    main()
