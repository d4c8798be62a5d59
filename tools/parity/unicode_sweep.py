#!/usr/bin/env python3
"""Per-code-point sweeps of lmshard against Python ``tokenizers``.

    python tools/parity/unicode_sweep.py [--lmshard BIN] [--only normalizers|classes]

Every scalar U+0000...U+10FFFF (surrogates excepted) goes through

  * NFC, NFD, NFKC and NFKD, each scalar on its own (a private-use starter and
    a newline between scalars keep them from composing or reordering with
    each other), plus every mark HF reorders after five bases and every
    Hangul L+V and LV+T pair;
  * Replace normalizers over Oniguruma classes (\\p{L}, \\w, [[:punct:]],
    scripts, ...), which turn each member into a marker.

The tokenizer around them is a BPE with only the 256 byte-fallback tokens
and no merges, so its ids are exactly the UTF-8 bytes of the normalized
text: equal ids mean equal normalization, scalar for scalar. Exit status 0
when everything matches.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parity  # noqa: E402
from tokenizers import Regex, Tokenizer, models  # noqa: E402
from tokenizers import normalizers as N  # noqa: E402

SEPARATOR = "\ue000\n"
FORMS = {"NFC": N.NFC, "NFD": N.NFD, "NFKC": N.NFKC, "NFKD": N.NFKD}
CLASSES = [r"\p{L}", r"\p{Lu}", r"\p{Ll}", r"\p{Lo}", r"\p{M}", r"\p{N}", r"\p{Nd}", r"\p{P}", r"\p{S}", r"\p{Z}",
           r"\p{C}", r"\w", r"\W", r"\b", r"[\w]", r"\s", r"\d", r"\h", r"[[:punct:]]", r"[[:alpha:]]", r"[[:graph:]]", r"\p{Han}",
           r"\p{Latin}", r"\p{Arabic}", r"\p{Common}", r"\p{Inherited}", r"\p{Alphabetic}"]


def scalars() -> list[str]:
    return [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def byte_tokenizer(normalizer) -> Tokenizer:
    """BPE whose ids are the bytes of the normalized text."""
    vocab = {f"<0x{i:02X}>": i for i in range(256)}
    vocab["<unk>"] = 256
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>", byte_fallback=True))
    tok.normalizer = normalizer
    return tok


def normalization_documents() -> list[str]:
    """Every scalar alone, each pair of a mark after a base, every Hangul L+V and LV+T."""
    docs: list[str] = []
    units = scalars()
    marks = [c for c in units if unicodedata.combining(c)]
    units += [base + m for m in marks for base in ("a", "e", "A", "\u0915", "\u05d0")]
    units += [chr(lead) + chr(vowel) for lead in range(0x1100, 0x1113) for vowel in range(0x1161, 0x1176)]
    units += [chr(0xAC00 + 28 * k) + chr(t) for k in range(399) for t in range(0x11A8, 0x11C3)]
    for i in range(0, len(units), 1000):
        docs.append(SEPARATOR.join(units[i:i + 1000]))
    return docs


def class_documents() -> list[str]:
    units = scalars()
    return ["".join(units[i:i + 4000]) for i in range(0, len(units), 4000)]


def compare(name: str, tok: Tokenizer, docs: list[str], binary: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokenizer.json"
        tok.save(str(path))
        expected = [e.ids for e in tok.encode_batch(docs, add_special_tokens=False)]
        actual, _ = parity.run_lmshard(binary, str(path), docs, add_special=False)
    bad = [i for i, (e, a) in enumerate(zip(expected, actual)) if e != a]
    scalars_checked = sum(len(d) for d in docs)
    print(f"{name}: {len(docs)} documents, {scalars_checked} scalars, mismatching documents: {len(bad)}")
    for i in bad[:3]:
        e, a = bytes(expected[i]).decode("utf-8", "replace"), bytes(actual[i]).decode("utf-8", "replace")
        at = next((k for k in range(min(len(e), len(a))) if e[k] != a[k]), min(len(e), len(a)))
        print(f"  document {i}: first difference at char {at}: HF {e[max(0, at - 8):at + 8]!r} "
              f"lmshard {a[max(0, at - 8):at + 8]!r}")
    return len(bad)


def sweep_normalizers(binary: str) -> int:
    docs = normalization_documents()
    return sum(compare(form, byte_tokenizer(make()), docs, binary) for form, make in FORMS.items())


def sweep_classes(binary: str) -> int:
    docs = class_documents()
    return sum(compare(f"Replace {cls}", byte_tokenizer(N.Replace(Regex(cls), "\u2022")), docs, binary)
               for cls in CLASSES)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lmshard", default=None)
    ap.add_argument("--only", choices=["normalizers", "classes"], default=None)
    args = ap.parse_args(argv)
    binary = parity.find_lmshard(args.lmshard)
    if not binary:
        print("unicode_sweep: no lmshard binary (pass --lmshard or set LMSHARD_BIN)", file=sys.stderr)
        return 2
    bad = 0
    if args.only in (None, "normalizers"):
        bad += sweep_normalizers(binary)
    if args.only in (None, "classes"):
        bad += sweep_classes(binary)
    print(json.dumps({"mismatching_documents": bad}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
