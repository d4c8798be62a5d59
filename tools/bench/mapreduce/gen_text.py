"""Writes a JSONL file of {"content": text} rows for the map-reduce benchmark.

Deterministic (fixed seed) so runs are comparable. Text mixes ASCII words,
punctuation and some non-ASCII letters so count_chars sees ~100 keys.
Usage: gen_text.py OUTPUT SIZE_MB
"""
import json
import random
import sys


def main() -> None:
    path, size_mb = sys.argv[1], int(sys.argv[2])
    rng = random.Random(1234)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßΣΩжя") for _ in range(rng.randint(1, 10)))
        for _ in range(5000)
    ]
    punct = [" ", " ", " ", " ", ", ", ". ", "\n", "; "]
    target = size_mb * 1024 * 1024
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            rows = []
            for _ in range(1000):
                n = rng.randint(20, 400)
                text = "".join(w + rng.choice(punct) for w in rng.choices(words, k=n))
                rows.append(json.dumps({"content": text}, ensure_ascii=False))
            chunk = "\n".join(rows) + "\n"
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
    print(f"wrote {written / 2**20:.0f} MiB to {path}")


if __name__ == "__main__":
    main()
