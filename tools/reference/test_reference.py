"""Tests of the notebook reference, and (when lmshard is built) of lmshard against it.

The packing and hashing asserts come straight from the notebook and need
nothing else. The comparison test needs the shared test data folder (set
LMSHARD_SHARED) and an lmshard binary (set LMSHARD_BIN); without them it is
skipped with a message naming the variable.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import notebook_reference as nb  # noqa: E402

EXAMPLES = [
    {"input_ids": np.array([1, 2, 3, 4, 5], dtype=np.uint32), "loss_mask": np.ones(5, dtype=np.bool_),
     "position_ids": np.arange(5, dtype=np.uint32)},
    {"input_ids": np.array([0, 1], dtype=np.uint32), "loss_mask": np.ones(2, dtype=np.bool_),
     "position_ids": np.arange(2, dtype=np.uint32)},
    {"input_ids": np.array([10, 10], dtype=np.uint32), "loss_mask": np.ones(2, dtype=np.bool_),
     "position_ids": np.arange(2, dtype=np.uint32)},
    {"input_ids": np.array([11], dtype=np.uint32), "loss_mask": np.ones(1, dtype=np.bool_),
     "position_ids": np.arange(1, dtype=np.uint32)},
]


def test_position_fix_docstring():
    assert nb.position_fix_helper([2, 3, 4, 0, 1, 2, 3]).tolist() == [0, 1, 2, 0, 1, 2, 3]
    assert nb.position_fix_helper([4, 0, 1, 0]).tolist() == [0, 0, 1, 0]


def test_pack_dense_notebook():
    result = nb.pack_dense(EXAMPLES, 4)
    assert len(result) == 2
    assert result[0]["input_ids"].tolist() == [1, 2, 3, 4]
    assert result[1]["input_ids"].tolist() == [5, 0, 1, 10]
    assert result[0]["position_ids"].tolist() == [0, 1, 2, 3]
    assert result[1]["position_ids"].tolist() == [0, 0, 1, 0]


def test_pack_no_incomplete_notebook():
    result = nb.pack_no_incomplete(EXAMPLES, 4, 0)
    assert len(result) == 2
    assert result[0]["input_ids"].tolist() == [0, 1, 10, 10]
    assert result[0]["position_ids"].tolist() == [0, 1, 0, 1]
    assert result[0]["loss_mask"].tolist() == [True] * 4
    assert result[1]["input_ids"].tolist() == [11, 0, 0, 0]
    assert result[1]["position_ids"].tolist() == [0, 0, 0, 0]
    assert result[1]["loss_mask"].tolist() == [True, False, False, False]


def test_array_hash_groups_of_notebook_test():
    # Mellum's ids for the notebook's PrepareForTraining rows (+ EOS): groups 0, 1, 1, 0.
    rows = [[10626, 38, 8098, 27, 0], [59, 247, 110, 95, 109, 110, 987, 0], [653, 9440, 609, 8559, 0],
            [653, 17984, 609, 8559, 0]]
    assert [nb.array_hash(np.array(r, dtype=np.uint32)) % 2 for r in rows] == [0, 1, 1, 0]
    # An empty array hashes with the shape "(0,)".
    empty = np.array([], dtype=np.uint32)
    assert f"{empty.shape}-{empty.dtype}" == "(0,)-uint32"


def _shared():
    shared = os.environ.get("LMSHARD_SHARED")
    if not shared:
        pytest.skip("LMSHARD_SHARED is not set: set it to the shared test data folder to run this test")
    return pathlib.Path(shared)


def test_mellum_layout_tokens():
    tok = _shared() / "tokenizers" / "mellum-layout" / "tokenizer.json"
    adapter = nb.TokenizerAdapter(str(tok))
    assert adapter.eos_token_id == 0
    assert [adapter.encode(t) for t in ["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<user>", "</assistant>"]] == [
        [1], [2], [3], [21], [24]]


def test_lmshard_matches_reference(tmp_path):
    shared = _shared()
    binary = os.environ.get("LMSHARD_BIN")
    if not binary or not pathlib.Path(binary).is_file():
        pytest.skip("LMSHARD_BIN is not set to an lmshard binary: build lmshard and set LMSHARD_BIN to run this test")
    compare = pathlib.Path(__file__).resolve().parent / "compare.py"
    proc = subprocess.run(
        [sys.executable, str(compare), "--lmshard", binary,
         "--tokenizer", str(shared / "tokenizers" / "mellum-layout" / "tokenizer.json"),
         "--max-files", "12", "--seq-len", "128", "--num-reduce-chunks", "3", "--workdir", str(tmp_path)],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MISMATCH" not in proc.stdout
