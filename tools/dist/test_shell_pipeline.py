"""The Hadoop Streaming contract on one machine: the recipe's commands, run by a shell.

``docs/DISTRIBUTED.md`` gives Hadoop Streaming and YTsaurus recipes that
cannot run here; both are this pipeline with a cluster in place of ``awk``
and ``sort``. This test runs exactly that pipeline, the way Hadoop would:

* mappers read split ids on stdin (``--splits -``, what ``NLineInputFormat``
  feeds them), in reverse plan order, several ids to one mapper;
* the shuffle partitions on the first field only (``KeyFieldBasedPartitioner
  -k1,1``: here ``awk`` on the group) and sorts each partition bytewise on
  ``KEY<TAB>SEQ`` (``LC_ALL=C sort``);
* reducers get Hadoop-style attempt ids, and their receipts are stored the
  way ``TextOutputFormat`` writes a key with an empty value: a trailing TAB;
* finalize reads the receipts from a directory of part files.

The dataset must equal a local ``lmshard build`` of the same inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dist_fixtures as fx  # noqa: E402

BINARY = fx.lmshard_binary()
pytestmark = pytest.mark.skipif(BINARY is None, reason="set LMSHARD_BIN to a built lmshard (tools/test.sh does)")


def sh(script: str, cwd: Path) -> None:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{script}\n{result.stderr}"


def pipeline(work: Path, inputs: list[str], args: list[str], output: Path, reducers: int) -> None:
    work.mkdir()
    plan_cmd = [BINARY, "build", "--stage", "plan", "--input", *inputs, "--output", str(output), *args,
                "--split-bytes", str(fx.SPLIT_BYTES), "--plan-out", "plan.json", "--quiet"]
    result = subprocess.run(plan_cmd, cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    split_ids = [s["id"] for s in json.loads((work / "plan.json").read_text())["splits"]]
    assert len(split_ids) >= 4
    # Mappers in reverse plan order, two split ids each, on stdin.
    ids = list(reversed(split_ids))
    for m, start in enumerate(range(0, len(ids), 2)):
        (work / f"ids-{m}.txt").write_text("".join(i + "\n" for i in ids[start:start + 2]))
        sh(f'"{BINARY}" build --stage map --plan plan.json --splits - < ids-{m}.txt > map-{m}.tsv', work)
    # The shuffle: partition on the group field only, sort each partition bytewise.
    sh(f"cat map-*.tsv | awk -F'\\t' '{{ print > (\"part-\" ($1 % {reducers})) }}'", work)
    (work / "receipts").mkdir()
    for r in range(reducers):
        if not (work / f"part-{r}").exists():
            continue
        attempt = f"attempt_1700000000000_0001_r_{r:06d}_0"
        sh(f"LC_ALL=C sort part-{r} | \"{BINARY}\" build --stage reduce --plan plan.json --attempt {attempt} "
           f"| sed 's/$/\\t/' > receipts/part-{r:05d}", work)
    sh(f'"{BINARY}" build --stage finalize --plan plan.json --receipts receipts > summary.txt', work)


@pytest.mark.parametrize("reducers", [2, 3])
def test_pretrain_pipeline_matches_local_build(tmp_path, reducers):
    inputs = fx.pretrain_corpus(tmp_path)
    expected, actual = tmp_path / "out" / "local", tmp_path / "out" / "pipeline"
    fx.local_build(BINARY, inputs, fx.PRETRAIN_ARGS, expected)
    pipeline(tmp_path / "work", inputs, fx.PRETRAIN_ARGS, actual, reducers)
    fx.assert_same_dataset(expected, actual)
    assert fx.leftovers(tmp_path / "out", {"local", "pipeline"}) == []


def test_fim_int32_pipeline_matches_local_build(tmp_path):
    inputs = fx.fim_corpus(tmp_path)
    args = fx.fim_args(tmp_path)
    expected, actual = tmp_path / "out" / "local", tmp_path / "out" / "pipeline"
    fx.local_build(BINARY, inputs, args, expected)
    assert fx.token_dtype(expected) == "int32"
    pipeline(tmp_path / "work", inputs, args, actual, 3)
    fx.assert_same_dataset(expected, actual)
