"""Inputs, tokenizers and comparisons for the distributed-build tests.

Shared by the shell-pipeline test (``tools/dist``), the Spark test
(``tools/spark``) and the Ray test (``tools/ray``), so every engine is held
to the same corpus and the same rule: its dataset directory equals a local
``lmshard build`` of the same inputs, file for file and byte for byte.

The corpora are built from the repository's ``sample/`` and are chosen to
break engines' own readers:

* a directory whose file names sort differently bytewise (``B`` < ``_`` <
  ``a``) than by creation order or case-folded order, so a driver that
  listed files itself (filesystem order) would number documents differently;
* a file named ``_x.jsonl`` (Spark's and Hadoop's text readers skip ``_*``);
* a ``.jsonl.zst`` and a ``.jsonl.gz`` file (one split each; Spark's
  ``textFile`` cannot read zstd without Hadoop native libraries);
* a hidden file, which the local build skips and so must every engine;
* a large plain file, cut into several byte-range splits by ``--split-bytes``;
* rows with non-ASCII text (byte offsets differ from character offsets).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample"

# Creation order on purpose neither bytewise nor reverse-bytewise.
DIRECTORY_FILES = ["b.jsonl", "_x.jsonl", "a10.jsonl", "B.jsonl", "sub/z.jsonl", "a9.jsonl", "c.jsonl.zst",
                   "d.jsonl.gz"]
HIDDEN_FILE = ".hidden.jsonl"
SPLIT_BYTES = 16384  # the large file becomes several splits at this size

NON_ASCII = ["Grüße aus Köln", "日本語のテキスト", "emoji 🙂 and ñ", "Ελληνικά κείμενα", "щи да каша"]


def lmshard_binary() -> str | None:
    """$LMSHARD_BIN (tools/test.sh sets it to the release build), if executable."""
    binary = os.environ.get("LMSHARD_BIN")
    return binary if binary and os.access(binary, os.X_OK) else None


def _pretrain_texts(seed: int) -> list[str]:
    """Pieces of the sample's Python files, 50-3000 characters, some non-ASCII."""
    rng = random.Random(seed)
    texts = []
    for path in sorted((SAMPLE / "code").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        at = 0
        while at < len(source):
            size = rng.randint(50, 3000)
            piece = source[at:at + size]
            if rng.random() < 0.2:
                piece = rng.choice(NON_ASCII) + "\n" + piece
            texts.append(piece)
            at += size
    return texts


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdCompressor(level=3).compress(data)
    elif path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def _lay_out(root: Path, rows: list[dict], extra_files: dict[str, bytes] | None = None) -> list[str]:
    """Spreads rows over the directory files and one large file; returns --input values."""
    corpus = root / "corpus"
    # The large file takes half the rows, so it is cut into several splits.
    half = len(rows) // 2
    big, rest = rows[:half], rows[half:]
    per_file = max(1, len(rest) // len(DIRECTORY_FILES))
    for k, name in enumerate(DIRECTORY_FILES):
        chunk = rest[k * per_file:(k + 1) * per_file] if k < len(DIRECTORY_FILES) - 1 else rest[k * per_file:]
        _write_jsonl(corpus / name, chunk)
    _write_jsonl(corpus / HIDDEN_FILE, [{"not": "read"}])  # would be a bad row if it were read
    for name, data in (extra_files or {}).items():
        (corpus / name).write_bytes(data)
    _write_jsonl(root / "big.jsonl", big)
    return [str(corpus), str(root / "big.jsonl")]


def pretrain_corpus(root: Path) -> list[str]:
    """Pretraining rows (``content``) plus one plain-text document; --input values."""
    rows = [{"content": text, "id": i} for i, text in enumerate(_pretrain_texts(seed=1))]
    text_doc = (SAMPLE / "code" / "heapq.py").read_bytes()
    return _lay_out(root, rows, {"notes.txt": text_doc})


def fim_corpus(root: Path) -> list[str]:
    """The sample's FIM rows, twice over (the second copy with non-ASCII prefixes)."""
    rows = [json.loads(line) for line in (SAMPLE / "fim.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(2)
    more = [dict(row, prefix=rng.choice(NON_ASCII) + "\n" + row["prefix"]) for row in rows]
    return _lay_out(root, rows + more)


def wide_tokenizer(root: Path) -> str:
    """The sample tokenizer with its ordinary tokens moved above id 70000.

    The 27 special tokens keep ids 0-26; every other token gets ``id +
    70000`` and the gap is filled with ``<unused_N>`` entries no merge
    produces. Same segmentation as the sample tokenizer, but a vocabulary of
    74,096 ids: shards get ``int32`` token planes and every ordinary id is
    above 65535, so a truncation to 16 bits anywhere would show.
    """
    folder = root / "wide-tokenizer"
    folder.mkdir()
    doc = json.loads((SAMPLE / "tokenizer" / "tokenizer.json").read_text(encoding="utf-8"))
    special = {token["content"] for token in doc["added_tokens"]}
    vocab = doc["model"]["vocab"]
    moved = {token: (i if token in special else i + 70000) for token, i in vocab.items()}
    for filler in range(27, 70027):
        moved[f"<unused_{filler}>"] = filler
    doc["model"]["vocab"] = dict(sorted(moved.items(), key=lambda item: item[1]))
    (folder / "tokenizer.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (folder / "tokenizer_config.json").write_bytes((SAMPLE / "tokenizer" / "tokenizer_config.json").read_bytes())
    return str(folder)


PRETRAIN_ARGS = ["--tokenizer", str(SAMPLE / "tokenizer"), "--strategy", "pretrain", "--packing", "dense",
                 "--seq-len", "256", "--num-reduce-chunks", "5"]

FIM_CONFIG_YAML = """\
processing_strategy: fim
packing_strategy: no_incomplete
seq_len: 512
num_reduce_chunks: 4
fim_kwargs:
  fim_format: spm
  only_middle_not_masked: true
"""


def fim_args(root: Path) -> list[str]:
    """A YAML config (the notebook's names) plus --tokenizer for the wide tokenizer."""
    config = root / "fim.yaml"
    config.write_text(FIM_CONFIG_YAML, encoding="utf-8")
    return ["--config", str(config), "--tokenizer", wide_tokenizer(root)]


def local_build(binary: str, inputs: list[str], args: list[str], output: Path) -> None:
    """The reference: ``lmshard build`` on one machine."""
    result = subprocess.run([binary, "build", "--input", *inputs, "--output", str(output), *args, "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"local build failed:\n{result.stderr}"


def assert_same_dataset(expected: Path, actual: Path) -> None:
    """``diff -r`` of the two directories is empty, and both are real datasets."""
    result = subprocess.run(["diff", "-r", str(expected), str(actual)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", f"diff -r {expected} {actual}:\n{result.stdout}{result.stderr}"
    manifest = json.loads((actual / "manifest.json").read_text())
    assert manifest["totals"]["sequences"] > 0
    assert len(manifest["shards"]) >= 2, "every shard in one group proves nothing about the shuffle"


def token_dtype(dataset: Path) -> str:
    return json.loads((dataset / "manifest.json").read_text())["token_dtype"]


def leftovers(parent: Path, keep: set[str]) -> list[str]:
    """Entries of ``parent`` other than ``keep`` (a failed or finished run must leave none)."""
    return sorted(name for name in os.listdir(parent) if name not in keep)
