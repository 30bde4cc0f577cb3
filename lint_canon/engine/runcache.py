"""The run record: a check run that finds nothing changed answers with the last run's output.

The per-file cache spares the parse of unchanged files, but a run still starts the engine, reads
the canon and looks up every file. A ``check`` run that used the cache folder also leaves a run
record there: lint-canon's code and the versions of the libraries that shape findings, the
command line and working folder, the size, mtime and ctime
of every file the run read (the canon and the pyproject.toml files its search looked at, the
Python and dependency files, requirements includes, the DONE doc and its SQL, the baseline), the
mtime of every folder it listed (adding, removing or renaming a file changes it) and the files
it found missing. The next run with the same command line in the same folder stats those;
when every one is as recorded, it writes the recorded output and exits with the recorded code,
without importing the engine. One difference, and the run is checked again (unchanged files
still come from the per-file cache) and recorded anew.

Only this module and the standard library are imported on the way to a replay. The record is
JSON: data only, so a record planted in a pull request can hold nothing that runs (and one
that does not have the expected shape is ignored).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import zlib

from lint_canon import __version__

FOLDER = ".lint_canon_cache"
_FORMAT = 4
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # all of lint_canon


def _guard_package() -> str | None:
    """Where lint-canon-guard's package is (its canon loader and host matching shape findings
    too), found without importing it."""
    spec = importlib.util.find_spec("lint_canon_guard")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    return locations[0] if locations else None


def code_stamp() -> str:
    """lint-canon's version and its code as installed, and lint-canon-guard's: the number and
    newest mtime of their modules, so that a checkout being worked on (an editable install) does
    not answer from caches its old code wrote. Also the Python version (marshal and pickle
    formats)."""
    count, newest = 0, 0
    guard = _guard_package()
    folders = [_PACKAGE, *([guard] if guard is not None else [])]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                count += 1
                newest = max(newest, entry.stat().st_mtime_ns)
            elif entry.is_dir() and entry.name != "__pycache__":
                folders.append(entry.path)
    return f"{__version__}:{count}:{newest}:{sys.version}:{dependency_stamp()}"


# The libraries whose answers shape findings (the parsers of Python, SQL, requirements and
# YAML), by their distribution names as dist-info folders spell them (normalised).
SHAPING_DISTRIBUTIONS = ("libcst", "pglast", "pip_requirements_parser", "pyyaml", "lint_canon_guard")
_dependencies: str | None = None


def dependency_stamp() -> str:
    """The installed versions of the libraries that shape findings, read from the names of
    their dist-info folders on ``sys.path`` (as the import system would find them; without
    importing them, which a replay must not pay for): a cache written with another libcst or
    pglast answers nothing."""
    global _dependencies
    if _dependencies is None:
        found: dict[str, str] = {}
        for folder in sys.path:
            try:
                names = os.listdir(folder or ".")
            except OSError:
                continue
            for name in names:
                if not name.endswith(".dist-info"):
                    continue
                distribution, _, version = name[: -len(".dist-info")].partition("-")
                key = distribution.lower().replace("-", "_").replace(".", "_")
                if key in SHAPING_DISTRIBUTIONS and key not in found:
                    found[key] = version
            if len(found) == len(SHAPING_DISTRIBUTIONS):
                break
        _dependencies = ",".join(f"{key}={found.get(key, '-')}" for key in SHAPING_DISTRIBUTIONS)
    return _dependencies


def run_key(argv: list[str]) -> tuple[str, ...]:
    """The command line, the working folder and lint-canon's code: what a record is valid for."""
    return (str(_FORMAT), code_stamp(), os.getcwd(), *argv)


def _name(key: tuple[str, ...]) -> str:
    # The name only spreads records over files; the record holds its key and is compared whole.
    text = "\0".join(key).encode("utf-8", "surrogateescape")
    return f"run-{zlib.crc32(text):08x}{zlib.adler32(text):08x}.json"


