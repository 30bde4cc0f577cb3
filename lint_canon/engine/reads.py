"""Every read a run makes of the file system, through one object.

A ``check`` run that used the cache folder leaves a run record (``runcache``): what it read,
with the size, mtime, ctime and inode of each file and the mtime of each folder it listed, so
that the next run with the same command line can answer without checking when none of it
changed. That record is only right if it hears of every read. So the engine does not read the
file system itself: discovery, the canon search, the Python and dependency files, requirements
includes, the DONE doc and its SQL, the baseline all go through ``RunReader``, which tells the
record as it reads. A read that forgot to be recorded cannot be written. Without a record
(``--no-cache``, flake8, the library calls), ``RunReader`` only reads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lint_canon_guard import files

if TYPE_CHECKING:
    from lint_canon.engine.runcache import RunRecord
    from lint_canon_guard.config import Canon


class RunReader:
    """Every read of one run of the file system; with ``record``, each is recorded as it happens."""

    def __init__(self, record: RunRecord | None = None) -> None:
        self.record = record

    def _file(self, path: str, found: os.stat_result | None = None) -> None:
        if self.record is not None and "\0" not in path:  # a NUL: no file can be there
            self.record.file(path, found)

    def stat(self, path: str) -> os.stat_result:
        """The file's stat (OSError when it cannot be had: recorded as missing)."""
        try:
            found = os.stat(path)
        except (OSError, ValueError):
            self._file(path)  # recorded as missing: a file that appears there changes the run
            raise
        self._file(path, found)
        return found

    def read_bytes(self, path: str | os.PathLike[str], limit: int = files.DEFAULT_MAX_FILE_SIZE) -> bytes:
        """A regular file of at most ``limit`` bytes (``files.read_bytes``)."""
        try:
            return files.read_bytes(path, limit)
        finally:
            self._file(os.fspath(path))

    def scandir(self, folder: str) -> list[os.DirEntry[str]]:
        """The entries of a folder, by name; a file added, removed or renamed in it changes it."""
        if self.record is not None:
            self.record.folder(folder)
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)

    def exists(self, path: str) -> bool:
        """Whether something is at ``path``; only its absence is recorded (one that appears
        changes the run), not its stats (``.git``, which git changes at every commit)."""
        if os.path.lexists(path):
            return True
        if self.record is not None:
            self.record.file(path)  # recorded as missing
        return False

    def has(self, folder: str, name: str) -> bool:
        """Whether ``folder`` holds ``name`` (``pyvenv.cfg``): the folder's listing is what says."""
        if self.record is not None:
            self.record.folder(folder)
        return os.path.exists(os.path.join(folder, name))

    def walk(self, top: str | os.PathLike[str]) -> Iterator[str]:
        """The folders under ``top`` (itself first): a file added to any of them is seen."""
        for folder, _, _ in os.walk(top):
            if self.record is not None:
                self.record.folder(folder)
            yield folder

    def changed(self, folder: str) -> None:
        """A folder this run changed itself (the cache folder made in it): its new state."""
        if self.record is not None and folder in self.record.folders:
            self.record.folder(folder)

    def canon_file_in(self, folder: str) -> Path | None:
        """The canon a folder names itself (its canon.yaml, or its pyproject.toml's table)."""
        from lint_canon.canon.search import canon_file_in

        if self.record is not None:
            # A canon.yaml or a [tool.lint-canon] table added here would be found instead.
            self.record.folder(folder)
            self.record.file(os.path.join(folder, "pyproject.toml"))
        return canon_file_in(Path(folder))

    def load_canon(self, path: str | os.PathLike[str]) -> Canon:
        from lint_canon.sdks.model import with_team_models
        from lint_canon_guard.config import load_canon

        canon = load_canon(path)
        if self.record is not None:
            for read in (canon.path, *canon.extends):  # a change to a canon it extends changes it
                self.record.file(str(read))
        return with_team_models(canon, self.read_bytes)
