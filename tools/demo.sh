#!/usr/bin/env bash
# The main job on the shipped sample, as a new user would run it: installs the
# Debian packages lmshard needs (when root), builds lmshard in release, then
# builds three training datasets from sample/ with the sample tokenizer,
# checks them, and shows what the model will see:
#   pretrain  CPython modules, one document per file, dense packing
#   fim       fill-in-the-middle (PSM), loss on the middle only
#   sft       chat turns, loss on assistant turns only
# Output goes to sample-out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/ensure-deps.sh
lmshard_ensure_deps

swift build -c release --product lmshard
LMSHARD="$(swift build -c release --show-bin-path)/lmshard"
OUT=sample-out
mkdir -p "$OUT"

echo "== pretrain: sample/code -> $OUT/pretrain"
"$LMSHARD" build --input sample/code --output "$OUT/pretrain" --overwrite --tokenizer sample/tokenizer \
    --strategy pretrain --packing dense --seq-len 1024 --num-reduce-chunks 4

echo "== fim: sample/fim.jsonl -> $OUT/fim"
"$LMSHARD" build --input sample/fim.jsonl --output "$OUT/fim" --overwrite --tokenizer sample/tokenizer \
    --strategy fim --fim-format psm --fim-only-middle --packing no_incomplete --seq-len 2048 --num-reduce-chunks 2

echo "== sft: sample/sft.jsonl -> $OUT/sft (settings from a YAML config)"
cat > "$OUT/sft.yaml" <<'YAML'
processing_strategy: sft
packing_strategy: no_incomplete
tokenizer_name: sample/tokenizer
seq_len: 512
num_reduce_chunks: 2
YAML
"$LMSHARD" build --input sample/sft.jsonl --output "$OUT/sft" --overwrite --config "$OUT/sft.yaml"

echo "== verify every checksum"
for d in pretrain fim sft; do "$LMSHARD" verify "$OUT/$d"; done

echo "== inspect the pretraining data"
"$LMSHARD" inspect "$OUT/pretrain" --decode --tokenizer sample/tokenizer
echo
echo "== one SFT sequence as the model sees it (⟪...⟫: no loss, │segment N│: document start)"
"$LMSHARD" inspect "$OUT/sft" --sample 1 --decode --tokenizer sample/tokenizer | sed -n '/^sequence [0-9]/,$p'
echo
echo "== the first FIM sequence as JSON (lmshard export)"
"$LMSHARD" export "$OUT/fim" --output "$OUT/fim.jsonl"
head -n 1 "$OUT/fim.jsonl" | cut -c1-300
echo "..."
echo "datasets are in $OUT/: read them with the lmshard Python package (pip install ./tools/python) or Megatron-LM's indexed dataset"
