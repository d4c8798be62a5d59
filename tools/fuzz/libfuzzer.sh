#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer over the same targets and checks as
# lmshard-fuzz (tools/fuzz/libfuzzer/main.swift says how an input is read).
# Needs a Swift toolchain whose swiftc supports -sanitize=fuzzer (Linux
# toolchains ship libclang_rt.fuzzer). Builds every module instrumented into
# .build-libfuzzer/, writes the hand-built seeds and the sample tokenizer as the
# initial corpus, then runs libFuzzer with any flags given, e.g.
#
#   bash tools/fuzz/libfuzzer.sh -max_total_time=3600 -jobs=2 -workers=2
#
# Crashes (traps, aborts, violations of the checks, timeouts, out-of-memory)
# are saved as fuzz-out/libfuzzer/crash-*; rerun one with
#   .build-libfuzzer/release/lmshard-libfuzzer fuzz-out/libfuzzer/crash-...
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=.build-libfuzzer
# The weak reference to the driver does not pull it out of the archive: -u does.
# lld: gold stops with an internal error (format_file_lineno) linking the instrumented executable.
flags=(-c release --build-path "$BUILD" -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld -Xlinker --undefined=LLVMFuzzerRunDriver)
swift build "${flags[@]}" --product lmshard-libfuzzer
BIN="$(swift build "${flags[@]}" --show-bin-path)/lmshard-libfuzzer"
OUT=fuzz-out/libfuzzer
mkdir -p "$OUT/corpus"
"$BIN" --write-seeds "$OUT/corpus" sample/tokenizer/tokenizer.json
exec "$BIN" "$OUT/corpus" -artifact_prefix="$OUT/" -timeout=10 -rss_limit_mb=4096 -max_len=262144 "$@"
