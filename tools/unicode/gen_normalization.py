#!/usr/bin/env python3
"""Generates Sources/LMTokenizer/Normalizers/UnicodeNormalizationData.swift.

HF `tokenizers` normalizes with the `unicode-normalization-alignments` crate,
whose tables are Unicode 11.0 (a scalar assigned later is, to it, an
unassigned starter that nothing decomposes, reorders or composes). lmshard
carries its own tables, taken from HF itself so they are HF's by
construction, not Foundation's (whose NFC leaves "\\uac00\\u11a8" uncomposed
on Linux, where HF gives U+AC01):

  * full canonical and compatibility decompositions: HF's NFD / NFKD of
    every scalar U+0000...U+10FFFF (surrogates excepted), Hangul syllables
    left to the algorithm;
  * canonical combining classes: Python's `unicodedata` (Unicode 14.0;
    classes never change once assigned) for the marks HF's tables know,
    found by checking that HF reorders each mark against U+0316 / U+0301;
  * primary composites: each canonical two-scalar decomposition
    (`unicodedata.decomposition`) of a scalar HF decomposes and recomposes,
    checked by HF's NFC of the pair;
  * quick-check flags per scalar: HF's NFC / NFKC / NFD / NFKD change it
    ("no"), or it may compose with the scalar before it ("maybe").

Run again when HF's normalization changes:

    python tools/unicode/gen_normalization.py
"""

from __future__ import annotations

import base64
import sys
import unicodedata
from pathlib import Path

from tokenizers import __version__ as tokenizers_version
from tokenizers import normalizers as N

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "Sources" / "LMTokenizer" / "Normalizers" / "UnicodeNormalizationData.swift"

SCALARS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
HANGUL = range(0xAC00, 0xD7A4)
NFC, NFD, NFKC, NFKD = N.NFC(), N.NFD(), N.NFKC(), N.NFKD()

# Flag bits (mirrored in UnicodeNormalization.swift).
NO_NFD, NO_NFKD, NO_NFC, NO_NFKC, MAYBE_COMPOSES = 1, 2, 4, 8, 16


def varint(n: int, out: bytearray) -> None:
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def hf_knows_class(c: int, ccc: int) -> bool:
    """Whether HF reorders `c` by its class: against U+0316 (220), or U+0301 (230) when c is 220."""
    ref, ref_ccc = (0x0301, 230) if ccc == 220 else (0x0316, 220)
    if ccc > ref_ccc:
        s, swapped = "a" + chr(c) + chr(ref), "a" + chr(ref) + chr(c)
    else:
        s, swapped = "a" + chr(ref) + chr(c), "a" + chr(c) + chr(ref)
    return NFD.normalize_str(s) == NFD.normalize_str(swapped) and NFD.normalize_str(s) == swapped


def main() -> int:
    decomps: list[tuple[int, int, list[int]]] = []  # scalar, 0 canonical / 1 compatibility, mapping
    flags: dict[int, int] = {}
    for c in SCALARS:
        ch = chr(c)
        d, kd = NFD.normalize_str(ch), NFKD.normalize_str(ch)
        f = 0
        if d != ch:
            f |= NO_NFD
        if kd != ch:
            f |= NO_NFKD
        if NFC.normalize_str(ch) != ch:
            f |= NO_NFC
        if NFKC.normalize_str(ch) != ch:
            f |= NO_NFKC
        if f:
            flags[c] = f
        if c in HANGUL:
            continue
        if d != ch:
            decomps.append((c, 0, [ord(x) for x in d]))
        if kd != d:
            decomps.append((c, 1, [ord(x) for x in kd]))

    classes: list[tuple[int, int]] = []
    for c in SCALARS:
        ccc = unicodedata.combining(chr(c))
        if ccc and hf_knows_class(c, ccc):
            classes.append((c, ccc))

    pairs: list[tuple[int, int, int]] = []
    for c in SCALARS:
        if c in HANGUL or not (flags.get(c, 0) & NO_NFD) or (flags.get(c, 0) & NO_NFC):
            continue
        mapping = unicodedata.decomposition(chr(c)).split()
        if len(mapping) != 2 or mapping[0].startswith("<"):
            continue
        a, b = (int(x, 16) for x in mapping)
        if NFC.normalize_str(chr(a) + chr(b)) == chr(c):
            pairs.append((a, b, c))
            flags[b] = flags.get(b, 0) | MAYBE_COMPOSES
    for c in list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3)):  # Hangul V and T jamo
        flags[c] = flags.get(c, 0) | MAYBE_COMPOSES

    blob = bytearray()
    offsets = {}
    offsets["decompositions"] = len(blob)
    previous = 0
    for c, kind, mapping in decomps:
        varint(c - previous, blob)
        previous = c
        varint(kind << 5 | len(mapping), blob)
        for m in mapping:
            varint(m, blob)
    offsets["classes"] = len(blob)
    previous = 0
    for c, ccc in classes:
        varint(c - previous, blob)
        previous = c
        varint(ccc, blob)
    offsets["pairs"] = len(blob)
    for a, b, c in pairs:
        varint(a, blob)
        varint(b, blob)
        varint(c, blob)
    offsets["flags"] = len(blob)
    previous = 0
    for c in sorted(flags):
        varint(c - previous, blob)
        previous = c
        varint(flags[c], blob)
    encoded = base64.b64encode(bytes(blob)).decode()
    chunks = [encoded[i:i + 100] for i in range(0, len(encoded), 100)]

    out = [
        "// Generated by tools/unicode/gen_normalization.py: do not edit.",
        f"// From HF tokenizers {tokenizers_version} (unicode-normalization-alignments, Unicode 11.0)",
        f"// and Python unicodedata {unicodedata.unidata_version} for combining classes.",
        "",
        "/// HF's normalization tables (see `UnicodeNormalization`): LEB128 varints,",
        "/// base64-encoded, one section after another.",
        "enum UnicodeNormalizationData {",
        f"    /// {len(decomps)} x (scalar delta, kind << 5 | count, count scalars); kind 0 canonical, 1 compatibility.",
        f"    static let decompositions = (offset: {offsets['decompositions']}, count: {len(decomps)})",
        f"    /// {len(classes)} x (scalar delta, combining class).",
        f"    static let classes = (offset: {offsets['classes']}, count: {len(classes)})",
        f"    /// {len(pairs)} x (first, second, composite).",
        f"    static let pairs = (offset: {offsets['pairs']}, count: {len(pairs)})",
        f"    /// {len(flags)} x (scalar delta, quick-check flags).",
        f"    static let flags = (offset: {offsets['flags']}, count: {len(flags)})",
        "",
        "    static let blob = \"\"\"",
    ]
    out += ["        " + c for c in chunks]
    out += ["        \"\"\"", "}", ""]
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"{len(decomps)} decompositions, {len(classes)} classes, {len(pairs)} pairs, {len(flags)} flagged; "
          f"{len(blob)} bytes -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
