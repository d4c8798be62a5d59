#!/usr/bin/env bash
# Distributed-build stages on one machine against the local build, on the
# same generated input, release build:
#
# 1. `lmshard build` (the baseline: one process, the local runner's
#    shuffle) against the stage pipeline the engines run (plan; map tasks
#    two at a time; `LC_ALL=C sort`; partition by group; two reducers at
#    once; finalize), both with 2 cores. The pipeline's dataset must equal
#    the local build's (`diff -r`), checked on every run. Reported: wall
#    time of each and their ratio; the peak RSS of the largest map and
#    reduce process.
# 2. One reducer over the same partition sorted by (KEY, SEQ), the normal
#    case, against the partition sorted by KEY only (values in mapper
#    order, so the reducer sorts each group externally within --memory-mb):
#    wall time and peak RSS of each, and the ratio.
#
# Runs alternate (pairs in turn baseline-first and baseline-second) and the
# ratios reported are medians of per-pair ratios: on a shared VM the speed
# of a core moves by 10-30% from one minute to the next.
#
# Usage: tools/bench/dist/run.sh [SIZE_MB] [REPEAT] [MEMORY_MB]
#   SIZE_MB    input size (default 256)
#   REPEAT     pairs of runs (default 3)
#   MEMORY_MB  --memory-mb of the reducers (default 64)
# Environment: PYTHON (default python3), BENCH_DIR (default $TMPDIR or /tmp),
#   TOKENIZER (default sample/tokenizer), REDUCE_GROUPS (default 16),
#   SPLIT_MB (default SIZE_MB / 8, so 8 map tasks).
set -euo pipefail

SIZE_MB=${1:-256}
REPEAT=${2:-3}
MEMORY_MB=${3:-64}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}/lmshard-bench-dist
TOKENIZER=${TOKENIZER:-$ROOT/sample/tokenizer}
REDUCE_GROUPS=${REDUCE_GROUPS:-16}
SPLIT_MB=${SPLIT_MB:-$(( SIZE_MB / 8 > 0 ? SIZE_MB / 8 : 1 ))}
mkdir -p "$DIR"

(cd "$ROOT" && swift build -c release --product lmshard >/dev/null)
BIN="$ROOT/.build/release/lmshard"
INPUT="$DIR/input-${SIZE_MB}mb.jsonl"
[ -f "$INPUT" ] || "$PYTHON" "$ROOT/tools/bench/mapreduce/gen_text.py" "$INPUT" "$SIZE_MB"
FLAGS=(--tokenizer "$TOKENIZER" --strategy pretrain --packing dense --seq-len 2048 --num-reduce-chunks "$REDUCE_GROUPS" --quiet)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
maxrss() { # files of /usr/bin/time -f %M output -> the largest, in KiB
    cat "$@" | sort -n | tail -1
}

local_build() { # -> prints "seconds"
    rm -rf "$DIR/local"
    local s
    s=$(now)
    "$BIN" build --input "$INPUT" --output "$DIR/local" --workers 2 --memory-mb 512 "${FLAGS[@]}" > /dev/null
    since "$s"
}

pipeline() { # -> prints "seconds map_rss_kib reduce_rss_kib"
    local w="$DIR/pipe" s
    rm -rf "$w" "$DIR/dist" "$DIR"/.dist.dist-*
    mkdir -p "$w"
    s=$(now)
    "$BIN" build --stage plan --input "$INPUT" --output "$DIR/dist" --split-bytes $((SPLIT_MB << 20)) \
        --plan-out "$w/plan.json" "${FLAGS[@]}" > /dev/null
    "$PYTHON" -c 'import json,sys; print("\n".join(s["id"] for s in json.load(open(sys.argv[1]))["splits"]))' \
        "$w/plan.json" > "$w/splits"
    # Two map tasks at a time, one worker each (an engine's 2 slots).
    xargs -P 2 -I{} sh -c '/usr/bin/time -f %M -o "$1/map-$2.rss" "$3" build --stage map --plan "$1/plan.json" \
        --split "$2" --workers 1 --quiet > "$1/map-$2.tsv"' _ "$w" {} "$BIN" < "$w/splits"
    LC_ALL=C sort -S 25% --parallel=2 -T "$w" "$w"/map-*.tsv \
        | awk -F'\t' -v dir="$w" '{ print > (dir "/part-" ($1 % 2)) }'
    for p in 0 1; do
        /usr/bin/time -f %M -o "$w/reduce-$p.rss" "$BIN" build --stage reduce --plan "$w/plan.json" \
            --attempt "r$p" --memory-mb "$MEMORY_MB" < "$w/part-$p" > "$w/receipts-$p" &
    done
    wait
    cat "$w"/receipts-* | "$BIN" build --stage finalize --plan "$w/plan.json" --receipts - > /dev/null
    echo "$(since "$s") $(maxrss "$w"/map-*.rss) $(maxrss "$w"/reduce-*.rss)"
}

