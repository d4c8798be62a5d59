"""Run lmshard's prepare_for_training and the notebook reference on the same
real text, for every processing x packing strategy, and report whether the
outputs are equal byte for byte.

Inputs are Python source files (by default the standard library of the
Python running this script), as rows of three kinds:
Files are cut into documents of 1-150 lines first (see split_documents).
- pretrain: {"content": document text}
- fim: {"prefix", "middle", "suffix"} cut from a document at two seeded random points
- sft: {"content": [turns]}: a document split at seeded line breaks into alternating
  user/assistant turns, every third conversation opening with a system turn

For each case it writes the config and the input JSONL, runs
`lmshard run --config CONFIG --input INPUT --output OUTPUT`, runs the
reference in this process, and compares:
- canonical bytes: every row re-serialized as compact JSON with keys
  input_ids, position_ids, loss_mask (must match: this is the verdict);
- raw bytes: lmshard's output file itself against those reference lines
  (lmshard writes compact JSON lines with the keys in that order, so the
  files themselves are equal byte for byte; reported separately so a change
  of output layout shows up apart from a change of values).

Exit status 0 when every case matches, 1 otherwise. Usage:
  python compare.py --lmshard PATH --tokenizer PATH/tokenizer.json [--max-files N] ...
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import subprocess
import sys
import sysconfig
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import notebook_reference as nb  # noqa: E402

CASES = [
    ("pretrain", {}, "dense"),
    ("pretrain", {}, "no_incomplete"),
    ("fim", {}, "dense"),
    ("fim", {"fim_format": "psm", "only_middle_not_masked": True}, "no_incomplete"),
    ("fim", {"fim_format": "spm", "only_middle_not_masked": True}, "dense"),
    ("fim", {"fim_format": "psm", "only_middle_not_masked": False}, "no_incomplete"),
    ("sft", {}, "dense"),
    ("sft", {}, "no_incomplete"),
]


def load_sources(root: pathlib.Path, max_files: int, seed: int) -> list[str]:
    paths = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    random.Random(seed).shuffle(paths)
    texts = []
    for p in paths:
        try:
            texts.append(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
        if len(texts) >= max_files:
            break
    return texts


def split_documents(texts: list[str], seed: int) -> list[str]:
    """Cuts each file at line breaks into documents of 1 to ~150 lines, so
    lengths spread around typical `seq_len`s: some fit many to a sequence,
    some cross sequence boundaries, some are too long for no_incomplete."""
    rng = random.Random(seed)
    docs = []
    for t in texts:
        lines = t.splitlines(keepends=True)
        start = 0
        while start < len(lines):
            end = start + rng.choice([1, 3, 10, 30, 60, 150])
            docs.append("".join(lines[start:end]))
            start = end
    return docs


def make_rows(kind: str, texts: list[str], seed: int) -> list[dict]:
    rng = random.Random(seed)
    texts = split_documents(texts, seed)
    if kind == "pretrain":
        return [{"content": t} for t in texts]
    if kind == "fim":
        rows = []
        for t in texts:
            a, b = sorted(rng.randint(0, len(t)) for _ in range(2))
            rows.append({"prefix": t[:a], "middle": t[a:b], "suffix": t[b:]})
        return rows
    rows = []
    for i, t in enumerate(texts):
        lines = t.splitlines(keepends=True)
        cuts = sorted(set(rng.randint(0, len(lines)) for _ in range(rng.randint(1, 5))))
        pieces = ["".join(lines[s:e]) for s, e in zip([0] + cuts, cuts + [len(lines)])]
        turns = [{"role": "system", "content": "You write Python."}] if i % 3 == 0 else []
        turns += [{"role": "user" if j % 2 == 0 else "assistant", "content": p} for j, p in enumerate(pieces)]
        rows.append({"content": turns})
    return rows


def canonical(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows).encode()


def read_lmshard_output(path: pathlib.Path) -> tuple[bytes, list[dict]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    if text.lstrip().startswith("["):
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return raw, [
        {"input_ids": r["input_ids"], "position_ids": r["position_ids"], "loss_mask": r["loss_mask"]} for r in rows
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lmshard", default=os.environ.get("LMSHARD_BIN"), help="lmshard binary (default $LMSHARD_BIN)")
    ap.add_argument("--tokenizer", required=True, help="tokenizer.json (e.g. the mellum-layout one)")
    ap.add_argument("--source-dir", default=sysconfig.get_paths()["stdlib"], help="folder of .py files")
    ap.add_argument("--max-files", type=int, default=300)
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--num-reduce-chunks", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--workdir", default="compare-out", help="where configs, inputs and outputs are written")
    ap.add_argument("--extra-args", default="", help="extra arguments for `lmshard run`, space-separated")
    args = ap.parse_args()
    if not args.lmshard or not pathlib.Path(args.lmshard).is_file():
        print("no lmshard binary: pass --lmshard or set LMSHARD_BIN", file=sys.stderr)
        return 2

    work = pathlib.Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    texts = load_sources(pathlib.Path(args.source_dir), args.max_files, args.seed)
    print(f"{len(texts)} source files, {sum(map(len, texts))} characters, seq_len {args.seq_len}, "
          f"{args.num_reduce_chunks} reduce chunks")

    failures = 0
    for index, (strategy, fim_kwargs, packing) in enumerate(CASES):
        name = f"{index}-{strategy}-{packing}" + "".join(f"-{k}={v}" for k, v in fim_kwargs.items())
        config = {
            "type": "prepare_for_training",
            "processing_strategy": strategy,
            "packing_strategy": packing,
            "tokenizer_name": str(pathlib.Path(args.tokenizer).resolve()),
            "seq_len": args.seq_len,
            "num_reduce_chunks": args.num_reduce_chunks,
        }
        if fim_kwargs:
            config["fim_kwargs"] = fim_kwargs
        rows = make_rows(strategy, texts, args.seed + index)
        config_path, input_path, output_path = (work / f"{name}.{ext}" for ext in ("config.json", "in.jsonl", "out.jsonl"))
        config_path.write_text(json.dumps(config, indent=2))
        input_path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        if output_path.exists():
            output_path.unlink()

        t0 = time.perf_counter()
        cmd = [args.lmshard, "run", "--config", str(config_path), "--input", str(input_path), "--output", str(output_path)]
        cmd += args.extra_args.split()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        t_lmshard = time.perf_counter() - t0
        if proc.returncode != 0 or not output_path.exists():
            print(f"MISMATCH {name}: lmshard failed ({proc.returncode}): {proc.stderr.strip()[:2000]}")
            failures += 1
            continue

        t0 = time.perf_counter()
        cfg = nb.PrepareForTrainingTransformConfig(**config)
        expected = [nb.row_to_json_dict(r) for r in nb.PrepareForTrainingTransform(cfg).run(rows)]
        t_ref = time.perf_counter() - t0

        raw, got = read_lmshard_output(output_path)
        want_bytes, got_bytes = canonical(expected), canonical(got)
        same = want_bytes == got_bytes
        raw_same = raw == want_bytes
        tokens = sum(len(r["input_ids"]) for r in expected)
        status = "MATCH   " if same else "MISMATCH"
        print(f"{status} {name}: {len(expected)} reference rows ({tokens} tokens), {len(got)} lmshard rows; "
              f"canonical bytes {'equal' if same else 'differ'}, raw file {'equal' if raw_same else 'differs'}; "
              f"lmshard {t_lmshard:.2f}s, reference {t_ref:.2f}s")
        if not same:
            failures += 1
            for i, (w, g) in enumerate(zip(expected, got)):
                if w != g:
                    for key in ("input_ids", "position_ids", "loss_mask"):
                        if w[key] != g[key]:
                            j = next((k for k, (a, b) in enumerate(zip(w[key], g[key])) if a != b), min(len(w[key]), len(g[key])))
                            print(f"  first difference: row {i}, {key}[{j}]: reference "
                                  f"{w[key][max(0, j - 3):j + 4]} lmshard {g[key][max(0, j - 3):j + 4]}")
                            break
                    break
    print(f"{len(CASES) - failures} passed, {failures} failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
