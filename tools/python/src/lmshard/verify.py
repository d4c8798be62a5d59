"""Verification: the checksum trust chain and block selection of the Swift ``verify``
(FORMAT.md section 5), the readers' structural validation (sections 2-4 and 7) and
the value bounds (section 6). A dataset verifies clean exactly when every
reader would open it, every token id is in ``0 ..< vocab_size`` and every
position id is ``< seq_len``."""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass

import numpy as np

from .errors import ShardError
from .files import map_file
from .format import PLANE_HEADER_SIZE, POSITION_CODES, SUM_ENTRY_SIZE, SUM_FILES, SUM_MAGIC, SUM_TABLE_OFFSET, SUM_VERSION, TOKEN_CODES
from .manifest import read_manifest
from .sampler import SplitMix64
from .shard import Shard


def require_xxhash():
    try:
        import xxhash
    except ImportError:
        raise ImportError("lmshard.verify needs the xxhash package: pip install 'lmshard[xxhash]' "
                          "(reading datasets does not)") from None
    return xxhash


@dataclass(frozen=True)
class Damage:
    """One damaged file or block: ``block`` is None for whole-file problems."""
    shard: str
    file: str
    block: int | None
    kind: str  # "missing", "size", "checksum", "unreadable", "structure", "vocabulary"
    detail: str


