"""DataLoader workers over an lmshard dataset: pickle size, time to the first batch, worker memory.

Needs torch. For ``fork`` and ``spawn`` workers, runs ``DataLoader(LMShardDataset(dir),
batch_sampler=BatchSampler(...), collate_fn=collate_lm, num_workers=W)`` and prints the bytes one
worker receives for the dataset, the seconds from ``iter(loader)`` to the first batch, and each
worker's resident and private memory (``/proc/PID/smaps_rollup``, Linux) after ``--batches``
batches, next to the same loader over a dataset of constant tensors (what a worker costs
with no data at all: a spawn worker imports torch anew). A dataset that pickled its data would
show the data size in the pickle size and in the private-memory difference. Uses the reader
benchmark's dataset (``bench_reader.py`` writes it).
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time

try:
    import lmshard  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "src"))
from lmshard import BatchSampler, LMShardDataset, collate_lm  # noqa: E402


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident, private) MiB of process ``pid``."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                fields[parts[0].rstrip(":")] = int(parts[1])
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Rss", 0) / 1024, private / 1024


class ConstantBatches:
    """A dataset with no data: every batch is the same small tensors (the reference line)."""

    def __init__(self, count: int, n: int):
        self.count, self.n = count, n

    def __len__(self):
        return self.count

    def __getitems__(self, indices):
        import torch
        z = torch.zeros(len(indices), self.n, dtype=torch.int64)
        return {"tokens": z, "labels": z, "position_ids": z, "loss_mask": z.bool()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "lmshard-bench-reader"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--batches", type=int, default=200)
    args = ap.parse_args()
    from torch.utils.data import DataLoader

    ds = LMShardDataset(args.dir, attention_mask=False)
    data_mib = sum(f["size"] for s in ds.data.manifest["shards"] for f in s["files"].values()) / 2**20
    print(f"dataset {args.dir}: {len(ds)} rows, {data_mib:.1f} MiB of shard files; "
          f"pickled dataset {len(pickle.dumps(ds))} bytes")
    n = ds.data.row_length - 1
    for method, name, dataset in (("fork", "lmshard", ds), ("spawn", "lmshard", ds),
                                  ("spawn", "no data", ConstantBatches(len(ds), n))):
        loader = DataLoader(dataset, batch_sampler=BatchSampler(len(ds), args.batch_size, seed=1),
                            collate_fn=collate_lm, num_workers=args.workers, multiprocessing_context=method)
        start = time.perf_counter()
        it = iter(loader)
        next(it)
        first = time.perf_counter() - start
        for _ in range(args.batches - 1):
            next(it)
        mem = [memory_mib(w.pid) for w in it._workers]
        print(f"  {method:<5} {name:<7}: first batch after {first:6.2f} s; per worker after {args.batches} batches: "
              + ", ".join(f"RSS {r:6.1f} MiB (private {p:6.1f})" for r, p in mem))
        del it


if __name__ == "__main__":
    main()
