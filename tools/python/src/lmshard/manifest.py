"""Reading and strictly validating ``manifest.json`` (FORMAT.md section 6).

The manifest is the one file a reader trusts first, so it is read as hostile
input: only a regular file, at most ``MAX_MANIFEST_BYTES``, strict UTF-8 JSON,
every field type-checked (``true`` is not the integer 1), every count and size
cross-checked. Whatever is wrong raises ``ShardError`` naming the file and field.
"""
from __future__ import annotations

import json
import os
import re

from .errors import ShardError
from .files import read_bounded
from .format import (ALL_FILES, FORMAT_NAME, FORMAT_VERSION, MANIFEST, PLANE_HEADER_SIZE, idx_size,
                     position_dtype_for_seq_len, token_dtype_for_vocab)

# A manifest costs ~650 bytes per shard: 256 MiB is ~400,000 shards, and
# bounds what a reader allocates for a damaged or hostile file.
MAX_MANIFEST_BYTES = 256 << 20

_HEX16 = re.compile(r"[0-9a-f]{16}\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_KEYS = ["format", "format_version", "tokenizer", "vocab_size", "eos_id", "pad_id", "seq_len", "token_dtype",
         "position_dtype", "loss_mask_dtype", "checksum", "config", "shards", "totals"]


def _int(v) -> bool:
    """A JSON integer: ``bool`` is a subclass of ``int`` in Python, so exclude it."""
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


def parse_manifest(raw: bytes, path: str) -> dict:
    """Parses and validates manifest bytes (``path`` is only for messages)."""
    try:
        m = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ShardError(path, e.start, "invalid UTF-8") from None
    except json.JSONDecodeError as e:
        raise ShardError(path, e.pos, f"invalid JSON: {e.msg}") from None
    except RecursionError:
        raise ShardError(path, None, "invalid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ShardError(path, None, f"invalid JSON: {e}") from None
    validate_manifest(m, path)
    return m


def read_manifest(directory: str) -> dict:
    """Loads and validates ``directory/manifest.json``; raises ``ShardError`` naming the bad field."""
    path = os.path.join(directory, MANIFEST)
    return parse_manifest(read_bounded(path, MAX_MANIFEST_BYTES), path)


def shard_name_problem(name) -> str | None:
    """Why ``name`` cannot be a shard file stem, or None. Names are plain,
    non-hidden stems (FORMAT.md section 1): no path separator, no NUL (no
    file name can hold one), no leading dot (which also rules out ``..``)."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if "/" in name or "\x00" in name or name.startswith(".") or name == MANIFEST:
        return "must be a plain, non-hidden file stem"
    return None


def validate_manifest(m, path: str) -> None:
    def fail(field, reason):
        raise ShardError(path, None, f"{field}: {reason}")

    def int_in(field, v, lo, hi):
        if not _int(v) or not lo <= v <= hi:
            fail(field, f"must be an integer in {lo}...{hi}, got {v!r}")

    _keys(m, _KEYS, path, "")
    if m["format"] != FORMAT_NAME:
        fail("format", f"expected {FORMAT_NAME!r}")
    if not _int(m["format_version"]) or m["format_version"] != FORMAT_VERSION:
        fail("format_version", f"unsupported version {m['format_version']!r}")
    _keys(m["tokenizer"], ["name", "sha256"], path, "tokenizer")
    if not isinstance(m["tokenizer"]["name"], str):
        fail("tokenizer.name", "expected a string")
    if not isinstance(m["tokenizer"]["sha256"], str) or not _HEX64.match(m["tokenizer"]["sha256"]):
        fail("tokenizer.sha256", "expected 64 lowercase hex digits")
    vocab, seq_len = m["vocab_size"], m["seq_len"]
    int_in("vocab_size", vocab, 1, (1 << 31) - 1)
    for k in ("eos_id", "pad_id"):
        if m[k] is not None and (not _int(m[k]) or not 0 <= m[k] < vocab):
            fail(k, "outside the vocabulary")
    int_in("seq_len", seq_len, 1, (1 << 31) - 1)
    if m["token_dtype"] != token_dtype_for_vocab(vocab):
        fail("token_dtype", f"expected {token_dtype_for_vocab(vocab)} for this vocabulary")
    if m["position_dtype"] != position_dtype_for_seq_len(seq_len):
        fail("position_dtype", f"expected {position_dtype_for_seq_len(seq_len)} for this seq_len")
    if m["loss_mask_dtype"] != "uint8":
        fail("loss_mask_dtype", "expected uint8")
    _keys(m["checksum"], ["algorithm", "block_size"], path, "checksum")
    if m["checksum"]["algorithm"] != "xxh3-64":
        fail("checksum.algorithm", "expected xxh3-64")
    int_in("checksum.block_size", m["checksum"]["block_size"], 1, 1 << 40)
    if not isinstance(m["shards"], list):
        fail("shards", "expected an array")
    tsize = 2 if m["token_dtype"] == "uint16" else 4
    psize = 2 if m["position_dtype"] == "uint16" else 4
    names, seqs, toks, nbytes = set(), 0, 0, 0
    for i, s in enumerate(m["shards"]):
        f = f"shards[{i}]"
        _keys(s, ["name", "sequences", "tokens", "files"], path, f)
        problem = shard_name_problem(s["name"])
        if problem:
            fail(f + ".name", problem)
        if s["name"] in names:
            fail(f + ".name", "duplicate shard name")
        names.add(s["name"])
        n, t = s["sequences"], s["tokens"]
        int_in(f + ".sequences", n, 0, (1 << 63) - 1)
        int_in(f + ".tokens", t, 0, (1 << 63) - 1)
        _keys(s["files"], list(ALL_FILES), path, f + ".files")
        want = {"bin": t * tsize, "idx": idx_size(n), "pos": PLANE_HEADER_SIZE + t * psize,
                "mask": PLANE_HEADER_SIZE + t}
        for part in ALL_FILES:
            e = s["files"][part]
            _keys(e, ["size", "xxh3"], path, f"{f}.files.{part}")
            if not isinstance(e["xxh3"], str) or not _HEX16.match(e["xxh3"]):
                fail(f"{f}.files.{part}.xxh3", "expected 16 lowercase hex digits")
            if not _int(e["size"]) or e["size"] < 0 or (part in want and e["size"] != want[part]):
                fail(f"{f}.files.{part}.size", f"{e['size']!r}, expected {want.get(part, 'a size')} from the counts")
            nbytes += e["size"]
        seqs += n
        toks += t
    _keys(m["totals"], ["shards", "sequences", "tokens", "bytes"], path, "totals")
    for k, v in (("shards", len(m["shards"])), ("sequences", seqs), ("tokens", toks), ("bytes", nbytes)):
        if not _int(m["totals"][k]) or m["totals"][k] != v:
            fail(f"totals.{k}", f"{m['totals'][k]!r}, expected {v}")
