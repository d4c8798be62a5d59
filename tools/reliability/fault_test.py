#!/usr/bin/env python3
"""Fault test: `lmshard build --overwrite` on a disk that fills up or fails.

Two kinds of fault, each at several points of the build:

- ENOSPC, for real: the output's directory is a small tmpfs (root only; it is
  mounted and unmounted here), swept from barely bigger than the old dataset
  to big enough for the whole build, so the disk fills during map spills,
  shard writing, the manifest or the publish.
- EIO (and ENOSPC) injected: an LD_PRELOAD shim (faultinject.c, compiled
  here with cc) fails one chosen write or fsync: a spill, a shard file, its
  fsync, the manifest, the lock record, the directory sync after the publish.

After every faulty build the checks are: a non-zero exit; a message naming
the file and the system's reason; at the output the old dataset intact or
(for a fault after the publish) the complete new one, never anything else;
nothing hidden left next to it. Then the same build without the fault must
give exactly an uninterrupted build's dataset.

    sudo python3 tools/reliability/fault_test.py --lmshard .build/release/lmshard
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kill_test import REPO, Build, hidden_leftovers, tree, write_corpus  # noqa: E402

# (what, path substring, operation, nth matching call, errno)
INJECTED = [
    ("first spill write", "/map/p", "write", 1, 5),
    ("a later spill write", "/map/p", "write", 4, 5),
    ("first shard write", "/.shard-", "write", 1, 5),
    ("shard fsync", "/.shard-", "fsync", 1, 5),
    ("shard write, disk full", "/.shard-", "write", 3, 28),
    ("manifest write", "manifest.json", "write", 1, 5),
    ("manifest fsync", "manifest.json", "fsync", 1, 5),
    ("lock record before the publish", ".out.lock", "write", 4, 5),
    ("directory sync after the publish", "$/area", "fsync", 1, 5),
]


def du(path):
    """Bytes the files under path take on a tmpfs (whole 4 KiB pages)."""
    return sum(-(-os.path.getsize(os.path.join(r, f)) // 4096) * 4096 for r, _, fs in os.walk(path) for f in fs)


def check(label, result, out, old, reference, reason, problems):
    """The checks after a faulty build; returns the state of the output."""
    state = "absent" if not os.path.isdir(out) else "old" if tree(out) == old else "new" if tree(out) == reference else "OTHER"
    mine = []
    if result.returncode == 0 and state != "new":
        mine.append("exited 0 without the new dataset")
    kept = None
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("lmshard: error: ")]
        if len(errors) != 1 or reason not in errors[0]:
            mine.append(f"no error line giving the reason ({reason}): {result.stderr.strip()}")
        # A write failure keeps a resumable staging directory, says so, and
        # names it in the lock's record; nothing else may be left.
        for line in result.stderr.splitlines():
            if line.startswith("lmshard: note: the work done so far is kept in "):
                kept = os.path.basename(line.split(" kept in ", 1)[1].split(";", 1)[0])
    if state not in ("old", "new"):
        mine.append(f"output is {state} after the fault")
    left = hidden_leftovers(out)
    if kept:
        lock = os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".lock")
        record = open(lock).read() if os.path.exists(lock) else ""
        if f"staging={kept}\n" not in record:
            mine.append(f"kept {kept} but the lock's record does not name it")
        left = [e for e in left if e not in (kept, os.path.basename(lock))]
    if left:
        mine.append(f"left next to the output: {left}")
    for m in mine:
        problems.append(f"{label}: {m}")
    return state + (" (work kept for a rerun)" if kept else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lmshard", default=os.environ.get("LMSHARD_BIN", os.path.join(REPO, ".build/release/lmshard")))
    parser.add_argument("--tokenizer", default=os.path.join(REPO, "sample/tokenizer"))
    parser.add_argument("--size-mb", type=float, default=6)
    parser.add_argument("--steps", type=int, default=12, help="tmpfs sizes tried")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="lmfault-")
    problems, lines = [], []
    try:
        corpus = os.path.join(work, "corpus")
        write_corpus(corpus, args.size_mb)
        area = os.path.join(work, "area")
        os.makedirs(area)
        out = os.path.join(area, "out")
        build = Build(args.lmshard, corpus, out, args.tokenizer, 2, 512)
        build.run(overwrite=False)
        reference, ref_bytes = tree(out), du(out)
        shutil.rmtree(out)
        build.run(overwrite=False, seq_len=256)
        old_copy = os.path.join(work, "old")
        shutil.copytree(out, old_copy)
        old, old_bytes = tree(old_copy), du(old_copy)
        shutil.rmtree(out)

        # Injected faults, the output on the ordinary disk.
        shim = os.path.join(work, "faultinject.so")
        compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
        if compiler is None:
            raise SystemExit("fault_test.py needs a C compiler (cc, clang or gcc) for faultinject.c")
        subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", shim, os.path.join(HERE, "faultinject.c"), "-ldl"],
                       check=True)
        for what, match, op, nth, code in INJECTED:
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(old_copy, out)
            env = dict(os.environ, LD_PRELOAD=shim, LMSHARD_FAULT_MATCH=match, LMSHARD_FAULT_OP=op,
                       LMSHARD_FAULT_AFTER=str(nth), LMSHARD_FAULT_ERRNO=str(code))
            result = subprocess.run(build.command(overwrite=True), env=env, capture_output=True, text=True)
            reason = "Input/output error" if code == 5 else "No space left on device"
            state = check(what, result, out, old, reference, reason, problems)
            rerun = subprocess.run(build.command(overwrite=True), capture_output=True, text=True)
            if rerun.returncode != 0 or tree(out) != reference:
                problems.append(f"{what}: the rerun without the fault failed: {rerun.stderr.strip()}")
            if hidden_leftovers(out):
                problems.append(f"{what}: left after the rerun: {hidden_leftovers(out)}")
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            lines.append(f"{what:36} exit {result.returncode}, output {state}: {last[:150]}")

        # A real full disk: the output's directory on a small tmpfs.
        if os.geteuid() != 0:
            lines.append("tmpfs sweep skipped: mounting a tmpfs needs root")
        else:
            mount = os.path.join(work, "small")
            os.makedirs(mount)
            top = old_bytes + ref_bytes * 3
            sizes = [old_bytes + 64 * 1024 + (top - old_bytes) * i // args.steps for i in range(args.steps + 1)]
            for size in sizes:
                kb = (size + 1023) // 1024
                subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", mount], check=True)
                try:
                    target = os.path.join(mount, "out")
                    shutil.copytree(old_copy, target)
                    small = Build(args.lmshard, corpus, target, args.tokenizer, 2, 512)
                    result = subprocess.run(small.command(overwrite=True), capture_output=True, text=True)
                    label = f"tmpfs of {kb} KiB"
                    state = check(label, result, target, old, reference, "No space left on device", problems)
                    where = result.stderr.strip().splitlines()[-1][:150] if result.returncode else "fits"
                    if result.returncode:
                        # Space freed (the tmpfs grown), the same command again: resumed, complete, clean.
                        subprocess.run(["mount", "-o", f"remount,size={top * 2 // 1024}k", mount], check=True)
                        rerun = subprocess.run(small.command(overwrite=True), capture_output=True, text=True)
                        if rerun.returncode != 0 or tree(target) != reference or hidden_leftovers(target):
                            problems.append(f"{label}: the rerun with space failed: {rerun.stderr.strip()}")
                        where += "; rerun with space: ok"
                    lines.append(f"{label:36} exit {result.returncode}, output {state}: {where}")
                finally:
                    subprocess.run(["umount", mount], check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    faults = len(INJECTED) + (args.steps + 1 if os.geteuid() == 0 else 0)
    print(f"\n{faults} faults injected, {len(problems)} problems")
    for p in problems:
        print("  " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
