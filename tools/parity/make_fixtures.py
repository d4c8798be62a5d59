#!/usr/bin/env python3
"""Write expected-id fixtures for the LMTokenizer tests.

For each shared tokenizer, encodes the 46 llama.cpp reference strings in
mellum-golden/inputs.txt with Hugging Face `tokenizers`
(`encode(text, add_special_tokens=False).ids`) and writes one line of
space-separated ids per string to Tests/LMTokenizerTests/Fixtures/<name>.ids.

Usage: make_fixtures.py SHARED_DIR   (the folder holding tokenizers/)
"""
import os
import sys

from tokenizers import Tokenizer

NAMES = ["gpt2", "starcoder2", "qwen2", "llama3", "mellum-layout"]
SEPARATOR = "\n__ggml_vocab_test__\n"


def read_inputs(path):
    """llama.cpp's format: strings separated by SEPARATOR lines; the file's final newline is not part of the last string."""
    with open(path, encoding="utf-8", newline="") as f:
        content = f.read()
    if content.endswith("\n"):
        content = content[:-1]
    return content.split(SEPARATOR)


def main():
    shared = sys.argv[1]
    inputs = read_inputs(os.path.join(shared, "tokenizers", "mellum-golden", "inputs.txt"))
    out_dir = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "LMTokenizerTests", "Fixtures")
    os.makedirs(out_dir, exist_ok=True)
    for name in NAMES:
        tok = Tokenizer.from_file(os.path.join(shared, "tokenizers", name, "tokenizer.json"))
        lines = [" ".join(map(str, tok.encode(s, add_special_tokens=False).ids)) for s in inputs]
        with open(os.path.join(out_dir, name + ".ids"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{name}: {len(lines)} strings")


if __name__ == "__main__":
    main()
