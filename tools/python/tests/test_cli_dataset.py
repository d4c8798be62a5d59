"""Cross-checks against datasets made by the Swift side.

* ``LMSHARD_DATASET``: a dataset directory produced by ``lmshard`` (e.g. a
  ``lmshard build`` output); without it, but with ``LMSHARD_BIN``, one is built
  from the shipped sample. It must validate, verify clean, and read the same
  through this reader, the Megatron-layout reader and ``lmshard export``.
* ``LMSHARD_BIN``: the ``lmshard`` executable; ``lmshard verify DIR`` must accept
  a dataset written by the Python writer and reject one with a flipped byte.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

from fixtures import write_random
from lmshard import ShardedDataset, verify
from test_megatron import MegatronMMapReader


REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def swift_dataset(tmp_path_factory):
    """A dataset made by lmshard: ``LMSHARD_DATASET``, or an SFT build of the sample."""
    if os.environ.get("LMSHARD_DATASET"):
        return os.environ["LMSHARD_DATASET"]
    binary = os.environ.get("LMSHARD_BIN")
    if not binary:
        pytest.skip("set LMSHARD_DATASET to a dataset made by lmshard, or LMSHARD_BIN to the lmshard executable")
    out = tmp_path_factory.mktemp("swift") / "sft"
    subprocess.run(
        [binary, "build", "--input", str(REPO / "sample/sft.jsonl"), "--output", str(out),
         "--tokenizer", str(REPO / "sample/tokenizer"), "--strategy", "sft", "--packing", "no_incomplete",
         "--seq-len", "256", "--num-reduce-chunks", "3", "--quiet"],
        check=True, capture_output=True)
    return str(out)


def test_swift_made_dataset_reads_and_verifies(swift_dataset):
    directory = swift_dataset
    ds = ShardedDataset(directory)
    assert verify(directory) == []
    g = 0
    for shard in ds.manifest["shards"]:
        r = MegatronMMapReader(os.path.join(directory, shard["name"]))
        for i in range(len(r)):
            assert r[i].tolist() == ds.sequence(g)[0].tolist()
            g += 1
    assert g == len(ds) == ds.manifest["totals"]["sequences"]


@pytest.mark.skipif(not os.environ.get("LMSHARD_BIN"), reason="set LMSHARD_BIN to the lmshard executable")
def test_swift_verify_accepts_python_written_dataset(tmp_path):
    write_random(tmp_path)
    binary = os.environ["LMSHARD_BIN"]
    assert subprocess.run([binary, "verify", str(tmp_path)], capture_output=True).returncode == 0
    path = tmp_path / "shard-0.bin"
    data = bytearray(path.read_bytes())
    data[3] ^= 1
    path.write_bytes(bytes(data))
    assert subprocess.run([binary, "verify", str(tmp_path)], capture_output=True).returncode != 0


@pytest.mark.skipif(not os.environ.get("LMSHARD_BIN"), reason="set LMSHARD_BIN to the lmshard executable")
def test_python_reader_matches_lmshard_export(swift_dataset):
    exported = subprocess.run([os.environ["LMSHARD_BIN"], "export", swift_dataset],
                              check=True, capture_output=True, text=True).stdout.splitlines()
    ds = ShardedDataset(swift_dataset)
    assert len(exported) == len(ds) > 0
    for g, line in enumerate(exported):
        row = json.loads(line)
        tokens, positions, mask = ds.sequence(g)
        assert tokens.tolist() == row["input_ids"]
        assert positions.tolist() == row["position_ids"]
        assert [bool(m) for m in mask.tolist()] == row["loss_mask"]
