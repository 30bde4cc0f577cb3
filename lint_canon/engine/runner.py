"""A check run over many files, each against the canon of its own folder.

The parts, in the order a run goes through them (flake8's split):

- ``CanonFinder``: the canon of a folder (``--config``, else ``[tool.lint-canon] config`` in the
  nearest ``pyproject.toml``, else the nearest ``canon.yaml``), looked up and loaded once per
  folder;
- ``discover``: the files under the paths given, grouped by canon, minus skipped folders and each
  canon's ``exclude``; only regular files (FIFOs, devices, sockets, broken links are noted on
  stderr and left alone); folders that cannot be listed are findings;
- reading: each file at most once, never past ``max_file_size``;
- checking: the prefilter, then the parse and the rules in worker processes (``isolation``),
  answered from the per-file cache where the content is known;
- project checks: dependency files and the DONE doc, per canon.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lint_canon.canon.config import CANON_FILE, Canon, canon_file_in, load_canon
from lint_canon.canon.globs import match_path
from lint_canon.canon.paths import canon_relpath, display_path
from lint_canon.engine.checker import SKIP_DIRS, Checker, Selection, astuple_without_path, unreadable
from lint_canon.engine.files import kind_of
from lint_canon.engine.isolation import DEFAULT_TIMEOUT, Failure, Pool
from lint_canon.errors import ConfigError, UsageError
from lint_canon.output.findings import Finding
from lint_canon.output.located import located
from lint_canon.project.dependencies import is_dependency_file

_CHUNK = 64
_PARALLEL_SCREEN_FROM = 32  # files; fewer are prefiltered in this process


class CanonFinder:
    """The canon of each folder: ``forced`` for all, else found by walking up, once per folder."""

    def __init__(self, forced: Canon | None = None, record: Any = None) -> None:
        self.forced = forced
        self.record = record
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
            if self.record is not None:
                # A canon.yaml or a [tool.lint-canon] table added here would be found instead.
                self.record.folder(here)
                self.record.file(os.path.join(here, "pyproject.toml"))
            named = canon_file_in(Path(here))
            if named is not None:
                canon = self._load(str(named))
                break
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
        for visited in chain:
            self._by_folder[visited] = canon
        return canon

    def _load(self, path: str) -> Canon:
        canon = self._loaded.get(path)
        if canon is None:
            canon = self._loaded[path] = load_canon(path)
            if self.record is not None:
                self.record.file(str(canon.path))
        return canon

    def canons(self) -> list[Canon]:
        if self.forced is not None:
            return [self.forced]
        return list(self._loaded.values())


def _skipped_folder_name(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info")


def is_excluded(path: str, canon: Canon) -> bool:
    """Does the canon's ``exclude`` cover ``path``?"""
    return bool(canon.exclude) and match_path(canon_relpath(canon.root, path), canon.exclude)


def in_skipped_folder(path: str, canon: Canon, venvs: dict[str, bool] | None = None, record: Any = None) -> bool:
    """Is ``path`` inside a folder a walk from the canon's folder would not enter (``.git``,
    ``build``, a virtual environment ...)? For files named one by one (pre-commit, flake8)."""
    rel = canon_relpath(canon.root, path)
    if rel.startswith("../") or os.path.isabs(rel):
        return False
    venvs = {} if venvs is None else venvs
    folder = os.path.abspath(canon.root)
    for part in rel.split("/")[:-1]:
        if _skipped_folder_name(part):
            return True
        folder = os.path.join(folder, part)
        if folder not in venvs:
            venvs[folder] = os.path.exists(os.path.join(folder, "pyvenv.cfg"))
            if record is not None:
                record.folder(folder)  # a pyvenv.cfg put here would make it a skipped folder
        if venvs[folder]:
            return True
    return False


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


