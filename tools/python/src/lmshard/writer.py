"""A minimal lmshard writer written from FORMAT.md, for fixtures and cross-checks.

Not the production writer (that is Swift's ``ShardWriter``): it holds a whole
shard in memory. Its output must be byte-identical to Swift's for the same input.
"""
from __future__ import annotations

import json
import os
import struct

import numpy as np

from .format import (IDX_MAGIC, MASK_MAGIC, POS_MAGIC, SUM_MAGIC, POSITION_CODES, TOKEN_CODES,
                     position_dtype_for_seq_len, token_dtype_for_vocab)


def _plane(magic: bytes, code: int, data: bytes, tokens: int, sequences: int) -> bytes:
    return magic + struct.pack("<IB3xQQ", 1, code, tokens, sequences) + data


def _write(path: str, data: bytes) -> None:
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_shard(directory: str, name: str, sequences, vocab_size: int, seq_len: int, block_size: int = 1 << 20) -> dict:
    """Writes one shard from ``[(ids, positions, mask), ...]``; returns its manifest entry."""
    tname, pname = token_dtype_for_vocab(vocab_size), position_dtype_for_seq_len(seq_len)
    tdt, pdt = np.dtype("<u2" if tname == "uint16" else "<i4"), np.dtype("<u2" if pname == "uint16" else "<u4")
    lengths = [len(s[0]) for s in sequences]
    n, t = len(lengths), sum(lengths)
    cat = lambda k, dt: b"".join(np.asarray(s[k], dtype=dt).tobytes() for s in sequences)  # noqa: E731
    files = {"bin": cat(0, tdt)}
    pointers = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype("<i8") * tdt.itemsize if n else np.zeros(0, "<i8")
    files["idx"] = (IDX_MAGIC + struct.pack("<QBQQ", 1, TOKEN_CODES[tname], n, n + 1)
                    + np.asarray(lengths, "<i4").tobytes() + pointers.astype("<i8").tobytes()
                    + np.arange(n + 1, dtype="<i8").tobytes())
    files["pos"] = _plane(POS_MAGIC, POSITION_CODES[pname], cat(1, pdt), t, n)
    files["mask"] = _plane(MASK_MAGIC, 8, b"".join(np.asarray(s[2], dtype=bool).astype(np.uint8).tobytes()
                                                  for s in sequences), t, n)
    files["sum"] = sum_file(files, block_size)
    for part in ("bin", "idx", "pos", "mask", "sum"):
        _write(os.path.join(directory, f"{name}.{part}"), files[part])
    return {"name": name, "sequences": n, "tokens": t, "files": file_entries(files)}


def sum_file(files: dict, block_size: int) -> bytes:
    """The ``.sum`` bytes (FORMAT.md section 5) for the ``bin, idx, pos, mask`` bytes in ``files``."""
    from .verify import require_xxhash
    xxhash = require_xxhash()
    table, hashes = b"", b""
    at = 24 + 4 * 32
    for part in ("bin", "idx", "pos", "mask"):
        d = files[part]
        blocks = [xxhash.xxh3_64_intdigest(d[i:i + block_size]) for i in range(0, len(d), block_size)]
        table += struct.pack("<QQQQ", len(d), xxhash.xxh3_64_intdigest(d), len(blocks), at)
        hashes += struct.pack(f"<{len(blocks)}Q", *blocks)
        at += 8 * len(blocks)
    return SUM_MAGIC + struct.pack("<IIQ", 1, 4, block_size) + table + hashes


def file_entries(files: dict) -> dict:
    """The manifest's ``files`` object: size and XXH3-64 of each of the five files."""
    from .verify import require_xxhash
    xxhash = require_xxhash()
    return {p: {"size": len(files[p]), "xxh3": f"{xxhash.xxh3_64_intdigest(files[p]):016x}"}
            for p in ("bin", "idx", "pos", "mask", "sum")}


def write_manifest(directory: str, shards: list[dict], vocab_size: int, seq_len: int, config, tokenizer_name: str,
                   tokenizer_sha256: str, eos_id=None, pad_id=None, block_size: int = 1 << 20) -> dict:
    """Writes ``manifest.json`` last, atomically, in the format's key order."""
    m = {
        "format": "lmshard", "format_version": 1,
        "tokenizer": {"name": tokenizer_name, "sha256": tokenizer_sha256},
        "vocab_size": vocab_size, "eos_id": eos_id, "pad_id": pad_id, "seq_len": seq_len,
        "token_dtype": token_dtype_for_vocab(vocab_size), "position_dtype": position_dtype_for_seq_len(seq_len),
        "loss_mask_dtype": "uint8", "checksum": {"algorithm": "xxh3-64", "block_size": block_size},
        "config": config, "shards": shards,
        "totals": {"shards": len(shards), "sequences": sum(s["sequences"] for s in shards),
                   "tokens": sum(s["tokens"] for s in shards),
                   "bytes": sum(f["size"] for s in shards for f in s["files"].values())},
    }
    _write(os.path.join(directory, "manifest.json"), (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode())
    return m
