#!/usr/bin/env python3
"""Compare ``lmshard tokenize`` with Python ``tokenizers`` on real and hostile text.

    python tools/parity/parity.py --tokenizer path/to/tokenizer.json \\
        [--corpus FILES_OR_DIRS ...] [--generated N] [--lmshard BIN] [--quick]

Every document (real text from ``corpus.py``, hostile strings from
``hostile.py``) is encoded by both sides with special tokens off unless
``--add-special-tokens``. lmshard reads JSONL ``{"text": ...}`` on stdin and
writes one ``{"ids": [...]}`` line per input line, in order. For each
mismatch the report shows the input around the first differing token (HF's
offsets locate it) and both id lists there, as ids, tokens and decoded
text. Exit status: 0 when every document matches, 1 otherwise, 2 when
lmshard fails to run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import hostile  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

QUICK_BYTES = 300_000
QUICK_GENERATED = 3_000
FULL_BYTES = 20_000_000
FULL_GENERATED = 50_000


def find_lmshard(explicit: str | None) -> str | None:
    """--lmshard, else $LMSHARD_BIN, else `lmshard` on PATH, else this repo's build."""
    if explicit:
        return explicit
    if os.environ.get("LMSHARD_BIN"):
        return os.environ["LMSHARD_BIN"]
    on_path = shutil.which("lmshard")
    if on_path:
        return on_path
    repo = Path(__file__).resolve().parents[2]
    for config in ("release", "debug"):
        candidate = repo / ".build" / config / "lmshard"
        if candidate.exists():
            return str(candidate)
    return None


def run_lmshard(binary: str, tokenizer: str, texts: list[str], add_special: bool,
                extra_args: list[str] | None = None) -> tuple[list[list[int]], float]:
    """ids per text from ``lmshard tokenize`` and the wall time it took."""
    payload = "".join(json.dumps({"text": t}, ensure_ascii=True) + "\n" for t in texts).encode("ascii")
    cmd = [binary, "tokenize", "--tokenizer", tokenizer] + (["--add-special-tokens"] if add_special else [])
    cmd += extra_args or []
    start = time.perf_counter()
    proc = subprocess.run(cmd, input=payload, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:2000]}")
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(texts):
        raise RuntimeError(f"lmshard wrote {len(lines)} lines for {len(texts)} inputs")
    out = []
    for number, line in enumerate(lines, 1):
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("ids"), list):
            raise RuntimeError(f"lmshard output line {number} has no ids list: {line[:200]}")
        out.append(row["ids"])
    return out, elapsed


@dataclass
class Mismatch:
    index: int
    source: str
    text: str
    expected: list[int]
    actual: list[int]
    first_diff: int = field(init=False)

    def __post_init__(self) -> None:
        n = min(len(self.expected), len(self.actual))
        self.first_diff = next((i for i in range(n) if self.expected[i] != self.actual[i]), n)


def describe(m: Mismatch, tok: Tokenizer, add_special: bool, window: int = 6, context: int = 60) -> str:
    """A human report of one mismatch."""
    enc = tok.encode(m.text, add_special_tokens=add_special)
    i = m.first_diff
    if i < len(enc.offsets):
        start, end = enc.offsets[i]
    else:
        start = end = len(m.text)
    excerpt = m.text[max(0, start - context): end + context]
    lo, hi = max(0, i - 2), i + window

    def show(ids: list[int]) -> str:
        part = ids[lo:hi]
        tokens = [tok.id_to_token(t) for t in part]
        return f"ids {part} tokens {tokens!r} decoded {tok.decode(part, skip_special_tokens=False)!r}"

    return "\n".join([
        f"- document {m.index} ({m.source}, {len(m.text)} chars): first difference at token {i} "
        f"(HF {len(m.expected)} tokens, lmshard {len(m.actual)}), input chars {start}..{end}",
        f"  input around it: {excerpt!r}",
        f"  HF      {show(m.expected)}",
        f"  lmshard {show(m.actual)}",
    ])


CHUNK = 20_000


@dataclass
class Comparison:
    """What one ``compare`` found."""
    mismatches: list[Mismatch] = field(default_factory=list)
    tokens: int = 0  # HF's, over the documents it encoded
    # (index, text, lmshard's ids) where HF panicked
    hf_panics: list[tuple[int, str, list[int]]] = field(default_factory=list)

    def add(self, other: Comparison) -> None:
        """Takes in what a later ``compare`` found."""
        self.mismatches += other.mismatches
        self.tokens += other.tokens
        self.hf_panics += other.hf_panics


def _is_panic(error: BaseException) -> bool:
    # pyo3 raises a Rust panic as PanicException, a BaseException.
    return type(error).__name__ == "PanicException"


