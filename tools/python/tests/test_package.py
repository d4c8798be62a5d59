"""The package as installed: version, optional dependencies, and which copy the tests import."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lmshard
from fixtures import write_example

SOURCE_TREE = Path(__file__).resolve().parents[1] / "src"


def test_major_version_is_the_format_version():
    assert int(lmshard.__version__.split(".")[0]) == lmshard.FORMAT_VERSION == 1


@pytest.mark.skipif(not os.environ.get("LMSHARD_EXPECT_INSTALLED"),
                    reason="set LMSHARD_EXPECT_INSTALLED=1 when testing a pip-installed lmshard (tools/test.sh does)")
def test_tests_run_against_the_installed_package():
    path = Path(lmshard.__file__).resolve()
    assert SOURCE_TREE not in path.parents, f"imported the source tree: {path}"
    assert "site-packages" in path.parts or "dist-packages" in path.parts, path
    from importlib.metadata import version
    assert version("lmshard") == lmshard.__version__


def test_reading_needs_only_numpy(tmp_path):
    write_example(tmp_path)
    code = ("import sys\n"
            "for name in ('torch', 'xxhash', 'megatron'):\n"
            "    sys.modules[name] = None  # importing them now fails\n"
            "import lmshard\n"
            f"ds = lmshard.LMShardDataset({str(tmp_path)!r})\n"
            "item = ds[1]\n"
            "assert item['tokens'].tolist() == [9, 10, 11] and item['tokens'].dtype.name == 'uint32'\n"
            "b = ds.__getitems__([0, 1])\n"
            "assert b['labels'].tolist() == [[6, 7, 8], [10, 11, 0]]\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
