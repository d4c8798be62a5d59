#!/usr/bin/env bash
# Compares LMJSON's writer with Python's json.dumps on the given JSON files
# (plus generated doubles and strings). Usage: tools/parity/json/run.sh FILE.json...
# PYTHON selects the interpreter (default: python3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${TMPDIR:-/tmp}/lmshard-parity-json"
swiftc -O -wmo -o "$bin" "$root"/Sources/LMJSON/*.swift "$root/tools/parity/json/main.swift"
"${PYTHON:-python3}" "$root/tools/parity/json/check.py" "$bin" "$@"
