#!/usr/bin/env bash
# The main job on the shipped sample: builds lmshard (release), then runs the
# notebook's prepare_for_training transform over sample/ with the sample
# tokenizer (FIM with loss on the middle, chat SFT with loss on assistant
# turns) through the local MapReduce runner, writing packed rows as JSONL to
# sample-out/ (ignored by git). Shard output (`lmshard build`) is not wired yet.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/ensure-deps.sh
lmshard_ensure_deps

swift build -c release --product lmshard
LMSHARD="$(swift build -c release --show-bin-path)/lmshard"
OUT=sample-out
rm -rf "$OUT"
mkdir -p "$OUT"

cat > "$OUT/fim.json" <<'JSON'
{"type": "prepare_for_training", "processing_strategy": "fim", "packing_strategy": "no_incomplete",
 "tokenizer_name": "sample/tokenizer", "seq_len": 1024, "num_reduce_chunks": 2,
 "fim_kwargs": {"fim_format": "psm", "only_middle_not_masked": true}}
JSON
cat > "$OUT/sft.json" <<'JSON'
{"type": "prepare_for_training", "processing_strategy": "sft", "packing_strategy": "no_incomplete",
 "tokenizer_name": "sample/tokenizer", "seq_len": 512, "num_reduce_chunks": 2}
JSON

echo "== fill-in-the-middle, loss on the middle only"
"$LMSHARD" run --config "$OUT/fim.json" --input sample/fim.jsonl --output "$OUT/fim.jsonl"
echo "== chat SFT, loss on assistant turns"
"$LMSHARD" run --config "$OUT/sft.json" --input sample/sft.jsonl --output "$OUT/sft.jsonl"
echo "== tokenizer check"
echo '{"text": "<fim_prefix>def add(a, b):"}' | "$LMSHARD" tokenize --tokenizer sample/tokenizer
wc -l "$OUT/fim.jsonl" "$OUT/sft.jsonl"
echo "packed rows are in $OUT/"
