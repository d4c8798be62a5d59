"""Tokenizers converted from SentencePiece models, as real T5, ALBERT or
XLNet ``tokenizer.json`` files are: a Unigram (or BPE) vocabulary with
SentencePiece's scores, its ``precompiled_charsmap`` in a ``Precompiled``
normalizer, and Metaspace pre-tokenization.

The SentencePiece model is trained here on the fly (``sentencepiece`` from
PyPI) on text from this machine, so no model file is shipped; the
conversion follows ``transformers``' ``SpmConverter`` in its two shapes:

* ``t5``: the long-standing layout of hub files (``Precompiled`` then
  ``Replace(" {2,}", " ")``, ``Metaspace`` with ``prepend_scheme``
  "always" that splits on "▁", Template ``$A </s>``);
* ``spm_exact``: the newer layout that reproduces SentencePiece's own
  whitespace handling with regex ``Replace``s and a non-splitting
  ``Metaspace`` with ``prepend_scheme`` "first".
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as spm_model
from tokenizers import Regex, Tokenizer, decoders as D, models, normalizers as N, pre_tokenizers as P
from tokenizers import processors as PP


def train(texts: list[str], *, rule: str = "nmt_nfkc", model_type: str = "unigram", vocab_size: int = 2000,
          byte_fallback: bool = False) -> spm_model.ModelProto:
    """A SentencePiece model trained on ``texts`` (lines), as a parsed proto."""
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=out, vocab_size=vocab_size, model_type=model_type,
        normalization_rule_name=rule, byte_fallback=byte_fallback, character_coverage=0.9995,
        hard_vocab_limit=False, minloglevel=2, num_threads=1, max_sentence_length=1 << 16,
        user_defined_symbols=[], unk_id=2, bos_id=1, eos_id=0, pad_id=-1)
    proto = spm_model.ModelProto()
    proto.ParseFromString(out.getvalue())
    return proto


@functools.lru_cache(maxsize=None)
def charsmap(rule: str) -> bytes:
    """SentencePiece's compiled normalization rules ``rule`` (nmt_nfkc, nfkc,
    nfkc_cf, nmt_nfkc_cf): the same bytes whatever the training text."""
    return train(["a b c d e f g h i j"] * 50, rule=rule, vocab_size=30).normalizer_spec.precompiled_charsmap


def convert(proto: spm_model.ModelProto, style: str = "t5") -> Tokenizer:
    """An HF tokenizer from a SentencePiece proto, in ``style`` t5 or spm_exact."""
    vocab = [(p.piece, p.score) for p in proto.pieces]
    byte_fallback = proto.trainer_spec.byte_fallback
    tok = Tokenizer(models.Unigram(vocab, unk_id=proto.trainer_spec.unk_id, byte_fallback=byte_fallback))
    spec = proto.normalizer_spec
    if style == "t5":
        tok.normalizer = N.Sequence([N.Precompiled(spec.precompiled_charsmap), N.Replace(Regex(" {2,}"), " ")])
        tok.pre_tokenizer = P.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        tok.decoder = D.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    elif style == "spm_exact":
        steps = [N.Precompiled(spec.precompiled_charsmap),
                 N.Replace(Regex(r"\A +| +\z"), ""), N.Replace(Regex(" {2,}"), " "), N.Replace(" ", "▁")]
        tok.normalizer = N.Sequence(steps)
        tok.pre_tokenizer = P.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = D.Sequence([D.Replace("▁", " ")] + ([D.ByteFallback()] if byte_fallback else [])
                                 + [D.Fuse(), D.Strip(content=" ", left=1)])
    else:
        raise ValueError(f"unknown style {style}")
    eos = proto.pieces[0].piece  # eos_id=0 above
    tok.add_special_tokens([eos, proto.pieces[1].piece, proto.pieces[2].piece])
    tok.post_processor = PP.TemplateProcessing(single=f"$A {eos}", pair=f"$A {eos} $B {eos}",
                                               special_tokens=[(eos, 0)])
    return tok


SPM_LAYOUTS = {
    # name: (normalization rule, byte_fallback, style)
    "spm_t5_nmt_nfkc": ("nmt_nfkc", False, "t5"),
    "spm_t5_nfkc_cf_fallback": ("nfkc_cf", True, "t5"),
    "spm_exact_nmt_nfkc_fallback": ("nmt_nfkc", True, "spm_exact"),
}


def build(name: str, out_dir: Path, texts: list[str]) -> Path:
    """Trains and converts SPM layout ``name``; returns the tokenizer.json path."""
    rule, byte_fallback, style = SPM_LAYOUTS[name]
    tok = convert(train(texts, rule=rule, byte_fallback=byte_fallback), style)
    path = out_dir / f"{name}.json"
    tok.save(str(path))
    return path
