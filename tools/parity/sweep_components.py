#!/usr/bin/env python3
"""Every Unicode scalar through lmshard's and HF's normalizers and
pre-tokenizers that depend on character tables: BertNormalizer, Nmt,
Precompiled (SentencePiece's nmt_nfkc and nfkc_cf charsmaps), ByteLevel,
and the UnicodeScripts pre-tokenizer.

    python tools/parity/sweep_components.py [--only NAME ...] [--stride N] [--lmshard BIN]

``lmshard tokenize`` only returns ids, so each component is wrapped in a
tokenizer whose ids show exactly what it did:

* a normalizer, in front of a ByteLevel pre-tokenizer (no regex) and a BPE
  whose vocabulary is the 256 single bytes and nothing else: the ids are
  the bytes of the normalized text;
* a pre-tokenizer, in front of a WordLevel model knowing "a", "b", "一" and
  " ": each piece is one id, so the ids show where the cuts fell.

Each scalar is tried alone and in contexts that exercise its neighbours
(grapheme clusters for Precompiled, script changes for UnicodeScripts).
Exit status 0 when every line matched.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parity  # noqa: E402
import spm_layouts  # noqa: E402
from tokenizers import Tokenizer, models, normalizers as N, pre_tokenizers as P  # noqa: E402


def byte_identity(normalizer) -> Tokenizer:
    """Ids = the UTF-8 bytes of ``normalizer``'s output."""
    alphabet = sorted(P.ByteLevel.alphabet(), key=lambda ch: _byte_of(ch))
    tok = Tokenizer(models.BPE(vocab={ch: i for i, ch in enumerate(alphabet)}, merges=[]))
    tok.normalizer = normalizer
    tok.pre_tokenizer = P.ByteLevel(add_prefix_space=False, use_regex=False)
    return tok


def _byte_of(ch: str) -> int:
    # GPT-2's table: printable Latin-1 bytes stand for themselves, the rest
    # map in byte order to U+0100...
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in printable]
    code = ord(ch)
    return code if code in printable else others[code - 0x100]


def cut_revealing(pre) -> Tokenizer:
    """One id per piece: 1 "a", 2 "b", 3 "一", 4 " ", 0 anything else."""
    tok = Tokenizer(models.WordLevel(vocab={"<unk>": 0, "a": 1, "b": 2, "一": 3, " ": 4}, unk_token="<unk>"))
    tok.pre_tokenizer = pre
    return tok


NORMALIZER_CONTEXTS: list[Callable[[str], str]] = [lambda c: c, lambda c: "a" + c + "b", lambda c: c + "\u0301"]
SCRIPT_CONTEXTS: list[Callable[[str], str]] = [lambda c: "a" + c + "b", lambda c: "一" + c + "一",
                                              lambda c: "a " + c, lambda c: c + " a"]

COMPONENTS: dict[str, tuple[Callable[[], Tokenizer], list]] = {
    "bert": (lambda: byte_identity(N.BertNormalizer()), NORMALIZER_CONTEXTS),
    "bert_cased": (lambda: byte_identity(N.BertNormalizer(lowercase=False)), NORMALIZER_CONTEXTS),
    "bert_strip_accents": (lambda: byte_identity(N.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                                                  strip_accents=True, lowercase=False)),
                           NORMALIZER_CONTEXTS),
    "nmt": (lambda: byte_identity(N.Nmt()), NORMALIZER_CONTEXTS),
    "precompiled_nmt_nfkc": (lambda: byte_identity(N.Precompiled(spm_layouts.charsmap("nmt_nfkc"))),
                             NORMALIZER_CONTEXTS),
    "precompiled_nfkc_cf": (lambda: byte_identity(N.Precompiled(spm_layouts.charsmap("nfkc_cf"))),
                            NORMALIZER_CONTEXTS),
    "byte_level_normalizer": (lambda: byte_identity(N.ByteLevel()), NORMALIZER_CONTEXTS),
    "unicode_scripts": (lambda: cut_revealing(P.UnicodeScripts()), SCRIPT_CONTEXTS),
}


def scalars(stride: int) -> list[str]:
    """Every scalar but the surrogates (JSON cannot carry them to lmshard), every ``stride``-th."""
    return [chr(c) for c in range(0, 0x110000, stride) if not 0xD800 <= c <= 0xDFFF]


def sweep(name: str, binary: str, stride: int = 1, show: int = 5) -> tuple[int, int, list[str]]:
    """(lines, mismatches, reports) for one component."""
    make, contexts = COMPONENTS[name]
    tok = make()
    texts = [context(c) for c in scalars(stride) for context in contexts]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.json"
        tok.save(str(path))
        mismatches = parity.compare(tok, binary, str(path), texts, [name] * len(texts), False).mismatches
    reports = [f"{name}: {m.text!r} (U+{ord(m.text[1] if m.text[0] in 'a一' and len(m.text) > 1 else m.text[0]):04X}): "
               f"HF {m.expected} lmshard {m.actual}" for m in mismatches[:show]]
    return len(texts), len(mismatches), reports


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=list(COMPONENTS), choices=list(COMPONENTS))
    ap.add_argument("--stride", type=int, default=1, help="test every N-th scalar (default: all)")
    ap.add_argument("--lmshard", default=None)
    args = ap.parse_args(argv)
    binary = parity.find_lmshard(args.lmshard)
    if not binary or not Path(binary).exists():
        print("sweep: no lmshard binary (pass --lmshard or set LMSHARD_BIN)", file=sys.stderr)
        return 2
    total = 0
    for name in args.only:
        lines, bad, reports = sweep(name, binary, args.stride)
        total += bad
        print(f"{name:24} {lines:8} lines {bad:6} mismatches", flush=True)
        for r in reports:
            print("  " + r)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
