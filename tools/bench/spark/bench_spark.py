#!/usr/bin/env python3
"""Spark ``local[N]`` against the local ``lmshard build`` on the same input.

    python tools/bench/spark/bench_spark.py [--sizes-mb 64,256,640] [--repeat 3]

For each input size the two builds alternate (odd rounds local first, even
rounds Spark first, so a machine that speeds up or slows down does not
favour one side) and the medians are reported:

* wall time of the whole command as a user runs it: ``lmshard build ...``
  against ``python tools/spark/lmshard_spark.py --master local[N] ...``
  (so Spark's JVM start-up and the Python shuffle are included);
* the ratio Spark / local (above 1: Spark slower);
* peak RSS: of the ``lmshard build`` process, and of the largest map task
  and reduce task subprocess under Spark (the driver's ``--metrics-json``,
  from ``wait4``), which is what sizing an executor needs; the JVM and
  Python workers come on top and are not lmshard's;
* Spark's phases: plan, context start, map+shuffle+reduce, finalize.

Every Spark output is compared with the local one (``diff -r``); a
difference stops the benchmark.

Where the lines cross: a line ``t = a + b * MB`` is fitted to each side's
medians. On one machine both sides share the same cores, so Spark's slope
is at best the local one and the lines cross only if Spark's per-MB cost
is lower; the script prints the fit and, for K machines each as fast as
this one, the input size above which Spark would win
(``a_s + b_s / K * MB < a_l + b_l * MB``).

The input is ``tools/bench/mapreduce/gen_text.py``'s deterministic JSONL
(cached under ``--dir``). Needs pyspark and Java 17+.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DRIVER = ROOT / "tools" / "spark" / "lmshard_spark.py"
GEN_TEXT = ROOT / "tools" / "bench" / "mapreduce" / "gen_text.py"


def timed(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Runs ``command``; returns (wall seconds, peak RSS KiB of that process). Fails loudly."""
    start = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_maxrss


def build_args(ns, input_path: Path, output: Path) -> list[str]:
    return ["--input", str(input_path), "--output", str(output), "--tokenizer", ns.tokenizer,
            "--strategy", "pretrain", "--packing", "dense", "--seq-len", "2048",
            "--num-reduce-chunks", str(ns.num_reduce_chunks), "--quiet"]


def run_local(ns, input_path: Path, output: Path) -> dict:
    shutil.rmtree(output, ignore_errors=True)
    wall, rss = timed([ns.lmshard, "build", *build_args(ns, input_path, output)])
    return {"wall": wall, "rss_kib": rss}


def run_spark(ns, input_path: Path, output: Path) -> dict:
    shutil.rmtree(output, ignore_errors=True)
    metrics = output.parent / "spark-metrics.json"
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    command = [sys.executable, str(DRIVER), "--master", ns.master, "--lmshard", ns.lmshard,
               "--reducers", str(ns.reducers), "--split-bytes", str(ns.split_bytes),
               "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false",
               "--conf", f"spark.driver.memory={ns.driver_memory}",
               "--metrics-json", str(metrics), *build_args(ns, input_path, output)]
    wall, _ = timed(command, env)
    m = json.loads(metrics.read_text())
    return {"wall": wall, "map_rss_kib": m["tasks"]["map"]["max_rss_kib"],
            "reduce_rss_kib": m["tasks"]["reduce"]["max_rss_kib"], "phases": m["wall_seconds"],
            "map_tasks": m["tasks"]["map"]["tasks"], "reduce_tasks": m["tasks"]["reduce"]["tasks"]}


