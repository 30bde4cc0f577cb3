"""The per-file cache (.lint_canon_cache/): the findings of a Python file, kept for its content.

One cache file per (lint-canon version, canon, selection) holds, per file, its size, mtime and
content digest and its findings. A file whose size and mtime are unchanged is answered without
being read (as ruff and mypy do); one whose stat changed is read and hashed, and answered from
the cache when its content is the same. Anything else is checked again. A cache that cannot be
read is ignored and rewritten; nothing else depends on it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from lint_canon.runcache import code_stamp, prune

_FORMAT = 1
# One file cache per canon and selection: the folder keeps the most recently written ones.
KEEP_FILE_CACHES = 8


def cache_key(canon_digest: str, canon_path: str, select: tuple[str, ...], ignore: tuple[str, ...], noqa: bool) -> str:
    parts = [str(_FORMAT), code_stamp(), canon_digest, canon_path, ",".join(select), ",".join(ignore), str(noqa)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def prepare(folder: Path) -> None:
    """Create the cache folder (with a .gitignore that keeps it out of version control)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by lint-canon\n*\n")
    except OSError:
        pass  # a read-only checkout runs without the cache


class FileCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.path = folder / f"findings-{key}.pickle"
        self.entries: dict[str, tuple[int, int, str, list[tuple[Any, ...]]]] = {}
        self.changed = False
        try:
            with self.path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            self.entries = {}

    def by_stat(self, key: str, stat: os.stat_result) -> list[tuple[Any, ...]] | None:
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
            return entry[3]
        return None

    def by_content(self, key: str, stat: os.stat_result, content_digest: str) -> list[tuple[Any, ...]] | None:
        entry = self.entries.get(key)
        if entry is not None and entry[2] == content_digest:
            self.entries[key] = (stat.st_size, stat.st_mtime_ns, content_digest, entry[3])
            self.changed = True
            return entry[3]
        return None

    def store(self, key: str, stat: os.stat_result, content_digest: str, findings: list[tuple[Any, ...]]) -> None:
        self.entries[key] = (stat.st_size, stat.st_mtime_ns, content_digest, findings)
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        prepare(self.folder)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            prune(str(self.folder), "findings-", KEEP_FILE_CACHES)
        except OSError:
            pass  # a read-only checkout still gets its findings, just no cache
