"""The engine-neutral plumbing the Spark and Ray drivers share (no engine needed)."""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lmshard_stages as stages  # noqa: E402


# ------------------------------------------------------------ map output lines

def test_pair_of_line_splits_at_the_second_tab():
    line = b"0000000003\t0000000001:00000000000000000042:0000000000\tQUJD"
    key, value = stages.pair_of_line(line)
    assert key == b"0000000003\t0000000001:00000000000000000042:0000000000"
    assert value == b"QUJD"
    assert stages.group_of(key) == 3
    assert list(stages.pair_lines([(key, value)])) == [line + b"\n"]


@pytest.mark.parametrize("line", [b"", b"3\tx\ty", b"0000000003 x y", b"0000000003\tno-second-tab"])
def test_pair_of_line_rejects_what_the_map_stage_never_writes(line):
    with pytest.raises(ValueError, match="not a KEY<TAB>SEQ<TAB>VALUE line"):
        stages.pair_of_line(line)


def test_pair_keys_sort_as_key_then_seq():
    # Bytes compare bytewise, and KEY and SEQ are fixed width, so sorting the
    # pair keys is sorting by (group, file, offset, emit index).
    keys = [b"0000000002\t0000000000:00000000000000000000:0000000000",
            b"0000000001\t0000000001:00000000000000000000:0000000000",
            b"0000000001\t0000000000:00000000000000001000:0000000000",
            b"0000000001\t0000000000:00000000000000000999:0000000001"]
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]


# ------------------------------------------------------------ driver flags

def parser():
    p = argparse.ArgumentParser(allow_abbrev=False)
    stages.add_common_arguments(p)
    return p


def test_build_flags_pass_through_in_order():
    ns, build = stages.parse_driver_args(parser(), [
        "--input", "a", "b", "--reducers", "3", "--output", "o", "--seq-len", "64", "--lmshard", "/bin/x"])
    assert (ns.reducers, ns.lmshard) == (3, "/bin/x")
    assert build == ["--input", "a", "b", "--output", "o", "--seq-len", "64"]


@pytest.mark.parametrize("flag", ["--stage", "--plan", "--plan-out=x", "--split", "--splits", "--receipts",
                                  "--attempt", "--seq-base"])
def test_flags_the_driver_sets_itself_are_refused(flag, capsys):
    with pytest.raises(SystemExit):
        stages.parse_driver_args(parser(), ["--input", "a", "--output", "o", flag, "1"])
    assert "set by the driver for each stage" in capsys.readouterr().err


def test_driver_flags_are_not_abbreviated(capsys):
    # --red is not --reducers: it goes to lmshard, which rejects it itself.
    _, build = stages.parse_driver_args(parser(), ["--red", "2", "--input", "a"])
    assert build == ["--red", "2", "--input", "a"]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_counts_must_be_positive_integers(value, capsys):
    with pytest.raises(SystemExit):
        stages.parse_driver_args(parser(), ["--reducers", value, "--input", "a"])
    assert "--reducers" in capsys.readouterr().err


def test_find_lmshard_names_the_bad_path(tmp_path):
    with pytest.raises(stages.DriverError, match=f"{tmp_path}/missing: not an executable file"):
        stages.find_lmshard(str(tmp_path / "missing"))


# ------------------------------------------------------------ errors from tasks

def test_lmshard_message_survives_the_engines_wrapping():
    error = stages.StageFailed("map of split 3", 1, "corpus/b.jsonl:78: content: expected a string, got 42\n")
    # What an engine shows: a Java stack trace around the Python traceback.
    wrapped = ("py4j.protocol.Py4JJavaError: An error occurred while calling collect.\n"
               "org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n"
               f"  File \"x.py\", line 1\nlmshard_stages.StageFailed: {error}\n\tat org.apache...\n")
    assert stages.lmshard_message(wrapped) == "corpus/b.jsonl:78: content: expected a string, got 42"
    assert stages.lmshard_message("no lmshard here") is None
    # Engines pickle task exceptions back to the driver.
    again = pickle.loads(pickle.dumps(error))
    assert (again.label, again.returncode, str(again)) == (error.label, error.returncode, str(error))


