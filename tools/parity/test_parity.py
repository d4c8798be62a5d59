"""pytest: quick parity runs of lmshard against Python ``tokenizers``.

Runs ``parity.py --quick`` for every ``tokenizers/<name>/tokenizer.json``
under $LMSHARD_SHARED, with the lmshard binary from $LMSHARD_BIN:

    LMSHARD_SHARED=... LMSHARD_BIN=.build/release/lmshard /path/to/python -m pytest tools/parity
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parity  # noqa: E402

SHARED = os.environ.get("LMSHARD_SHARED")
BINARY = os.environ.get("LMSHARD_BIN")


def tokenizer_files() -> list[Path]:
    if not SHARED:
        return []
    return sorted((Path(SHARED) / "tokenizers").glob("*/tokenizer.json"))


def test_shared_tokenizers_found():
    if not SHARED:
        pytest.skip("LMSHARD_SHARED is not set: it names the folder holding tokenizers/<name>/tokenizer.json")
    assert tokenizer_files(), f"no tokenizers/*/tokenizer.json under LMSHARD_SHARED={SHARED}"


@pytest.mark.parametrize("path", tokenizer_files(), ids=lambda p: p.parent.name)
def test_quick_parity(path: Path, capsys):
    if not BINARY or not Path(BINARY).exists():
        pytest.skip("lmshard binary not found: set LMSHARD_BIN to a built lmshard")
    status = parity.main(["--tokenizer", str(path), "--quick", "--lmshard", BINARY])
    report = capsys.readouterr().out
    assert status == 0, report


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    import synthetic

    out = tmp_path_factory.mktemp("synthetic")
    texts = synthetic.training_text()
    for name in synthetic.RECIPES:
        synthetic.build(name, out, texts)
    return out


SYNTHETIC = ["nfkc_lower_whitespace", "sentencepiece_style", "metaspace_always", "digits_punctuation",
             "bert_pre_tokenizer", "metaspace_first", "metaspace_first_strip",
             # Issue 15: Oniguruma semantics, Unicode forms, ByteLevel in a Sequence,
             # added-token edge cases, start tracking, subword prefixes.
             "onig_zero_width", "onig_classes", "gpt4o_pattern", "nfc_qwen2", "nfkc_bytelevel", "falcon_layout",
             "bytelevel_then_digits", "chatml_rstrip", "nfkc_replace_metaspace_first", "subword_prefix_thai"]


@pytest.mark.parametrize("name", SYNTHETIC)
@pytest.mark.parametrize("special", [False, True], ids=["plain", "special"])
def test_synthetic_parity(name: str, special: bool, synthetic_dir: Path, capsys):
    # Components the shared tokenizers lack, in small trained tokenizers.
    if not BINARY or not Path(BINARY).exists():
        pytest.skip("lmshard binary not found: set LMSHARD_BIN to a built lmshard")
    args = ["--tokenizer", str(synthetic_dir / f"{name}.json"), "--corpus-bytes", "100000",
            "--generated", "1000", "--lmshard", BINARY] + (["--add-special-tokens"] if special else [])
    status = parity.main(args)
    report = capsys.readouterr().out
    assert status == 0, report


def test_hostile_is_deterministic_and_surrogate_free():
    import hostile

    a = hostile.generate(500, seed=7)
    b = hostile.generate(500, seed=7)
    assert a == b
    assert a != hostile.generate(500, seed=8)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for s in a for c in s)


def test_mismatch_finds_first_difference():
    # [1, 2, 3] vs [1, 9, 3]: the first difference is token 1; a prefix differs at its end.
    assert parity.Mismatch(0, "x", "t", [1, 2, 3], [1, 9, 3]).first_diff == 1
    assert parity.Mismatch(0, "x", "t", [1, 2], [1, 2, 3]).first_diff == 2


def test_corpus_chunks_at_line_ends():
    import corpus

    docs = corpus.chunk("aaaa\nbbbb\ncccc\n", 10)
    # Each 5-byte line fits twice into 10 bytes.
    assert docs == ["aaaa\nbbbb\n", "cccc\n"]
    assert "".join(docs) == "aaaa\nbbbb\ncccc\n"


FAKE_LMSHARD = '''#!{python}
"""Stands in for `lmshard tokenize`, using Python tokenizers itself{note}."""
import json, sys
from tokenizers import Tokenizer
args = sys.argv[1:]
assert args[0] == "tokenize"
tok = Tokenizer.from_file(args[args.index("--tokenizer") + 1])
for line in sys.stdin:
    ids = tok.encode(json.loads(line)["text"], add_special_tokens=False).ids
    if {corrupt} and len(ids) > 3:
        ids[2] += 1
    print(json.dumps({{"ids": ids}}))
'''


def _fake(tmp_path: Path, corrupt: bool) -> str:
    script = tmp_path / ("broken" if corrupt else "faithful")
    script.write_text(FAKE_LMSHARD.format(python=sys.executable, corrupt=corrupt,
                                          note=", off by one at token 2" if corrupt else ""))
    script.chmod(0o755)
    return str(script)


def _tiny_tokenizer(tmp_path: Path) -> str:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"])
    tok.train_from_iterator(["hello world, the quick brown fox"] * 20, trainer)
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    return str(path)


def test_harness_passes_a_faithful_tokenizer_and_reports_a_broken_one(tmp_path, capsys):
    # The harness itself, against stand-ins: one that is HF, one that is HF with
    # token 2 of every long document off by one.
    tokenizer = _tiny_tokenizer(tmp_path)
    corpus_file = tmp_path / "text.txt"
    corpus_file.write_text("hello world\nthe quick brown fox jumps\n" * 50, encoding="utf-8")
    common = ["--tokenizer", tokenizer, "--corpus", str(corpus_file), "--generated", "200"]
    assert parity.main(common + ["--lmshard", _fake(tmp_path, corrupt=False)]) == 0
    assert "mismatches: 0" in capsys.readouterr().out
    assert parity.main(common + ["--lmshard", _fake(tmp_path, corrupt=True)]) == 1
    report = capsys.readouterr().out
    assert "first difference at token 2" in report
    assert "input around it:" in report


def test_compare_in_chunks_finds_every_broken_document(tmp_path):
    # Chunks of 7 with a thread running the stand-in beside HF: each broken
    # document (more than 3 tokens) is reported once, at its own index.
    from tokenizers import Tokenizer

    tokenizer = _tiny_tokenizer(tmp_path)
    tok = Tokenizer.from_file(tokenizer)
    texts = ["hello", "hello world, the quick brown fox"] * 20 + ["", "fox"] * 5
    broken = {i for i, t in enumerate(texts) if len(tok.encode(t, add_special_tokens=False).ids) > 3}
    assert 0 < len(broken) < len(texts)
    found = parity.compare(tok, _fake(tmp_path, corrupt=True), tokenizer, texts,
                           ["corpus"] * len(texts), False, chunk=7, first_index=100)
    assert [m.index - 100 for m in found.mismatches] == sorted(broken)
    assert all(m.first_diff == 2 for m in found.mismatches)
    assert not found.hf_panics
    assert found.tokens == sum(len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False))


class PanicException(BaseException):
    """What pyo3 raises when HF's Rust code panics (HF 0.23 does on some
    inputs, e.g. an rstrip special token before whitespace holding an lstrip
    added token: "AddedVocabulary bad split")."""


def test_documents_hf_panics_on_are_reported_apart(tmp_path):
    from tokenizers import Tokenizer

    tokenizer = _tiny_tokenizer(tmp_path)
    real = Tokenizer.from_file(tokenizer)

    class Panicky:
        # HF, except that a batch holding "fox" panics.
        def encode_batch_fast(self, texts, add_special_tokens):
            if "fox" in texts:
                raise PanicException("AddedVocabulary bad split")
            return real.encode_batch_fast(texts, add_special_tokens=add_special_tokens)

    texts = ["hello world", "fox", "the quick brown fox", "fox", "", "a", "fox"]
    found = parity.compare(Panicky(), _fake(tmp_path, corrupt=False), tokenizer, texts, ["hostile"] * 7, False,
                           chunk=5)
    assert [(i, t) for i, t, _ in found.hf_panics] == [(1, "fox"), (3, "fox"), (6, "fox")]
    assert not found.mismatches
    assert found.tokens == sum(len(real.encode(t, add_special_tokens=False).ids) for t in texts if t != "fox")


def test_hostile_stream_continues_generate():
    import itertools

    import hostile

    assert list(itertools.islice(hostile.stream(seed=3), 500)) == hostile.generate(500, seed=3)


@pytest.mark.parametrize("part", ["normalizers", "classes"])
def test_unicode_sweep(part: str, capsys):
    # Every scalar through NFC/NFD/NFKC/NFKD and through Oniguruma classes,
    # lmshard against HF (see unicode_sweep.py).
    if not BINARY or not Path(BINARY).exists():
        pytest.skip("lmshard binary not found: set LMSHARD_BIN to a built lmshard")
    import unicode_sweep

    status = unicode_sweep.main(["--lmshard", BINARY, "--only", part])
    report = capsys.readouterr().out
    assert status == 0, report


RETRY_LIMIT_TOKENIZER = {
    "version": "1.0", "added_tokens": [], "normalizer": None, "post_processor": None, "decoder": None,
    "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a|aa)+$"}, "behavior": "Isolated", "invert": False},
    "model": {"type": "BPE", "vocab": {"a": 0, "!": 1}, "merges": []},
}


def test_retry_limit_fails_the_row_like_hf(tmp_path):
    # HF raises "retry-limit-in-match over" on this row; lmshard must name the
    # line and exit non-zero instead of running for minutes.
    if not BINARY or not Path(BINARY).exists():
        pytest.skip("lmshard binary not found: set LMSHARD_BIN to a built lmshard")
    import json
    import subprocess

    from tokenizers import Tokenizer

    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(RETRY_LIMIT_TOKENIZER), encoding="utf-8")
    hostile = "a" * 100 + "!"
    with pytest.raises(BaseException, match="retry-limit-in-match over"):
        Tokenizer.from_file(str(path)).encode(hostile)
    rows = json.dumps({"text": "aa!"}) + "\n" + json.dumps({"text": hostile}) + "\n"
    proc = subprocess.run([BINARY, "tokenize", "--tokenizer", str(path)], input=rows.encode(),
                          capture_output=True, timeout=120)
    assert proc.returncode != 0
    message = proc.stderr.decode()
    assert ":2:" in message and "retry-limit-in-match over" in message, message

    # `lmshard build` names the file and line of the row, and writes nothing.
    with_eos = dict(RETRY_LIMIT_TOKENIZER, added_tokens=[
        {"id": 2, "content": "<|endoftext|>", "special": True, "normalized": False}])
    path.write_text(json.dumps(with_eos), encoding="utf-8")
    rows_path = tmp_path / "rows.jsonl"
    rows_path.write_text(json.dumps({"content": "aa!"}) + "\n" + json.dumps({"content": hostile}) + "\n",
                         encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([BINARY, "build", "--input", str(rows_path), "--output", str(out), "--tokenizer", str(path),
                           "--strategy", "pretrain", "--seq-len", "4", "--packing", "dense",
                           "--num-reduce-chunks", "1"], capture_output=True, timeout=120)
    assert proc.returncode != 0
    assert "rows.jsonl:2: " in proc.stderr.decode() and "retry-limit-in-match over" in proc.stderr.decode()
    assert not out.exists()
