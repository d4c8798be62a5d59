#!/usr/bin/env python3
"""``lmshard build`` on Ray: the same dataset directory, byte for byte.

    python tools/ray/lmshard_ray.py --num-cpus 4 --lmshard .build/release/lmshard \\
        --input corpus/ --output data/pretrain --tokenizer tok/ --strategy pretrain

    python tools/ray/lmshard_ray.py --address auto --reducers 64 --lmshard /opt/lmshard/bin/lmshard \\
        --input /mnt/corpus --output /mnt/datasets/pretrain --config pretrain.yaml

Same flags as ``tools/spark/lmshard_spark.py`` (``lmshard build``'s, passed
through to ``--stage plan``, plus the driver's own), same stages:

* map: a Ray Data ``map_batches`` task per split batch runs ``lmshard build
  --stage map`` as a subprocess and turns its ``KEY<TAB>SEQ<TAB>VALUE`` lines
  into Arrow batches (``group`` int64, ``seq`` and ``value`` binary);
* shuffle: ``Dataset.sort(["group", "seq"], boundaries=...)``: Ray Data's
  distributed sort, range-partitioned on the group with the boundaries
  given, so reduce partition r holds whole groups, sorted bytewise by
  (group, SEQ), in blocks that never span two partitions;
* reduce: one Ray task per partition takes that partition's block refs and
  streams them, one block in memory at a time, into ``lmshard build
  --stage reduce``; it returns the receipt lines;
* finalize on the driver.

Reduce partitions are ranges of groups (``--reducers 3`` with 8 groups:
0-2, 3-5, 6-7), not ``g % R`` as under Spark: any split works as long as a
group never spans two reducers, and shard bytes do not depend on it.

The binary, the plan and the tokenizer travel through Ray's object store
(``ray.put``) and each worker node writes them once into a node-local cache
named by their SHA-256, because a ``runtime_env`` working directory can
only be given when the job connects, and a driver running in an existing
Ray session (the tests share one) cannot. The shared-filesystem rule of
``docs/DISTRIBUTED.md`` holds here too: inputs and the output's parent
directory at the same path on every node.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import os
import shutil
import sys
import tempfile
import uuid

import ray

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "dist"))
import lmshard_stages as stages  # noqa: E402

DRIVER = "lmshard_ray"
ROWS_PER_BATCH = 8192  # map output lines per Arrow batch handed to Ray Data


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmshard_ray.py", allow_abbrev=False,
        description="Run lmshard build on Ray. Flags not listed here are lmshard build's "
                    "(--input, --output, --tokenizer, --config, --strategy, ...; see lmshard build --help).")
    parser.add_argument("--address", help="Ray cluster to connect to (e.g. auto, ray://head:10001); "
                                          "default: start a local one")
    parser.add_argument("--num-cpus", type=stages.positive_int, help="CPUs of the local Ray this driver starts")
    stages.add_common_arguments(parser)
    return parser


def run(argv: list[str]) -> int:
    """Runs a build in the current Ray session (one is started or joined if there is none).

    Returns the exit status (0, or 1 with the reason on stderr). A Ray
    session this function started is shut down before the finalize.
    """
    return stages.drive(DRIVER, argument_parser(), argv, "lmshard-ray-", _run_on_ray)


def _run_on_ray(run: stages.DriverRun) -> tuple[list[str], dict] | None:
    """Map, shuffle and reduce as Ray tasks: the receipts and usage, or None after a failed task."""
    ns = run.ns
    started_ray = False
    try:
        with run.clock.phase("ray_start"):
            if not ray.is_initialized():
                ray.init(address=ns.address, num_cpus=ns.num_cpus, include_dashboard=False,
                         configure_logging=False, log_to_driver=False)
                started_ray = True
        # Workers need not import these modules: their functions travel by value.
        ray.cloudpickle.register_pickle_by_value(stages)
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
        tools = {"lmshard": _read(run.binary)}
        for name in sorted(os.listdir(run.tokenizer_dir)):
            tools[f"tokenizer/{name}"] = _read(os.path.join(run.tokenizer_dir, name))
        files = ShippedFiles.put(tools, _read(run.plan_path))
        try:
            with run.clock.phase("map_shuffle_reduce"):
                return run_job(run.plan, files, run.reducers, ns.splits_per_task, ns.memory_mb)
        except Exception as error:  # RayTaskError around the task's StageFailed
            stages.report_failure(DRIVER, error)
            return None
    finally:
        if started_ray:
            ray.shutdown()


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class ShippedFiles:
    """The binary, the tokenizer and the plan, put in Ray's object store once
    and written once per worker node.

    ``local()`` (called in a task) returns the folder holding them on this
    node: ``$TMPDIR/lmshard-ray-files/<sha256 of binary and tokenizer>/``,
    with the plan beside them as ``plan-<sha256>.json``. The binary and
    tokenizer are the same from run to run, so one folder serves every build
    with them and the cache grows only by a plan per build; everything is
    written under a temporary name and renamed into place, so concurrent
    tasks on one node never see a half-written binary.
    """

    def __init__(self, refs: dict, digest: str, plan_ref, plan_digest: str):
        self.refs = refs
        self.digest = digest
        self.plan_ref = plan_ref
        self.plan_digest = plan_digest

    @staticmethod
    def put(tools: dict[str, bytes], plan: bytes) -> "ShippedFiles":
        h = hashlib.sha256()
        for name in sorted(tools):
            h.update(name.encode() + b"\0" + hashlib.sha256(tools[name]).digest())
        return ShippedFiles({name: ray.put(data) for name, data in tools.items()}, h.hexdigest(),
                            ray.put(plan), hashlib.sha256(plan).hexdigest())

    def local(self) -> tuple[str, str]:
        """(folder with ``lmshard`` and ``tokenizer/``, the plan's path) on this node."""
        root = os.path.join(tempfile.gettempdir(), "lmshard-ray-files")
        folder = os.path.join(root, self.digest)
        if not os.path.isdir(folder):
            os.makedirs(root, exist_ok=True)
            incoming = tempfile.mkdtemp(prefix=".incoming-", dir=root)
            for name, ref in self.refs.items():
                path = os.path.join(incoming, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(ray.get(ref))
            os.chmod(os.path.join(incoming, "lmshard"), 0o755)
            try:
                os.rename(incoming, folder)
            except OSError:  # another task on this node won the race; its copy is identical
                shutil.rmtree(incoming, ignore_errors=True)
        plan = os.path.join(folder, f"plan-{self.plan_digest}.json")
        if not os.path.exists(plan):
            fd, incoming = tempfile.mkstemp(prefix=".plan-", dir=folder)
            with os.fdopen(fd, "wb") as f:
                f.write(ray.get(self.plan_ref))
            os.replace(incoming, plan)
        return folder, plan


def reduce_boundaries(groups: int, reducers: int) -> list[int]:
    """First group of reduce partitions 1..R-1: R contiguous, near-equal group ranges."""
    return [(groups * r + reducers - 1) // reducers for r in range(1, reducers)]


def run_job(plan: stages.Plan, files: ShippedFiles, reducers: int, splits_per_task: int,
            memory_mb: int | None) -> tuple[list[str], dict]:
    """Map, shuffle, reduce; returns the receipt lines and the stages' resource use."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    usage_actor = UsageLog.remote()
    batches = stages.split_batches(plan.split_ids, splits_per_task)
    splits = ray.data.from_items([{"splits": ",".join(b)} for b in batches], override_num_blocks=len(batches))
    pairs = splits.map_batches(MapBatch(files, usage_actor), batch_size=1, batch_format="pyarrow")
    boundaries = reduce_boundaries(plan.num_reduce_chunks, reducers)
    # A one-partition sort would sample its own boundaries; one past the last
    # group keeps every group in partition 0.
    ordered = pairs.sort(["group", "seq"], boundaries=boundaries or [plan.num_reduce_chunks])
    blocks = ordered.to_arrow_refs()
    first_groups = ray.get([first_group.remote(block) for block in blocks])
    partitions: dict[int, list] = {}
    for block, group in zip(blocks, first_groups):
        if group is not None:
            partitions.setdefault(bisect.bisect_right(boundaries, group), []).append(block)
    results = ray.get([reduce_partition.remote(files, index, refs, memory_mb, usage_actor)
                       for index, refs in sorted(partitions.items())])
    return [line for lines in results for line in lines], ray.get(usage_actor.total.remote())


class MapBatch:
    """Ray Data UDF: runs the map stage for a batch of split ids, yields Arrow tables."""

    def __init__(self, files: ShippedFiles, usage_actor):
        self.files = files
        self.usage_actor = usage_actor

    def __call__(self, batch):
        import pyarrow as pa

        folder, plan = self.files.local()
        for splits in batch.column("splits").to_pylist():
            command = stages.map_command(os.path.join(folder, "lmshard"), plan,
                                         os.path.join(folder, "tokenizer"), splits.split(","), workers=1)
            groups, seqs, values = [], [], []
            for line in stages.stream_stage(command, label=f"map of split {splits}",
                                            on_exit=_log_usage(self.usage_actor, "map")):
                key, value = stages.pair_of_line(line)
                groups.append(stages.group_of(key))
                seqs.append(key[stages.KEY_WIDTH + 1:])
                values.append(value)
                if len(groups) == ROWS_PER_BATCH:
                    yield _pairs_table(pa, groups, seqs, values)
                    groups, seqs, values = [], [], []
            if groups:
                yield _pairs_table(pa, groups, seqs, values)


def _pairs_table(pa, groups, seqs, values):
    return pa.table({"group": pa.array(groups, pa.int64()), "seq": pa.array(seqs, pa.binary()),
                     "value": pa.array(values, pa.binary())})


@ray.remote
def first_group(block):
    """The group of a sorted block's first row (None for an empty block)."""
    return block.column("group")[0].as_py() if block.num_rows else None


@ray.remote(max_retries=2, retry_exceptions=True)
def reduce_partition(files: ShippedFiles, index: int, block_refs: list, memory_mb: int | None, usage_actor):
    """Streams one partition's blocks into the reduce stage; returns its receipt lines.

    ``block_refs`` arrives as a list, so Ray does not fetch the blocks before
    the task starts: each is fetched when the stage is ready for it, and only
    one is held at a time. A retry (a killed worker, a failed stage) gets a
    fresh ``--attempt`` name; two attempts write identical shard bytes.
    """
    folder, plan = files.local()
    attempt = f"r{index}-{uuid.uuid4().hex[:12]}"
    command = stages.reduce_command(os.path.join(folder, "lmshard"), plan,
                                    os.path.join(folder, "tokenizer"), attempt, memory_mb)

    def lines():
        for ref in block_refs:
            table = ray.get(ref)
            groups = table.column("group").to_pylist()
            seqs = table.column("seq").to_pylist()
            values = table.column("value").to_pylist()
            for group, seq, value in zip(groups, seqs, values):
                yield b"%010d\t%b\t%b\n" % (group, seq, value)
            del table, groups, seqs, values

    return [line.decode("utf-8") for line in stages.stream_stage(
        command, label=f"reduce partition {index} (attempt {attempt})", stdin_lines=lines(),
        on_exit=_log_usage(usage_actor, "reduce"))]


@ray.remote(num_cpus=0)
class UsageLog:
    """Collects the stages' resource use from every task (a tiny actor)."""

    def __init__(self):
        self.usage: dict = {}

    def add(self, record: dict) -> None:
        stages.merge_usage(self.usage, record)

    def total(self) -> dict:
        return self.usage


def _log_usage(actor, role: str):
    """An ``on_exit`` callback that records synchronously, so ``total()`` sees every task."""
    return lambda usage: ray.get(actor.add.remote(stages.usage_record(role, usage)))


def main() -> int:
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
