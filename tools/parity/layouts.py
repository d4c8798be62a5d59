"""Tokenizers of every kind HF supports, trained on the fly by Python
``tokenizers`` so parity runs cover layouts no shared file has.

A layout is a model (BPE, Unigram, WordPiece, WordLevel, with or without
byte fallback), a normalizer, a pre-tokenizer and a set of added tokens
with their flags (special, single_word, lstrip, rstrip, normalized). The
full cross product is thousands of tokenizers, so ``layouts()`` covers it
pairwise: every model with every normalizer (under the model's usual
pre-tokenizer), every model with every pre-tokenizer (under no
normalizer), every model with every added-token set, every normalizer in
front of Metaspace "first"; plus SentencePiece conversions (``spm_layouts``).
``quick_layouts()`` is the subset the test suite runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tokenizers import AddedToken, Regex, Tokenizer, decoders as D, models, normalizers as N
from tokenizers import pre_tokenizers as P, processors as PP, trainers

import corpus
import spm_layouts

SPECIALS = ["<unk>", "<s>", "</s>", "[CLS]", "[SEP]", "[MASK]", "[PAD]"]
BYTE_TOKENS = [f"<0x{i:02X}>" for i in range(256)]

# Models: name -> (model factory, trainer factory, post-training JSON patch or None).


def _unigram_byte_fallback(model: dict) -> None:
    # UnigramTrainer cannot add byte tokens; SentencePiece gives them a low score.
    low = min(score for _, score in model["vocab"]) - 5.0
    known = {piece for piece, _ in model["vocab"]}
    model["vocab"] += [[t, low] for t in BYTE_TOKENS if t not in known]
    model["byte_fallback"] = True


MODELS: dict[str, tuple[Callable, Callable, Callable | None]] = {
    "bpe": (lambda: models.BPE(unk_token="<unk>"),
            lambda n: trainers.BpeTrainer(vocab_size=n, special_tokens=SPECIALS, show_progress=False), None),
    "bpe_fallback": (lambda: models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True),
                     lambda n: trainers.BpeTrainer(vocab_size=n, special_tokens=SPECIALS + BYTE_TOKENS,
                                                   show_progress=False), None),
    "unigram": (lambda: models.Unigram(),
                lambda n: trainers.UnigramTrainer(vocab_size=n, special_tokens=SPECIALS, unk_token="<unk>",
                                                  show_progress=False), None),
    "unigram_fallback": (lambda: models.Unigram(),
                         lambda n: trainers.UnigramTrainer(vocab_size=n, special_tokens=SPECIALS, unk_token="<unk>",
                                                           show_progress=False), _unigram_byte_fallback),
    "wordpiece": (lambda: models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100),
                  lambda n: trainers.WordPieceTrainer(vocab_size=n, special_tokens=["[UNK]"] + SPECIALS,
                                                      show_progress=False), None),
    # Short words only: a longer one is [UNK] whole.
    "wordpiece_max8": (lambda: models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=8),
                       lambda n: trainers.WordPieceTrainer(vocab_size=n, special_tokens=["[UNK]"] + SPECIALS,
                                                           continuing_subword_prefix="@@", show_progress=False),
                       lambda m: m.update(continuing_subword_prefix="@@")),
    "wordlevel": (lambda: models.WordLevel(unk_token="<unk>"),
                  lambda n: trainers.WordLevelTrainer(vocab_size=n, special_tokens=SPECIALS, show_progress=False),
                  None),
}

NORMALIZERS: dict[str, Callable[[], object | None]] = {
    "none": lambda: None,
    "nfkc": lambda: N.NFKC(),
    "bert": lambda: N.BertNormalizer(),
    "bert_cased": lambda: N.BertNormalizer(lowercase=False),
    "bert_strip_only": lambda: N.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                                lowercase=False),
    "nmt_nfkc": lambda: N.Sequence([N.Nmt(), N.NFKC()]),
    "precompiled_nmt_nfkc": lambda: N.Precompiled(spm_layouts.charsmap("nmt_nfkc")),
    "precompiled_nfkc_cf": lambda: N.Precompiled(spm_layouts.charsmap("nfkc_cf")),
    "byte_level": lambda: N.ByteLevel(),
    "nfd_strip_lower": lambda: N.Sequence([N.NFD(), N.StripAccents(), N.Lowercase()]),
}

PRE_TOKENIZERS: dict[str, Callable[[], object | None]] = {
    "none": lambda: None,
    "whitespace": lambda: P.Whitespace(),
    "whitespace_split": lambda: P.WhitespaceSplit(),
    "bert": lambda: P.BertPreTokenizer(),
    "metaspace": lambda: P.Metaspace(prepend_scheme="always"),
    "metaspace_first_nosplit": lambda: P.Metaspace(prepend_scheme="first", split=False),
    "unicode_scripts": lambda: P.UnicodeScripts(),
    "split_then_scripts": lambda: P.Sequence([P.WhitespaceSplit(), P.UnicodeScripts()]),
    "metaspace_then_scripts": lambda: P.Sequence([P.Metaspace(prepend_scheme="first"), P.UnicodeScripts()]),
    "fixed_length": lambda: P.FixedLength(length=3),
    "whitespace_fixed_length": lambda: P.Sequence([P.WhitespaceSplit(), P.FixedLength(length=5)]),
    "byte_level": lambda: P.ByteLevel(add_prefix_space=False),
    "digits_punctuation": lambda: P.Sequence([P.WhitespaceSplit(), P.Digits(individual_digits=True),
                                              P.Punctuation()]),
}

# The pre-tokenizer a model usually runs with, for the normalizer sweep.
USUAL_PRE = {"bpe": "byte_level", "bpe_fallback": "metaspace", "unigram": "metaspace",
             "unigram_fallback": "metaspace", "wordpiece": "bert", "wordpiece_max8": "whitespace",
             "wordlevel": "whitespace"}


def _added(specs: list[tuple[str, dict]]) -> list[AddedToken]:
    return [AddedToken(content, **flags) for content, flags in specs]


ADDED: dict[str, list[AddedToken]] = {
    "none": [],
    # Special tokens (matched on the raw text) with stripping flags.
    "special_flags": _added([("<sp>", dict(special=True)), ("[MASK]", dict(special=True, lstrip=True)),
                             ("<eot>", dict(special=True, rstrip=True)),
                             ("<both>", dict(special=True, lstrip=True, rstrip=True)),
                             ("<w>", dict(special=True, single_word=True))]),
    # Ordinary added tokens: matched after normalization unless told not to.
    "word_flags": _added([("hello", dict(special=False, single_word=True)),
                          ("World", dict(special=False, normalized=True)),
                          ("Raw", dict(special=False, normalized=False)),
                          ("the", dict(special=False, lstrip=True, rstrip=True)),
                          ("ing", dict(special=False, single_word=False, rstrip=True))]),
}


@dataclass(frozen=True)
class Layout:
    name: str
    model: str
    normalizer: str
    pre_tokenizer: str
    added: str = "none"


def layouts() -> list[Layout]:
    """The pairwise cover of models x normalizers x pre-tokenizers x added tokens."""
    out: list[Layout] = []
    for m in MODELS:
        for n in NORMALIZERS:
            out.append(Layout(f"{m}-n_{n}", m, n, USUAL_PRE[m]))
        for p in PRE_TOKENIZERS:
            if p != USUAL_PRE[m]:
                out.append(Layout(f"{m}-p_{p}", m, "none", p))
        for a in ADDED:
            if a != "none":
                out.append(Layout(f"{m}-a_{a}", m, "bert" if m.startswith("wordpiece") else "nfkc", USUAL_PRE[m], a))
    # Metaspace "first" asks whether a piece still starts the input, which
    # every normalizer can change (deleted, expanded or inserted characters).
    for n in NORMALIZERS:
        if n != "none":
            out.append(Layout(f"unigram_fallback-first-n_{n}", "unigram_fallback", n, "metaspace_first_nosplit",
                              "special_flags"))
    return out


def quick_layouts() -> list[Layout]:
    """A few layouts covering each new component once, for the test suite."""
    return [
        Layout("unigram-quick", "unigram_fallback", "precompiled_nmt_nfkc", "metaspace_then_scripts", "special_flags"),
        Layout("wordpiece-quick", "wordpiece", "bert", "bert", "word_flags"),
        Layout("wordlevel-quick", "wordlevel", "nmt_nfkc", "whitespace_fixed_length", "special_flags"),
        Layout("bpe-quick", "bpe_fallback", "byte_level", "split_then_scripts", "word_flags"),
    ]


def _post_processor(tok: Tokenizer, model: str):
    if model.startswith("wordpiece"):
        return PP.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    return PP.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B </s>",
                                 special_tokens=[("<s>", bos), ("</s>", eos)])


def _decoder(layout: Layout):
    if layout.model.startswith("wordpiece"):
        return D.WordPiece(prefix="@@" if layout.model == "wordpiece_max8" else "##")
    if layout.pre_tokenizer.startswith("metaspace"):
        return D.Metaspace(prepend_scheme="first" if "first" in layout.pre_tokenizer else "always")
    if layout.pre_tokenizer == "byte_level" or layout.normalizer == "byte_level":
        return D.ByteLevel()
    return D.Sequence([D.ByteFallback(), D.Fuse()]) if "fallback" in layout.model else None


def build(layout: Layout, out_dir: Path, texts: list[str], vocab_size: int = 2000) -> Path:
    """Trains ``layout`` on ``texts`` and saves it; returns the tokenizer.json path."""
    make_model, make_trainer, patch = MODELS[layout.model]
    tok = Tokenizer(make_model())
    normalizer = NORMALIZERS[layout.normalizer]()
    if normalizer is not None:
        tok.normalizer = normalizer
    pre = PRE_TOKENIZERS[layout.pre_tokenizer]()
    if pre is not None:
        tok.pre_tokenizer = pre
    trainer = make_trainer(vocab_size)
    if layout.pre_tokenizer == "byte_level" and layout.model.startswith("bpe"):
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False,
                                      initial_alphabet=P.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    if patch is not None:
        data = json.loads(tok.to_str())
        patch(data["model"])
        tok = Tokenizer.from_str(json.dumps(data))
    decoder = _decoder(layout)
    if decoder is not None:
        tok.decoder = decoder
    tok.post_processor = _post_processor(tok, layout.model)
    added = ADDED[layout.added]
    tok.add_special_tokens([t for t in added if t.special])
    tok.add_tokens([t for t in added if not t.special])
    path = out_dir / f"{layout.name}.json"
    tok.save(str(path))
    return path


def training_text(max_bytes: int = 400_000) -> list[str]:
    return corpus.gather(None, max_bytes, seed=1)
