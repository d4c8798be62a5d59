#!/usr/bin/env bash
# Map-reduce benchmark: count_chars over a generated JSONL file with
# `lmshard run` (release build), 1 worker vs 2 workers.
#
# Reports wall time, peak RSS (from /usr/bin/time -v) and the 1-vs-2 worker
# speedup measured in the same run. Targets: peak RSS < 1 GiB, speedup >= 1.8x.
#
# Usage: tools/bench/mapreduce/run.sh [SIZE_MB] [MEMORY_MB]
#   SIZE_MB    input size (default 2048: the multi-GB case)
#   MEMORY_MB  shuffle memory budget passed as --memory-mb (default 256)
# Environment: PYTHON (default python3), BENCH_DIR (default $TMPDIR or /tmp).
set -euo pipefail

SIZE_MB=${1:-2048}
MEMORY_MB=${2:-256}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}/lmshard-bench-mapreduce
mkdir -p "$DIR"

(cd "$ROOT" && swift build -c release --product lmshard >/dev/null)
BIN="$ROOT/.build/release/lmshard"

INPUT="$DIR/input-${SIZE_MB}mb.jsonl"
[ -f "$INPUT" ] || "$PYTHON" "$HERE/gen_text.py" "$INPUT" "$SIZE_MB"
printf '{"type": "count_chars", "column": "content", "lowercase": false}\n' > "$DIR/config.json"

run() { # workers -> prints "seconds rss_kib cpu_percent"
    local w=$1
    /usr/bin/time -v "$BIN" run --config "$DIR/config.json" --input "$INPUT" \
        --output "$DIR/out-$w.jsonl" --workers "$w" --memory-mb "$MEMORY_MB" 2> "$DIR/time-$w.txt"
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$DIR/time-$w.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time-$w.txt")
    cpu=$(awk -F': ' '/Percent of CPU/ {sub("%", "", $2); print $2}' "$DIR/time-$w.txt")
    echo "$secs $rss $cpu"
}

# Baseline measured in the same run: what 2 cores give a perfectly parallel
# load here (two independent busy loops vs one). On shared or hyperthreaded
# machines this is well below 2x and caps any program's speedup.
busy() { awk 'BEGIN { for (i = 0; i < 1e8; i++) s += i }'; }
now() { date +%s.%N; }
S=$(now); busy; B1=$(awk -v a="$S" -v b="$(now)" 'BEGIN { print b - a }')
S=$(now); busy & busy & wait; B2=$(awk -v a="$S" -v b="$(now)" 'BEGIN { print b - a }')

read -r T1 R1 C1 < <(run 1)
read -r T2 R2 C2 < <(run 2)
cmp -s "$DIR/out-1.jsonl" "$DIR/out-2.jsonl" || { echo "outputs differ between 1 and 2 workers" >&2; exit 1; }

echo "input: $(du -m "$INPUT" | cut -f1) MiB, memory budget ${MEMORY_MB} MiB, $(wc -l < "$DIR/out-1.jsonl") output rows"
# CPU% is what the process actually got: below 100 (1 worker) or 200
# (2 workers) means other load on the machine, which caps the speedup.
awk -v t1="$T1" -v r1="$R1" -v t2="$T2" -v r2="$R2" -v c1="$C1" -v c2="$C2" -v b1="$B1" -v b2="$B2" 'BEGIN {
    printf "1 worker : %8.1f s  peak RSS %6.0f MiB  CPU %s%%\n", t1, r1 / 1024, c1
    printf "2 workers: %8.1f s  peak RSS %6.0f MiB  CPU %s%%\n", t2, r2 / 1024, c2
    printf "speedup 1->2 workers: %.2fx (target >= 1.8x); peak RSS target < 1024 MiB\n", t1 / t2
    printf "baseline: 2 busy loops run %.2fx the throughput of 1 on this machine; lmshard reaches %.0f%% of that\n", 2 * b1 / b2, 100 * (t1 / t2) / (2 * b1 / b2)
}'
