#!/usr/bin/env python3
"""Builds the sample corpus and tokenizer shipped in `sample/`.

The demo in README.md must run with no network, so the repository carries a
few hundred KB of real text it may redistribute and a tokenizer trained on it:

- `sample/code/*.py`: modules of the CPython standard library (PSF License,
  permissive; the license travels with them as `sample/code/LICENSE-PSF.txt`).
  One document per file, as code corpora usually come.
- `sample/fim.jsonl`: `{"prefix", "middle", "suffix"}` rows cut from those files
  at seeded random points (line-aligned middles, as code FIM data usually is).
- `sample/sft.jsonl`: `{"content": [{"role", "content"}, ...]}` conversations
  asking what a function does, answered with the first paragraph of its
  docstring; every fourth one opens with a system turn.
- `sample/tokenizer/`: a 4,096-token byte-level BPE (GPT-2 pre-tokenizer, as
  Mellum's) trained with Hugging Face `tokenizers` on the code, with Mellum's
  27 special tokens at Mellum's ids 0-26, so `fim` and `sft` work on it.

Run with a Python that has `tokenizers` installed; the output is deterministic
for a given CPython version (the files are read from the running interpreter).
"""

import ast
import json
import random
import shutil
import sys
import sysconfig
from pathlib import Path

MODULES = [
    "abc", "bisect", "calendar", "colorsys", "copy", "fnmatch", "fractions",
    "functools", "glob", "graphlib", "heapq", "keyword", "linecache", "numbers",
    "operator", "pprint", "queue", "reprlib", "sched", "shlex", "statistics",
    "string", "textwrap",
]

# Mellum's special tokens, in id order 0..26.
SPECIAL_TOKENS = [
    "<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>",
    "<filename>", "<gh_stars>", "<issue_start>", "<issue_comment>", "<issue_closed>",
    "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>",
    "<empty_output>", "<commit_before>", "<commit_msg>", "<commit_after>",
    "<reponame>", "<system>", "</system>", "<user>", "</user>", "<assistant>",
    "</assistant>", "<think>", "</think>",
]

VOCAB_SIZE = 4096


def copy_code(stdlib: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name in MODULES:
        dst = out / f"{name}.py"
        shutil.copyfile(stdlib / f"{name}.py", dst)
        files.append(dst)
    shutil.copyfile(stdlib / "LICENSE.txt", out / "LICENSE-PSF.txt")
    return files


def fim_rows(files: list[Path], rng: random.Random, per_file: int = 6) -> list[dict]:
    rows = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if len(lines) < 10:
            continue
        for _ in range(per_file):
            start = rng.randrange(1, len(lines) - 4)
            end = min(len(lines), start + rng.randint(1, 8))
            window_start = max(0, start - 15)
            window_end = min(len(lines), end + 15)
            rows.append({
                "prefix": "".join(lines[window_start:start]),
                "middle": "".join(lines[start:end]),
                "suffix": "".join(lines[end:window_end]),
            })
    return rows


SYSTEM = "You are a concise assistant that explains Python standard library code."


def sft_rows(files: list[Path]) -> list[dict]:
    rows = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                continue
            doc = ast.get_docstring(node)
            if not doc or node.name.startswith("_"):
                continue
            answer = doc.split("\n\n")[0].strip()
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            turns = []
            if len(rows) % 4 == 0:
                turns.append({"role": "system", "content": SYSTEM})
            turns.append({"role": "user", "content": f"What does the {kind} `{path.stem}.{node.name}` do?"})
            turns.append({"role": "assistant", "content": answer})
            if len(rows) % 3 == 0:
                turns.append({"role": "user", "content": "Thanks! Which module is it in?"})
                turns.append({"role": "assistant", "content": f"It is defined in `{path.stem}`."})
            rows.append({"content": turns})
    return rows


def train_tokenizer(files: list[Path], out: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train([str(p) for p in files], trainer)
    for i, t in enumerate(SPECIAL_TOKENS):
        assert tok.token_to_id(t) == i, (t, tok.token_to_id(t))
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    config = {
        "eos_token": "<|endoftext|>",
        "bos_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>",
        "model_max_length": 8192,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "sample")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = copy_code(stdlib, root / "code")
    rng = random.Random(20261126)
    write_jsonl(root / "fim.jsonl", fim_rows(files, rng))
    write_jsonl(root / "sft.jsonl", sft_rows(files))
    train_tokenizer(files, root / "tokenizer")
    print(f"sample written to {root}/ from {stdlib}")


if __name__ == "__main__":
    main()
