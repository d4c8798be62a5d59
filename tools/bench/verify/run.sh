#!/usr/bin/env bash
# Verify benchmark: what `lmshard verify` costs next to just reading the files.
#
# Builds a pretraining dataset from generated text with the sample tokenizer
# (release build), then times, alternating REPEAT rounds with a warm page cache:
#   read      cat of every shard file to /dev/null   (the baseline: bytes in)
#   verify    lmshard verify DIR                      (structure, every block hash, every id and position)
#   structure lmshard verify DIR --sample 1e-9        (structure and .sum only, ~no blocks)
# and prints the medians and the per-round ratios verify/read and
# structure/verify. A ratio near 1 means verify is bound by reading.
#
# Usage: tools/bench/verify/run.sh [SIZE_MB] [REPEAT]
#   SIZE_MB  generated text (default 200; the dataset is ~1.3x that)
#   REPEAT   rounds (default 5)
# Environment: PYTHON (default python3), BENCH_DIR (default $TMPDIR or /tmp).
set -euo pipefail

SIZE_MB=${1:-200}
REPEAT=${2:-5}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}/lmshard-bench-verify
mkdir -p "$DIR"

(cd "$ROOT" && swift build -c release --product lmshard >/dev/null)
BIN="$ROOT/.build/release/lmshard"

INPUT="$DIR/input-${SIZE_MB}mb.jsonl"
DATA="$DIR/dataset-${SIZE_MB}mb"
[ -f "$INPUT" ] || "$PYTHON" "$ROOT/tools/bench/mapreduce/gen_text.py" "$INPUT" "$SIZE_MB"
[ -f "$DATA/manifest.json" ] || "$BIN" build --quiet --input "$INPUT" --output "$DATA" --tokenizer "$ROOT/sample/tokenizer" \
    --strategy pretrain --packing dense --seq-len 2048 --num-reduce-chunks 4
du -sh "$DATA"

now() { date +%s.%N; }
timed() { local t0; t0=$(now); "$@" >/dev/null; echo "$(now) $t0" | awk '{printf "%.4f\n", $1 - $2}'; }
read_all() { cat "$DATA"/shard-* > /dev/null; }

read_all  # warm the page cache
"$BIN" verify "$DATA"
rounds=""
for i in $(seq "$REPEAT"); do
    if [ $((i % 2)) = 1 ]; then
        r=$(timed read_all); v=$(timed "$BIN" verify "$DATA"); s=$(timed "$BIN" verify "$DATA" --sample 1e-9)
    else
        s=$(timed "$BIN" verify "$DATA" --sample 1e-9); v=$(timed "$BIN" verify "$DATA"); r=$(timed read_all)
    fi
    echo "round $i: read ${r}s  verify ${v}s  structure ${s}s"
    rounds="$rounds$r $v $s\n"
done
bytes=$(du -sb "$DATA" | cut -f1)
printf "$rounds" | awk -v bytes="$bytes" '
function median(a, n,    i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ n++; r[n] = $1; v[n] = $2; s[n] = $3; vr[n] = $2 / $1; sv[n] = $3 / $2 }
END {
    printf "dataset %.0f MB; medians over %d rounds: read %.3fs, verify %.3fs (%.2f GB/s), structure only %.3fs\n",
        bytes / 1e6, n, median(r, n), median(v, n), bytes / 1e9 / median(v, n), median(s, n)
    printf "verify / read: median %.2fx; structure-only / verify: median %.2f\n", median(vr, n), median(sv, n)
}'
