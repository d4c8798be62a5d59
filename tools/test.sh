#!/usr/bin/env bash
# Runs every test: `swift test` (unit, round-trip, CLI) and the Python tools'
# tests (tokenizer parity subset, notebook reference, Python shard reader)
# against a release build of the CLI. Exits non-zero on any failure.
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
.venv/bin/python -m pytest -q tools || status=1

echo "== fuzzing: damage sweep and a short seeded run (tools/fuzz)"
bash tools/fuzz/run.sh --short || status=1

exit $status
