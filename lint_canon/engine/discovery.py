"""Discovery: the files a run checks, each with the canon of its own folder.

``CanonFinder`` finds the canon of a folder (``--config``, else ``[tool.lint-canon] config`` in
the nearest ``pyproject.toml``, else the nearest ``canon.yaml``), looked up and loaded once per
folder, with the ``[tool.lint-canon]`` settings (select, ignore, exclude) of the pyproject.toml
of the folder that names it. ``discover`` lists the files under the paths given, grouped by canon, minus skipped
folders (VCS data, virtual environments, caches, build output) and each canon's ``exclude``;
only regular files (FIFOs, devices, sockets, broken links are noted and left alone); folders
that cannot be listed are findings.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lint_canon.canon.globs import match_path
from lint_canon.canon.paths import canon_relpath, display_path
from lint_canon.canon.settings import settings_in, settings_of, with_settings
from lint_canon.engine.reads import RunReader
from lint_canon.output.findings import Finding
from lint_canon.project.dependencies import is_dependency_file
from lint_canon_guard.config import Canon
from lint_canon_guard.errors import UsageError
from lint_canon_guard.files import kind_of

# Folders never worth descending into: VCS data, virtual environments, caches, build output.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".lint_canon_cache",
        "site-packages",
    }
)


class CanonFinder:
    """The canon of each folder: ``forced`` for all, else found by walking up, once per folder."""

    def __init__(self, forced: Canon | None = None, reads: RunReader | None = None) -> None:
        self.forced = forced
        self.reads = reads or RunReader()
        self._by_folder: dict[str, Canon | None] = {}
        self._loaded: dict[str, Canon] = {}

    def canon_for(self, folder: str) -> Canon | None:
        if self.forced is not None:
            return self.forced
        # The folder's real path: a folder reached through a link obeys the canon of where it
        # is, whichever spelling a run meets first.
        folder = os.path.realpath(folder)
        found = self._by_folder.get(folder, False)
        if found is not False:
            return found  # type: ignore[return-value]
        chain = []
        here = folder
        canon: Canon | None = None
        while True:
            if here in self._by_folder:
                canon = self._by_folder[here]
                break
            chain.append(here)
            named = self.reads.canon_file_in(here)
            if named is not None:
                canon = self._load(str(named), here)
                break
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
        for visited in chain:
            self._by_folder[visited] = canon
        return canon

    def _load(self, path: str, folder: str) -> Canon:
        """The canon at ``path`` with the settings of ``folder``, which names it (the canon search
        recorded its pyproject.toml); one object per (canon, settings)."""
        settings = settings_in(folder)
        if settings is not None and not settings.applies:
            settings = None
        key = f"{path}\0{settings.path if settings is not None else ''}"
        canon = self._loaded.get(key)
        if canon is None:
            canon = self._loaded[key] = with_settings(self.reads.load_canon(path), settings)
        return canon

    def canons(self) -> list[Canon]:
        if self.forced is not None:
            return [self.forced]
        return list(self._loaded.values())


def _skipped_folder_name(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info")


def canon_key(canon: Canon) -> str:
    """The key of a canon in a run: its path, and the pyproject.toml whose settings it has (two
    folders may name one canon with settings of their own)."""
    settings = settings_of(canon)
    return str(canon.path) if settings is None else f"{canon.path} ({settings.path})"


def is_excluded(path: str, canon: Canon) -> bool:
    """Does the canon's ``exclude`` cover ``path``, or the ``exclude`` of its settings (globs
    relative to their pyproject.toml)?"""
    if canon.exclude and match_path(canon_relpath(canon.root, path), canon.exclude):
        return True
    settings = settings_of(canon)
    return (
        settings is not None
        and bool(settings.exclude)
        and match_path(canon_relpath(settings.root, path), settings.exclude)
    )


def in_skipped_folder(
    path: str, canon: Canon, venvs: dict[str, bool] | None = None, reads: RunReader | None = None
) -> bool:
    """Is ``path`` inside a folder a walk from the canon's folder would not enter (``.git``,
    ``build``, a virtual environment ...)? For files named one by one (pre-commit, flake8)."""
    rel = canon_relpath(canon.root, path)
    if rel.startswith("../") or os.path.isabs(rel):
        return False
    venvs = {} if venvs is None else venvs
    reads = reads or RunReader()
    folder = os.path.abspath(canon.root)
    for part in rel.split("/")[:-1]:
        if _skipped_folder_name(part):
            return True
        folder = os.path.join(folder, part)
        if folder not in venvs:
            venvs[folder] = reads.has(folder, "pyvenv.cfg")  # a virtual environment: skipped
        if venvs[folder]:
            return True
    return False


class GitIgnore:
    """What git ignores, as git reads it: the ``.gitignore`` of each folder from the
    repository's root down (its patterns relative to its folder; a deeper file, and a later
    line, decides over an earlier one; ``!`` re-includes) and ``.git/info/exclude``. Read through
    the run's reader, so that an edited ``.gitignore`` changes the run's record. Outside a
    repository (no ``.git`` above) nothing is ignored. Git's global excludes file is not read."""

    def __init__(self, reads: RunReader) -> None:
        self.reads = reads
        self._repositories: dict[str, str | None] = {}
        self._specs: dict[str, list[tuple[str, Any]]] = {}

    def repository(self, folder: str) -> str | None:
        found = self._repositories.get(folder, False)
        if found is not False:
            return found  # type: ignore[return-value]
        parent = os.path.dirname(folder)
        if self.reads.exists(os.path.join(folder, ".git")):
            found = folder
        else:
            found = None if parent == folder else self.repository(parent)
        self._repositories[folder] = found
        return found

    def _read(self, path: str) -> Any:
        import pathspec

        try:
            text = self.reads.read_bytes(path).decode("utf-8", "replace")
        except (OSError, ValueError):
            return None  # none there (recorded as missing), or unreadable: ignores nothing
        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())

    def specs(self, folder: str, repository: str) -> list[tuple[str, Any]]:
        """(base folder, patterns) that apply in ``folder``, the root's first."""
        found = self._specs.get(folder)
        if found is not None:
            return found
        if folder == repository:
            found = []
            exclude = self._read(os.path.join(repository, ".git", "info", "exclude"))
            if exclude is not None:
                found.append((folder, exclude))
        else:
            found = list(self.specs(os.path.dirname(folder), repository))
        own = self._read(os.path.join(folder, ".gitignore"))
        if own is not None:
            found.append((folder, own))
        self._specs[folder] = found
        return found

    def ignored(self, path: str, is_dir: bool, prune: bool = True) -> bool:
        """Whether git ignores ``path``. A folder is pruned (``prune``) only where no ``!`` line
        applies: one may re-include it or what is below it (`*` then `!*/` and `!*.py`, which
        pathspec does not apply to folders), so the walk goes in and judges each file."""
        folder = os.path.dirname(os.path.abspath(path))
        repository = self.repository(folder)
        if repository is None:
            return False
        specs = self.specs(folder, repository)
        if is_dir and prune and any(pattern.include is False for _, spec in specs for pattern in spec.patterns):
            return False
        decision = None
        for base, spec in specs:
            relative = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                decision = result.include
        return bool(decision)


