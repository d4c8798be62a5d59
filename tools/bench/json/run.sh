#!/usr/bin/env bash
# Builds the JSON benchmark (optimized, whole module) and runs it.
# Usage: tools/bench/json/run.sh TOKENIZER_JSON [ROWS_JSONL]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
out="${TMPDIR:-/tmp}/lmshard-bench-json"
swiftc -O -wmo -o "$out" "$root"/Sources/LMJSON/*.swift "$root/tools/bench/json/main.swift"
"$out" "$@"
# Line splitting (LMIO) is measured by the benchmark executable.
(cd "$root" && swift build -c release --product lmshard-bench >/dev/null)
"$root/.build/release/lmshard-bench" lines ${2:+"$2"}