def discover(paths: Sequence[Path], finder: CanonFinder, record: Any = None) -> Discovered:
    """Every file a run over ``paths`` checks, with its canon. Files named one by one obey the
    same folder skips and ``exclude`` as files found in folders (pre-commit names them one by
    one)."""
    out = Discovered()
    seen_files: set[str] = set()
    seen_folders: set[tuple[int, int]] = set()
    venv_cache: dict[str, bool] = {}

    def add(path: str, kind: str, canon: Canon | None) -> None:
        absolute = os.path.abspath(path)
        if absolute in seen_files:
            return
        seen_files.add(absolute)
        if canon is None:
            out.without_canon.append(path)
            return
        key = str(canon.path)
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
            if record is not None:
                record.folder(here)  # a file added, removed or renamed here changes its mtime
            try:
                with os.scandir(here) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
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
                    if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        if record is not None:
                            record.folder(entry.path)  # until its pyvenv.cfg goes
                        continue
                    subfolders.append(entry.path)
                    continue
                if _wanted_kind(name, entry.path) is None:
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
                raise UsageError(f"{path}: no such file or folder") from None
            found = os.lstat(text)  # a broken link named one by one: the reader reports it
        folder = text if stat_module.S_ISDIR(found.st_mode) else os.path.dirname(os.path.abspath(text))
        canon = finder.canon_for(folder)
        if canon is not None:
            out.searched_canon = True
        if stat_module.S_ISDIR(found.st_mode):
            walk(text)
            continue
        if canon is not None and in_skipped_folder(text, canon, venv_cache, record):
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


# --- checking ---------------------------------------------------------------------------------

_CHECKERS: list[Checker] = []


def _setup(checkers: list[Checker]) -> None:
    global _CHECKERS
    _CHECKERS = checkers
    for checker in checkers:
        checker.load()


def _task(item: tuple[str, Any]) -> Any:
    kind, payload = item
    if kind == "source":  # (checker, text, shown path, canon-relative path, package): flake8
        checker, text, shown, rel, package = payload
        return checker.check_source(text, shown, rel, package)
    if kind == "screen":  # [(checker index, bytes, package)] -> [needs parsing?]
        return [_CHECKERS[index].may_hold_finding(data, package) for index, data, package in payload]
    index, path, data = payload
    return _CHECKERS[index].check_python_file(Path(path), data, prefiltered=True)


@dataclass
class RunResult:
    findings: list[Finding]
    notes: list[str]
    canons: list[Canon]
    cache_dirs: list[Path]


def check_run(
    paths: Sequence[Path],
    selection: Selection,
    *,
    config: Path | None = None,
    canon: Canon | None = None,
    jobs: int = 1,
    use_cache: bool = False,
    cache_dir: Path | None = None,
    record: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    use_prefilter: bool = True,
) -> RunResult:
    """Every finding of a run over ``paths``, sorted; ``canon`` or ``config`` force one canon."""
    forced = canon if canon is not None else (load_canon(config) if config is not None else None)
    finder = CanonFinder(forced, record)
    if forced is not None and record is not None:
        record.file(str(forced.path))
    found = discover(paths, finder, record)
    notes = list(found.notes)
    if forced is None and not found.canons and (found.without_canon or not found.searched_canon):
        # Files, none with a canon above; or no canon above any path given.
        where = Path(found.without_canon[0]) if found.without_canon else Path(paths[0] if paths else ".").absolute()
        raise ConfigError(
            display_path(where),
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one (see the README) or pass --config FILE",
        )
    if found.without_canon:
        count = len(found.without_canon)
        notes.append(
            f"{count} file{'s' if count != 1 else ''} with no {CANON_FILE} above {'them' if count != 1 else 'it'} "
            f"not checked (first: {display_path(Path(found.without_canon[0]))})"
        )

    # Every canon met (also one with no Python or dependency file under it: its DONE doc).
    every = {str(c.path): c for c in finder.canons()} | found.canons
    canons = [forced] if forced is not None else [every[k] for k in sorted(every)]
    keys = [str(c.path) for c in canons]
    checkers = [Checker(c, selection, use_prefilter=use_prefilter) for c in canons]
    findings: list[Finding] = [f for f in found.findings if selection.wants(f.code)]
    seen: set[Finding] = set()
    cache_dirs: list[Path] = []

    # Dependency files and the DONE doc, per canon (pure-Python parsers, in this process).
    for index, checker in enumerate(checkers):
        for file in found.dependency.get(keys[index], []):
            read: set[Path] = set()
            for finding in checker.check_dependency_file(Path(file), read):
                if finding not in seen:  # an included file may also be checked on its own
                    seen.add(finding)
                    findings.append(finding)
            if record is not None:
                for path in (Path(file), *read):
                    record.file(str(path))
        if checker.covers_done_states(paths):
            findings.extend(checker.check_done_states(record))

    # Python files: the cache, then the prefilter, then the parse in workers.
    todo: list[tuple[int, str, bytes]] = []
    caches: list[Any] = []
    pending: list[tuple[int, str, Any, str]] = []
    for index, checker in enumerate(checkers):
        files = found.python.get(keys[index], [])
        cache = None
        if use_cache:
            from lint_canon.engine.cache import FileCache, cache_key, prepare
            from lint_canon.engine.runcache import FOLDER

            folder = cache_dir or checker.canon.root / FOLDER
            prepare(folder)
            parent = os.path.dirname(os.path.abspath(folder))
            if record is not None and parent in record.folders:
                record.folder(parent)  # the cache folder, created by this run, changed it
            if folder not in cache_dirs:
                cache_dirs.append(folder)
            cache = FileCache(folder, cache_key(checker.cache_identity()))
        caches.append(cache)
        for file in files:
            if cache is None:
                data = checker.read_python(file)
                if isinstance(data, Finding):
                    findings.extend(checker.keep([data], []))
                    continue
                todo.append((index, file, data))
                pending.append((index, file, None, ""))
                continue
            absolute = os.path.abspath(file)
            try:
                stat = os.stat(absolute)
            except OSError as exc:
                findings.extend(checker.keep([unreadable(file, exc)], []))
                if record is not None:
                    record.file(absolute)
                continue
            if record is not None:
                record.file(absolute, stat)
            hit = cache.by_stat(absolute, stat)
            if hit is None:
                data = checker.read_python(file)
                if isinstance(data, Finding):
                    findings.extend(checker.keep([data], []))
                    continue
                from lint_canon.engine.cache import digest

                content_digest = digest(data)
                hit = cache.by_content(absolute, stat, content_digest)
                if hit is None:
                    todo.append((index, file, data))
                    pending.append((index, absolute, stat, content_digest))
                    continue
            if hit:
                shown = display_path(Path(file))
                findings.extend(Finding(shown, *rest) for rest in hit)

    results = _check_python(checkers, todo, jobs, timeout)
    for (index, absolute, stat, content_digest), (result, analysed) in zip(pending, results, strict=True):
        findings.extend(result)
        cache = caches[index]
        # Only what an analysis found is kept: a crash or a timeout may not happen again (a
        # busy machine, a larger --timeout).
        if cache is not None and analysed:
            cache.store(absolute, stat, content_digest, [astuple_without_path(f) for f in result])
    for cache in caches:
        if cache is not None:
            cache.save()
    # Each finding with what formatters need (canon-relative path, its line's text): formatters
    # and baselines read nothing.
    return RunResult(located(sorted(set(findings)), canons), notes, canons, cache_dirs)


