#!/usr/bin/env python3
"""``lmshard build`` on Apache Spark: the same dataset directory, byte for byte.

    python tools/spark/lmshard_spark.py --master 'local[2]' --lmshard .build/release/lmshard \\
        --input corpus/ --output data/pretrain --tokenizer tok/ --strategy pretrain --seq-len 4096

    spark-submit --master yarn --py-files tools/dist/lmshard_stages.py \\
        tools/spark/lmshard_spark.py --lmshard /opt/lmshard/bin/lmshard --reducers 64 \\
        --input /shared/corpus --output /shared/data/pretrain --config pretrain.yaml

Every flag this driver does not know is ``lmshard build``'s and goes,
untouched, to ``lmshard build --stage plan`` on the driver, which resolves
the config exactly as ``lmshard build`` does and writes a plan. Then:

* the binary, the plan and the tokenizer the plan loaded are shipped to the
  executors with ``SparkContext.addFile`` (found there with ``SparkFiles.get``);
* one task per split (``--splits-per-task`` to group them) runs
  ``lmshard build --stage map`` as a subprocess; its ``KEY<TAB>SEQ<TAB>VALUE``
  lines become pairs ``(KEY<TAB>SEQ, VALUE)``;
* Spark shuffles them with ``repartitionAndSortWithinPartitions``: group g
  to reduce task ``g % R``, sorted bytewise by (KEY, SEQ), which is the
  local build's input order;
* each reduce task pipes its partition into ``lmshard build --stage
  reduce --attempt <task attempt>``, which writes its groups' shards into
  the plan's staging directory and prints one receipt line per shard;
* the driver collects the receipts and runs ``--stage finalize``, which
  checks every shard against its receipt and the plan, writes
  ``manifest.json`` and moves the dataset into place.

Inputs, the output's parent directory and the plan's staging directory
must be on a filesystem every executor mounts at the same path (local
disk for ``local[N]``; NFS, Lustre, GPFS or a FUSE mount on a cluster):
lmshard reads its splits itself (byte ranges, ``.zst``, ``.gz``, names
starting with ``_``) instead of through Spark's text readers, which would
replace invalid UTF-8, skip ``_*`` files and list directories in
filesystem order.

Why subprocesses in ``mapPartitions`` rather than ``RDD.pipe``: the stages'
exit status must fail the task (``pipe`` ignores it unless asked), the
stage needs a working directory of its own and an environment, and a failed
stage's stderr (``file:line: what is wrong``) has to travel back in the
task's exception so this driver can print it and exit 1.

Speculative execution and task retries are safe: reducers write through
per-attempt temporary names and two attempts write identical bytes; only
one successful attempt's receipts are collected.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
from dataclasses import dataclass

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "dist"))
import lmshard_stages as stages  # noqa: E402

DRIVER = "lmshard_spark"


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmshard_spark.py", allow_abbrev=False,
        description="Run lmshard build on Spark. Flags not listed here are lmshard build's "
                    "(--input, --output, --tokenizer, --config, --strategy, ...; see lmshard build --help).")
    parser.add_argument("--master", help="Spark master URL, e.g. local[2] or yarn (default: spark-submit's, "
                                         "else local[*])")
    parser.add_argument("--app-name", default="lmshard build", help="Spark application name")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting for the context this driver creates (repeatable)")
    stages.add_common_arguments(parser)
    return parser


@dataclass(frozen=True)
class Shipped:
    """Names under which the run's files were added with ``addFile``."""

    binary: str
    plan: str
    tokenizer: str
    task_cpus: int  # spark.task.cpus: the map stage's --workers


def run(argv: list[str], spark_context=None) -> int:
    """Runs a build; returns the exit status (0, or 1 with the reason on stderr).

    ``spark_context``: an existing ``SparkContext`` to run in (left running);
    without it one is created from ``--master``/``--conf`` and stopped before the finalize.
    """
    return stages.drive(DRIVER, argument_parser(), argv, "lmshard-spark-",
                        lambda run: _run_on_spark(run, spark_context))


