"""Short runs of the kill test and the fault test (tools/test.sh runs these;
the full runs and their figures are in RELIABILITY.md)."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ.get("LMSHARD_BIN")

pytestmark = pytest.mark.skipif(
    not BINARY or not os.access(BINARY, os.X_OK),
    reason="set LMSHARD_BIN to an lmshard binary (tools/test.sh does) to run the kill and fault tests",
)


def run(script, *args):
    done = subprocess.run([sys.executable, os.path.join(HERE, script), "--lmshard", BINARY, *args],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_killed_builds_rerun_to_the_same_dataset():
    # A few random kills plus one at each commit point, with and without --overwrite.
    out = run("kill_test.py", "--trials", "4", "--size-mb", "1", "--seed", "13", "--no-expect-reuse")
    assert "kill test: seed 13" in out
    assert "trial 12:" in out


def test_faults_leave_the_old_dataset_or_the_new_one():
    out = run("fault_test.py", "--size-mb", "1", "--steps", "3")
    assert ", 0 problems" in out
