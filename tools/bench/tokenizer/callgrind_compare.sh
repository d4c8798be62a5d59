#!/usr/bin/env bash
# Instruction counts of `lmshard tokenize --threads 1` for two builds on the
# same tokenizer and input, when wall times on a busy machine are too noisy
# to compare: callgrind counts instructions, which other jobs do not change.
#
#   tools/bench/tokenizer/callgrind_compare.sh BEFORE_BIN AFTER_BIN TOKENIZER INPUT.jsonl
#
# Each binary runs twice under callgrind, on INPUT and on an empty input;
# the difference is the encoding's own count (loading the tokenizer
# excluded). Prints instructions per input byte for both and after/before.
set -euo pipefail
before=$1 after=$2 tokenizer=$3 input=$4
command -v valgrind >/dev/null || { echo "callgrind_compare: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/empty.jsonl"

instructions() {  # BIN INPUT -> total Ir
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$1" tokenize --tokenizer "$tokenizer" --threads 1 \
        < "$2" > /dev/null 2> "$work/log" || { cat "$work/log" >&2; exit 1; }
    grep -E '^(summary|totals):' "$work/out" | head -1 | awk '{print $2}'
}

bytes=$(wc -c < "$input")
declare -A per_byte
for side in before after; do
    bin=${!side}
    full=$(instructions "$bin" "$input")
    base=$(instructions "$bin" "$work/empty.jsonl")
    per_byte[$side]=$(awk -v f="$full" -v b="$base" -v n="$bytes" 'BEGIN { printf "%.2f", (f - b) / n }')
    echo "$side: $(( full - base )) instructions encoding $bytes bytes (${per_byte[$side]} per byte; load $base)"
done
awk -v a="${per_byte[after]}" -v b="${per_byte[before]}" 'BEGIN { printf "after / before: %.4f\n", a / b }'
