"""Cross-checks against datasets made by the Swift side.

* ``LMSHARD_DATASET``: a dataset directory produced by ``lmshard`` (e.g. a
  ``lmshard build`` output); it must validate, verify clean, and read the same
  through this reader and the Megatron-layout reader.
* ``LMSHARD_BIN``: the ``lmshard`` executable; ``lmshard verify DIR`` must accept
  a dataset written by the Python writer and reject one with a flipped byte.
"""
import os
import subprocess

import pytest

from fixtures import write_random
from lmshard_reader import ShardedDataset, verify
from test_megatron import MegatronMMapReader


@pytest.mark.skipif(not os.environ.get("LMSHARD_DATASET"), reason="set LMSHARD_DATASET to a dataset made by lmshard")
def test_swift_made_dataset_reads_and_verifies():
    directory = os.environ["LMSHARD_DATASET"]
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