def _check_python(
    checkers: list[Checker], todo: list[tuple[int, str, bytes]], jobs: int, timeout: float
) -> list[tuple[list[Finding], bool]]:
    """The findings of each (checker index, path, bytes), in order, and whether they come from
    an analysis (not from a worker that crashed or ran out of time)."""
    if not todo:
        return []
    for checker in checkers:
        checker.load()
    jobs = max(1, min(jobs, len(todo)))
    with Pool(_task, jobs=jobs, timeout=timeout, state=checkers, setup=_setup) as pool:
        # The prefilter first: most files end there (in the workers, over chunks, when it pays).
        if jobs > 1 and len(todo) >= _PARALLEL_SCREEN_FROM:
            chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
            screened = pool.map(
                [
                    ("screen", [(index, data, checkers[index].package_of(path)) for index, path, data in chunk])
                    for chunk in chunks
                ]
            )
            passes = []
            for chunk, verdicts in zip(chunks, screened, strict=True):
                if isinstance(verdicts, Failure):  # cannot happen with regexes; parse them all then
                    verdicts = [True] * len(chunk)
                passes.extend(verdicts)
        else:
            passes = [
                checkers[index].may_hold_finding(data, checkers[index].package_of(path)) for index, path, data in todo
            ]
        results: list[tuple[list[Finding], bool]] = [([], True) for _ in todo]
        # Then the files to parse, one task each and the largest first, so that the workers
        # finish together.
        survivors = sorted((i for i, ok in enumerate(passes) if ok), key=lambda i: -len(todo[i][2]))
        outcomes = pool.map([("check", todo[i]) for i in survivors])
        for i, outcome in zip(survivors, outcomes, strict=True):
            index, path, data = todo[i]
            if isinstance(outcome, Failure):
                results[i] = (checkers[index].failed(Path(path), data, outcome), False)
            else:
                results[i] = (outcome, True)
    return results