def test_the_last_attempts_message_wins():
    first = str(stages.StageFailed("reduce", -9, "first"))
    second = str(stages.StageFailed("reduce", 1, "second"))
    assert stages.lmshard_message(first + "\nretry\n" + second) == "second"


# ------------------------------------------------------------ stage subprocesses

def sh(script):
    return ["/bin/sh", "-c", script]


def test_stream_stage_yields_lines_and_reports_usage():
    seen = []
    lines = list(stages.stream_stage(sh("printf 'a\\tb\\nc\\n'; printf 'no newline'"), "t", on_exit=seen.append))
    assert lines == [b"a\tb", b"c", b"no newline"]
    assert seen[0].label == "t" and seen[0].max_rss_kib > 0 and seen[0].wall_seconds >= 0


def test_stream_stage_gives_the_stage_its_own_directory_and_c_locale(tmp_path):
    (out,) = stages.stream_stage(sh('printf "%s %s %s" "$PWD" "$TMPDIR" "$LC_ALL"'), "t", work_root=str(tmp_path))
    cwd, tmpdir, locale = out.decode().split(" ")
    assert cwd == tmpdir and cwd.startswith(str(tmp_path) + "/lmshard-task-") and locale == "C"
    assert not os.path.exists(cwd), "the task directory is removed afterwards"


def test_a_failing_stage_raises_with_its_stderr():
    with pytest.raises(stages.StageFailed) as info:
        list(stages.stream_stage(sh("echo partial; echo 'in.jsonl:7: bad row' >&2; exit 1"), "map of split 0"))
    assert info.value.returncode == 1
    assert "lmshard map of split 0 exited with status 1" in str(info.value)
    assert stages.lmshard_message(str(info.value)) == "in.jsonl:7: bad row"


def test_a_killed_stage_says_which_signal():
    with pytest.raises(stages.StageFailed, match="was killed by signal 9"):
        list(stages.stream_stage(sh("kill -9 $$"), "reduce"))


def test_stdin_and_stdout_flow_together_without_deadlock():
    # 8 MB through cat: far more than both pipe buffers, so a driver that
    # wrote all of stdin before reading stdout would hang here.
    line = b"x" * 1023 + b"\n"
    count = sum(1 for _ in stages.stream_stage(["cat"], "t", stdin_lines=(line for _ in range(8192))))
    assert count == 8192


def test_a_failing_input_iterator_kills_the_stage_before_it_sees_a_clean_end(tmp_path):
    # A reducer that saw EOF would finish its last group from part of its
    # rows; it must be killed instead, and the iterator's error raised.
    done = tmp_path / "finished"

    def rows():
        yield b"one\n"
        raise OSError("shuffle fetch failed")

    with pytest.raises(OSError, match="shuffle fetch failed"):
        list(stages.stream_stage(sh(f"cat > /dev/null; touch {done}"), "reduce", stdin_lines=rows()))
    time.sleep(0.1)
    assert not done.exists()


def test_a_consumer_that_stops_early_kills_the_stage(tmp_path):
    done = tmp_path / "finished"
    stream = stages.stream_stage(sh(f"echo first; sleep 5; touch {done}"), "map")
    assert next(stream) == b"first"
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 4
    assert not done.exists()


# ------------------------------------------------------------ plan helpers

def test_split_batches_keep_plan_order():
    assert stages.split_batches(["0", "1", "2", "3", "4"], 2) == [["0", "1"], ["2", "3"], ["4"]]


def test_usage_merges_sum_tasks_and_cpu_and_keep_the_peak():
    a = stages.usage_record("map", stages.StageUsage("m0", 100, 1.5, 2.0))
    stages.merge_usage(a, stages.usage_record("map", stages.StageUsage("m1", 300, 0.5, 1.0)))
    stages.merge_usage(a, stages.usage_record("reduce", stages.StageUsage("r0", 50, 1.0, 1.0)))
    assert a == {"map": {"tasks": 2, "max_rss_kib": 300, "cpu_seconds": 2.0},
                 "reduce": {"tasks": 1, "max_rss_kib": 50, "cpu_seconds": 1.0}}
    assert stages.describe_usage(a) == ("2 map tasks (peak RSS 0 MiB, 2.0 CPU s), "
                                        "1 reduce tasks (peak RSS 0 MiB, 1.0 CPU s)")
