"""The per-file cache (.lint_canon_cache/): the findings of a Python file, kept for its content.

One cache file per (lint-canon's code, the versions of the libraries that shape findings --
libcst, pglast, pip-requirements-parser, PyYAML --, canon, selection, limits) holds, per file, its stat (size,
mtime, ctime, inode) and content digest and its findings. A file whose stat is unchanged is
answered without being read (as ruff and mypy do); ctime and inode as well as size and mtime,
because ``cp -p`` and ``rsync -a`` edits keep size and mtime. A file whose stat changed is read
and hashed, and answered from the cache when its content is the same. Anything else is checked
again. The cache is JSON (data only: a cache file planted in a pull request can hold nothing
that runs); one that cannot be read or does not have the expected shape is ignored and
rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from lint_canon.engine.runcache import code_stamp, prune
from lint_canon.output.findings import Fix

_FORMAT = 5  # 4: each finding keeps its fix; 5: files keyed by their path relative to the canon
# One file cache per canon and selection: the folder keeps the most recently written ones.
KEEP_FILE_CACHES = 8


def cache_key(identity: tuple[str, ...]) -> str:
    """The cache file's key: lint-canon's code and everything of the checker that shapes a finding."""
    parts = [str(_FORMAT), code_stamp(), *identity]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:24]


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


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], list)
        and all(isinstance(n, int) for n in entry[0])
        and isinstance(entry[1], str)
        and isinstance(entry[2], list)
        and all(
            isinstance(f, list)
            and len(f) == 8
            and all(isinstance(n, int) for n in f[:4])
            and all(isinstance(text, str) for text in f[4:7])
            and (f[7] is None or Fix.from_data(f[7]) is not None)
            for f in entry[2]
        )
    )


class FileCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.path = folder / f"findings-{key}.json"
        self.entries: dict[str, list[Any]] = {}
        self.changed = False
        try:
            with self.path.open("rb") as handle:
                loaded = json.loads(handle.read().decode("utf-8", "surrogatepass"))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError, RecursionError):
            self.entries = {}

    def _entry(self, key: str) -> list[Any] | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if not _valid_entry(entry):
            del self.entries[key]
            return None
        return entry

    def by_stat(self, key: str, stat: os.stat_result) -> list[tuple[Any, ...]] | None:
        entry = self._entry(key)
        if entry is not None and entry[0] == _stat_key(stat):
            return [tuple(f) for f in entry[2]]
        return None

    def by_content(self, key: str, stat: os.stat_result, content_digest: str) -> list[tuple[Any, ...]] | None:
        entry = self._entry(key)
        if entry is not None and entry[1] == content_digest:
            self.entries[key] = [_stat_key(stat), content_digest, entry[2]]
            self.changed = True
            return [tuple(f) for f in entry[2]]
        return None

    def store(self, key: str, stat: os.stat_result, content_digest: str, findings: list[tuple[Any, ...]]) -> None:
        self.entries[key] = [_stat_key(stat), content_digest, [list(f) for f in findings]]
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        prepare(self.folder)
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(self.entries, separators=(",", ":")).encode("utf-8", "surrogatepass"))
            os.replace(tmp, self.path)
            prune(str(self.folder), "findings-", KEEP_FILE_CACHES)
        except OSError:
            # a read-only checkout, a full disk: the findings without a cache, and nothing left behind
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.remove(tmp)
