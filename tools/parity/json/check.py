"""Byte-for-byte parity of LMJSON's writer with Python's json.dumps.

For each input file, LMJSON parses it and writes it back compact and pretty;
Python does the same with json.loads + json.dumps(ensure_ascii=False,
separators=(",", ":")) and json.dumps(ensure_ascii=False, indent=2). A
generated file of 25k random doubles (all exponents), every control
character and non-ASCII text is always included.
Exit status 0 when every output matches.
"""
import json
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path


def generated(path: Path) -> None:
    rng = random.Random(1)
    values = []
    while len(values) < 20000:
        d = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if d == d and d not in (float("inf"), float("-inf")):
            values.append(d)
    values += [rng.uniform(-1e6, 1e6) for _ in range(5000)]
    values += [10.0**k for k in range(-30, 30)] + [1e16, 1e15, 9007199254740993.0, -0.0, 5e-324]
    doc = {
        "doubles": values,
        "text": "".join(chr(i) for i in range(0x80)) + "é中😀\u2028\u007f",
        "ints": [-(2**63), 2**63 - 1, 0],
        "nested": {"e": {}, "a": [], "x": [{"y": []}, [1, [2, {}]]]},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def main() -> int:
    binary, inputs = sys.argv[1], [Path(p) for p in sys.argv[2:]]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        gen = out / "generated.json"
        generated(gen)
        inputs = [gen] + inputs
        subprocess.run([binary, str(out)] + [str(p) for p in inputs], check=True)
        failures = 0
        for k, path in enumerate(inputs):
            value = json.loads(path.read_text(encoding="utf-8"))
            expected = {
                "compact": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
                "pretty": json.dumps(value, ensure_ascii=False, indent=2),
            }
            for style, text in expected.items():
                got = (out / f"{k}.{style}.json").read_text(encoding="utf-8")
                ok = got == text
                failures += not ok
                print(f"{'ok  ' if ok else 'DIFF'} {style:7} {path.parent.name + '/' + path.name if k else 'generated doubles/strings'}")
        print(f"{2 * len(inputs) - failures} passed, {failures} failed")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
