#!/usr/bin/env python3
"""Parity of lmshard with Python ``tokenizers`` on tokenizers trained on the fly.

    python tools/parity/run_layouts.py [--quick] [--only SUBSTRING ...]
        [--corpus-bytes N] [--generated N] [--seed S] [--lmshard BIN] [--keep DIR [--reuse]]

Trains every layout of ``layouts.py`` (models x normalizers x
pre-tokenizers x added-token flags, pairwise) and of ``spm_layouts.py``
(SentencePiece conversions) into a temporary folder, then encodes the same
real text (``corpus.py``) and hostile strings (``hostile.py``, seeded, with
each layout's added tokens mixed in) with both sides, special tokens off
and on. Prints one line per layout and mode and the first mismatches in
full; exit status 0 when every document of every layout matched.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import hostile  # noqa: E402
import layouts  # noqa: E402
import parity  # noqa: E402
import spm_layouts  # noqa: E402
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
    return paths


def run(path: Path, binary: str, real: list[str], generated: int, seed: int, show: int) -> tuple[int, str]:
    """Mismatch count over both modes for one tokenizer, and the report."""
    tok = Tokenizer.from_file(str(path))
    made = hostile.generate(generated, seed=seed, extra_specials=parity.added_token_strings(str(path)))
    texts = real + made
    sources = ["corpus"] * len(real) + ["hostile"] * len(made)
    total = 0
    lines = []
    for special in (False, True):
        start = time.perf_counter()
        mismatches, expected = parity.compare(tok, binary, str(path), texts, sources, special)
        total += len(mismatches)
        tokens = sum(len(e) for e in expected)
        lines.append(f"{path.stem:48} special={'on ' if special else 'off'} {len(texts):7} docs {tokens:9} tokens "
                     f"{len(mismatches):5} mismatches ({time.perf_counter() - start:.1f} s)")
        lines += [parity.describe(m, tok, special) for m in mismatches[:show]]
    return total, "\n".join(lines)


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
        failed = 0
        total = 0
        for path in paths:
            try:
                count, report = run(path, binary, real, generated, args.seed, args.show)
            except RuntimeError as error:
                count, report = 1, f"{path.stem}: lmshard failed: {error}"
            total += count
            failed += count > 0
            print(report, flush=True)
    print(f"layouts: {len(paths)}, with mismatches: {failed}, mismatched documents: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
