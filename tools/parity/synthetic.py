"""Small BPE tokenizers that exercise the components the shared test
tokenizers do not: normalizers, Metaspace, Whitespace, Digits, Punctuation,
BertPreTokenizer, byte fallback, and the Template/Bert/Roberta
post-processors. Each is trained by Python ``tokenizers`` on text from this
machine and written as ``<name>.json``; parity runs then compare lmshard with
HF on them exactly as on real tokenizers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tokenizers import Regex, Tokenizer, decoders as D, models, normalizers as N, pre_tokenizers as P
from tokenizers import processors as PP, trainers

import corpus

SPECIALS = ["<s>", "</s>", "<unk>"]


def _template(tok: Tokenizer) -> PP.TemplateProcessing:
    bos = tok.token_to_id("<s>")
    return PP.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])


def _bert(tok: Tokenizer) -> PP.BertProcessing:
    return PP.BertProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))


def _roberta(tok: Tokenizer) -> PP.RobertaProcessing:
    return PP.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))


# name -> (normalizer, pre-tokenizer, decoder, post-processor factory, byte_fallback)
RECIPES: dict[str, tuple] = {
    "nfkc_lower_whitespace": (N.Sequence([N.NFKC(), N.Lowercase(), N.Strip()]), P.Whitespace(), D.BPEDecoder(),
                              None, False),
    "sentencepiece_style": (N.Sequence([N.Prepend("▁"), N.Replace(" ", "▁")]), None,
                            D.Sequence([D.Replace("▁", " "), D.ByteFallback(), D.Fuse(), D.Strip(" ", 1, 0)]),
                            _template, True),
    "metaspace_always": (N.NFD(), P.Metaspace(prepend_scheme="always"), D.Metaspace(prepend_scheme="always"),
                         None, True),
    "metaspace_first": (None, P.Metaspace(prepend_scheme="first"), D.Metaspace(prepend_scheme="first"), None, False),
    # Normalizers that delete leading characters: HF's "first" then looks
    # at the original offset, which no longer is 0.
    "metaspace_first_strip": (N.Sequence([N.Strip(), N.NFD(), N.StripAccents()]),
                              P.Metaspace(prepend_scheme="first"), D.Metaspace(prepend_scheme="first"), None, False),
    "digits_punctuation": (N.Sequence([N.NFD(), N.StripAccents(), N.Replace(Regex(r"\s+"), " ")]),
                           P.Sequence([P.WhitespaceSplit(), P.Digits(individual_digits=False),
                                       P.Punctuation("contiguous")]),
                           D.BPEDecoder(), _bert, False),
    "bert_pre_tokenizer": (N.NFKD(), P.BertPreTokenizer(), D.BPEDecoder(), _roberta, False),
}


def build(name: str, out_dir: Path, texts: list[str], vocab_size: int = 2000) -> Path:
    """Trains recipe ``name`` on ``texts`` and saves it; returns the path."""
    normalizer, pre, decoder, post, byte_fallback = RECIPES[name]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=byte_fallback))
    if normalizer is not None:
        tok.normalizer = normalizer
    if pre is not None:
        tok.pre_tokenizer = pre
    tok.decoder = decoder
    specials = SPECIALS + ([f"<0x{i:02X}>" for i in range(256)] if byte_fallback else [])
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                                       show_progress=False))
    if post is not None:
        tok.post_processor = post(tok)
    path = out_dir / f"{name}.json"
    tok.save(str(path))
    return path


def training_text(max_bytes: int = 400_000) -> list[str]:
    return corpus.gather(None, max_bytes, seed=1)