def _run_on_spark(run: stages.DriverRun, spark_context) -> tuple[list[str], dict] | None:
    """Map, shuffle and reduce as Spark tasks: the receipts and usage, or None after a failed task.

    Files are added under the run's tag: ``addFile`` refuses one base name
    for two paths, and a shared context sees many runs.
    """
    ns = run.ns
    shipped_binary = os.path.join(run.workdir, f"lmshard-{run.tag}")
    shutil.copy2(run.binary, shipped_binary)

    owns_context = spark_context is None
    with run.clock.phase("spark_start"):
        sc = spark_context if spark_context is not None else create_context(ns)
    try:
        for path in (shipped_binary, run.plan_path):
            sc.addFile(path)
        sc.addFile(run.tokenizer_dir, recursive=True)
        for module in (stages.__file__, os.path.abspath(__file__)):
            sc.addPyFile(module)
        shipped = Shipped(binary=os.path.basename(shipped_binary), plan=os.path.basename(run.plan_path),
                          tokenizer=os.path.basename(run.tokenizer_dir),
                          task_cpus=int(sc.getConf().get("spark.task.cpus", "1")))
        usage = sc.accumulator({}, UsageAccumulator())
        with run.clock.phase("map_shuffle_reduce"):
            receipts = run_job(sc, run.plan, shipped, run.reducers, ns.splits_per_task, ns.memory_mb, usage)
        return receipts, usage.value
    except Exception as error:  # a task failed: Py4JJavaError around the task's exception
        stages.report_failure(DRIVER, error)
        return None
    finally:
        if owns_context:
            sc.stop()


class UsageAccumulator:
    """Spark accumulator of the stages' resource use (``lmshard_stages.merge_usage``)."""

    def zero(self, value):
        return {}

    def addInPlace(self, a, b):
        return stages.merge_usage(a, b)


def create_context(ns: argparse.Namespace):
    from pyspark import SparkConf, SparkContext

    conf = SparkConf().setAppName(ns.app_name)
    for setting in ns.conf:
        key, sep, value = setting.partition("=")
        if not sep:
            raise stages.DriverError(f"--conf {setting!r}: expected KEY=VALUE")
        conf.set(key, value)
    if ns.master:
        conf.setMaster(ns.master)
    elif not conf.contains("spark.master"):
        conf.setMaster("local[*]")
    if conf.get("spark.master", "").startswith("local"):
        # A local run binds to loopback (on a laptop the default address is
        # often a VPN or a stale DHCP lease the JVM cannot reach).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return SparkContext(conf=conf)


def run_job(sc, plan: stages.Plan, shipped: Shipped, reducers: int, splits_per_task: int,
            memory_mb: int | None, usage) -> list[str]:
    """Map, shuffle, reduce; returns the reducers' receipt lines."""
    batches = stages.split_batches(plan.split_ids, splits_per_task)
    pairs = sc.parallelize(batches, len(batches)).mapPartitions(map_task(shipped, usage))
    shuffled = pairs.repartitionAndSortWithinPartitions(
        numPartitions=reducers, partitionFunc=stages.group_of, ascending=True)
    return shuffled.mapPartitionsWithIndex(reduce_task(shipped, memory_mb, usage)).collect()


def map_task(shipped: Shipped, usage):
    def task(batches):
        from pyspark import SparkFiles

        binary, plan, tokenizer = (SparkFiles.get(name) for name in (shipped.binary, shipped.plan, shipped.tokenizer))
        for batch in batches:
            command = stages.map_command(binary, plan, tokenizer, batch, shipped.task_cpus)
            for line in stages.stream_stage(command, label=f"map of split {','.join(batch)}",
                                            on_exit=lambda u: usage.add(stages.usage_record("map", u))):
                yield stages.pair_of_line(line)
    return task


def reduce_task(shipped: Shipped, memory_mb: int | None, usage):
    def task(index, pairs):
        from pyspark import SparkFiles, TaskContext

        pairs = iter(pairs)
        first = next(pairs, None)
        if first is None:
            return  # no group hashed to this task
        context = TaskContext.get()
        attempt = f"p{context.partitionId()}-a{context.attemptNumber()}-t{context.taskAttemptId()}"
        binary, plan, tokenizer = (SparkFiles.get(name) for name in (shipped.binary, shipped.plan, shipped.tokenizer))
        command = stages.reduce_command(binary, plan, tokenizer, attempt, memory_mb)
        lines = stages.pair_lines(itertools.chain([first], pairs))
        for receipt in stages.stream_stage(command, label=f"reduce task {index} (attempt {attempt})",
                                           stdin_lines=lines,
                                           on_exit=lambda u: usage.add(stages.usage_record("reduce", u))):
            yield receipt.decode("utf-8")
    return task


def main() -> int:
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