def hf_ids(tok: Tokenizer, texts: list[str], add_special: bool) -> list[list[int] | None]:
    """HF's ids for each text, None where HF panics on it (its own bug, so
    there is nothing to compare with: ``compare`` reports those apart). A
    batch that panics is halved until the panicking texts are alone."""
    try:
        return [e.ids for e in tok.encode_batch_fast(texts, add_special_tokens=add_special)]
    except BaseException as error:
        if not _is_panic(error):
            raise
    if len(texts) == 1:
        return [None]
    half = len(texts) // 2
    return hf_ids(tok, texts[:half], add_special) + hf_ids(tok, texts[half:], add_special)


def compare(tok: Tokenizer, binary: str, tokenizer: str, texts: list[str], sources: list[str],
            add_special: bool, chunk: int = CHUNK, first_index: int = 0) -> Comparison:
    """The documents where lmshard's ids differ from HF's, how many tokens HF
    gave, and the documents HF panicked on. Raises RuntimeError when lmshard
    fails to run.

    Works ``chunk`` documents at a time, so memory stays bounded however many
    documents there are (HF's encodings of 250,000 hostile strings alone took
    ~12 GB), and runs lmshard on a chunk in a thread while HF encodes it (HF
    releases the GIL), so the two sides overlap. Indices count from
    ``first_index``."""
    found = Comparison()
    with ThreadPoolExecutor(max_workers=1) as pool:
        for start in range(0, len(texts), chunk):
            part = texts[start:start + chunk]
            theirs = pool.submit(run_lmshard, binary, tokenizer, part, add_special)
            expected = hf_ids(tok, part, add_special)
            actual, _ = theirs.result()
            for offset, (e, a) in enumerate(zip(expected, actual)):
                i = start + offset
                if e is None:
                    found.hf_panics.append((first_index + i, texts[i], a))
                    continue
                found.tokens += len(e)
                if e != a:
                    found.mismatches.append(Mismatch(first_index + i, sources[i], texts[i], e, a))
    return found


def describe_panic(index: int, text: str, ids: list[int]) -> str:
    return f"- document {index}: HF panicked (no ids to compare); input {text[:200]!r}, lmshard gave {len(ids)} ids"


def added_token_strings(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return [t["content"] for t in data.get("added_tokens", []) if isinstance(t, dict) and "content" in t][:200]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", required=True, help="path to tokenizer.json")
    ap.add_argument("--corpus", nargs="*", default=None, help="files or directories of real text "
                    "(default: sources found on this machine, see corpus.py)")
    ap.add_argument("--generated", type=int, default=None, help="number of hostile strings")
    ap.add_argument("--corpus-bytes", type=int, default=None, help="how much real text to gather")
    ap.add_argument("--lmshard", default=None, help="lmshard binary (default: $LMSHARD_BIN, PATH, .build)")
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_BYTES // 1000} KB of text and "
                    f"{QUICK_GENERATED} generated strings")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--add-special-tokens", action="store_true")
    ap.add_argument("--show", type=int, default=5, help="mismatches to print in full")
    ap.add_argument("--chunk", type=int, default=CHUNK, help="documents encoded at a time (bounds memory)")
    args = ap.parse_args(argv)

    binary = find_lmshard(args.lmshard)
    if not binary or not Path(binary).exists():
        print("parity: no lmshard binary (pass --lmshard or set LMSHARD_BIN)", file=sys.stderr)
        return 2
    corpus_bytes = args.corpus_bytes or (QUICK_BYTES if args.quick else FULL_BYTES)
    generated = args.generated if args.generated is not None else (QUICK_GENERATED if args.quick else FULL_GENERATED)

    tok = Tokenizer.from_file(args.tokenizer)
    real = corpus.gather([Path(p) for p in args.corpus] if args.corpus else None, corpus_bytes, seed=args.seed)
    made = hostile.generate(generated, seed=args.seed, extra_specials=added_token_strings(args.tokenizer))
    texts = real + made
    sources = ["corpus"] * len(real) + ["hostile"] * len(made)

    try:
        found = compare(tok, binary, args.tokenizer, texts, sources, args.add_special_tokens, chunk=args.chunk)
    except RuntimeError as error:
        print(f"parity: {error}", file=sys.stderr)
        return 2
    mismatches = found.mismatches
    total_bytes = sum(len(t.encode("utf-8")) for t in texts)
    by_source = {s: sum(1 for m in mismatches if m.source == s) for s in ("corpus", "hostile")}
    print(f"parity {args.tokenizer}: {len(texts)} documents ({len(real)} real, {len(made)} generated), "
          f"{total_bytes / 1e6:.2f} MB, {found.tokens} tokens")
    print(f"mismatches: {len(mismatches)} (real {by_source['corpus']}, generated {by_source['hostile']})")
    for m in mismatches[: args.show]:
        print(describe(m, tok, args.add_special_tokens))
    if found.hf_panics:
        print(f"HF panicked on {len(found.hf_panics)} documents (not compared):")
        for panic in found.hf_panics[: args.show]:
            print(describe_panic(*panic))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
