"""A seeded generator of strings that stress tokenizer edge cases.

Each generator below targets one place where a reimplementation of Hugging
Face ``tokenizers`` tends to drift: regex classes (\\s, \\p{L}, \\p{N}),
lookahead on whitespace runs, case-insensitive contractions, added-token
matching, UTF-8 handling of multi-scalar graphemes, and BPE on long words.
Strings never contain lone surrogates (JSON cannot carry them into a Swift
String). ``generate(n, seed)`` is deterministic for a given seed.
"""

from __future__ import annotations

import itertools
import random
from typing import Callable, Iterator

WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\u00a0", "\u3000", "\u2028", "\u2029",
              "\x0b", "\x0c", "\x85", "\u1680", "\u2003", "\u200b", "\ufeff", " \n", "\t\n "]
CONTRACTION_SUFFIXES = ["s", "t", "re", "ve", "m", "ll", "d"]
APOSTROPHES = ["'", "’", "‘", "`"]
COMBINING = [chr(c) for c in range(0x300, 0x370)] + ["\u0483", "\u0591", "\u05b0", "\u0610", "\u093c",
                                                     "\u0e31", "\u20d7", "\ufe0f", "\u0903", "\u0488"]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇯🇵", "🇺🇸", "1️⃣", "❤️", "🧑🏿\u200d🚀",
         "👩\u200d💻", "🫠", "🤌🏻", "⚡", "©️", "™"]
DIGITS = "0123456789"
UNICODE_NUMBERS = ["٣", "３", "½", "²", "Ⅻ", "௰", "۹", "१", "๓", "⑦", "𝟘", "¼"]
RTL = ["שלום עולם", "مرحبا بالعالم", "\u200fعربي\u200f", "\u202eevil\u202c", "עִבְרִית", "اَلْعَرَبِيَّةُ",
       "فارسی ۱۲۳", "ܐܪܡܝܐ"]
CONTROL = [chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
SPECIAL_TOKENS = ["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>",
                  "<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>", "<|eot_id|>",
                  "<system>", "</system>", "<user>", "</user>", "<assistant>", "</assistant>", "<s>", "</s>",
                  "<unk>", "<pad>", "[CLS]", "[SEP]"]
ODD_SCALARS = ["\ufffd", "\ufffe", "\uffff", "\U0010ffff", "\ue000", "\U000f0000", "\u00ad", "\u2060",
               "\u200c", "\u200d", "\u034f", "\U0001d11e", "\U00020000", "\u0000",
               # Scalars whose class differs between Unicode versions (HF's tables
               # are older than Swift's): Unicode 15-17 letters, recategorized punctuation.
               "\U000323b0", "\u088f", "\U0001ccf0", "\U00016ea0", "\U00031350", "\u061d", "\u166d", "\u32ff"]
WORDS = ["the", "The", "THE", "hello", "world", "naïve", "café", "straße", "İstanbul", "ΣΟΦΙΑ", "Ǆemal",
         "def", "return", "self", "__init__", "snake_case", "camelCase", "HTTPServer", "x", "I", "a"]


def _cjk(rng: random.Random, n: int) -> str:
    ranges = [(0x4E00, 0x9FFF), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xAC00, 0xD7A3), (0x20000, 0x2A6DF),
              (0xFF01, 0xFF5E)]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(ranges)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def whitespace_runs(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 8)):
        parts.append(_word(rng) if rng.random() < 0.6 else "")
        parts.append("".join(rng.choice(WHITESPACE) for _ in range(rng.choice([1, 2, 3, 7, 40, 200]))))
    return "".join(parts)


def newline_mix(rng: random.Random) -> str:
    return "".join(rng.choice(["\r\n", "\r", "\n", "\n\r", " \r\n", "\t\r"]) + rng.choice(["", _word(rng), "  "])
                   for _ in range(rng.randint(1, 30)))