class RunRecord:
    """What a run read, collected while it runs (paths absolute)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, int, int, int]] = {}
        self.folders: dict[str, tuple[int, int]] = {}
        self.missing: set[str] = set()

    def file(self, path: str, stat: os.stat_result | None = None) -> None:
        path = os.path.abspath(path)
        if stat is None:
            try:
                stat = os.stat(path)
            except OSError:
                self.missing.add(path)
                return
        # ctime and inode as well: chmod changes only ctime, `cp -p` keeps size and mtime.
        self.files[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def folder(self, path: str) -> None:
        path = os.path.abspath(path)
        try:
            found = os.stat(path)
        except OSError:
            self.missing.add(path)
            return
        # ctime too: a folder made readable (chmod) changes only that.
        self.folders[path] = (found.st_mtime_ns, found.st_ctime_ns)

    def unchanged(self) -> bool:
        """Whether everything recorded is as it was (the language server's canon search)."""
        return _unchanged(*self._data())

    def _data(self) -> tuple[str, list[int], str, list[int], str]:
        # Paths joined by NUL (which no path holds) and the numbers in one flat list: loading
        # thousands of small lists costs several times more than splitting one string. (JSON
        # writes the tuple as the list it is read back as.)
        return (
            "\0".join(self.files),
            [n for stat in self.files.values() for n in stat],
            "\0".join(self.folders),
            [n for stat in self.folders.values() for n in stat],
            "\0".join(sorted(self.missing)),
        )


def _unchanged(files: str, file_numbers: list[int], folders: str, folder_numbers: list[int], missing: str) -> bool:
    if not (isinstance(files, str) and isinstance(folders, str) and isinstance(missing, str)):
        return False
    stat = os.stat
    try:
        for i, path in enumerate(files.split("\0") if files else ()):
            found = stat(path)
            if (
                found.st_size != file_numbers[4 * i]
                or found.st_mtime_ns != file_numbers[4 * i + 1]
                or found.st_ctime_ns != file_numbers[4 * i + 2]
                or found.st_ino != file_numbers[4 * i + 3]
            ):
                return False
        for i, path in enumerate(folders.split("\0") if folders else ()):
            found = stat(path)
            if found.st_mtime_ns != folder_numbers[2 * i] or found.st_ctime_ns != folder_numbers[2 * i + 1]:
                return False
    except (OSError, IndexError, TypeError):
        return False
    return not any(os.path.lexists(path) for path in (missing.split("\0") if missing else ()))


def findable(cache_dir: str) -> bool:
    """Does ``find_record`` look in this folder when no --cache-dir is given?"""
    if os.path.basename(cache_dir) != FOLDER:
        return False
    parent, here = os.path.dirname(cache_dir), os.getcwd()
    return here == parent or here.startswith(parent.rstrip(os.sep) + os.sep)


def find_record(key: tuple[str, ...], cache_dir: str | None) -> str | None:
    """The record of ``key``: in ``cache_dir`` if given, else in the cache folder of the working
    folder or of its nearest parent that has one with this record."""
    name = _name(key)
    if cache_dir is not None:
        path = os.path.join(cache_dir, name)
        return path if os.path.isfile(path) else None
    folder = os.getcwd()
    while True:
        path = os.path.join(folder, FOLDER, name)
        if os.path.isfile(path):
            return path
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def replay(key: tuple[str, ...], cache_dir: str | None) -> tuple[str, int] | None:
    """(output, exit code) of the recorded run, when nothing it read has changed."""
    path = find_record(key, cache_dir)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            stored_key, data, output, code = json.loads(handle.read().decode("utf-8", "surrogatepass"))
        if (
            not isinstance(stored_key, list)
            or tuple(stored_key) != key
            or not isinstance(data, list)
            or len(data) != 5
            or not isinstance(output, str)
            or not isinstance(code, int)
            or not _unchanged(*data)
        ):
            return None
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    return output, code


def save(key: tuple[str, ...], cache_dir: str, record: RunRecord, output: str, code: int) -> None:
    """Write the record, unless something it read changed while the run was going on."""
    data = record._data()
    if not _unchanged(*data):
        return
    temporary = os.path.join(cache_dir, f".tmp-run-{os.getpid()}")
    try:
        os.makedirs(cache_dir, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(json.dumps([list(key), data, output, code]).encode("utf-8", "surrogatepass"))
        os.replace(temporary, os.path.join(cache_dir, _name(key)))
        prune(cache_dir, "run-", KEEP_RECORDS)
    except OSError:
        # a read-only checkout, a full disk: the run goes on without the record, leaving nothing
        with contextlib.suppress(OSError):
            os.remove(temporary)


# Every distinct command line has its record (pre-commit passes the staged files): the folder
# keeps the most recently written ones.
KEEP_RECORDS = 32


def prune(folder: str, prefix: str, keep: int) -> None:
    """Delete all but the ``keep`` newest files named ``prefix*`` in ``folder``."""
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(prefix) and entry.is_file()]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for entry in entries[keep:]:
            os.remove(entry.path)
    except OSError:
        pass  # another run pruned it first
