"""The Spark driver against a local ``lmshard build``: same directory, byte for byte.

Runs ``tools/spark/lmshard_spark.py`` in Spark ``local[2,2]`` (two task
threads, a failed task retried once) with one SparkContext shared by every
case, since starting one costs 8-17 s on a small machine. Needs pyspark
(tools/requirements.txt), Java 17+ and ``LMSHARD_BIN``; skips naming what
is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "dist"))
sys.path.insert(0, str(HERE))

import dist_fixtures as fx  # noqa: E402

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (tools/requirements.txt installs it)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime (Spark needs Java 17+: apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)
BINARY = fx.lmshard_binary()
if BINARY is None:
    pytest.skip("set LMSHARD_BIN to a built lmshard (tools/test.sh does)", allow_module_level=True)

import lmshard_spark  # noqa: E402


@pytest.fixture(scope="module")
def spark_context():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark import SparkConf, SparkContext

    conf = (SparkConf().setMaster("local[2,2]").setAppName("lmshard tests")
            .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    yield sc
    sc.stop()


@pytest.fixture(scope="module")
def pretrain(tmp_path_factory):
    root = tmp_path_factory.mktemp("pretrain")
    inputs = fx.pretrain_corpus(root)
    expected = root / "out" / "local"
    fx.local_build(BINARY, inputs, fx.PRETRAIN_ARGS, expected)
    return root, inputs, fx.PRETRAIN_ARGS, expected


@pytest.fixture(scope="module")
def fim(tmp_path_factory):
    root = tmp_path_factory.mktemp("fim")
    inputs = fx.fim_corpus(root)
    args = fx.fim_args(root)
    expected = root / "out" / "local"
    fx.local_build(BINARY, inputs, args, expected)
    assert fx.token_dtype(expected) == "int32"
    return root, inputs, args, expected


def run_driver(spark_context, inputs, args, output, *driver_flags, binary=BINARY):
    argv = ["--lmshard", binary, "--split-bytes", str(fx.SPLIT_BYTES), *driver_flags,
            "--input", *inputs, "--output", str(output), *args, "--quiet"]
    return lmshard_spark.run(argv, spark_context=spark_context)


@pytest.mark.parametrize("reducers", [2, 3])
def test_pretrain_dense_matches_local_build(spark_context, pretrain, reducers):
    root, inputs, args, expected = pretrain
    output = root / "out" / f"spark-{reducers}"
    assert run_driver(spark_context, inputs, args, output, "--reducers", str(reducers)) == 0
    fx.assert_same_dataset(expected, output)
    assert fx.token_dtype(output) == "uint16"
    # No staging directory, plan or temporary file left next to the outputs.
    assert fx.leftovers(root / "out", {"local", "spark-2", "spark-3", "spark-killed"}) == []


@pytest.mark.parametrize("reducers", [2, 3])
def test_fim_no_incomplete_int32_matches_local_build(spark_context, fim, reducers):
    root, inputs, args, expected = fim
    output = root / "out" / f"spark-{reducers}"
    # Two splits per map task: a task reading several splits must keep them apart.
    assert run_driver(spark_context, inputs, args, output, "--reducers", str(reducers),
                      "--splits-per-task", "2") == 0
    fx.assert_same_dataset(expected, output)


def test_bad_row_fails_the_job_with_lmshards_file_and_line(spark_context, tmp_path, capfd):
    rows = [json.dumps({"content": f"document {i} " + "x" * 300}) for i in range(120)]
    rows[77] = '{"content": 42}'  # line 78, in a split that does not start the file
    bad = tmp_path / "rows.jsonl"
    bad.write_text("\n".join(rows) + "\n")
    output = tmp_path / "out"
    status = run_driver(spark_context, [str(bad)], fx.PRETRAIN_ARGS, output, "--reducers", "2")
    err = capfd.readouterr().err
    assert status == 1
    assert "lmshard_spark: a task failed; lmshard said:" in err
    assert f"{bad}:78:" in err, err[-3000:]
    assert not output.exists()


def test_missing_binary_is_one_clear_line(spark_context, tmp_path, capfd):
    status = lmshard_spark.run(["--lmshard", str(tmp_path / "nope"), "--input", "x", "--output", "y"],
                               spark_context=spark_context)
    assert status == 1
    assert capfd.readouterr().err == f"lmshard_spark: {tmp_path / 'nope'}: not an executable file (--lmshard)\n"


def test_bad_build_flag_is_reported_by_lmshard_before_any_task(spark_context, pretrain, tmp_path, capfd):
    root, inputs, _, _ = pretrain
    status = lmshard_spark.run(["--lmshard", BINARY, "--input", *inputs, "--output", str(tmp_path / "o"),
                                *fx.PRETRAIN_ARGS, "--seq-len", "1"], spark_context=spark_context)
    assert status == 1
    err = capfd.readouterr().err
    assert "seq_len" in err or "seq-len" in err, err


KILLER = """#!{python}
# Test double around the real binary: the first attempt of reduce task 0
# feeds half its input to the real reducer, waits until a shard is being
# written, then SIGKILLs it and itself. Spark must retry the task.
import json, os, signal, subprocess, sys, time
REAL, MARKER = {real!r}, {marker!r}
args = sys.argv[1:]
stage = args[args.index("--stage") + 1] if "--stage" in args else None
if stage == "reduce" and args[args.index("--attempt") + 1].startswith("p0-a0-") and not os.path.exists(MARKER):
    lines = sys.stdin.buffer.read().splitlines(keepends=True)
    staging = json.load(open(args[args.index("--plan") + 1]))["staging"]
    child = subprocess.Popen([REAL, *args], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    child.stdin.write(b"".join(lines[: len(lines) // 2]))
    child.stdin.flush()
    deadline, partial = time.time() + 20, []
    while time.time() < deadline and not partial:
        partial = [n for _, _, names in os.walk(staging) for n in names if n.endswith(".tmp")]
        time.sleep(0.02)
    child.kill()
    child.wait()
    with open(MARKER, "w") as f:
        json.dump(partial, f)
    os.kill(os.getpid(), signal.SIGKILL)
os.execv(REAL, [REAL, *args])
"""


def test_reduce_task_killed_mid_shard_is_retried_to_the_same_dataset(spark_context, pretrain, tmp_path):
    root, inputs, args, expected = pretrain
    marker = tmp_path / "killed.json"
    killer = tmp_path / "lmshard-killer"
    killer.write_text(KILLER.format(python=sys.executable, real=os.path.abspath(BINARY), marker=str(marker)))
    killer.chmod(0o755)
    output = root / "out" / "spark-killed"
    assert run_driver(spark_context, inputs, args, output, "--reducers", "2", binary=str(killer)) == 0
    partial = json.loads(marker.read_text())
    assert partial, "the first attempt was killed before it started a shard"
    fx.assert_same_dataset(expected, output)