def digit_runs(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        n = rng.choice([1, 2, 3, 4, 5, 7, 10, 33])
        parts.append("".join(rng.choice(DIGITS) for _ in range(n)))
        parts.append(rng.choice(["", " ", ".", ",", "-", "x", "e", rng.choice(UNICODE_NUMBERS), "\u00a0"]))
    return "".join(parts)


def contractions(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        suffix = rng.choice(CONTRACTION_SUFFIXES)
        suffix = rng.choice([suffix, suffix.upper(), suffix.title()])
        parts.append(rng.choice(["", _word(rng), "n"]) + rng.choice(APOSTROPHES) + suffix
                     + rng.choice(["", " ", "s", "'", "x"]))
    return rng.choice([" ", "", "\n"]).join(parts)


def combining_marks(rng: random.Random) -> str:
    base = rng.choice(["a", "e", " ", "\n", "1", "ק", "क", "ไ", "", "_"])
    marks = "".join(rng.choice(COMBINING) for _ in range(rng.randint(1, 12)))
    return base + marks + rng.choice(["", " ", _word(rng)])


def emoji(rng: random.Random) -> str:
    return rng.choice(["", " "]).join(rng.choice(EMOJI) for _ in range(rng.randint(1, 6))) + rng.choice(["", "!", " x"])


def cjk(rng: random.Random) -> str:
    return _cjk(rng, rng.randint(1, 40)) + rng.choice(["", "。", "，", " abc", "123", "\n"])


def rtl(rng: random.Random) -> str:
    return " ".join(rng.choice(RTL) for _ in range(rng.randint(1, 4))) + rng.choice(["", " 42", ". ", "\n"])


def control(rng: random.Random) -> str:
    return "".join(rng.choice(CONTROL + [" ", "a"]) for _ in range(rng.randint(1, 20)))


def special_tokens(rng: random.Random, extra: list[str]) -> str:
    pool = SPECIAL_TOKENS + extra
    parts = []
    for _ in range(rng.randint(1, 6)):
        token = rng.choice(pool)
        r = rng.random()
        if r < 0.15:
            token = token[: rng.randint(1, max(1, len(token) - 1))]  # a prefix of a token
        elif r < 0.25:
            token = token.upper()
        parts.append(token)
        parts.append(rng.choice(["", " ", "  ", "\n", _word(rng), " " + _word(rng), "<", ">", "|"]))
    return "".join(parts)


def odd_scalars(rng: random.Random) -> str:
    return "".join(rng.choice(ODD_SCALARS + WORDS) for _ in range(rng.randint(1, 10)))


def long_words(rng: random.Random) -> str:
    unit = rng.choice(["a", "ab", "abc", "xyz", "0", "_", "é", "你", "=", "-", " a", "aaaaab"])
    return unit * rng.choice([50, 200, 1000, 3000])


def code_like(rng: random.Random) -> str:
    indent = rng.choice(["    ", "\t", "  ", "        "])
    lines = []
    for _ in range(rng.randint(1, 10)):
        lines.append(indent * rng.randint(0, 4) + rng.choice([
            "def f(x): return x**2  # comment", "if (a && b) { return c; }", "x = [1, 2, 3]",
            "print(f\"{x!r:>10}\")", "https://example.com/a?b=c&d=e#f", "0xDEADBEEF", "SGVsbG8gd29ybGQ=",
            "let s = \"it's\"", "/* ** */", "a+=1;b-=2", "    ", "", "λx.x", "→ ← ⇒", "...", "!!!???",
        ]))
    return rng.choice(["\n", "\r\n"]).join(lines)


GENERATORS: list[Callable[[random.Random], str]] = [
    whitespace_runs, newline_mix, digit_runs, contractions, combining_marks, emoji, cjk, rtl, control,
    odd_scalars, long_words, code_like,
]


def stream(seed: int = 0, extra_specials: list[str] | None = None) -> Iterator[str]:
    """Hostile strings without end: ``generate(n, seed)`` is its first ``n``,
    so a long run can take them a batch at a time."""
    rng = random.Random(seed)
    extra = extra_specials or []
    yield from ["", " ", "\n", "  ", "a", "<|endoftext|>", " <|endoftext|> ", "\r\n\r\n", "'s", "'S"]
    while True:
        if rng.random() < 0.12:
            text = special_tokens(rng, extra)
        else:
            count = 1 if rng.random() < 0.75 else rng.randint(2, 5)
            text = "".join(rng.choice(GENERATORS)(rng) for _ in range(count))
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        yield text


def generate(n: int, seed: int = 0, extra_specials: list[str] | None = None) -> list[str]:
    """``n`` hostile strings; about one in four mixes several generators."""
    return list(itertools.islice(stream(seed, extra_specials), n))

if __name__ == "__main__":
    import json
    import sys

    for s in generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20):
        print(json.dumps(s))
