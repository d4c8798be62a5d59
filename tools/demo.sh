#!/usr/bin/env bash
# The main job on the shipped sample: builds lmshard (release), then makes
# three datasets from sample/ with the sample tokenizer (pre-training on code
# files, FIM, chat SFT), inspects one, verifies all three, and reads one back
# through the Python reader. Output goes to sample-out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/ensure-deps.sh
lmshard_ensure_deps

swift build -c release --product lmshard
LMSHARD="$(swift build -c release --show-bin-path)/lmshard"
OUT=sample-out
rm -rf "$OUT"

echo "== pre-training: every file in sample/code is one document"
"$LMSHARD" build --input sample/code --output "$OUT/pretrain" --tokenizer sample/tokenizer \
    --strategy pretrain --packing dense --seq-len 1024 --num-reduce-chunks 4

echo "== fill-in-the-middle, loss on the middle only"
"$LMSHARD" build --input sample/fim.jsonl --output "$OUT/fim" --tokenizer sample/tokenizer \
    --strategy fim --fim-format psm --fim-only-middle --packing no_incomplete --seq-len 1024 --num-reduce-chunks 2

echo "== chat SFT, loss on assistant turns"
"$LMSHARD" build --input sample/sft.jsonl --output "$OUT/sft" --tokenizer sample/tokenizer \
    --strategy sft --packing no_incomplete --seq-len 512 --num-reduce-chunks 2

echo "== what did the model see?"
"$LMSHARD" inspect "$OUT/sft" --sample 1

for d in pretrain fim sft; do "$LMSHARD" verify "$OUT/$d"; done
echo "datasets are in $OUT/"
