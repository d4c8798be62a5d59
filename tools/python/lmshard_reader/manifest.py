"""Reading and strictly validating ``manifest.json`` (FORMAT.md section 6)."""
from __future__ import annotations

import json
import os
import re

from .format import (ALL_FILES, FORMAT_NAME, FORMAT_VERSION, MANIFEST, PLANE_HEADER_SIZE, ShardError, idx_size,
                     position_dtype_for_seq_len, token_dtype_for_vocab)

_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_KEYS = ["format", "format_version", "tokenizer", "vocab_size", "eos_id", "pad_id", "seq_len", "token_dtype",
         "position_dtype", "loss_mask_dtype", "checksum", "config", "shards", "totals"]


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _keys(obj, expected, path: str, field: str):
    if not isinstance(obj, dict):
        raise ShardError(path, None, f"{field or 'manifest'}: expected an object")
    missing = [k for k in expected if k not in obj]
    if missing:
        raise ShardError(path, None, f"{field + '.' if field else ''}{missing[0]}: missing required field")
    extra = [k for k in obj if k not in expected]
    if extra:
        raise ShardError(path, None, f"unknown field '{extra[0]}' at {field or 'top level'}")


def read_manifest(directory: str) -> dict:
    """Loads and validates the manifest; raises ``ShardError`` naming the bad field."""
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise ShardError(path, None, "missing") from None
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ShardError(path, getattr(e, "pos", None), f"invalid JSON: {e}") from None
    validate_manifest(m, path)
    return m


def validate_manifest(m: dict, path: str) -> None:
    def fail(field, reason):
        raise ShardError(path, None, f"{field}: {reason}")

    _keys(m, _KEYS, path, "")
    if m["format"] != FORMAT_NAME:
        fail("format", f"expected {FORMAT_NAME!r}")
    if m["format_version"] != FORMAT_VERSION:
        fail("format_version", f"unsupported version {m['format_version']!r}")
    _keys(m["tokenizer"], ["name", "sha256"], path, "tokenizer")
    if not isinstance(m["tokenizer"]["sha256"], str) or not _HEX64.match(m["tokenizer"]["sha256"]):
        fail("tokenizer.sha256", "expected 64 lowercase hex digits")
    vocab, seq_len = m["vocab_size"], m["seq_len"]
    if not _int(vocab) or not 0 < vocab < 1 << 31:
        fail("vocab_size", "must be an int in 1...2^31-1")
    for k in ("eos_id", "pad_id"):
        if m[k] is not None and (not _int(m[k]) or not 0 <= m[k] < vocab):
            fail(k, "outside the vocabulary")
    if not _int(seq_len) or not 0 < seq_len < 1 << 31:
        fail("seq_len", "must be an int in 1...2^31-1")
    if m["token_dtype"] != token_dtype_for_vocab(vocab):
        fail("token_dtype", f"expected {token_dtype_for_vocab(vocab)} for this vocabulary")
    if m["position_dtype"] != position_dtype_for_seq_len(seq_len):
        fail("position_dtype", f"expected {position_dtype_for_seq_len(seq_len)} for this seq_len")
    if m["loss_mask_dtype"] != "uint8":
        fail("loss_mask_dtype", "expected uint8")
    _keys(m["checksum"], ["algorithm", "block_size"], path, "checksum")
    if m["checksum"]["algorithm"] != "xxh3-64":
        fail("checksum.algorithm", "expected xxh3-64")
    if not _int(m["checksum"]["block_size"]) or not 0 < m["checksum"]["block_size"] <= 1 << 40:
        fail("checksum.block_size", "must be positive")
    if not isinstance(m["shards"], list):
        fail("shards", "expected an array")
    tsize = 2 if m["token_dtype"] == "uint16" else 4
    psize = 2 if m["position_dtype"] == "uint16" else 4
    names, seqs, toks, nbytes = set(), 0, 0, 0
    for i, s in enumerate(m["shards"]):
        f = f"shards[{i}]"
        _keys(s, ["name", "sequences", "tokens", "files"], path, f)
        name = s["name"]
        if not isinstance(name, str) or not name or "/" in name or name.startswith(".") or name == MANIFEST:
            fail(f + ".name", "must be a plain, non-hidden file stem")
        if name in names:
            fail(f + ".name", "duplicate shard name")
        names.add(name)
        n, t = s["sequences"], s["tokens"]
        if not _int(n) or not _int(t) or n < 0 or t < 0:
            fail(f, "counts must be non-negative ints")
        _keys(s["files"], list(ALL_FILES), path, f + ".files")
        want = {"bin": t * tsize, "idx": idx_size(n), "pos": PLANE_HEADER_SIZE + t * psize,
                "mask": PLANE_HEADER_SIZE + t}
        for part in ALL_FILES:
            e = s["files"][part]
            _keys(e, ["size", "xxh3"], path, f"{f}.files.{part}")
            if not isinstance(e["xxh3"], str) or not _HEX16.match(e["xxh3"]):
                fail(f"{f}.files.{part}.xxh3", "expected 16 lowercase hex digits")
            if not _int(e["size"]) or e["size"] < 0 or (part in want and e["size"] != want[part]):
                fail(f"{f}.files.{part}.size", f"{e['size']}, expected {want.get(part, 'a size')} from the counts")
            nbytes += e["size"]
        seqs += n
        toks += t
    _keys(m["totals"], ["shards", "sequences", "tokens", "bytes"], path, "totals")
    for k, v in (("shards", len(m["shards"])), ("sequences", seqs), ("tokens", toks), ("bytes", nbytes)):
        if m["totals"][k] != v:
            fail(f"totals.{k}", f"expected {v}")
