#!/usr/bin/env bash
# Builds lmshard-bench in release and runs the reader benchmark: the numpy
# baseline, the Python reader and `lmshard-bench reader`, all in the same run.
# Usage: tools/bench/reader/run.sh [bench_reader.py flags...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
python="${PYTHON:-python3}"
(cd "$root" && swift build -c release --product lmshard-bench >/dev/null)
"$python" "$root/tools/bench/reader/bench_reader.py" --bench-bin "$root/.build/release/lmshard-bench" "$@"
