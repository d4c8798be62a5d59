"""One shard opened for reading: four validated read-only memory maps."""
from __future__ import annotations

import os

import numpy as np

from .errors import ShardError
from .files import map_file
from .format import (ALL_FILES, IDX_HEADER_SIZE, MASK_CODE, MASK_MAGIC, PLANE_HEADER_SIZE, POS_MAGIC, POSITION_DTYPES,
                     TOKEN_DTYPES, parse_index, parse_plane)

_TOKEN_CODE_OF = {dt: code for code, dt in TOKEN_DTYPES.items()}


class Shard:
    """``NAME.{bin,idx,pos,mask}`` of one shard, every header, count and size
    checked against the others (FORMAT.md sections 2-4) before any is trusted.

    ``tokens``, ``positions`` and ``mask`` are flat zero-copy views of the
    planes; ``row_length`` is the length every sequence has (dense packing, the
    usual case), or None, which decides whether batches can use row regions.
    """

    def __init__(self, directory: str, name: str, token_code: int | None = None, position_code: int | None = None,
                 sizes: dict | None = None, seq_len: int | None = None):
        self.name = name
        p = {part: os.path.join(directory, f"{name}.{part}") for part in ALL_FILES if part != "sum"}
        maps = {}
        for part, path in p.items():
            maps[part] = map_file(path)
            if sizes is not None and len(maps[part]) != sizes[part]:
                raise ShardError(path, None, f"size {len(maps[part])} bytes, expected {sizes[part]} from the manifest")
        idx, bin_, pos, mask = maps["idx"], maps["bin"], maps["pos"], maps["mask"]
        self.token_dtype, self.lengths, self.starts = parse_index(idx, p["idx"])
        code = _TOKEN_CODE_OF[self.token_dtype]
        if token_code is not None and code != token_code:
            raise ShardError(p["idx"], 17, f"dtype code {code} disagrees with the manifest")
        n, t = len(self.lengths), int(self.lengths.sum())
        # FORMAT.md section 7 step 2: no sequence longer than the manifest's seq_len.
        if seq_len is not None and n and int(self.lengths.max()) > seq_len:
            i = int(np.argmax(self.lengths))
            raise ShardError(p["idx"], IDX_HEADER_SIZE + 4 * i,
                             f"sequence {i} has length {int(self.lengths[i])}, longer than the manifest's seq_len {seq_len}")
        self.sequence_count, self.token_count = n, t
        if len(bin_) != t * self.token_dtype.itemsize:
            raise ShardError(p["bin"], None, f"size {len(bin_)} bytes, expected {t * self.token_dtype.itemsize}")
        pcode = parse_plane(pos, p["pos"], POS_MAGIC, t, n)
        if pcode not in POSITION_DTYPES or (position_code is not None and pcode != position_code):
            raise ShardError(p["pos"], 12, f"bad dtype code {pcode}")
        self.position_dtype = POSITION_DTYPES[pcode]
        if len(pos) != PLANE_HEADER_SIZE + t * self.position_dtype.itemsize:
            raise ShardError(p["pos"], None, f"size {len(pos)} bytes, expected "
                             f"{PLANE_HEADER_SIZE + t * self.position_dtype.itemsize}")
        mcode = parse_plane(mask, p["mask"], MASK_MAGIC, t, n)
        if mcode != MASK_CODE:
            raise ShardError(p["mask"], 12, f"bad dtype code {mcode}")
        if len(mask) != PLANE_HEADER_SIZE + t:
            raise ShardError(p["mask"], None, f"size {len(mask)} bytes, expected {PLANE_HEADER_SIZE + t}")
        self.tokens = bin_.view(self.token_dtype) if t else np.zeros(0, self.token_dtype)
        self.positions = pos[PLANE_HEADER_SIZE:].view(self.position_dtype)
        self.mask = mask[PLANE_HEADER_SIZE:]
        self.paths = p
        self.row_length = int(self.lengths[0]) if n and (self.lengths == self.lengths[0]).all() else None

    def sequence(self, i: int):
        """Zero-copy (tokens, positions, loss mask as uint8) views of local sequence ``i``."""
        s, n = int(self.starts[i]), int(self.lengths[i])
        return self.tokens[s:s + n], self.positions[s:s + n], self.mask[s:s + n]
