#!/usr/bin/env python3
"""Generates Sources/LMTokenizer/Regex/OnigUnicodeProperties.swift.

HF `tokenizers` (0.23) runs Split and Replace regexes on the Oniguruma its
`onig` crate bundles (6.9.10 from git, Unicode 16.0 character data). lmshard
links the system library instead (Debian's libonig 6.9.8: Unicode 14.0), so a
character class such as `\\p{L}`, `\\w` or `[[:punct:]]` would disagree with HF
on the ~10,000 scalars assigned in Unicode 15.0-16.0 (CJK Extensions H and I,
Kawi, Garay, outlined digits, ...) and on `[[:punct:]]`, which 6.9.9 widened to
`\\p{P}` + `\\p{S}`. lmshard therefore registers a copy of Oniguruma's UTF-8
encoding whose property tables are replaced for exactly the properties whose
members differ (see `OnigUnicode16.swift`).

This script finds those properties and their members by asking both engines
about every scalar U+0000...U+10FFFF (surrogates excepted):

  * HF's engine, through Python `tokenizers`: a `Replace(Regex("[^\\p{NAME}]+"),
    "")` over a string of all scalars in order leaves exactly the members;
  * the system engine, through ctypes on libonig.so.5: `\\p{NAME}+` searched
    over the same string in UTF-8.

Property names are those Oniguruma documents for Unicode 16.0 (its
doc/UNICODE_PROPERTIES, passed with --names) plus the POSIX bracket names.
A name the system engine does not know (new in Unicode 15-16) is carried in
full. Run it again when either engine changes:

    python tools/unicode/gen_onig_properties.py --names path/to/oniguruma/doc/UNICODE_PROPERTIES
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import sys
from pathlib import Path

from tokenizers import Regex
from leb128 import swift_literal_lines, varint
from tokenizers import __version__ as tokenizers_version
from tokenizers import normalizers as N

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "Sources" / "LMTokenizer" / "Regex" / "OnigUnicodeProperties.swift"
# POSIX brackets by Oniguruma's ctype number (ONIGENC_CTYPE_*): `[[:punct:]]`,
# `\w`, `\d`, `\s`, `\h` reach these numbers without a property name, and
# `[[:punct:]]` is not `\p{Punct}` in 6.9.10 (it is `\p{P}` + `\p{S}`).
POSIX_CTYPES = {"alpha": 1, "blank": 2, "cntrl": 3, "digit": 4, "graph": 5, "lower": 6, "print": 7,
                "punct": 8, "space": 9, "upper": 10, "xdigit": 11, "word": 12, "alnum": 13, "ascii": 14}
POSIX = ["Alnum", "Alpha", "ASCII", "Blank", "Cntrl", "Digit", "Graph", "Lower", "Print", "Punct",
         "Space", "Upper", "XDigit", "Word", "NEWLINE"]

SCALARS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
TEXT = "".join(map(chr, SCALARS))
UTF8 = TEXT.encode("utf-8")
# Byte offset of each scalar's start in UTF8, and scalar by byte offset.
BYTE_START = {}
_o = 0
for _c in SCALARS:
    BYTE_START[_o] = _c
    _o += len(chr(_c).encode("utf-8"))


def runs(members: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in members:
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    # Surrogates are never in the probe string: bridge ranges that only they split.
    merged: list[tuple[int, int]] = []
    for a, b in out:
        if merged and merged[-1][1] == 0xD7FF and a == 0xE000:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def hf_members(name: str, cls: str | None = None) -> list[int] | None:
    # Deleting every non-member from a string of all scalars in order leaves
    # exactly the members, in order.
    try:
        replace = N.Replace(Regex(r"[^" + (cls or r"\p{" + name + "}") + "]+"), "")
    except Exception:
        return None
    return [ord(c) for c in replace.normalize_str(TEXT)]


class OnigRegion(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_int), ("num_regs", ctypes.c_int),
                ("beg", ctypes.POINTER(ctypes.c_int)), ("end", ctypes.POINTER(ctypes.c_int)),
                ("history_root", ctypes.c_void_p)]


class OnigErrorInfo(ctypes.Structure):
    _fields_ = [("enc", ctypes.c_void_p), ("par", ctypes.c_void_p), ("par_end", ctypes.c_void_p)]


class SystemEngine:
    def __init__(self) -> None:
        path = ctypes.util.find_library("onig") or "libonig.so.5"
        self.lib = ctypes.CDLL(path)
        self.enc = ctypes.addressof(ctypes.c_char.in_dll(self.lib, "OnigEncodingUTF8"))
        self.syntax = ctypes.addressof(ctypes.c_char.in_dll(self.lib, "OnigSyntaxOniguruma"))
        self.lib.onig_version.restype = ctypes.c_char_p
        self.version = self.lib.onig_version().decode()
        encs = (ctypes.c_void_p * 1)(self.enc)
        self.lib.onig_initialize(encs, 1)
        self.lib.onig_region_new.restype = ctypes.POINTER(OnigRegion)
        self.lib.onig_new.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.POINTER(OnigErrorInfo)]
        self.lib.onig_search.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.c_void_p, ctypes.POINTER(OnigRegion), ctypes.c_uint]
        self.buf = ctypes.create_string_buffer(UTF8, len(UTF8))
        self.base = ctypes.addressof(self.buf)

    def members(self, name: str, cls: str | None = None) -> list[int] | None:
        pattern = ((cls or r"\p{" + name + "}") + "+").encode()
        reg = ctypes.c_void_p()
        info = OnigErrorInfo()
        pat = ctypes.create_string_buffer(pattern, len(pattern))
        r = self.lib.onig_new(ctypes.byref(reg), pat, ctypes.c_char_p(ctypes.addressof(pat) + len(pattern)),
                              0, self.enc, self.syntax, ctypes.byref(info))
        if r != 0:
            return None
        region = self.lib.onig_region_new()
        out: list[int] = []
        start = 0
        end = self.base + len(UTF8)
        while start < len(UTF8):
            pos = self.lib.onig_search(reg, ctypes.c_char_p(self.base), end, self.base + start, end, region, 0)
            if pos < 0:
                break
            match_end = region.contents.end[0]
            o = pos
            while o < match_end:
                c = BYTE_START[o]
                out.append(c)
                o += len(chr(c).encode("utf-8"))
            start = max(match_end, pos + 1)
        self.lib.onig_region_free(region, 1)
        self.lib.onig_free(reg)
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", required=True, help="Oniguruma's doc/UNICODE_PROPERTIES (Unicode 16.0)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()

    lines = Path(args.names).read_text(encoding="utf-8").splitlines()
    header = lines[0]
    names = [n.strip() for n in lines[1:] if n.strip() and " " not in n.strip()]
    names = POSIX + [n for n in names if n not in POSIX]
    system = SystemEngine()
    print(f"HF tokenizers {tokenizers_version}; system Oniguruma {system.version}; {header}", file=sys.stderr)

    entries: list[tuple[str, list[tuple[int, int]], bool]] = []  # name, ranges, system engine knows it
    for name, ctype in POSIX_CTYPES.items():
        cls = f"[[:{name}:]]"
        hf, sysm = hf_members(name, cls), system.members(name, cls)
        if hf is not None and sysm != hf:
            entries.append((f"ctype:{ctype}", runs(hf), True))
            print(f"  {cls}: differs ({len(hf)} scalars)", file=sys.stderr)
    for name in names:
        hf = hf_members(name)
        if hf is None:
            continue
        sysm = system.members(name)
        if sysm is not None and sysm == hf:
            continue
        entries.append((name, runs(hf), sysm is not None))
        print(f"  {name}: {'differs' if sysm is not None else 'new'} ({len(hf)} scalars)", file=sys.stderr)

    # Each distinct range list once; names point at it.
    blobs: dict[tuple, int] = {}
    data = bytearray()
    table: list[tuple[str, bool, int, int]] = []
    for name, ranges, known in entries:
        key = tuple(ranges)
        if key not in blobs:
            blobs[key] = len(data)
            previous = -1
            for a, b in ranges:
                varint(a - previous - 1, data)
                varint(b - a, data)
                previous = b
        table.append((name, known, blobs[key], len(ranges)))

    out = [
        "// Generated by tools/unicode/gen_onig_properties.py: do not edit.",
        f"// HF tokenizers {tokenizers_version} (Oniguruma 6.9.10, {header.strip()})",
        f"// against the system Oniguruma {system.version}.",
        "",
        "/// The Unicode properties whose members differ between the Oniguruma HF",
        "/// `tokenizers` bundles (Unicode 16.0) and the system library, with HF's",
        "/// members: `ranges` holds, per property, `count` pairs of LEB128 varints",
        "/// (gap since the previous range's end minus one, length minus one),",
        "/// base64-encoded, starting at byte `offset`.",
        "enum OnigUnicodeProperties {",
        "    struct Entry {",
        "        /// The name as Oniguruma documents it (`\\p{name}`), or `ctype:N` for",
        "        /// the POSIX bracket class with Oniguruma ctype number N.",
        "        let name: String",
        "        /// Whether the system library knows the name (else it is new in Unicode 15-16).",
        "        let systemKnows: Bool",
        "        let offset: Int",
        "        let count: Int",
        "    }",
        "",
        "    static let entries: [Entry] = [",
    ]
    for name, known, offset, count in table:
        out.append(f"        Entry(name: {name!r}, systemKnows: {str(known).lower()}, offset: {offset}, count: {count}),".replace("'", '"'))
    out += ["    ]", "", "    static let ranges = \"\"\""]
    out += swift_literal_lines(bytes(data))
    out += ["        \"\"\"", "}", ""]
    Path(args.out).write_text("\n".join(out), encoding="utf-8")
    print(f"{len(table)} properties, {len(blobs)} distinct range lists, {len(data)} bytes -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
