#!/usr/bin/env python3
"""Tokenizer load time: lmshard cold (no compiled cache), warm (cache present),
cache off, against Hugging Face ``tokenizers`` ``Tokenizer.from_file``.

    python tools/bench/tokenizer/bench_load.py [--tokenizer path/to/tokenizer.json] \\
        [--lmshard BIN] [--runs 9]

Every measurement is a whole fresh process, so each pays what a map task pays:

  * ``lmshard cold``: ``lmshard tokenize --threads 1`` of a one-line input with
    ``LMSHARD_CACHE_DIR`` set to an empty folder (load from JSON, then write
    the compiled file);
  * ``lmshard warm``: the same with the folder the cold run filled (the
    compiled file and the stat record that lets a load skip hashing);
  * ``lmshard warm, hashed``: warm without the stat record, so the
    ``tokenizer.json`` is hashed (SHA-256) and the record written again;
  * ``lmshard no cache``: ``LMSHARD_NO_CACHE=1`` (load from JSON, write nothing);
  * ``lmshard --help``: the process floor (dynamic loading, runtime start);
  * ``HF from_file``: ``python -c`` importing ``tokenizers`` and calling
    ``Tokenizer.from_file``, then encoding the same line; the child also
    reports the time of the ``from_file`` call alone.

The kinds run in turn, round after round (alternating, so a machine whose load
changes affects all alike), and the report gives per kind the median wall
time and the median CPU time (user + system, from ``wait4``), plus ratios to
HF's whole process. CPU time is the steadier figure on a shared machine:
wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "parity"))

from parity import find_lmshard  # noqa: E402

LINE = b'{"text": "Hello world, tokenizers load in milliseconds."}\n'

HF_CHILD = r"""
import sys, time
t0 = time.perf_counter()
from tokenizers import Tokenizer
t1 = time.perf_counter()
tok = Tokenizer.from_file(sys.argv[1])
t2 = time.perf_counter()
tok.encode("Hello world, tokenizers load in milliseconds.", add_special_tokens=False)
sys.stderr.write(f"from_file {t2 - t1:.6f}\n")
"""


def run_timed(argv: list[str], env: dict[str, str], stdin: bytes) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds (user + system, from wait4) and stderr of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(stdin)
    proc.stdin.close()
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, err


def drop_stat_records(cache_dir: Path) -> None:
    """Removes the stat records, so the next load hashes the tokenizer.json."""
    for record in (cache_dir / "tokenizers").glob("stat-*"):
        record.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("LMSHARD_SHARED")
    ap.add_argument("--tokenizer", default=f"{shared}/tokenizers/llama3/tokenizer.json" if shared else None,
                    help="tokenizer.json to load (default: $LMSHARD_SHARED/tokenizers/llama3/tokenizer.json)")
    ap.add_argument("--lmshard", help="lmshard binary (default: $LMSHARD_BIN, lmshard on PATH, else .build/release/lmshard)")
    ap.add_argument("--python", default=sys.executable, help="Python with `tokenizers` installed")
    ap.add_argument("--runs", type=int, default=9, help="rounds; medians are reported")
    args = ap.parse_args()
    if not args.tokenizer or not Path(args.tokenizer).is_file():
        sys.exit("bench_load.py: pass --tokenizer PATH (or set LMSHARD_SHARED)")
    lmshard = find_lmshard(args.lmshard)
    if not lmshard:
        sys.exit("bench_load.py: no lmshard binary; run `swift build -c release` or pass --lmshard")
    tok = str(Path(args.tokenizer).resolve())

    base_env = {k: v for k, v in os.environ.items() if k not in ("LMSHARD_NO_CACHE", "LMSHARD_CACHE_DIR")}
    work = Path(tempfile.mkdtemp(prefix="lmshard-bench-load-"))
    try:
        warm_dir = work / "warm"
        cmd = [lmshard, "tokenize", "--tokenizer", tok, "--threads", "1"]
        run_timed(cmd, {**base_env, "LMSHARD_CACHE_DIR": str(warm_dir)}, LINE)  # fill the warm cache
        if not any((warm_dir / "tokenizers").glob("*.lmtok")):
            sys.exit("bench_load.py: the warm run wrote no compiled file (is the tokenizer BPE and >= 1 MB?)")

        kinds = {
            "lmshard --help": lambda i: run_timed([lmshard, "--help"], base_env, b""),
            "lmshard cold": lambda i: run_timed(cmd, {**base_env, "LMSHARD_CACHE_DIR": str(work / f"cold-{i}")}, LINE),
            "lmshard warm, hashed": lambda i: (drop_stat_records(warm_dir),
                                               run_timed(cmd, {**base_env, "LMSHARD_CACHE_DIR": str(warm_dir)}, LINE))[1],
            "lmshard warm": lambda i: run_timed(cmd, {**base_env, "LMSHARD_CACHE_DIR": str(warm_dir)}, LINE),
            "lmshard no cache": lambda i: run_timed(cmd, {**base_env, "LMSHARD_NO_CACHE": "1"}, LINE),
            "HF from_file": lambda i: run_timed([args.python, "-c", HF_CHILD, tok], base_env, b""),
        }
        walls: dict[str, list[float]] = {k: [] for k in kinds}
        cpus: dict[str, list[float]] = {k: [] for k in kinds}
        hf_call: list[float] = []
        for i in range(args.runs):
            for name, go in kinds.items():
                wall, cpu, err = go(i)
                walls[name].append(wall)
                cpus[name].append(cpu)
                if name == "HF from_file":
                    hf_call.append(float(err.decode().split("from_file ")[1].split()[0]))
            shutil.rmtree(work / f"cold-{i}", ignore_errors=True)

        hf_wall = statistics.median(walls["HF from_file"])
        hf_cpu = statistics.median(cpus["HF from_file"])
        size = Path(tok).stat().st_size
        print(f"tokenizer: {tok} ({size / 1e6:.1f} MB), {args.runs} alternating rounds, medians")
        print(f"{'what':<20} {'wall ms':>9} {'CPU ms':>9} {'wall / HF':>10} {'CPU / HF':>9}")
        for name in kinds:
            w = statistics.median(walls[name])
            c = statistics.median(cpus[name])
            print(f"{name:<20} {w * 1e3:9.1f} {c * 1e3:9.1f} {w / hf_wall:10.3f} {c / hf_cpu:9.3f}")
        print(f"{'HF from_file call':<20} {statistics.median(hf_call) * 1e3:9.1f} {'':>9} "
              f"{statistics.median(hf_call) / hf_wall:10.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
