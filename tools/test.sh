#!/usr/bin/env bash
# Runs every test: `swift test` (unit, round-trip, CLI), the Python tools'
# tests (tokenizer parity subset, notebook reference) and the lmshard Python
# package's tests against the installed package and a release build of the
# CLI. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/ensure-deps.sh
lmshard_ensure_deps

# Files from the shared test folder (real tokenizers) are optional: tests that
# need them skip with a message naming LMSHARD_SHARED when it is unset.
if [ -z "${LMSHARD_SHARED:-}" ] && [ -d ../shared ]; then
    LMSHARD_SHARED=$(cd ../shared && pwd)
fi
if [ -n "${LMSHARD_SHARED:-}" ]; then export LMSHARD_SHARED; fi
echo "LMSHARD_SHARED=${LMSHARD_SHARED:-<unset: shared-data tests will skip>}"

# Compiled tokenizers (the tokenizer cache, see README) go to a folder of this
# run, not the user's ~/.cache: tests load through the cache and leave nothing.
if [ -z "${LMSHARD_CACHE_DIR:-}" ]; then
    LMSHARD_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lmshard-test-cache.XXXXXX")
    export LMSHARD_CACHE_DIR
    trap 'rm -rf "$LMSHARD_CACHE_DIR"' EXIT
fi

status=0

echo "== swift test"
swift build --build-tests
swift test --skip-build --parallel || status=1

echo "== release build of the CLI for the Python tools"
swift build -c release --product lmshard
LMSHARD_BIN="$(swift build -c release --show-bin-path)/lmshard"
export LMSHARD_BIN

echo "== Python tools"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements.txt
.venv/bin/python -m pytest -q tools --ignore=tools/python || status=1

# The lmshard Python package is tested as a user gets it: a wheel built from
# tools/python, pip-installed into a venv made fresh for this run, and the
# package's tests run there (test_package.py checks they import the installed
# copy, not the source tree). No network: the wheel is built without build
# isolation by the tools venv, and the fresh venv sees that venv's numpy,
# xxhash and pytest through a .pth line, so pip finds the dependency met.
echo "== lmshard Python package: wheel, fresh venv, tests"
pkg_venv=.build/python-package-venv
wheels=.build/python-package-wheel
pkg_src=.build/python-package-src  # a copy: setuptools builds in place and leaves build/ behind
rm -rf "$pkg_venv" "$wheels" "$pkg_src"
cp -R tools/python "$pkg_src"
rm -rf "$pkg_src/build" "$pkg_src"/src/*.egg-info
python3 -m venv "$pkg_venv"
.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
    > "$("$pkg_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/tools-venv.pth"
.venv/bin/python -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w "$wheels" "./$pkg_src"
"$pkg_venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheels"/lmshard-*.whl
(cd tools/python && LMSHARD_EXPECT_INSTALLED=1 "../../$pkg_venv/bin/python" -m pytest -q tests) || status=1

echo "== fuzzing: damage sweep and a short seeded run (tools/fuzz)"
bash tools/fuzz/run.sh --short || status=1

exit $status
