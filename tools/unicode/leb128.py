"""Unsigned LEB128 varints, base64-wrapped for a Swift string literal: the
format of the generated Unicode tables (read by GeneratedTableReader.swift)."""

from __future__ import annotations

import base64


def varint(n: int, out: bytearray) -> None:
    """Appends ``n`` (>= 0): 7 bits a byte, low bits first, high bit = more follows."""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def swift_literal_lines(data: bytes, indent: str = "        ", width: int = 100) -> list[str]:
    """``data`` as base64, cut into indented lines of a multi-line string literal."""
    encoded = base64.b64encode(bytes(data)).decode()
    return [indent + encoded[i:i + width] for i in range(0, len(encoded), width)]
