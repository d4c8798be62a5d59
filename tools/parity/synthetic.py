"""Small BPE tokenizers that exercise the components the shared test
tokenizers do not: normalizers, Metaspace, Whitespace, Digits, Punctuation,
BertPreTokenizer, byte fallback, and the Template/Bert/Roberta
post-processors; and the regex and Unicode layouts of issue 15: Split and
Replace regexes on Oniguruma (zero-width matches, line anchors, classes that
changed in Unicode 15-16, GPT-4o's pattern), NFC / NFKC before byte-level
BPE, ByteLevel inside a Sequence (Falcon), ChatML added tokens with rstrip
next to whitespace added tokens, NFKC + Replace + Metaspace "first", and a
``continuing_subword_prefix`` trained on Thai. Each is trained by Python
``tokenizers`` on text from this machine and written as ``<name>.json``;
parity runs then compare lmshard with HF on them exactly as on real
tokenizers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tokenizers import AddedToken, Regex, Tokenizer, decoders as D, models, normalizers as N, pre_tokenizers as P
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


QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
         r"|\s+(?!\S)|\s+")
GPT4O = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
BYTE_LEVEL = {"byte_level": True}
# ChatML: <|im_end|> swallows the whitespace after it (rstrip), which holds
# whitespace added tokens of its own.
CHATML = {"byte_level": True, "added": [
    AddedToken("<|im_start|>", special=True, normalized=False),
    AddedToken("<|im_end|>", special=True, normalized=False, rstrip=True),
    AddedToken("\n", special=False, normalized=False), AddedToken("  ", special=False, normalized=False),
    AddedToken("\t\t", special=False, normalized=False, lstrip=True),
]}

# name -> (normalizer, pre-tokenizer, decoder, post-processor factory, byte_fallback[, extras])
# extras: byte_level (ByteLevel initial alphabet), added (AddedTokens), prefix
# (continuing_subword_prefix).
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
    # Oniguruma semantics: zero-width matches, per-line ^ and $, \h, \b.
    "onig_zero_width": (N.Sequence([N.Replace(Regex(r"\h{4,}"), "#"), N.Replace(Regex(r"[ \t]+$"), "")]),
                        P.Sequence([P.Split(Regex(r"^"), "merged_with_next"),
                                    P.Split(Regex(r"(?=\d)"), "merged_with_next"),
                                    P.Split(Regex(r"\b"), "merged_with_previous"),
                                    P.Split(Regex(r"\s+"), "removed")]), D.BPEDecoder(), None, True),
    # Classes whose members changed in Unicode 15-16 ([[:punct:]] is \p{P}
    # plus \p{S} in HF's Oniguruma), inverted contiguous splits.
    "onig_classes": (N.Replace(Regex(r"[[:punct:]]{2,}|\p{So}"), "\u2022"),
                     P.Sequence([P.Split(Regex(r"\p{L}+|\p{N}|[^\s\p{L}\p{N}]+"), "contiguous", invert=True),
                                 P.Split(Regex(r"\w+"), "isolated")]),
                     D.BPEDecoder(), None, True),
    # GPT-4o's pattern (not a hand-written scanner), then ByteLevel.
    "gpt4o_pattern": (None, P.Sequence([P.Split(Regex(GPT4O), "isolated"),
                                        P.ByteLevel(add_prefix_space=False, use_regex=False)]),
                      D.ByteLevel(), None, False, BYTE_LEVEL),
    # Qwen2's real layout: NFC, then the Qwen2 split and ByteLevel.
    "nfc_qwen2": (N.NFC(), P.Sequence([P.Split(Regex(QWEN2), "isolated"),
                                       P.ByteLevel(add_prefix_space=False, use_regex=False)]),
                  D.ByteLevel(), None, False, BYTE_LEVEL),
    "nfkc_bytelevel": (N.NFKC(), P.ByteLevel(add_prefix_space=False), D.ByteLevel(), None, False, BYTE_LEVEL),
    # Falcon-7b's real pre-tokenizer: stages after ByteLevel see mapped text.
    "falcon_layout": (None, P.Sequence([P.Punctuation("contiguous"), P.ByteLevel(add_prefix_space=False),
                                        P.Digits(individual_digits=False),
                                        P.Split(Regex(r"[0-9][0-9][0-9]"), "isolated")]),
                      D.ByteLevel(), None, False, BYTE_LEVEL),
    "bytelevel_then_digits": (None, P.Sequence([P.ByteLevel(add_prefix_space=True), P.Digits(individual_digits=True)]),
                              D.ByteLevel(), None, False, BYTE_LEVEL),
    "chatml_rstrip": (None, P.ByteLevel(add_prefix_space=False), D.ByteLevel(), None, False, CHATML),
    # NFKC makes "ﬁ" two scalars; Replace deletes "f"; "i" still comes from
    # the input's first character, so Metaspace "first" still prepends.
    "nfkc_replace_metaspace_first": (N.Sequence([N.NFKC(), N.Replace("f", ""), N.Replace(Regex(r"^\s+"), "")]),
                                     P.Metaspace(prepend_scheme="first"), D.Metaspace(prepend_scheme="first"),
                                     None, False),
    # WordPiece-style prefix on a script with combining vowels (Thai).
    "subword_prefix_thai": (N.NFC(), P.Whitespace(), D.WordPiece(), None, False, {"prefix": "##"}),
}


THAI = ("ภาษาไทยเป็นภาษาที่มีสระประกอบ ครั้งหนึ่ง น้ำใจ กำลัง ที่นั่น ผู้หญิง เด็กๆ ไปโรงเรียน "
        "สวัสดีครับ ขอบคุณค่ะ ประเทศไทย กรุงเทพมหานคร ")


def build(name: str, out_dir: Path, texts: list[str], vocab_size: int = 2000) -> Path:
    """Trains recipe ``name`` on ``texts`` and saves it; returns the path."""
    normalizer, pre, decoder, post, byte_fallback, *rest = RECIPES[name]
    extras = rest[0] if rest else {}
    prefix = extras.get("prefix")
    if extras.get("byte_level"):
        tok = Tokenizer(models.BPE())
    else:
        options = {"continuing_subword_prefix": prefix} if prefix else {}
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=byte_fallback, **options))
    if normalizer is not None:
        tok.normalizer = normalizer
    if pre is not None:
        tok.pre_tokenizer = pre
    tok.decoder = decoder
    specials = SPECIALS + ([f"<0x{i:02X}>" for i in range(256)] if byte_fallback else [])
    alphabet = P.ByteLevel.alphabet() if extras.get("byte_level") else []
    if prefix:
        texts = texts + [THAI] * 200
    options = {"continuing_subword_prefix": prefix} if prefix else {}
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                                       show_progress=False, initial_alphabet=alphabet, **options))
    if extras.get("added"):
        tok.add_tokens(extras["added"])
    if post is not None:
        tok.post_processor = post(tok)
    path = out_dir / f"{name}.json"
    tok.save(str(path))
    return path


def training_text(max_bytes: int = 400_000) -> list[str]:
    return corpus.gather(None, max_bytes, seed=1)
