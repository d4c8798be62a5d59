"""The seed notebook's dataset-preparation code, written out in full.

This is the reference lmshard's LMPrep module is compared against: the
notebook's functions (`pretrain_processing`, `fim_processing`,
`sft_processing`, `position_fix_helper`, `pack_dense`, `pack_no_incomplete`,
`array_hash`, `MapReduceTransformBase`, `PrepareForTrainingTransform`) with
the "your code goes here" parts filled in the plainest way that satisfies
every assert of the notebook.

Differences from the notebook, all outside what its asserts pin down:
- The tokenizer is a Hugging Face `tokenizers.Tokenizer` loaded from a
  `tokenizer.json` (`Tokenizer.from_file`) instead of `transformers`'
  `AutoTokenizer`; texts are encoded with `add_special_tokens=False` and the
  EOS id is the id of `<|endoftext|>`.
- Configs are dataclasses instead of pydantic models (same field names and
  defaults), so the reference needs only numpy and tokenizers.
- SFT also accepts `system` turns, wrapped in `<system>`/`</system>` and
  masked like user turns (lmshard does the same); any other role raises.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Literal

import numpy as np
from tokenizers import Tokenizer

Row = dict[Any, Any]
TokenizedRow = dict[str, np.ndarray]
Key = Any


class TokenizerAdapter:
    """The two things the notebook asks of `PreTrainedTokenizer`."""

    def __init__(self, path: str) -> None:
        self._tokenizer = Tokenizer.from_file(path)
        self.eos_token_id = self._tokenizer.token_to_id("<|endoftext|>")

    def encode(self, text: str) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=False).ids


# ---------------------------------------------------------------- Map-Reduce


class MapReduceTransformBase:
    def __init__(
        self,
        map_fn: Callable[[Row], Iterator[tuple[Key, Row]]],
        reduce_fn: Callable[[Key, Iterable[Row]], Iterator[Row]],
        config: Any,
    ) -> None:
        self._map_fn = map_fn
        self._reduce_fn = reduce_fn
        self.config = config

    def run(self, iterator: Iterable[Row]) -> list[Row]:
        # 1) Map: produce (key, row) pairs
        pairs = [row for input_row in iterator for row in self._map_fn(input_row)]
        if not pairs:
            return []
        # 2) Sort by key so groupby works correctly (stable: input order kept inside a key)
        pairs.sort(key=itemgetter(0))
        # 3) Group by key and feed each group's rows into reduce_fn
        out: list[Row] = []
        for key, group in groupby(pairs, key=itemgetter(0)):
            values_iter = [row for _, row in group]
            out.extend(self._reduce_fn(key, values_iter))
        # 4) Return the flattened reduce results
        return out


# ------------------------------------------------------ processing strategies


def _row(input_ids: list[int], loss_mask: list[bool]) -> TokenizedRow:
    ids = np.array(input_ids, dtype=np.uint32)
    return {
        "input_ids": ids,
        "position_ids": np.arange(len(ids), dtype=np.uint32),
        "loss_mask": np.array(loss_mask, dtype=np.bool_),
    }


def pretrain_processing(row: Row, tokenizer: TokenizerAdapter) -> TokenizedRow:
    ids = tokenizer.encode(row["content"]) + [tokenizer.eos_token_id]
    return _row(ids, [True] * len(ids))


def fim_processing(
    row: Row,
    tokenizer: TokenizerAdapter,
    only_middle_not_masked: bool = False,
    fim_format: Literal["spm", "psm"] = "spm",
) -> TokenizedRow:
    assert len(tokenizer.encode("<fim_prefix>")) == 1, "Tokenizer doesn't have special FIM tokens"
    assert len(tokenizer.encode("<fim_suffix>")) == 1, "Tokenizer doesn't have special FIM tokens"
    assert len(tokenizer.encode("<fim_middle>")) == 1, "Tokenizer doesn't have special FIM tokens"
    fim_prefix_id = tokenizer.encode("<fim_prefix>")[0]
    fim_suffix_id = tokenizer.encode("<fim_suffix>")[0]
    fim_middle_id = tokenizer.encode("<fim_middle>")[0]
    prefix = tokenizer.encode(row["prefix"])
    suffix = tokenizer.encode(row["suffix"])
    middle = tokenizer.encode(row["middle"])
    if fim_format == "spm":
        context = [fim_suffix_id] + suffix + [fim_prefix_id] + prefix + [fim_middle_id]
    elif fim_format == "psm":
        context = [fim_prefix_id] + prefix + [fim_suffix_id] + suffix + [fim_middle_id]
    else:
        raise ValueError(f"FIM format `{fim_format}` is not supported")
    target = middle + [tokenizer.eos_token_id]
    mask = [not only_middle_not_masked] * len(context) + [True] * len(target)
    return _row(context + target, mask)


def sft_processing(row: Row, tokenizer: TokenizerAdapter) -> TokenizedRow:
    assert len(tokenizer.encode("<user>")) == 1, "Tokenizer chat format is not supported or doesn't exist"
    assert len(tokenizer.encode("</user>")) == 1, "Tokenizer chat format is not supported or doesn't exist"
    assert len(tokenizer.encode("<assistant>")) == 1, "Tokenizer chat format is not supported or doesn't exist"
    assert len(tokenizer.encode("</assistant>")) == 1, "Tokenizer chat format is not supported or doesn't exist"
    tags = {
        "user": (tokenizer.encode("<user>")[0], tokenizer.encode("</user>")[0], False),
        "assistant": (tokenizer.encode("<assistant>")[0], tokenizer.encode("</assistant>")[0], True),
    }
    if len(tokenizer.encode("<system>")) == 1 and len(tokenizer.encode("</system>")) == 1:
        tags["system"] = (tokenizer.encode("<system>")[0], tokenizer.encode("</system>")[0], False)
    ids: list[int] = []
    mask: list[bool] = []
    for index, turn in enumerate(row["content"]):
        if turn["role"] not in tags:
            raise ValueError(f"turn {index}: role `{turn['role']}` is not supported")
        start, end, in_loss = tags[turn["role"]]
        text = tokenizer.encode(turn["content"])
        ids += [start] + text + [end]
        mask += [in_loss] * (len(text) + 2)
    ids.append(tokenizer.eos_token_id)
    mask.append(True)
    return _row(ids, mask)


def process_row(row: Row, tokenizer: TokenizerAdapter, strategy: str, **kwargs) -> TokenizedRow:
    if strategy == "pretrain":
        return pretrain_processing(row, tokenizer)
    elif strategy == "fim":
        return fim_processing(row, tokenizer, **kwargs)
    elif strategy == "sft":
        return sft_processing(row, tokenizer)
    else:
        raise ValueError(f"Strategy `{strategy} is not supported`")


# ------------------------------------------------------------------- packing


def position_fix_helper(postion_ids: np.ndarray) -> np.ndarray:
    """
    Rebase each segment (between decreases) so it starts at 0.
    Example: [2,3,4,0,1,2,3] -> [0,1,2,0,1,2,3]
             [4,0,1,0]       -> [0,0,1,0]
    """
    ids = np.asarray(postion_ids, dtype=np.uint32)
    n = ids.shape[0]
    if n == 0:
        return ids

    # Find starts of new segments where the sequence decreases.
    disc = np.flatnonzero(ids[1:] < ids[:-1]) + 1
    starts = np.concatenate(([0], disc))

    out = ids.astype(np.int64, copy=True)  # avoid uint underflow
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else n
        base = int(out[s])
        out[s:e] -= base

    return out.astype(np.uint32)


def pack_dense(rows: Iterable[TokenizedRow], seq_len: int) -> list[TokenizedRow]:
    """
    Greedily packs all the rows into seq_len tensors, dropping the trailing examples if there are any
    """
    rows = list(rows)
    input_ids = np.concatenate([row["input_ids"] for row in rows])
    loss_mask = np.concatenate([row["loss_mask"] for row in rows])
    position_ids = np.concatenate([row["position_ids"] for row in rows])
    out = []
    for start in range(0, len(input_ids) - seq_len + 1, seq_len):
        end = start + seq_len
        out.append(
            {
                "input_ids": input_ids[start:end],
                "position_ids": position_fix_helper(position_ids[start:end]),
                "loss_mask": loss_mask[start:end],
            }
        )
    return out


def pack_no_incomplete(rows: Iterable[TokenizedRow], seq_len: int, pad_token_id: int) -> list[TokenizedRow]:
    """
    Ensures there are no incomplete (truncated) examples. If an example exceeds seq_len, drop it. Pad the tensors
    with pad_token_id, zeros in position_ids, and False in loss_mask. We don't want pads to be included in the gradient
    calculation graphs.
    """
    out: list[TokenizedRow] = []
    current: list[TokenizedRow] = []
    fill = 0

    def flush() -> None:
        pad = seq_len - fill
        out.append(
            {
                "input_ids": np.concatenate(
                    [r["input_ids"] for r in current] + [np.full(pad, pad_token_id, dtype=np.uint32)]
                ),
                "position_ids": np.concatenate(
                    [r["position_ids"] for r in current] + [np.zeros(pad, dtype=np.uint32)]
                ),
                "loss_mask": np.concatenate([r["loss_mask"] for r in current] + [np.zeros(pad, dtype=np.bool_)]),
            }
        )

    for row in rows:
        n = len(row["input_ids"])
        if n > seq_len:
            continue
        if fill + n > seq_len:
            flush()
            current, fill = [], 0
        current.append(row)
        fill += n
    if fill > 0:
        flush()
    return out


def pack_sequences(rows: Iterable[TokenizedRow], seq_len: int, pad_token_id: int, strategy: str) -> list[TokenizedRow]:
    if strategy == "dense":
        return pack_dense(rows, seq_len)
    elif strategy == "no_incomplete":
        return pack_no_incomplete(rows, seq_len, pad_token_id)
    else:
        raise ValueError(f"Strategy `{strategy}` is not supported")


# ------------------------------------------------------ prepare_for_training


@dataclass
class PrepareForTrainingTransformConfig:
    processing_strategy: str
    packing_strategy: str
    tokenizer_name: str
    seq_len: int
    num_reduce_chunks: int
    pad_token_id: int | None = None
    fim_kwargs: dict[str, Any] = field(default_factory=dict)
    type: str = "prepare_for_training"


def array_hash(arr: np.ndarray) -> int:
    """
    Calculate a hash of a NumPy array using its string representation.
    Includes dtype and shape to ensure distinct arrays have distinct hashes.
    """
    arr_bytes = arr.tobytes()
    meta = f"{arr.shape}-{arr.dtype}".encode()
    digest = hashlib.sha256(meta + arr_bytes).digest()
    return int.from_bytes(digest, byteorder="big")


class PrepareForTrainingTransform(MapReduceTransformBase):
    class _MapFn:
        def __init__(self, config: PrepareForTrainingTransformConfig, tokenizer: TokenizerAdapter):
            self.config = config
            self.tokenizer = tokenizer

        def __call__(self, row: Row) -> Iterator[tuple[int, TokenizedRow]]:
            kwargs = self.config.fim_kwargs if self.config.processing_strategy == "fim" else {}
            result = process_row(row, self.tokenizer, self.config.processing_strategy, **kwargs)
            # the key is the array hash mod number of reduce chunks
            key = array_hash(result["input_ids"]) % self.config.num_reduce_chunks
            yield key, result

    class _ReduceFn:
        def __init__(self, config: PrepareForTrainingTransformConfig, tokenizer: TokenizerAdapter):
            self.config = config
            self.pad_token_id = (
                self.config.pad_token_id if self.config.pad_token_id is not None else tokenizer.eos_token_id
            )

        def __call__(self, key: Key, rows: Iterable[TokenizedRow]) -> Iterator[TokenizedRow]:
            """
            Packs the sequences that ended up in the same reduce chunk
            """
            yield from pack_sequences(rows, self.config.seq_len, self.pad_token_id, self.config.packing_strategy)

    def __init__(self, config: PrepareForTrainingTransformConfig):
        tokenizer = TokenizerAdapter(config.tokenizer_name)
        super().__init__(
            map_fn=self._MapFn(config, tokenizer),
            reduce_fn=self._ReduceFn(config, tokenizer),
            config=config,
        )


def row_to_json_dict(row: TokenizedRow) -> dict[str, list]:
    """A packed row as plain lists, keys in lmshard's output order."""
    return {
        "input_ids": [int(x) for x in row["input_ids"]],
        "position_ids": [int(x) for x in row["position_ids"]],
        "loss_mask": [bool(x) for x in row["loss_mask"]],
    }