def parse_sum(buf: bytes, path: str):
    """Returns (block_size, [(size, hash, [block hashes]) for bin, idx, pos, mask]); validates every field."""
    if len(buf) < SUM_TABLE_OFFSET or buf[:8] != SUM_MAGIC:
        raise ShardError(path, 0, "bad magic or truncated header")
    version, count, block = struct.unpack_from("<IIQ", buf, 8)
    if version != SUM_VERSION:
        raise ShardError(path, 8, f"unsupported version {version}")
    if count != len(SUM_FILES):
        raise ShardError(path, 12, f"file count {count}, expected 4")
    if not 0 < block <= 1 << 40:
        raise ShardError(path, 16, f"block size {block}")
    at = SUM_TABLE_OFFSET + len(SUM_FILES) * SUM_ENTRY_SIZE
    if len(buf) < at:
        raise ShardError(path, None, "truncated table")
    entries = []
    for f in range(len(SUM_FILES)):
        e = SUM_TABLE_OFFSET + f * SUM_ENTRY_SIZE
        size, h, nblocks, offset = struct.unpack_from("<QQQQ", buf, e)
        if nblocks != -(-size // block):
            raise ShardError(path, e + 16, f"block count {nblocks}, expected {-(-size // block)}")
        if offset != at:
            raise ShardError(path, e + 24, f"block hash offset {offset}, expected {at}")
        if at + 8 * nblocks > len(buf):
            raise ShardError(path, None, "truncated block hashes")
        entries.append((size, h, list(np.frombuffer(buf, dtype="<u8", count=nblocks, offset=at))))
        at += 8 * nblocks
    if at != len(buf):
        raise ShardError(path, None, f"size {len(buf)}, expected {at}")
    return block, entries


def verify(directory: str, fraction: float | None = None, seed: int = 0) -> list[Damage]:
    """Recomputes checksums; returns the damage found (empty = clean).

    ``fraction=None`` checks every block; otherwise each block is checked when a
    SplitMix64(seed) draw ``(next() >> 11) / 2**53`` is below ``fraction``, drawn in
    shard, file, block order exactly as the Swift ``verify(.sampled)`` does.
    Shards whose checksums match are then opened the way the readers open
    them (every header, count, pointer and size, FORMAT.md sections 2-4); a
    failure is ``kind="structure"``. With ``fraction=None`` every token id is
    also checked to be in ``0 ..< vocab_size`` (int32 ids compared unsigned, so
    negative ids are caught) and every position id to be ``< seq_len``. Only a missing or invalid manifest raises.
    """
    xxhash = require_xxhash()
    m = read_manifest(directory)
    rng = SplitMix64(seed) if fraction is not None else None
    damage: list[Damage] = []
    for s in m["shards"]:
        name = s["name"]

        def load(part):
            path = os.path.join(directory, f"{name}.{part}")
            try:
                # Memory-mapped, so verifying a multi-GB shard does not load it into RAM.
                data = memoryview(map_file(path))
            except ShardError as e:
                damage.append(Damage(name, part, None, "missing" if e.reason == "missing" else "unreadable", str(e)))
                return None
            if len(data) != s["files"][part]["size"]:
                damage.append(Damage(name, part, None, "size", f"{len(data)} bytes, expected {s['files'][part]['size']}"))
                return None
            return data

        sum_bytes = load("sum")
        if sum_bytes is None:
            continue
        sum_bytes = bytes(sum_bytes)  # small: 8 bytes per block
        h = xxhash.xxh3_64_intdigest(sum_bytes)
        if f"{h:016x}" != s["files"]["sum"]["xxh3"]:
            damage.append(Damage(name, "sum", None, "checksum", f"{h:016x}, expected {s['files']['sum']['xxh3']}"))
            continue
        try:
            block, entries = parse_sum(sum_bytes, os.path.join(directory, f"{name}.sum"))
        except ShardError as e:
            damage.append(Damage(name, "sum", None, "unreadable", str(e)))
            continue
        if block != m["checksum"]["block_size"]:
            damage.append(Damage(name, "sum", None, "unreadable", f"block size {block} disagrees with the manifest"))
            continue
        shard_damage = len(damage)
        for part, (size, whole, blocks) in zip(SUM_FILES, entries):
            if size != s["files"][part]["size"] or f"{whole:016x}" != s["files"][part]["xxh3"]:
                damage.append(Damage(name, "sum", None, "unreadable", f"entry for .{part} disagrees with the manifest"))
                continue
            data = load(part)
            if data is None:
                continue
            before = len(damage)
            for b, want in enumerate(blocks):
                if rng is not None and (rng.next() >> 11) / float(1 << 53) >= fraction:
                    continue
                got = xxhash.xxh3_64_intdigest(data[b * block:(b + 1) * block])
                if got != int(want):
                    damage.append(Damage(name, part, b, "checksum", f"{got:016x}, expected {int(want):016x}"))
            # Intact tokens that are out of range mean the manifest's vocab_size is wrong.
            if part == "bin" and fraction is None and len(damage) == before and len(data):
                top = _max_token_id(data, m["token_dtype"])
                if top >= m["vocab_size"]:
                    damage.append(Damage(name, "bin", None, "vocabulary",
                                         f"token id {_signed(top, m['token_dtype'])} not in 0..<{m['vocab_size']}"))
            # Intact positions at or past seq_len: no packer writes them (FORMAT.md section 6).
            if part == "pos" and fraction is None and len(damage) == before and len(data) > PLANE_HEADER_SIZE:
                width = 2 if m["position_dtype"] == "uint16" else 4
                positions = np.frombuffer(data, "<u2" if width == 2 else "<u4", offset=PLANE_HEADER_SIZE)
                bad = np.flatnonzero(positions >= m["seq_len"])
                if len(bad):
                    i = int(bad[0])
                    damage.append(Damage(name, "pos", None, "position",
                                         f"position {int(positions[i])} at byte {PLANE_HEADER_SIZE + width * i}"
                                         f" not < seq_len {m['seq_len']} ({len(bad)} such)"))
        if len(damage) == shard_damage:
            damage += _structure(directory, m, s)
    return damage


def _max_token_id(data, token_dtype: str) -> int:
    """Largest id with int32 read as uint32, so a negative id counts as huge (as in Swift)."""
    return int(np.frombuffer(data, "<u2" if token_dtype == "uint16" else "<u4").max())


def _signed(v: int, token_dtype: str) -> int:
    return v - (1 << 32) if token_dtype == "int32" and v >= 1 << 31 else v


def _structure(directory: str, m: dict, s: dict) -> list[Damage]:
    """Opens the shard as the readers do; the first problem as damage (none when it opens)."""
    try:
        sizes = {part: e["size"] for part, e in s["files"].items()}
        shard = Shard(directory, s["name"], TOKEN_CODES[m["token_dtype"]], POSITION_CODES[m["position_dtype"]], sizes,
                      m["seq_len"])
        if shard.sequence_count != s["sequences"] or shard.token_count != s["tokens"]:
            raise ShardError(shard.paths["idx"], 18, f"{shard.sequence_count} sequences, {shard.token_count} tokens;"
                             f" the manifest says {s['sequences']}, {s['tokens']}")
    except ShardError as e:
        part = e.file.rsplit(".", 1)[-1] if e.file.startswith(os.path.join(directory, s["name"] + ".")) else "idx"
        return [Damage(s["name"], part, None, "structure", str(e))]
    return []