@dataclass
class Discovered:
    """The files of a run, per canon (keyed by the canon file's path), and what was noticed."""

    python: dict[str, list[str]] = field(default_factory=dict)
    dependency: dict[str, list[str]] = field(default_factory=dict)
    canons: dict[str, Canon] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # folders that cannot be listed
    notes: list[str] = field(default_factory=list)
    without_canon: list[str] = field(default_factory=list)
    searched_canon: bool = False  # some path had a canon above it


def _wanted_kind(name: str, path: str) -> str | None:
    if name.endswith(".py"):
        return "python"
    if name.endswith((".txt", ".toml")) and is_dependency_file(Path(path)):
        return "dependency"
    return None


def discover(paths: Sequence[Path], finder: CanonFinder) -> Discovered:
    """Every file a run over ``paths`` checks, with its canon. Files named one by one obey the
    same folder skips and ``exclude`` as files found in folders (pre-commit names them one by
    one)."""
    out = Discovered()
    reads = finder.reads
    seen_files: set[str] = set()
    seen_folders: set[tuple[int, int]] = set()
    venv_cache: dict[str, bool] = {}
    gitignore = GitIgnore(reads)

    def add(path: str, kind: str, canon: Canon | None) -> None:
        absolute = os.path.abspath(path)
        if absolute in seen_files:
            return
        seen_files.add(absolute)
        if canon is None:
            out.without_canon.append(path)
            return
        key = canon_key(canon)
        out.canons[key] = canon
        (out.python if kind == "python" else out.dependency).setdefault(key, []).append(path)

    def special(path: str) -> str | None:
        """Why a file entry is not a regular file (after following links), or None. A link
        that leads nowhere (or in a loop) is left to the reader: it reports it as unreadable."""
        try:
            found = os.stat(path)
        except OSError:
            return None
        if stat_module.S_ISREG(found.st_mode):
            return None
        return kind_of(found.st_mode)

    def take_file(path: str, name: str, regular: bool | None) -> None:
        kind = _wanted_kind(name, path)
        if kind is None:
            return
        canon = finder.canon_for(os.path.dirname(os.path.abspath(path)))
        if canon is not None and is_excluded(path, canon):
            return
        if not regular:
            why = special(path)
            if why is not None:
                out.notes.append(f"{display_path(Path(path))}: skipped: {why}")
                return
        add(path, kind, canon)

    def walk(folder: str) -> None:
        # A folder named on the command line is walked even if git ignores it (or a folder
        # above it: benchmarks/.cache/corpus); then what is below it is not matched either.
        named_ignored = gitignore.ignored(folder, True, prune=False)
        stack = [folder]
        while stack:
            here = stack.pop()
            try:
                identity = os.stat(here)
            except OSError:
                identity = None
            if identity is not None and identity.st_ino:  # 0: the file system has no inode numbers
                key = (identity.st_dev, identity.st_ino)
                if key in seen_folders:
                    continue
                seen_folders.add(key)
            try:
                entries = reads.scandir(here)
            except OSError as exc:
                canon = finder.canon_for(os.path.dirname(os.path.abspath(here)))
                if canon is not None or finder.canon_for(here) is not None:
                    shown = display_path(Path(here))
                    reason = exc.strerror or str(exc)
                    out.findings.append(
                        Finding(
                            shown, 1, 1, 1, 1, "CANON902", f"cannot list folder: {reason}; its files were not checked"
                        )
                    )
                continue
            canon = finder.canon_for(here)
            git = canon is not None and canon.respect_gitignore and not named_ignored
            subfolders = []
            for entry in entries:
                name = entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    if _skipped_folder_name(name):
                        continue
                    if canon is not None and is_excluded(entry.path, canon):
                        continue
                    if git and gitignore.ignored(entry.path, True):
                        continue
                    if reads.has(entry.path, "pyvenv.cfg"):
                        continue  # a virtual environment, until its pyvenv.cfg goes
                    subfolders.append(entry.path)
                    continue
                if _wanted_kind(name, entry.path) is None:
                    continue
                if git and gitignore.ignored(entry.path, False):
                    continue
                try:
                    regular = entry.is_file(follow_symlinks=False)
                except OSError:
                    regular = False
                if not regular and entry.is_symlink():
                    try:
                        if os.path.isdir(entry.path):
                            continue  # links to folders are not followed (as flake8 and ruff)
                    except OSError:
                        pass
                take_file(entry.path, name, regular)
            stack.extend(reversed(subfolders))

    for path in paths:
        text = str(path)
        try:
            found = os.stat(text)
        except OSError:
            if not os.path.islink(text):
                raise UsageError(f"{path}: {absent(path)}") from None
            found = os.lstat(text)  # a broken link named one by one: the reader reports it
        folder = text if stat_module.S_ISDIR(found.st_mode) else os.path.dirname(os.path.abspath(text))
        canon = finder.canon_for(folder)
        if canon is not None:
            out.searched_canon = True
        if stat_module.S_ISDIR(found.st_mode):
            walk(text)
            continue
        if canon is not None and in_skipped_folder(text, canon, venv_cache, reads):
            continue
        kind = _wanted_kind(os.path.basename(text), text)
        if kind is None:
            continue
        if canon is not None and is_excluded(text, canon):
            continue
        if not stat_module.S_ISREG(found.st_mode) and not stat_module.S_ISLNK(found.st_mode):
            out.notes.append(f"{display_path(Path(text))}: skipped: {kind_of(found.st_mode)}")
            continue
        add(text, kind, canon)
    return out


def absent(path: str | os.PathLike[str]) -> str:
    """Why a path named on the command line is not there, in words: missing, or a name too long."""
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return "path too long for the system (shorten it, or run from a folder nearer the file)"
    return "no such file or folder"
