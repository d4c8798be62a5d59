#!/usr/bin/env bash
# The fuzzing harness end to end: builds lmshard and lmshard-fuzz in release,
# makes seed datasets from sample/ with `lmshard build`, runs the damage sweep,
# then the seeded mutation fuzzer over datasets, manifests and tokenizer.json.
#
#   bash tools/fuzz/run.sh --short                     # CI: the sweep + ~20 s per target
#   bash tools/fuzz/run.sh --cases 2000000 --seed 7    # a long run (any `lmshard-fuzz run` flags)
#
# Findings (crashes, hangs, violations) and summary.json go to fuzz-out/
# (or --out DIR); each finding holds the case's input and how to replay it.
# Exits non-zero when the sweep misses damage or the fuzzer finds anything.
set -euo pipefail
cd "$(dirname "$0")/../.."

short=0
args=()
for a in "$@"; do
    if [ "$a" = "--short" ]; then short=1; else args+=("$a"); fi
done

swift build -c release --product lmshard
swift build -c release --product lmshard-fuzz
BIN="$(swift build -c release --show-bin-path)"

# Seeds from sample/, kept small (a few KB to ~30 KB each): every case writes
# its whole dataset, so seed size is what sets the cases per second.
CORPUS="$(mktemp -d "${TMPDIR:-/tmp}/lmshard-fuzz-corpus.XXXXXX")"
trap 'rm -rf "$CORPUS"' EXIT
TOK=sample/tokenizer
head -n 24 sample/fim.jsonl > "$CORPUS/fim.jsonl"
head -n 40 sample/sft.jsonl > "$CORPUS/sft.jsonl"
"$BIN/lmshard" build --quiet --input sample/code/bisect.py sample/code/keyword.py sample/code/colorsys.py \
    --output "$CORPUS/pretrain" --tokenizer "$TOK" --strategy pretrain --packing dense --seq-len 256 --num-reduce-chunks 2
"$BIN/lmshard" build --quiet --input "$CORPUS/fim.jsonl" --output "$CORPUS/fim" --tokenizer "$TOK" \
    --strategy fim --fim-format psm --packing no_incomplete --seq-len 1024 --num-reduce-chunks 1
"$BIN/lmshard" build --quiet --input "$CORPUS/sft.jsonl" --output "$CORPUS/sft" --tokenizer "$TOK" \
    --strategy sft --packing no_incomplete --seq-len 256 --num-reduce-chunks 2
rm "$CORPUS/fim.jsonl" "$CORPUS/sft.jsonl"

status=0
echo "== damage sweep: every single-byte header edit and truncation"
"$BIN/lmshard-fuzz" sweep --corpus "$CORPUS" || status=1

echo "== seeded mutation fuzzing"
if [ "$short" = 1 ]; then
    run=(--cases 1000000 --time-limit 20 --seed "$(date +%s)")
else
    run=()
fi
"$BIN/lmshard-fuzz" run --target all --corpus "$CORPUS" --tokenizer "$TOK/tokenizer.json" ${run[@]+"${run[@]}"} \
    ${args[@]+"${args[@]}"} || status=1
exit $status
