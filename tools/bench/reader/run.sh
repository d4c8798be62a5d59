#!/usr/bin/env bash
# Builds the Swift reader harness (LMShard in release, linked against this
# main.swift) and runs the Python benchmark with it, so both sides and the
# numpy baseline are measured in the same run.
# Usage: tools/bench/reader/run.sh [bench_reader.py flags...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
python="${PYTHON:-python3}"
out="${TMPDIR:-/tmp}/lmshard-bench-reader-swift"
(cd "$root" && swift build -c release --target LMShard >/dev/null)
build="$root/.build/release"
swiftc -O -o "$out" -I "$build/Modules" -I "$root/Sources/CXXHash" \
    "$build"/LMShard.build/*.o "$build"/LMJSON.build/*.o -lxxhash "$root/tools/bench/reader/main.swift"
"$python" "$root/tools/bench/reader/bench_reader.py" --swift-harness "$out" "$@"
