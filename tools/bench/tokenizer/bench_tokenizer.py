#!/usr/bin/env python3
"""Tokenizer throughput: lmshard against Python ``tokenizers``, in one run.

    python tools/bench/tokenizer/bench_tokenizer.py --tokenizer path/to/tokenizer.json \\
        [--corpus FILES_OR_DIRS ...] [--corpus-bytes N] [--lmshard BIN] [--load-tokenizer PATH] [--repeat 3]

Both sides encode the same documents (real text gathered as the parity tool
does), without special tokens:

  * HF single-thread: ``encode_batch`` in a fresh process with
    ``RAYON_NUM_THREADS=1``; HF all-core: the same with rayon's default pool.
    Timed inside the process around ``encode_batch`` only.
  * lmshard single-thread: ``lmshard-bench tokenize --threads 1``; all-core:
    without ``--threads``. ``lmshard-bench`` (built next to ``lmshard`` by
    ``swift build -c release``) runs the very engine ``lmshard tokenize`` runs
    (``Tokenizer.encodeJSONLines``, stdin to stdout) and times it itself from
    the end of tokenizer loading to the last id written: reading JSONL from
    the pipe, encoding and writing ids, so both sides measure encoding
    (lmshard's figure also pays for JSON in and out).

Each measurement is the best of ``--repeat`` runs. Load time is measured on
``--load-tokenizer`` (default: llama3's, 128k vocabulary): HF
``Tokenizer.from_file`` in a fresh process vs ``lmshard tokenize`` on empty
input (which includes process start). Ratios are lmshard / HF: above 1 means
lmshard is faster for throughput, below 1 means lmshard loads faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "parity"))

import corpus  # noqa: E402
from parity import find_lmshard  # noqa: E402

HF_WORKER = r"""
import json, sys, time
from tokenizers import Tokenizer
path, texts_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
tok = Tokenizer.from_file(path)
load = time.perf_counter() - start
if mode == "load":
    print(json.dumps({"seconds": load}))
    sys.exit(0)
with open(texts_path, encoding="utf-8") as f:
    texts = json.load(f)
start, cpu = time.perf_counter(), time.process_time()
encodings = tok.encode_batch(texts, add_special_tokens=False)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "tokens": sum(len(e.ids) for e in encodings)}))
"""


def hf_run(tokenizer: str, texts_path: str, mode: str, threads: int | None) -> dict:
    env = dict(os.environ)
    env.pop("RAYON_NUM_THREADS", None)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads)
    env["TOKENIZERS_PARALLELISM"] = "true"
    proc = subprocess.run([sys.executable, "-c", HF_WORKER, tokenizer, texts_path, mode],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout)


def lmshard_run(binary: str, tokenizer: str, payload: bytes, threads: int | None) -> tuple[float, float, int]:
    """(whole-process seconds, encode seconds as the process timed them, tokens).

    ``binary`` is ``lmshard-bench``: its ``tokenize`` prints its own timing as
    the last line of stderr."""
    cmd = [binary, "tokenize", "--tokenizer", tokenizer] + ([f"--threads={threads}"] if threads else [])
    start = time.perf_counter()
    proc = subprocess.run(cmd, input=payload, capture_output=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace')[:1000]}")
    encode = json.loads(proc.stderr.decode().strip().splitlines()[-1])["encode_seconds"]
    tokens = 0
    for line in proc.stdout.splitlines():
        tokens += len(json.loads(line)["ids"])
    return seconds, encode, tokens


def find_binaries(ap: argparse.ArgumentParser, lmshard: str | None, bench_bin: str | None) -> tuple[str, str]:
    """(lmshard, lmshard-bench), or an argparse error saying how to get them."""
    binary = find_lmshard(lmshard)
    if not binary or not Path(binary).exists():
        ap.error("no lmshard binary: pass --lmshard or set LMSHARD_BIN (build with swift build -c release)")
    bench = bench_bin or str(Path(binary).parent / "lmshard-bench")
    if not Path(bench).exists():
        ap.error(f"no {bench}: pass --bench-bin (build with swift build -c release)")
    return binary, bench


def lmshard_load(binary: str, tokenizer: str) -> float:
    """Whole-process seconds of ``lmshard tokenize`` on empty input."""
    start = time.perf_counter()
    proc = subprocess.run([binary, "tokenize", "--tokenizer", tokenizer], input=b"", capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"lmshard tokenize failed: {proc.stderr.decode(errors='replace')[:1000]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    shared = os.environ.get("LMSHARD_SHARED")
    default_tok = str(Path(shared) / "tokenizers" / "llama3" / "tokenizer.json") if shared else None
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", default=default_tok, help="tokenizer.json to benchmark "
                    "(default: $LMSHARD_SHARED/tokenizers/llama3/tokenizer.json)")
    ap.add_argument("--load-tokenizer", default=None, help="tokenizer.json for load time (default: --tokenizer)")
    ap.add_argument("--corpus", nargs="*", default=None)
    ap.add_argument("--corpus-bytes", type=int, default=10_000_000)
    ap.add_argument("--lmshard", default=None)
    ap.add_argument("--bench-bin", default=None, help="lmshard-bench (default: next to the lmshard binary)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.tokenizer:
        ap.error("pass --tokenizer or set LMSHARD_SHARED")
    binary, bench = find_binaries(ap, args.lmshard, args.bench_bin)
    load_tokenizer = args.load_tokenizer or args.tokenizer

    texts = corpus.gather([Path(p) for p in args.corpus] if args.corpus else None, args.corpus_bytes)
    size = sum(len(t.encode("utf-8")) for t in texts)
    payload = "".join(json.dumps({"text": t}, ensure_ascii=True) + "\n" for t in texts).encode("ascii")
    print(f"corpus: {len(texts)} documents, {size / 1e6:.2f} MB; tokenizer {args.tokenizer}; "
          f"lmshard {binary}; {os.cpu_count()} cores; best of {args.repeat}")

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(texts, f)
        texts_path = f.name
    try:
        rows = []
        for label, threads in (("single-thread", 1), ("all-core", None)):
            hf = min((hf_run(args.tokenizer, texts_path, "encode", threads) for _ in range(args.repeat)),
                     key=lambda r: r["seconds"])
            runs = [lmshard_run(bench, args.tokenizer, payload, threads)[1:] for _ in range(args.repeat)]
            encode, tokens = min(runs)
            rows.append((label, hf["seconds"], hf["tokens"], max(encode, 1e-9), tokens))
        hf_load = min(hf_run(load_tokenizer, texts_path, "load", None)["seconds"] for _ in range(args.repeat))
        lm_load = min(lmshard_load(binary, load_tokenizer) for _ in range(args.repeat))
    finally:
        os.unlink(texts_path)

    print(f"{'':14} {'HF MB/s':>9} {'HF tok/s':>11} {'lmshard MB/s':>13} {'lmshard tok/s':>14} {'ratio':>6}")
    for label, hf_s, hf_tokens, lm_s, lm_tokens in rows:
        print(f"{label:14} {size / hf_s / 1e6:9.2f} {hf_tokens / hf_s:11.0f} "
              f"{size / lm_s / 1e6:13.2f} {lm_tokens / lm_s:14.0f} {hf_s / lm_s:6.2f}")
        if hf_tokens != lm_tokens:
            print(f"  warning: token counts differ (HF {hf_tokens}, lmshard {lm_tokens}): run tools/parity")
    print(f"load {Path(load_tokenizer).parent.name}: HF {hf_load * 1000:.0f} ms (in process), "
          f"lmshard {lm_load * 1000:.0f} ms (whole process), ratio {lm_load / hf_load:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
