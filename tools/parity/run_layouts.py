#!/usr/bin/env python3
"""Parity of lmshard with Python ``tokenizers`` on tokenizers trained on the fly.

    python tools/parity/run_layouts.py [--quick] [--only SUBSTRING ...]
        [--corpus-bytes N] [--generated N] [--seed S] [--lmshard BIN] [--keep DIR [--reuse]]
        [--jobs N]

Trains every layout of ``layouts.py`` (models x normalizers x
pre-tokenizers x added-token flags, pairwise), of ``spm_layouts.py``
(SentencePiece conversions) and of ``synthetic.py`` (regex and Unicode
recipes) into a temporary folder, then encodes the same real text
(``corpus.py``) and hostile strings (``hostile.py``, seeded, with each
layout's added tokens mixed in) with both sides, special tokens off and
on, in batches (memory stays bounded for millions of strings). Prints one
line per layout and mode and the first mismatches in full; exit status 0
when every document of every layout matched.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import hostile  # noqa: E402
import layouts  # noqa: E402
import parity  # noqa: E402
import spm_layouts  # noqa: E402
import synthetic  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def build_all(out: Path, quick: bool, only: list[str], reuse: bool) -> list[Path]:
    """Trains the chosen layouts into ``out``; with ``reuse``, a layout whose
    file is already there is taken as it is."""
    texts: list[str] = []

    def built(name: str, make) -> Path:
        nonlocal texts
        path = out / f"{name}.json"
        if reuse and path.exists():
            return path
        texts = texts or layouts.training_text()
        return make(texts)

    chosen = layouts.quick_layouts() if quick else layouts.layouts()
    paths = []
    for layout in chosen:
        if not only or any(o in layout.name for o in only):
            paths.append(built(layout.name, lambda t, layout=layout: layouts.build(layout, out, t)))
    spm_names = ["spm_t5_nmt_nfkc"] if quick else list(spm_layouts.SPM_LAYOUTS)
    for name in spm_names:
        if not only or any(o in name for o in only):
            paths.append(built(name, lambda t, name=name: spm_layouts.build(name, out, t)))
    # The hand-written recipes (regex, Unicode forms, ByteLevel in a
    # Sequence, added-token edge cases); the suite runs them in test_parity.
    for name in [] if quick else list(synthetic.RECIPES):
        if not only or any(o in name for o in only):
            paths.append(built(name, lambda t, name=name: synthetic.build(name, out, t)))
    return paths


BATCH = 200_000


def run(path: Path, binary: str, real: list[str], generated: int, seed: int, show: int) -> tuple[int, str]:
    """Mismatch count over both modes for one tokenizer, and the report.

    The hostile strings are made and checked ``BATCH`` at a time, both modes
    per batch, so a run of millions of strings holds one batch in memory."""
    tok = Tokenizer.from_file(str(path))
    strings = hostile.stream(seed=seed, extra_specials=parity.added_token_strings(str(path)))
    seconds = {False: 0.0, True: 0.0}
    found = {False: parity.Comparison(), True: parity.Comparison()}
    done = 0
    left = generated
    texts, sources = real, ["corpus"] * len(real)
    while True:
        made = list(itertools.islice(strings, min(BATCH, left)))
        left -= len(made)
        texts, sources = texts + made, sources + ["hostile"] * len(made)
        if not texts:
            break
        for special in (False, True):
            start = time.perf_counter()
            found[special].add(parity.compare(tok, binary, str(path), texts, sources, special, first_index=done))
            seconds[special] += time.perf_counter() - start
        done += len(texts)
        texts, sources = [], []
    lines = []
    for special in (False, True):
        got = found[special]
        panics = f", HF panicked on {len(got.hf_panics)}" if got.hf_panics else ""
        lines.append(f"{path.stem:48} special={'on ' if special else 'off'} {done:7} docs "
                     f"{got.tokens:9} tokens {len(got.mismatches):5} mismatches{panics} ({seconds[special]:.1f} s)")
        lines += [parity.describe(m, tok, special) for m in got.mismatches[:show]]
        lines += [parity.describe_panic(*p) for p in got.hf_panics[:show]]
    return len(found[False].mismatches) + len(found[True].mismatches), "\n".join(lines)


def _run_one(job: tuple) -> tuple[int, str]:
    path, binary, real, generated, seed, show = job
    try:
        return run(path, binary, real, generated, seed, show)
    except RuntimeError as error:
        return 1, f"{path.stem}: lmshard failed: {error}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the test suite's few layouts, small budgets")
    ap.add_argument("--only", nargs="*", default=[], help="layouts whose name contains one of these")
    ap.add_argument("--corpus-bytes", type=int, default=None, help="real text per layout (default 2 MB, quick 60 KB)")
    ap.add_argument("--generated", type=int, default=None, help="hostile strings per layout (default 20,000, quick 600)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lmshard", default=None)
    ap.add_argument("--keep", default=None, help="write the tokenizers here instead of a temporary folder")
    ap.add_argument("--reuse", action="store_true", help="with --keep: take tokenizers already there as they are")
    ap.add_argument("--show", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1, help="layouts checked at once (each process takes "
                    "a batch of 200,000 hostile strings and HF's encodings of it: ~3 GB)")
    args = ap.parse_args(argv)
    binary = parity.find_lmshard(args.lmshard)
    if not binary or not Path(binary).exists():
        print("run_layouts: no lmshard binary (pass --lmshard or set LMSHARD_BIN)", file=sys.stderr)
        return 2
    corpus_bytes = args.corpus_bytes if args.corpus_bytes is not None else (60_000 if args.quick else 2_000_000)
    generated = args.generated if args.generated is not None else (600 if args.quick else 20_000)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        paths = build_all(out, args.quick, args.only, args.reuse and args.keep is not None)
        real = corpus.gather(None, corpus_bytes, seed=args.seed + 2)
        jobs = [(path, binary, real, generated, args.seed, args.show) for path in paths]
        failed = 0
        total = 0
        # HF encodes on every core already; a second layout at once fills the
        # time each process spends in single-threaded Python. Spawned, not
        # forked: a forked child of a process that used tokenizers' thread pool
        # encodes on one thread.
        with multiprocessing.get_context("spawn").Pool(args.jobs) if args.jobs > 1 else nullcontext() as pool:
            for count, report in (pool.imap(_run_one, jobs) if pool else map(_run_one, jobs)):
                total += count
                failed += count > 0
                print(report, flush=True)
    print(f"layouts: {len(paths)}, with mismatches: {failed}, mismatched documents: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