def same_dataset(a: Path, b: Path) -> None:
    diff = subprocess.run(["diff", "-r", str(a), str(b)], capture_output=True, text=True)
    if diff.returncode != 0:
        sys.exit(f"Spark's dataset differs from the local build's:\n{diff.stdout[:2000]}")


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares a, b of t = a + b * x."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - b * mx, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", default="64,256,640", help="input sizes in MiB (default 64,256,640)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--reducers", type=int, default=4)
    parser.add_argument("--num-reduce-chunks", type=int, default=16)
    parser.add_argument("--split-bytes", type=int, default=32 << 20)
    parser.add_argument("--driver-memory", default="1g", help="spark.driver.memory (local mode: all of Spark)")
    parser.add_argument("--tokenizer", default=str(ROOT / "sample" / "tokenizer"))
    parser.add_argument("--lmshard", default=os.environ.get("LMSHARD_BIN") or str(ROOT / ".build/release/lmshard"))
    parser.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "lmshard-bench-spark"))
    ns = parser.parse_args()
    if not os.access(ns.lmshard, os.X_OK):
        sys.exit(f"{ns.lmshard}: no lmshard binary (swift build -c release --product lmshard, or --lmshard)")
    try:
        sizes = [int(s) for s in ns.sizes_mb.split(",")]
    except ValueError:
        sys.exit(f"--sizes-mb {ns.sizes_mb!r}: expected sizes in MiB separated by commas, e.g. 64,256,640")
    if not sizes or min(sizes) < 1 or ns.repeat < 1:
        sys.exit("--sizes-mb needs sizes of at least 1 MiB and --repeat at least 1")
    work = Path(ns.dir)
    work.mkdir(parents=True, exist_ok=True)

    results = {}
    for size in sizes:
        input_path = work / f"input-{size}mb.jsonl"
        if not input_path.exists():
            subprocess.run([sys.executable, str(GEN_TEXT), str(input_path), str(size)], check=True,
                           stdout=subprocess.DEVNULL)
        local_out, spark_out = work / "out" / "local", work / "out" / "spark"
        local_out.parent.mkdir(exist_ok=True)
        rounds = []
        for r in range(ns.repeat):
            order = ("local", "spark") if r % 2 == 0 else ("spark", "local")
            got = {}
            for side in order:
                got[side] = (run_local if side == "local" else run_spark)(ns, input_path, local_out if side == "local" else spark_out)
            same_dataset(local_out, spark_out)
            rounds.append(got)
            print(f"{size} MiB round {r + 1}: local {got['local']['wall']:.1f} s, spark {got['spark']['wall']:.1f} s "
                  f"(ratio {got['spark']['wall'] / got['local']['wall']:.2f})", flush=True)
        results[size] = rounds
        for out in (local_out, spark_out):
            shutil.rmtree(out, ignore_errors=True)  # the inputs stay cached; the datasets are not needed

    print(f"\nmaster {ns.master}, {ns.reducers} reducers, split {ns.split_bytes >> 20} MiB, "
          f"pretrain/dense seq_len 2048, {ns.num_reduce_chunks} reduce groups, tokenizer {ns.tokenizer}; "
          f"medians of {ns.repeat} alternating rounds; outputs identical (diff -r) in every round")
    print("| input MiB | local s | spark s | spark/local | local peak RSS MiB | spark map task / reduce task peak RSS MiB "
          "| spark phases s (plan, start, job, finalize) |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    local_points, spark_points = [], []
    for size, rounds in results.items():
        lw = statistics.median(r["local"]["wall"] for r in rounds)
        sw = statistics.median(r["spark"]["wall"] for r in rounds)
        ratio = statistics.median(r["spark"]["wall"] / r["local"]["wall"] for r in rounds)
        lrss = max(r["local"]["rss_kib"] for r in rounds) / 1024
        mrss = max(r["spark"]["map_rss_kib"] for r in rounds) / 1024
        rrss = max(r["spark"]["reduce_rss_kib"] for r in rounds) / 1024
        phases = {k: statistics.median(r["spark"]["phases"].get(k, 0.0) for r in rounds)
                  for k in ("plan", "spark_start", "map_shuffle_reduce", "finalize")}
        local_points.append((size, lw))
        spark_points.append((size, sw))
        print(f"| {size} | {lw:.1f} | {sw:.1f} | {ratio:.2f} | {lrss:.0f} | {mrss:.0f} / {rrss:.0f} | "
              f"{phases['plan']:.1f}, {phases['spark_start']:.1f}, {phases['map_shuffle_reduce']:.1f}, "
              f"{phases['finalize']:.1f} |")
    faster = [size for size, rounds in results.items()
              if statistics.median(r["spark"]["wall"] / r["local"]["wall"] for r in rounds) < 1]
    print("\nmeasured: " + (f"Spark faster at {', '.join(map(str, faster))} MiB" if faster
                             else "Spark slower at every size measured"))
    if len(set(sizes)) >= 2:
        al, bl = fit(local_points)
        as_, bs = fit(spark_points)
        print(f"fit: local {al:.1f} s + {bl * 1000:.1f} ms/MiB; spark {as_:.1f} s + {bs * 1000:.1f} ms/MiB")
        if bs <= 0 or bl <= 0:
            print("  a fitted per-MiB cost is not positive: the sizes are too close together or too small "
                  "for the start-up cost and the noise; no crossing computed (use larger --sizes-mb)")
            return 0
        for machines in (1, 2, 4, 8):
            slope = bl - bs / machines
            if slope <= 0:
                print(f"  {machines} machine(s) like this one: the lines do not cross (Spark's per-MiB cost "
                      f"{bs / machines * 1000:.1f} ms >= local {bl * 1000:.1f} ms)")
            else:
                print(f"  {machines} machine(s) like this one: Spark is faster above "
                      f"{max(0.0, (as_ - al) / slope):.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
