"""Real text found on this machine, chunked into documents for parity runs.

Sources (each optional, used when present):
  * Python's standard library sources and its multilingual test data
    (``test/cjkencodings/*-utf8.txt``: Chinese, Japanese, Korean);
  * this repository's Swift sources and Markdown;
  * ``/usr/share/doc`` text files and man pages, including translated
    man pages (``/usr/share/man/{ja,ko,ru,...}``) for non-Latin scripts.

Files are read as UTF-8 with invalid bytes replaced (JSON cannot carry lone
surrogates to Swift, so none may appear), ``.gz`` files are decompressed,
and each file is cut into documents of at most ``chunk_bytes`` at line
boundaries, so one odd file cannot dominate a run.
"""

from __future__ import annotations

import gzip
import os
import random
import sysconfig
from pathlib import Path
from typing import Iterable, Iterator

TEXT_SUFFIXES = {
    ".py", ".txt", ".md", ".rst", ".swift", ".c", ".h", ".json", ".toml", ".cfg", ".html",
    ".xml", ".css", ".js", ".sh", ".yaml", ".yml", ".csv", ".ini", ".gz", ".1", ".5", ".8",
}

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_roots() -> list[Path]:
    """Where real text lives on a typical Linux machine, in priority order."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    roots = [
        stdlib / "test" / "cjkencodings",
        REPO_ROOT / "Sources",
        REPO_ROOT / "tools",
        stdlib,
    ]
    man = Path("/usr/share/man")
    if man.is_dir():
        roots += sorted(p for p in man.iterdir() if p.is_dir() and not p.name.startswith("man"))
        roots.append(man)
    roots.append(Path("/usr/share/doc"))
    return [r for r in roots if r.exists()]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Text-looking files under ``paths`` (files are taken as given), sorted."""
    seen: set[Path] = set()
    for root in paths:
        if root.is_file():
            candidates = [root]
        else:
            candidates = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
                candidates += [Path(dirpath) / f for f in sorted(filenames)]
        for path in candidates:
            if path in seen or path.is_symlink():
                continue
            if root.is_file() or path.suffix in TEXT_SUFFIXES:
                seen.add(path)
                yield path


def read_text(path: Path, limit: int) -> str | None:
    """The file's text, or None for binary files (NUL bytes) and unreadable ones."""
    try:
        raw = gzip.open(path).read(limit) if path.suffix == ".gz" else path.open("rb").read(limit)
    except (OSError, EOFError):
        return None
    if b"\0" in raw[:4096]:
        return None
    return raw.decode("utf-8", errors="replace")


def chunk(text: str, chunk_bytes: int) -> list[str]:
    """Cuts ``text`` at line ends into pieces of at most ``chunk_bytes`` UTF-8 bytes
    (a single longer line becomes its own piece)."""
    docs, current, size = [], [], 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode("utf-8"))
        if current and size + n > chunk_bytes:
            docs.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += n
    if current:
        docs.append("".join(current))
    return docs


def gather(paths: list[Path] | None, max_bytes: int, chunk_bytes: int = 8192, seed: int = 0) -> list[str]:
    """Documents totalling about ``max_bytes`` of UTF-8.

    Each root contributes in turn (round robin over roots, files shuffled with
    ``seed`` within a root) so a small budget still sees several sources.
    """
    roots = paths if paths else default_roots()
    rng = random.Random(seed)
    per_root: list[list[Path]] = []
    for root in roots:
        files = list(iter_files([root]))
        rng.shuffle(files)
        per_root.append(files)
    docs: list[str] = []
    total = 0
    cursors = [0] * len(per_root)
    while total < max_bytes and any(c < len(f) for c, f in zip(cursors, per_root)):
        for i, files in enumerate(per_root):
            if cursors[i] >= len(files) or total >= max_bytes:
                continue
            path = files[cursors[i]]
            cursors[i] += 1
            text = read_text(path, limit=min(1 << 20, max_bytes - total + chunk_bytes))
            if not text:
                continue
            for doc in chunk(text, chunk_bytes):
                docs.append(doc)
                total += len(doc.encode("utf-8"))
                if total >= max_bytes:
                    break
    return docs
