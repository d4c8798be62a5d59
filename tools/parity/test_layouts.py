"""pytest: lmshard against Python ``tokenizers`` on tokenizers trained on the
fly (``run_layouts.py --quick``) and on every Unicode scalar, strided
(``sweep_components.py``). The full runs are documented in README.md.

    LMSHARD_BIN=.build/release/lmshard python -m pytest tools/parity/test_layouts.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import layouts  # noqa: E402
import run_layouts  # noqa: E402
import sweep_components  # noqa: E402

BINARY = os.environ.get("LMSHARD_BIN")
needs_binary = pytest.mark.skipif(not BINARY or not Path(BINARY).exists(),
                                  reason="lmshard binary not found: set LMSHARD_BIN to a built lmshard")


@needs_binary
def test_quick_layouts_match_hf(capsys):
    # Unigram (byte fallback, Precompiled, Metaspace + UnicodeScripts, special
    # tokens with strip flags), BERT WordPiece with word-level added tokens,
    # WordLevel (Nmt, FixedLength), byte-fallback BPE (ByteLevel normalizer,
    # UnicodeScripts) and a SentencePiece-converted T5-style Unigram.
    status = run_layouts.main(["--quick", "--lmshard", BINARY])
    report = capsys.readouterr().out
    assert status == 0, report
    assert "layouts: 5, with mismatches: 0" in report


@needs_binary
@pytest.mark.parametrize("name", list(sweep_components.COMPONENTS))
def test_every_37th_scalar_matches_hf(name: str):
    lines, bad, reports = sweep_components.sweep(name, BINARY, stride=37)
    assert lines > 80_000
    assert bad == 0, "\n".join(reports)


def test_byte_identity_tokenizer_spells_bytes():
    # The sweep reads a normalizer's output from ids: they must be its UTF-8 bytes.
    from tokenizers import normalizers as N

    tok = sweep_components.byte_identity(N.Lowercase())
    assert tok.encode("Aé\n").ids == [0x61, 0xC3, 0xA9, 0x0A]


def test_cut_revealing_tokenizer_shows_cuts():
    from tokenizers import pre_tokenizers as P

    tok = sweep_components.cut_revealing(P.WhitespaceSplit())
    # "a", "b" and "一" are known, anything else is 0: cuts are visible.
    assert tok.encode("a b 一 ab").ids == [1, 2, 3, 0]


def test_layouts_cover_every_axis():
    chosen = layouts.layouts()
    for model in layouts.MODELS:
        assert {l.normalizer for l in chosen if l.model == model} == set(layouts.NORMALIZERS)
        assert {l.pre_tokenizer for l in chosen if l.model == model} == set(layouts.PRE_TOKENIZERS)
        assert {l.added for l in chosen if l.model == model} == set(layouts.ADDED)
    assert len({l.name for l in chosen}) == len(chosen)
