"""The Ray driver against a local ``lmshard build``: same directory, byte for byte.

One local Ray session (2 CPUs) is shared by every case: starting one costs
about 12 s here. Needs ray[data] (tools/requirements.txt) and
``LMSHARD_BIN``; skips naming what is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "dist"))
sys.path.insert(0, str(HERE))

import dist_fixtures as fx  # noqa: E402

ray = pytest.importorskip("ray", reason="ray is not installed (tools/requirements.txt installs ray[data])")
pytest.importorskip("ray.data", reason="ray.data is not installed (pip install 'ray[data]')")
BINARY = fx.lmshard_binary()
if BINARY is None:
    pytest.skip("set LMSHARD_BIN to a built lmshard (tools/test.sh does)", allow_module_level=True)

import lmshard_ray  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def ray_session():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=256 << 20,
             configure_logging=False, log_to_driver=False)
    yield
    ray.shutdown()


def run_driver(inputs, args, output, *driver_flags):
    return lmshard_ray.run(["--lmshard", BINARY, "--split-bytes", str(fx.SPLIT_BYTES), *driver_flags,
                            "--input", *inputs, "--output", str(output), *args, "--quiet"])


def test_reduce_boundaries_are_contiguous_group_ranges():
    assert lmshard_ray.reduce_boundaries(8, 3) == [3, 6]   # groups 0-2, 3-5, 6-7
    assert lmshard_ray.reduce_boundaries(5, 2) == [3]      # 0-2, 3-4
    assert lmshard_ray.reduce_boundaries(4, 1) == []
    assert lmshard_ray.reduce_boundaries(4, 4) == [1, 2, 3]


def test_pretrain_dense_matches_local_build(tmp_path):
    inputs = fx.pretrain_corpus(tmp_path)
    expected, actual = tmp_path / "out" / "local", tmp_path / "out" / "ray"
    fx.local_build(BINARY, inputs, fx.PRETRAIN_ARGS, expected)
    assert run_driver(inputs, fx.PRETRAIN_ARGS, actual, "--reducers", "2") == 0
    fx.assert_same_dataset(expected, actual)
    assert fx.leftovers(tmp_path / "out", {"local", "ray"}) == []


def test_fim_no_incomplete_int32_matches_local_build(tmp_path):
    inputs = fx.fim_corpus(tmp_path)
    args = fx.fim_args(tmp_path)
    expected, actual = tmp_path / "out" / "local", tmp_path / "out" / "ray"
    fx.local_build(BINARY, inputs, args, expected)
    assert fx.token_dtype(expected) == "int32"
    assert run_driver(inputs, args, actual, "--reducers", "3", "--splits-per-task", "2") == 0
    fx.assert_same_dataset(expected, actual)


def test_bad_row_fails_with_lmshards_file_and_line(tmp_path, capfd):
    rows = [json.dumps({"content": f"document {i} " + "x" * 300}) for i in range(120)]
    rows[77] = '{"content": 42}'
    bad = tmp_path / "rows.jsonl"
    bad.write_text("\n".join(rows) + "\n")
    output = tmp_path / "out"
    status = run_driver([str(bad)], fx.PRETRAIN_ARGS, output, "--reducers", "2")
    err = capfd.readouterr().err
    assert status == 1
    assert "lmshard_ray: a task failed; lmshard said:" in err
    assert f"{bad}:78:" in err, err[-3000:]
    assert not output.exists()
