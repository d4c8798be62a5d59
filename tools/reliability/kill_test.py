#!/usr/bin/env python3
"""Kill test: SIGKILL `lmshard build` at random moments and at each named
commit point, rerun the same command, and check that nothing was lost.

Each trial starts a build of the same inputs (half of the trials with
--overwrite over an older dataset), kills it, looks at what is at the output,
reruns the identical command to completion and checks:

- right after the kill, the output is absent or the complete new dataset (or,
  with --overwrite, the old dataset intact or the new one): never missing,
  never partial;
- the rerun exits 0 and its dataset is byte-identical (every file) to an
  uninterrupted build's;
- nothing hidden is left next to the output (staging, lock, aside names);
- with --expect-reuse, a rerun after a late kill (past 60% of the fastest
  fresh build) is faster than a fresh build: finished work was reused.

Random kill times are drawn from a seeded generator (the seed is printed;
pass --seed to repeat a run). Commit steps last microseconds, so kills are
also sent at each named point (`LMSHARD_TEST_STOP_AT`, see
Sources/LMIO/KillPoint.swift): lmshard stops itself there and is killed.

    python3 tools/reliability/kill_test.py --lmshard .build/release/lmshard \\
        --trials 24 --size-mb 40
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

STOP_POINTS = ["staging.created", "publish.recorded", "publish.exchanged", "publish.done"]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def write_corpus(directory, size_mb, seed=7):
    """Deterministic code-like JSONL rows in four files, about size_mb MB."""
    rng = random.Random(seed)
    words = ["def", "return", "self", "value", "index", "for", "in", "range", "if", "else", "print",
             "import", "numpy", "as", "np", "x", "y", "z", "(", ")", ":", "+", "*", "=", "0", "1", "2"]
    os.makedirs(directory, exist_ok=True)
    target = int(size_mb * 1e6) // 4
    for f in range(4):
        with open(os.path.join(directory, f"part-{f}.jsonl"), "w") as out:
            written = 0
            while written < target:
                text = " ".join(rng.choice(words) for _ in range(rng.randint(5, 400)))
                line = json.dumps({"content": text}) + "\n"
                out.write(line)
                written += len(line)


def tree(path):
    """{relative path: sha256} of every file under path."""
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return out


class Build:
    def __init__(self, binary, corpus, output, tokenizer, workers, seq_len):
        self.base = [binary, "build", "--input", corpus, "--output", output, "--tokenizer", tokenizer,
                     "--strategy", "pretrain", "--packing", "dense", "--num-reduce-chunks", "16",
                     "--workers", str(workers), "--memory-mb", "8", "--quiet"]
        self.seq_len = seq_len

    def command(self, overwrite, seq_len=None):
        return self.base + ["--seq-len", str(seq_len or self.seq_len)] + (["--overwrite"] if overwrite else [])

    def run(self, overwrite, seq_len=None):
        start = time.monotonic()
        done = subprocess.run(self.command(overwrite, seq_len), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"uninterrupted build failed: {done.stderr}")
        return time.monotonic() - start


def phase(output):
    """Where a killed build was, read from what it left on disk."""
    parent, name = os.path.split(output)
    lock = os.path.join(parent, f".{name}.lock")
    if not os.path.exists(lock):
        return "before the lock" if not os.path.exists(os.path.join(output, "manifest.json")) else "after release"
    record = open(lock, errors="replace").read()
    if "publishing=" in record:
        return "publish"
    staging = [os.path.join(parent, e) for e in os.listdir(parent) if e.startswith(f".{name}.") and e != f".{name}.lock"]
    files = [f for s in staging for _, _, fs in os.walk(s) for f in fs]
    if any(f == "manifest.json" for f in files):
        return "manifest written"
    if any(f.startswith("shard-") for f in files):
        return "reduce (shards)"
    if any(f.endswith(".zst") for f in files):
        return "map (spills)"
    return "map (no spill yet)" if staging else "setup (lock taken)"


def damage_one_bit(output, rng):
    """Flips one random bit of one random file a killed build left in its
    staging directory (spills, listings, receipts, shards, the plan); returns
    what was flipped, or None when nothing was left."""
    parent, name = os.path.split(output)
    files = sorted(
        os.path.join(root, f)
        for e in os.listdir(parent) if e.startswith(f".{name}.") and os.path.isdir(os.path.join(parent, e))
        for root, _, fs in os.walk(os.path.join(parent, e)) for f in fs
        if f != "LOCK" and os.path.getsize(os.path.join(root, f)) > 0)
    if not files:
        return None
    path = rng.choice(files)
    bit = rng.randrange(os.path.getsize(path) * 8)
    with open(path, "r+b") as f:
        f.seek(bit // 8)
        byte = f.read(1)[0]
        f.seek(bit // 8)
        f.write(bytes([byte ^ (1 << (bit % 8))]))
    return f"{os.path.relpath(path, parent)} bit {bit}"


def hidden_leftovers(output):
    parent, name = os.path.split(output)
    return sorted(e for e in os.listdir(parent) if e.startswith(f".{name}."))


def kill_when(process, delay=None, stopped=False):
    """SIGKILL after `delay` s, or when it stops itself; returns whether the kill landed."""
    if stopped:
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            process.kill()
            process.wait()
            return True
        process.returncode = os.waitstatus_to_exitcode(status)
        return False
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lmshard", default=os.environ.get("LMSHARD_BIN", os.path.join(REPO, ".build/release/lmshard")))
    parser.add_argument("--tokenizer", default=os.path.join(REPO, "sample/tokenizer"))
    parser.add_argument("--trials", type=int, default=24, help="random-time kills (plus one per stop point and mode)")
    parser.add_argument("--size-mb", type=float, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--expect-reuse", action=argparse.BooleanOptionalAction, default=True,
                        help="require reruns after late kills to beat a fresh build")
    parser.add_argument("--damage", action="store_true",
                        help="also flip one random bit in what each killed build left, before the rerun")
    parser.add_argument("--work", default=None, help="scratch directory (default: a new temporary one)")
    parser.add_argument("--json", default=None, help="write the figures here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    print(f"kill test: seed {seed}, {args.trials} random kills, {args.size_mb} MB, {args.lmshard}", flush=True)
    rng = random.Random(seed)

    work = args.work or tempfile.mkdtemp(prefix="lmshard-kill-")
    os.makedirs(work, exist_ok=True)
    corpus = os.path.join(work, "corpus")
    write_corpus(corpus, args.size_mb)
    area = os.path.join(work, "area")  # the output's parent: only `out` may be in it after a rerun
    os.makedirs(area, exist_ok=True)
    out = os.path.join(area, "out")
    build = Build(args.lmshard, corpus, out, args.tokenizer, args.workers, 512)

    # References, alternating with older datasets for --overwrite: the old
    # one is the same corpus at another --seq-len.
    fresh = []
    for i in range(3):
        shutil.rmtree(out, ignore_errors=True)
        fresh.append(build.run(overwrite=False))
    reference = tree(out)
    ref_copy = os.path.join(work, "reference")
    shutil.rmtree(ref_copy, ignore_errors=True)
    shutil.copytree(out, ref_copy)
    shutil.rmtree(out)
    build.run(overwrite=False, seq_len=256)
    old_copy = os.path.join(work, "old")
    shutil.rmtree(old_copy, ignore_errors=True)
    shutil.copytree(out, old_copy)
    old = tree(old_copy)
    shutil.rmtree(out)
    fresh_median = statistics.median(fresh)
    print(f"fresh build: median {fresh_median:.2f} s of {', '.join(f'{t:.2f}' for t in fresh)}", flush=True)

    # Up to the fastest fresh build's time, so that few builds finish before their kill.
    plans = [("random", rng.uniform(0, min(fresh)), i % 2 == 1) for i in range(args.trials)]
    plans += [(point, None, overwrite) for point in STOP_POINTS for overwrite in (False, True)]
    failures, results = [], []
    for n, (kind, delay, overwrite) in enumerate(plans, 1):
        shutil.rmtree(out, ignore_errors=True)
        if overwrite:
            shutil.copytree(old_copy, out)
        env = dict(os.environ)
        if kind != "random":
            env["LMSHARD_TEST_STOP_AT"] = kind
        process = subprocess.Popen(build.command(overwrite), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        started = time.monotonic()
        landed = kill_when(process, delay=delay, stopped=kind != "random")
        killed_at = time.monotonic() - started
        where = phase(out) if landed else "finished first"
        after = tree(out) if os.path.isdir(out) else None
        state = "absent" if after is None else "new" if after == reference else "old" if after == old else "OTHER"
        problems = []
        flipped = damage_one_bit(out, rng) if args.damage else None
        if overwrite and state not in ("old", "new"):
            problems.append(f"after the kill the output is {state}, expected the old or the new dataset")
        if not overwrite and state not in ("absent", "new"):
            problems.append(f"after the kill the output is {state}, expected nothing or the new dataset")
        start = time.monotonic()
        rerun = subprocess.run(build.command(overwrite), capture_output=True, text=True)
        rerun_time = time.monotonic() - start
        published_first = not overwrite and state == "new"
        if published_first and rerun.returncode == 1 and "a dataset already exists here" in rerun.stderr:
            pass  # killed after publishing: the rerun rightly refuses to replace the dataset without --overwrite
        elif rerun.returncode != 0:
            problems.append(f"rerun exited {rerun.returncode}: {rerun.stderr.strip()}")
        elif tree(out) != reference:
            problems.append("rerun's dataset differs from an uninterrupted build's")
        left = hidden_leftovers(out)
        if left:
            problems.append(f"left next to the output: {left}")
        if set(os.listdir(area)) - {"out"}:
            problems.append(f"other entries next to the output: {sorted(set(os.listdir(area)) - {'out'})}")
        late = kind == "random" and landed and killed_at > 0.6 * min(fresh) and not published_first
        mode = "overwrite" if overwrite else "new output"
        what = f"kill at {killed_at:.2f} s" if kind == "random" else f"kill at {kind}"
        print(f"trial {n:2}: {mode:10} {what:28} ({where}); output after kill: {state:6}; "
              f"rerun {rerun_time:.2f} s{' (late kill)' if late else ''}: {'ok' if not problems else 'FAILED'}",
              flush=True)
        if flipped:
            print(f"          before the rerun, flipped {flipped}", flush=True)
        for p in problems:
            print(f"          {p}", flush=True)
        failures += problems
        results.append({"trial": n, "kind": kind, "overwrite": overwrite, "landed": landed, "killed_at": killed_at,
                        "phase": where, "state_after_kill": state, "rerun_seconds": rerun_time, "late": late,
                        "flipped": flipped,
                        "ok": not problems})

    landed = [r for r in results if r["landed"]]
    late = [r["rerun_seconds"] for r in results if r["late"]]
    phases = {}
    for r in landed:
        phases[r["phase"]] = phases.get(r["phase"], 0) + 1
    print(f"\n{len(landed)} kills landed ({len(results) - len(landed)} builds finished first), "
          f"{sum(r['ok'] for r in results)}/{len(results)} trials ok; phases: "
          + ", ".join(f"{k} {v}" for k, v in sorted(phases.items())))
    flips = [r for r in results if r.get("flipped")]
    if args.damage:
        print(f"{len(flips)} reruns started from a staging directory with one flipped bit; "
              f"{sum(r['ok'] for r in flips)} gave the reference dataset")
    by_phase = {}
    for r in landed:
        if r["kind"] == "random" and r["ok"] and r["state_after_kill"] != "new":
            by_phase.setdefault(r["phase"], []).append(r["rerun_seconds"])
    print("median rerun after a kill, by phase: " + ", ".join(
        f"{k} {statistics.median(v):.2f} s ({statistics.median(v) / fresh_median:.2f}x, {len(v)})"
        for k, v in sorted(by_phase.items())))
    if late:
        ratio = statistics.median(late) / fresh_median
        print(f"reruns after late kills: median {statistics.median(late):.2f} s = {ratio:.2f}x a fresh build "
              f"({len(late)} reruns; fresh {fresh_median:.2f} s)")
        if args.expect_reuse and ratio >= 1:
            failures.append(f"reruns after late kills were not faster than a fresh build ({ratio:.2f}x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seed": seed, "size_mb": args.size_mb, "fresh_seconds": fresh, "trials": results}, f, indent=1)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"FAILED: {len(failures)} problems", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