reducer() { # part-file -> prints "seconds rss_kib"
    local w="$DIR/pipe" staging s
    # A staged receipt that verifies lets a reducer skip its group: start from none.
    staging=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["staging"])' "$w/plan.json")
    rm -f "$staging"/receipts/shard-*.json
    s=$(now)
    /usr/bin/time -f %M -o "$w/one.rss" "$BIN" build --stage reduce --plan "$w/plan.json" --attempt one \
        --memory-mb "$MEMORY_MB" < "$1" > /dev/null
    echo "$(since "$s") $(cat "$w/one.rss")"
}

: > "$DIR/pairs.txt"
for i in $(seq "$REPEAT"); do
    if [ $((i % 2)) -eq 1 ]; then
        L=$(local_build); read -r P MR RR < <(pipeline)
    else
        read -r P MR RR < <(pipeline); L=$(local_build)
    fi
    diff -r "$DIR/local" "$DIR/dist" > /dev/null || { echo "the pipeline's dataset differs from the local build's" >&2; exit 1; }
    echo "$L $P $MR $RR" >> "$DIR/pairs.txt"
done

# Reducer alone: the partition of group-parity 0 sorted by (KEY, SEQ), and
# the same lines sorted by KEY only (stable, mapper order within a group).
# A fresh plan's staging directory holds the map receipts the reducers need.
W="$DIR/pipe"
rm -rf "$DIR/dist" "$DIR"/.dist.dist-*
"$BIN" build --stage plan --input "$INPUT" --output "$DIR/dist" --split-bytes $((SPLIT_MB << 20)) \
    --plan-out "$W/plan.json" "${FLAGS[@]}"
cat "$W"/map-*.tsv | awk -F'\t' '$1 % 2 == 0' > "$W/part-keyonly-unsorted"
LC_ALL=C sort -S 25% -T "$W" "$W/part-keyonly-unsorted" > "$W/part-sorted"
LC_ALL=C sort -S 25% -T "$W" -t"$(printf '\t')" -k1,1 -s "$W/part-keyonly-unsorted" > "$W/part-keyonly"
: > "$DIR/reduce-pairs.txt"
for i in $(seq "$REPEAT"); do
    if [ $((i % 2)) -eq 1 ]; then
        read -r TS RS < <(reducer "$W/part-sorted"); read -r TK RK < <(reducer "$W/part-keyonly")
    else
        read -r TK RK < <(reducer "$W/part-keyonly"); read -r TS RS < <(reducer "$W/part-sorted")
    fi
    echo "$TS $RS $TK $RK" >> "$DIR/reduce-pairs.txt"
done

echo "input: $(du -m "$INPUT" | cut -f1) MiB, $(wc -l < "$W/splits") splits, $REDUCE_GROUPS reduce groups, reducer --memory-mb $MEMORY_MB, $REPEAT pairs of runs"
awk '
function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FNR == 1 { f++ }
f == 1 { n++; l[n] = $1; p[n] = $2; r[n] = $2 / $1; if ($3 > mr) mr = $3; if ($4 > rr) rr = $4
    printf "pair %d: local build %.2f s, stage pipeline %.2f s: %.2fx the time\n", n, $1, $2, $2 / $1 }
f == 2 { m++; ts[m] = $1; tk[m] = $3; q[m] = $3 / $1; if ($2 > rs) rs = $2; if ($4 > rk) rk = $4
    printf "reducer pair %d: (KEY, SEQ)-sorted %.2f s, KEY-only %.2f s: %.2fx the time\n", m, $1, $3, $3 / $1 }
END {
    printf "local build: median %.2f s; stage pipeline: median %.2f s, %.2fx the local build (median of pairs)\n", median(l, n), median(p, n), median(r, n)
    printf "peak RSS: largest map task %.0f MiB, largest reducer %.0f MiB\n", mr / 1024, rr / 1024
    printf "one reducer: (KEY, SEQ)-sorted median %.2f s, peak %.0f MiB; KEY-only (external sort) median %.2f s, peak %.0f MiB: %.2fx the time\n", median(ts, m), rs / 1024, median(tk, m), rk / 1024, median(q, m)
}' "$DIR/pairs.txt" "$DIR/reduce-pairs.txt"
