"""Running lmshard's distributed build stages from an engine driver.

The Spark and Ray drivers (``tools/spark/lmshard_spark.py``,
``tools/ray/lmshard_ray.py``) do the same five things around the engine's
shuffle, and this module is that common part:

1. split the driver's own flags from ``lmshard build``'s, which are passed
   through untouched to ``lmshard build --stage plan`` (the driver never
   resolves a config itself: the plan records what every stage uses);
2. run the plan stage on the driver and read the plan it writes;
3. ship the tokenizer the plan loaded (a copy under a per-run name, since
   engines key shipped files by base name);
4. inside tasks, run ``--stage map`` / ``--stage reduce`` as subprocesses
   with an explicit environment and working directory, stream their
   stdout, check their exit status and carry their stderr in the
   exception, so a bad row's ``file:line: reason`` reaches the driver;
5. run ``--stage finalize`` on the driver with the collected receipts.

Map output lines are ``KEY<TAB>SEQ<TAB>VALUE``. Engines sort pairs, so a
line becomes the pair ``(KEY<TAB>SEQ, VALUE)`` as bytes: Python compares
bytes bytewise, which is the order the reduce stage expects (KEY is 10
digits, SEQ fixed width), and ``int(pair_key[:10])`` is the reduce group.

Only the standard library is used, so the module can be shipped to workers
as it is (``SparkContext.addPyFile``, Ray's ``py_modules``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

# Flags the driver sets itself for each stage; given by the user they would
# make the stages disagree, so they are refused up front.
RESERVED_FLAGS = ("--stage", "--plan", "--plan-out", "--split", "--splits", "--receipts", "--attempt",
                  "--seq-base")

# lmshard's stderr travels inside an engine's exception text (a Java stack
# trace around a Python traceback, for Spark); these lines delimit it so the
# driver can print lmshard's own message and nothing else.
STDERR_BEGIN = "----- lmshard stderr -----"
STDERR_END = "----- end of lmshard stderr -----"

KEY_WIDTH = 10  # the reduce group, zero-padded decimal digits


class DriverError(Exception):
    """A problem the driver reports in one line and exits 1 for."""


class StageFailed(Exception):
    """A stage subprocess exited non-zero (or was killed) inside a task.

    The message holds lmshard's stderr between ``STDERR_BEGIN`` and
    ``STDERR_END`` so that ``lmshard_message`` can find it again in whatever
    text the engine wraps the exception in.
    """

    def __init__(self, label: str, returncode: int, stderr: str):
        self.label = label
        self.returncode = returncode
        self.stderr = stderr
        status = f"was killed by signal {-returncode}" if returncode < 0 else f"exited with status {returncode}"
        super().__init__(f"lmshard {label} {status}\n{STDERR_BEGIN}\n{stderr.rstrip()}\n{STDERR_END}")

    def __reduce__(self):  # engines pickle exceptions back to the driver
        return (StageFailed, (self.label, self.returncode, self.stderr))


def lmshard_message(text: str) -> str | None:
    """lmshard's stderr carried in an engine's error text, or None.

    The last block wins: retried tasks append attempts in order.
    """
    blocks = re.findall(re.escape(STDERR_BEGIN) + r"\n(.*?)\n" + re.escape(STDERR_END), text, re.S)
    if not blocks:
        return None
    # Engines may escape newlines when they nest tracebacks; undo the common one.
    return blocks[-1].replace("\\n", "\n").strip()


# ---------------------------------------------------------------- arguments

def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags every driver has besides ``lmshard build``'s own."""
    parser.add_argument("--lmshard", metavar="PATH",
                        help="the lmshard binary, shipped to every worker (default: $LMSHARD_BIN, "
                             "then lmshard on PATH)")
    parser.add_argument("--reducers", type=positive_int, metavar="R",
                        help="reduce tasks; reduce group g goes to task g %% R "
                             "(default: one per reduce group, i.e. --num-reduce-chunks)")
    parser.add_argument("--split-bytes", type=positive_int, metavar="N",
                        help="cut plain .jsonl inputs into line-aligned splits of about N bytes "
                             "(default: lmshard's)")
    parser.add_argument("--splits-per-task", type=positive_int, default=1, metavar="K",
                        help="splits one map task reads (default 1)")
    parser.add_argument("--memory-mb", type=positive_int, metavar="MB",
                        help="memory budget of each reduce task's external sort, passed to the reduce stage")
    parser.add_argument("--metrics-json", metavar="PATH",
                        help="write wall times per phase and the tasks' peak RSS and CPU time here (JSON)")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def parse_driver_args(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The driver's flags and, in their original order, ``lmshard build``'s.

    ``parser`` must be built with ``allow_abbrev=False`` so that a build flag
    is never taken for an abbreviation of a driver flag.
    """
    ns, build_args = parser.parse_known_args(argv)
    for arg in build_args:
        name = arg.split("=", 1)[0]
        if name in RESERVED_FLAGS:
            parser.error(f"{name} is set by the driver for each stage; give only lmshard build's flags")
    if not build_args:
        parser.error("no lmshard build flags given (at least --input and --output; see lmshard build --help)")
    return ns, build_args


def find_lmshard(explicit: str | None) -> str:
    """--lmshard, else $LMSHARD_BIN, else ``lmshard`` on PATH, as an absolute path."""
    candidate = explicit or os.environ.get("LMSHARD_BIN") or shutil.which("lmshard")
    if not candidate:
        raise DriverError("no lmshard binary: pass --lmshard PATH (or set LMSHARD_BIN, or put lmshard on PATH)")
    path = os.path.abspath(candidate)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise DriverError(f"{candidate}: not an executable file (--lmshard)")
    return path


# ---------------------------------------------------------------- the plan

@dataclass(frozen=True)
class Plan:
    """What the driver needs from ``PLAN.json`` (the stages read the rest)."""

    path: str
    plan_id: str
    split_ids: list[str]
    num_reduce_chunks: int
    tokenizer_path: str
    tokenizer_sha256: str

    @staticmethod
    def load(path: str) -> "Plan":
        try:
            with open(path, "rb") as f:
                doc = json.load(f)
            tokenizer = doc["tokenizer"]
            return Plan(path=path, plan_id=str(doc["plan_id"]),
                        split_ids=[str(s["id"]) for s in doc["splits"]],
                        num_reduce_chunks=int(doc["num_reduce_chunks"]),
                        tokenizer_path=str(tokenizer["path"]), tokenizer_sha256=str(tokenizer["sha256"]))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DriverError(f"{path}: not a plan this driver understands ({type(error).__name__}: {error})") from None


def run_plan(binary: str, build_args: list[str], plan_path: str, split_bytes: int | None) -> Plan | None:
    """``lmshard build --stage plan`` on the driver; None when it failed.

    Its stderr is the user's terminal: a bad flag, config or input is
    reported by lmshard itself, exactly as ``lmshard build`` reports it.
    """
    command = [binary, "build", "--stage", "plan", *build_args, "--plan-out", plan_path]
    if split_bytes is not None:
        command += ["--split-bytes", str(split_bytes)]
    status = subprocess.run(command, stdin=subprocess.DEVNULL).returncode
    if status != 0:
        return None
    return Plan.load(plan_path)


def ship_tokenizer(plan: Plan, into: str, tag: str) -> str:
    """A folder under ``into`` with a copy of the plan's tokenizer, named per run.

    The folder holds ``tokenizer.json`` and, when it exists next to the
    original, ``tokenizer_config.json`` (where eos/pad come from). Engines
    address shipped files by base name and refuse one name for two paths,
    hence the per-run ``tag`` in the name. The copy's SHA-256 is checked against the
    plan here, so a tokenizer changed since planning fails before any task.
    """
    folder = os.path.join(into, f"lmshard-tokenizer-{tag}")
    os.makedirs(folder, exist_ok=True)
    source_dir = os.path.dirname(plan.tokenizer_path)
    shutil.copyfile(plan.tokenizer_path, os.path.join(folder, "tokenizer.json"))
    config = os.path.join(source_dir, "tokenizer_config.json")
    if os.path.isfile(config):
        shutil.copyfile(config, os.path.join(folder, "tokenizer_config.json"))
    digest = hashlib.sha256()
    with open(os.path.join(folder, "tokenizer.json"), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != plan.tokenizer_sha256:
        raise DriverError(f"{plan.tokenizer_path}: changed since the plan was made "
                          f"(sha256 {digest.hexdigest()}, plan has {plan.tokenizer_sha256})")
    return folder


def split_batches(split_ids: list[str], per_task: int) -> list[list[str]]:
    """Split ids grouped into map tasks, in plan order."""
    return [split_ids[i:i + per_task] for i in range(0, len(split_ids), per_task)]


# ---------------------------------------------------------------- commands

def map_command(binary: str, plan_path: str, tokenizer: str, split_ids: list[str], workers: int) -> list[str]:
    """The map stage for some splits, with as many threads as the engine gave the task's CPUs
    (without ``--workers`` it would start one per core, and every concurrent task would)."""
    return [binary, "build", "--stage", "map", "--plan", plan_path, "--tokenizer", tokenizer,
            "--split", ",".join(split_ids), "--workers", str(workers), "--quiet"]


def reduce_command(binary: str, plan_path: str, tokenizer: str, attempt: str, memory_mb: int | None) -> list[str]:
    command = [binary, "build", "--stage", "reduce", "--plan", plan_path, "--tokenizer", tokenizer,
               "--attempt", attempt, "--quiet"]
    if memory_mb is not None:
        command += ["--memory-mb", str(memory_mb)]
    return command


def finalize(binary: str, plan_path: str, receipts: Iterable[str]) -> int:
    """``lmshard build --stage finalize`` with the receipts on stdin.

    Its summary (stdout) and errors (stderr) are the user's, as from
    ``lmshard build``; returns its exit status.
    """
    data = "".join(line if line.endswith("\n") else line + "\n" for line in receipts).encode()
    command = [binary, "build", "--stage", "finalize", "--plan", plan_path, "--receipts", "-"]
    return subprocess.run(command, input=data).returncode


# ---------------------------------------------------------------- inside tasks

def pair_of_line(line: bytes) -> tuple[bytes, bytes]:
    """A map output line as the pair the engine sorts: (KEY<TAB>SEQ, VALUE)."""
    second_tab = line.find(b"\t", KEY_WIDTH + 1)
    if line[KEY_WIDTH:KEY_WIDTH + 1] != b"\t" or second_tab < 0:
        raise ValueError(f"not a KEY<TAB>SEQ<TAB>VALUE line from the map stage: {line[:80]!r}")
    return line[:second_tab], line[second_tab + 1:]


def group_of(pair_key: bytes) -> int:
    """The reduce group of a pair key (its first 10 digits)."""
    return int(pair_key[:KEY_WIDTH])


def pair_lines(pairs: Iterable[tuple[bytes, bytes]]) -> Iterator[bytes]:
    """Pairs back as ``KEY<TAB>SEQ<TAB>VALUE\\n`` lines for the reduce stage."""
    for key, value in pairs:
        yield key + b"\t" + value + b"\n"


@dataclass(frozen=True)
class StageUsage:
    """What one stage subprocess used (from ``wait4``'s rusage)."""

    label: str
    max_rss_kib: int
    cpu_seconds: float
    wall_seconds: float


def stream_stage(command: list[str], label: str, stdin_lines: Iterable[bytes] | None = None,
                 work_root: str | None = None, on_exit: Callable[[StageUsage], None] | None = None
                 ) -> Iterator[bytes]:
    """Runs one stage in a task and yields its stdout lines (without newline).

    The subprocess gets this worker's environment with ``LC_ALL=C`` and
    ``TMPDIR`` set to a fresh working directory (created under
    ``work_root``, removed afterwards), stdin fed from ``stdin_lines`` by a
    thread while stdout is read here (so neither pipe can fill up and block
    the other), and stderr in a temporary file. Raises ``StageFailed`` with
    that stderr when the stage exits non-zero or is killed; a consumer that
    stops early kills the stage. ``on_exit`` receives the subprocess's
    resource usage (peak RSS, CPU) after a successful exit.
    """
    workdir = tempfile.mkdtemp(prefix="lmshard-task-", dir=work_root)
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["TMPDIR"] = workdir
    try:
        with tempfile.TemporaryFile(dir=workdir) as stderr_file:
            started = time.monotonic()
            process = subprocess.Popen(command, cwd=workdir, env=env, stderr=stderr_file,
                                       stdin=subprocess.DEVNULL if stdin_lines is None else subprocess.PIPE,
                                       stdout=subprocess.PIPE, bufsize=1 << 20)
            feed_error: list[BaseException] = []
            feeder = None
            if stdin_lines is not None:
                feeder = threading.Thread(target=_feed, args=(process, stdin_lines, feed_error), daemon=True)
                feeder.start()
            finished = False
            try:
                for line in process.stdout:
                    yield line[:-1] if line.endswith(b"\n") else line
                finished = True
            finally:
                if not finished:
                    process.kill()
                process.stdout.close()
                status, usage = _wait_with_usage(process)
                if feeder is not None:
                    feeder.join()
            if feed_error:
                raise feed_error[0]
            if status != 0:
                stderr_file.seek(0)
                raise StageFailed(label, status, stderr_file.read().decode("utf-8", "replace"))
            if on_exit is not None:
                on_exit(StageUsage(label=label, max_rss_kib=usage.ru_maxrss,
                                   cpu_seconds=usage.ru_utime + usage.ru_stime,
                                   wall_seconds=time.monotonic() - started))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def usage_record(role: str, usage: StageUsage) -> dict:
    """One stage run as a mergeable record: ``{role: {tasks, max_rss_kib, cpu_seconds}}``."""
    return {role: {"tasks": 1, "max_rss_kib": usage.max_rss_kib, "cpu_seconds": usage.cpu_seconds}}


def merge_usage(a: dict, b: dict) -> dict:
    """Sums task counts and CPU, keeps the largest peak RSS, per role (merges into ``a``)."""
    for role, entry in b.items():
        mine = a.setdefault(role, {"tasks": 0, "max_rss_kib": 0, "cpu_seconds": 0.0})
        mine["tasks"] += entry["tasks"]
        mine["max_rss_kib"] = max(mine["max_rss_kib"], entry["max_rss_kib"])
        mine["cpu_seconds"] += entry["cpu_seconds"]
    return a


def describe_usage(usage: dict) -> str:
    """``12 map tasks (peak RSS 45 MiB, 10.2 CPU s), 3 reduce tasks (...)``."""
    parts = []
    for role in ("map", "reduce"):
        if role in usage:
            e = usage[role]
            parts.append(f"{e['tasks']} {role} tasks (peak RSS {e['max_rss_kib'] / 1024:.0f} MiB, "
                         f"{e['cpu_seconds']:.1f} CPU s)")
    return ", ".join(parts) or "no tasks"


class PhaseClock:
    """Wall time per driver phase (plan, engine start, the job, finalize)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.started = time.monotonic()

    @contextlib.contextmanager
    def phase(self, name: str):
        start = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - start

    def total(self) -> float:
        return time.monotonic() - self.started


def report_usage(driver: str, metrics_path: str | None, build_args: list[str], clock: PhaseClock,
                 usage: dict, **facts) -> None:
    """After a successful build: one line on stderr (unless --quiet) and --metrics-json."""
    if "--quiet" not in build_args:
        print(f"{driver}: {describe_usage(usage)}; {clock.total():.1f} s in all", file=sys.stderr)
    if metrics_path:
        metrics = {"wall_seconds": dict(clock.seconds, total=clock.total()), "tasks": usage, **facts}
        with open(metrics_path, "w", encoding="utf-8") as f:
            json.dump(metrics, f, indent=2, sort_keys=True)
            f.write("\n")


# ---------------------------------------------------------------- the driver

@dataclass(frozen=True)
class DriverRun:
    """One build as the shared driver skeleton hands it to an engine."""

    ns: argparse.Namespace
    binary: str
    plan: Plan
    plan_path: str
    tokenizer_dir: str
    workdir: str  # removed when the run ends
    tag: str  # per run: engines that ship files by base name need unique ones
    clock: PhaseClock

    @property
    def reducers(self) -> int:
        return min(self.ns.reducers or self.plan.num_reduce_chunks, self.plan.num_reduce_chunks)


def drive(driver: str, parser: argparse.ArgumentParser, argv: list[str], workdir_prefix: str,
          engine: Callable[[DriverRun], tuple[list[str], dict] | None]) -> int:
    """What every engine's driver does around its map, shuffle and reduce.

    Parses the flags, finds the binary, plans on the driver, ships the
    tokenizer into a work folder, calls ``engine`` (which runs the job and
    returns the receipt lines and the tasks' usage, or None after reporting
    a failed task with ``report_failure``), finalizes and reports usage.
    Returns the exit status: 0, or 1 with the reason on stderr.
    """
    ns, build_args = parse_driver_args(parser, argv)
    try:
        binary = find_lmshard(ns.lmshard)
    except DriverError as error:
        print(f"{driver}: {error}", file=sys.stderr)
        return 1

    clock = PhaseClock()
    workdir = tempfile.mkdtemp(prefix=workdir_prefix)
    try:
        tag = uuid.uuid4().hex[:12]
        plan_path = os.path.join(workdir, f"lmshard-plan-{tag}.json")
        with clock.phase("plan"):
            plan = run_plan(binary, build_args, plan_path, ns.split_bytes)
        if plan is None:
            return 1
        run = DriverRun(ns=ns, binary=binary, plan=plan, plan_path=plan_path,
                        tokenizer_dir=ship_tokenizer(plan, workdir, tag), workdir=workdir, tag=tag, clock=clock)
        outcome = engine(run)
        if outcome is None:
            return 1
        receipts, usage = outcome
        with clock.phase("finalize"):
            status = finalize(binary, plan_path, receipts)
        if status == 0:
            report_usage(driver, ns.metrics_json, build_args, clock, usage,
                         splits=len(plan.split_ids), reducers=run.reducers)
        return status
    except DriverError as error:
        print(f"{driver}: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_with_usage(process: subprocess.Popen):
    """``Popen.wait`` that also returns the child's rusage (``os.wait4``).

    ``getrusage(RUSAGE_CHILDREN)`` would not do: engines reuse worker
    processes, so it would report the largest stage any earlier task ran.
    """
    _, wait_status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(wait_status)
    return process.returncode, usage


def _feed(process: subprocess.Popen, lines: Iterable[bytes], errors: list[BaseException]) -> None:
    """Writes ``lines`` to the stage's stdin, then closes it.

    If the engine's iterator fails, the stage is killed *before* stdin is
    closed: a clean end of input would let the reducer finish its last
    group from part of its rows and publish a shard for it.
    """
    pipe = process.stdin
    try:
        for line in lines:
            pipe.write(line)
    except BrokenPipeError:
        pass  # the stage exited early; its status and stderr say why
    except BaseException as error:  # the engine's input iterator failed
        process.kill()
        errors.append(error)
    try:
        pipe.close()
    except BrokenPipeError:
        pass


def report_failure(driver: str, error: BaseException) -> None:
    """Prints lmshard's own message when a task's stage failed, else the engine's error."""
    stream = sys.stderr  # looked up now: callers (and test harnesses) may have replaced it
    message = lmshard_message(str(error))
    if message is not None:
        print(f"{driver}: a task failed; lmshard said:\n{message}", file=stream)
    else:
        print(f"{driver}: the job failed: {error}", file=stream)
