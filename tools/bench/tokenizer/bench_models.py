#!/usr/bin/env python3
"""Unigram and WordPiece throughput: lmshard against Python ``tokenizers``.

    python tools/bench/tokenizer/bench_models.py [--corpus FILES_OR_DIRS ...] [--corpus-bytes N]
        [--runs 5] [--lmshard BIN] [--bench-bin BIN] [--keep DIR [--reuse]]

No shared file has these models, so the tokenizers are trained here on the
same corpus first (``--keep DIR`` saves them), in the layouts real models
use (``--reuse`` with ``--keep`` takes tokenizers already saved there):

* ``bert-wordpiece``: BertNormalizer, BertPreTokenizer, a 30,000-token
  WordPiece vocabulary, BertProcessing (``bert-base-uncased``'s layout);
* ``t5-unigram``: a 32,000-piece SentencePiece Unigram model (nmt_nfkc
  rules) converted as ``transformers`` converts T5 (Precompiled, Replace,
  Metaspace);
* ``xlm-unigram-bytes``: the same with byte fallback and the newer
  converter's layout (regex Replaces, non-splitting Metaspace "first").

Each tokenizer is encoded on one core by both sides, alternating HF and
lmshard ``--runs`` times; the table gives medians and the ratio HF time /
lmshard time (above 1: lmshard is faster). On a machine shared with other
jobs, wall time measures the share of a core each side got more than its
speed, so a second table gives CPU time: HF's process time around
``encode_batch``, lmshard's whole-process CPU time (``getrusage``) minus that
of an empty-input run (start and load). Wall timing is as in
``bench_tokenizer.py``: HF around ``encode_batch`` in a fresh process
with ``RAYON_NUM_THREADS=1``, lmshard as ``lmshard-bench tokenize --threads 1``
(the engine ``lmshard tokenize`` runs), self-timed from the end of loading
to the last id written.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "parity"))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import spm_layouts  # noqa: E402
from bench_tokenizer import find_binaries, hf_run, lmshard_run  # noqa: E402
from tokenizers import Tokenizer, decoders as D, models, normalizers as N  # noqa: E402
from tokenizers import pre_tokenizers as P, processors as PP, trainers  # noqa: E402


def bert_wordpiece(texts: list[str]) -> Tokenizer:
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = N.BertNormalizer()
    tok.pre_tokenizer = P.BertPreTokenizer()
    tok.decoder = D.WordPiece()
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=30_000, special_tokens=special,
                                                             show_progress=False))
    tok.post_processor = PP.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def unigram(texts: list[str], byte_fallback: bool, style: str) -> Tokenizer:
    proto = spm_layouts.train(texts, rule="nmt_nfkc", vocab_size=32_000, byte_fallback=byte_fallback)
    return spm_layouts.convert(proto, style)


def child_cpu() -> float:
    """User + system CPU seconds of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", nargs="*", default=None)
    ap.add_argument("--corpus-bytes", type=int, default=10_000_000)
    ap.add_argument("--train-bytes", type=int, default=4_000_000, help="text the tokenizers are trained on")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lmshard", default=None)
    ap.add_argument("--bench-bin", default=None, help="lmshard-bench (default: next to the lmshard binary)")
    ap.add_argument("--keep", default=None, help="save the trained tokenizers in this folder")
    ap.add_argument("--reuse", action="store_true", help="with --keep: take tokenizers already there as they are")
    args = ap.parse_args(argv)
    binary, bench = find_binaries(ap, args.lmshard, args.bench_bin)

    texts = corpus.gather([Path(p) for p in args.corpus] if args.corpus else None, args.corpus_bytes)
    size = sum(len(t.encode("utf-8")) for t in texts)
    payload = "".join(json.dumps({"text": t}, ensure_ascii=True) + "\n" for t in texts).encode("ascii")
    print(f"corpus: {len(texts)} documents, {size / 1e6:.2f} MB; lmshard {binary}; {os.cpu_count()} cores; "
          f"{args.runs} alternating runs per side, medians")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        builders = {
            "bert-wordpiece": lambda t: bert_wordpiece(t),
            "t5-unigram": lambda t: unigram(t, False, "t5"),
            "xlm-unigram-bytes": lambda t: unigram(t, True, "spm_exact"),
        }
        training: list[str] = []
        paths = {}
        for name, make in builders.items():
            path = paths[name] = folder / f"{name}.json"
            if args.reuse and args.keep and path.exists():
                continue
            training = training or corpus.gather(None, args.train_bytes, seed=1)
            make(training).save(str(path))
        texts_path = folder / "texts.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        header = f"{'tokenizer':18} {'HF MB/s':>9} {'lmshard MB/s':>13} {'ratio':>6}   (per run: HF s / lmshard s)"
        wall_lines, cpu_lines = [], []
        for name, path in paths.items():
            hf_wall, lm_wall, hf_cpu, lm_cpu, counts = [], [], [], [], set()
            for _ in range(args.runs):
                hf = hf_run(str(path), str(texts_path), "encode", 1)
                hf_wall.append(hf["seconds"])
                hf_cpu.append(hf["cpu_seconds"])
                before = child_cpu()
                lmshard_run(bench, str(path), b"", 1)
                empty = child_cpu() - before
                _, encode, tokens = lmshard_run(bench, str(path), payload, 1)
                lm_wall.append(max(encode, 1e-9))
                lm_cpu.append(max(child_cpu() - before - 2 * empty, 1e-9))
                counts.add((hf["tokens"], tokens))
            for lines, hf_s, lm_s in ((wall_lines, hf_wall, lm_wall), (cpu_lines, hf_cpu, lm_cpu)):
                h, m = statistics.median(hf_s), statistics.median(lm_s)
                runs = " ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(hf_s, lm_s))
                lines.append(f"{name:18} {size / h / 1e6:9.2f} {size / m / 1e6:13.2f} {h / m:6.2f}   ({runs})")
            for hf_tokens, lm_tokens in counts:
                if hf_tokens != lm_tokens:
                    wall_lines.append(f"  warning: {name}: token counts differ (HF {hf_tokens}, lmshard {lm_tokens}): "
                                      "run tools/parity")
        print("wall time (encoding only, as timed inside each process):")
        print("\n".join([header] + wall_lines))
        print("CPU time (HF: encode_batch; lmshard: the process minus an empty-input run):")
        print("\n".join([header] + cpu_lines))
        texts_path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
