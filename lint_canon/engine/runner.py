"""A check run over many files, each against the canon of its own folder.

The parts, in the order a run goes through them (flake8's split):

- discovery (``lint_canon.engine.discovery``): the files under the paths given, each with the
  canon of its folder;
- reading: each file at most once, never past ``max_file_size``;
- checking: the prefilter, then the parse and the rules in worker processes (``isolation``),
  answered from the per-file cache where the content is known;
- project checks (``lint_canon.engine.project_checks``): dependency files and the DONE doc, per
  canon;
- suppressions (``lint_canon.engine.suppressions``): select/ignore and noqa, applied per file.

Two entry points: ``check_run`` (paths: the CLI, ``report``) and ``check_sources`` (sources
already read: the CLI's stdin, the inventory; ``Engine`` kept open for the flake8 plugin and the
fixes' re-checks). Both go through ``Engine.check``, the one loop of screen, workers and
failures; what checks a source is a ``FileWork`` (``lint_canon.engine.work``).

``[tool.lint-canon]`` in the pyproject.toml of the folder that names a canon (``--config FILE``:
FILE's folder) adds ``select``, ``ignore`` and ``exclude`` to that canon's run, as ruff reads its
settings: ``--select`` on the command line replaces their select and ignore; without it, their
select replaces the default and ``--ignore`` is added to their ignore.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Generic

from lint_canon.canon.paths import display_path
from lint_canon.canon.settings import settings_in, settings_of, with_settings
from lint_canon.engine import project_checks
from lint_canon.engine.checker import Checker, astuple_without_path, from_tuple, unreadable
from lint_canon.engine.discovery import CanonFinder, canon_key, discover
from lint_canon.engine.isolation import DEFAULT_TIMEOUT, Failure, Pool
from lint_canon.engine.reads import RunReader
from lint_canon.engine.suppressions import Selection, under_settings
from lint_canon.engine.work import FileWork, Result, Source
from lint_canon.output.findings import Finding
from lint_canon.output.located import located
from lint_canon.stacks import run_deep
from lint_canon_guard.config import CANON_FILE, Canon
from lint_canon_guard.errors import ConfigError

_CHUNK = 64
_PARALLEL_SCREEN_FROM = 32  # files; fewer are prefiltered in this process


# --- checking sources: the one entry point of every front end ----------------------------------

_WORK: Sequence[FileWork[Any]] = ()


class _Task(StrEnum):
    SCREEN = "screen"  # [Source] -> [passes the prefilter?]
    ANALYSE = "analyse"  # Source -> its result


def _setup(work: Sequence[FileWork[Any]]) -> None:
    global _WORK
    _WORK = work
    for each in work:
        each.load()


def _run_task(task: tuple[_Task, Any]) -> Any:
    kind, payload = task
    if kind is _Task.SCREEN:
        return [_WORK[source.checker].screen(source) for source in payload]
    return _WORK[payload.checker].analyse(payload)


@dataclass(frozen=True)
class Checked(Generic[Result]):
    """What became of one source: ``result`` None when the prefilter says it cannot hold
    anything; ``analysed`` False when the result stands for a failure (a crash, a timeout),
    which a busy machine or a larger --timeout may not repeat (the cache keeps none)."""

    result: Result | None
    analysed: bool = True


class Engine(Generic[Result]):
    """The workers of a run and what they check with (``work``, indexed by ``Source.checker``).
    ``check`` screens the sources, analyses the rest in worker processes (the largest first),
    and turns a worker's crash or timeout into that source's answer (``FileWork.failed``).
    Kept open, it serves many calls with the same workers (the flake8 plugin: one per file)."""

    def __init__(self, work: Sequence[FileWork[Result]], *, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.work = list(work)
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self._pool: Pool | None = None
        self._pid = os.getpid()
        self._loaded = False

    def __enter__(self) -> Engine[Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()
        self._pool = None

    def check(self, sources: Sequence[Source], *, screen: bool = True) -> list[Checked[Result]]:
        if not sources:
            return []
        if not self._loaded:
            for each in self.work:
                each.load()
            self._loaded = True
        passes = self._screen(sources) if screen else [True] * len(sources)
        results: list[Checked[Result]] = [Checked(None) for _ in sources]
        # One task per source, the largest first, so that the workers finish together.
        survivors = sorted((i for i, ok in enumerate(passes) if ok), key=lambda i: -len(sources[i].data))
        if not survivors:
            return results
        pool = self._workers(len(survivors))
        tasks = [(_Task.ANALYSE, sources[i]) for i in survivors]
        outcomes = [run_deep(partial(_run_task, task)) for task in tasks] if pool is None else pool.map(tasks)
        for i, outcome in zip(survivors, outcomes, strict=True):
            source = sources[i]
            if isinstance(outcome, Failure):
                results[i] = Checked(self.work[source.checker].failed(source, outcome), analysed=False)
            else:
                results[i] = Checked(outcome)
        return results

    def _screen(self, sources: Sequence[Source]) -> list[bool]:
        """The prefilter's verdicts: most files end there (in the workers, over chunks, when
        there are enough of them to pay for sending)."""
        parallel = self.jobs > 1 and len(sources) >= _PARALLEL_SCREEN_FROM
        pool = self._workers(len(sources)) if parallel else None
        if pool is None:
            return [self.work[source.checker].screen(source) for source in sources]
        chunks = [sources[i : i + _CHUNK] for i in range(0, len(sources), _CHUNK)]
        passes: list[bool] = []
        for chunk, verdicts in zip(chunks, pool.map([(_Task.SCREEN, chunk) for chunk in chunks]), strict=True):
            # A regex cannot crash a worker; if one died anyway, parse the chunk's files.
            passes.extend([True] * len(chunk) if isinstance(verdicts, Failure) else verdicts)
        return passes

    def _workers(self, tasks: int) -> Pool | None:
        """The pool (started on first use, never more workers than tasks); None where no
        worker process can be started: a daemonic process on a platform without fork (a flake8
        worker on Windows), whose tasks then run here, on a deep stack."""
        if self._pool is not None and self._pid == os.getpid():
            return self._pool
        if not hasattr(os, "fork") and multiprocessing.current_process().daemon:
            global _WORK
            _WORK = self.work
            return None
        self._pid = os.getpid()  # a forked child (a flake8 worker) gets workers of its own
        jobs = max(1, min(self.jobs, tasks))
        self._pool = Pool(_run_task, jobs=jobs, timeout=self.timeout, state=self.work, setup=_setup)
        return self._pool


def check_sources(
    work: Sequence[FileWork[Result]],
    sources: Sequence[Source],
    *,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    screen: bool = True,
) -> list[Checked[Result]]:
    """What became of each source, in order (see ``Engine``): the one call of a front end
    that checks sources once (the CLI's stdin, the inventory, ``check_run``)."""
    with Engine(work, jobs=jobs, timeout=timeout) as engine:
        return engine.check(sources, screen=screen)


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
    reads: RunReader | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    use_prefilter: bool = True,
    select_given: bool = True,
) -> RunResult:
    """Every finding of a run over ``paths``, sorted; ``canon`` or ``config`` force one canon.
    ``select_given``: ``selection.select`` was asked for (--select), so it replaces the select
    and ignore of each canon's ``[tool.lint-canon]``; else theirs apply, plus ``selection.ignore``."""
    reads = reads or RunReader()  # every read of the run goes through it (and its record)
    forced = canon if canon is not None else (_forced(config, reads) if config is not None else None)
    finder = CanonFinder(forced, reads)
    found = discover(paths, finder)
    notes = list(found.notes)
    if forced is None and not found.canons and (found.without_canon or not found.searched_canon):
        # Files, none with a canon above; or no canon above any path given.
        where = Path(found.without_canon[0]) if found.without_canon else Path(paths[0] if paths else ".").absolute()
        raise ConfigError(
            display_path(where),
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one with `lint-canon init` or pass --config FILE",
        )
    if found.without_canon:
        count = len(found.without_canon)
        notes.append(
            f"{count} file{'s' if count != 1 else ''} with no {CANON_FILE} above {'them' if count != 1 else 'it'} "
            f"not checked (first: {display_path(Path(found.without_canon[0]))})"
        )

    # Every canon met (also one with no Python or dependency file under it: its DONE doc).
    every = {canon_key(c): c for c in finder.canons()} | found.canons
    canons = [forced] if forced is not None else [every[k] for k in sorted(every)]
    keys = [canon_key(c) for c in canons]
    for each in canons:
        if each.tools and not each.hubs:
            # A draft from `lint-canon init`: a guard names a hub, so no CANON301 fix can be made yet.
            notes.append(
                f"{display_path(each.path)}: lists no hubs; fill in 'hubs' and each tool's hubs and interactions "
                "(its 'review:' comments say what): a guard names one of each"
            )
    # Each canon's own selection: it reaches the per-file cache key (Checker.cache_identity).
    checkers = [Checker(c, canon_selection(c, selection, select_given), use_prefilter=use_prefilter) for c in canons]
    findings: list[Finding] = [f for f in found.findings if selection.wants(f.code)]
    seen: set[Finding] = set()
    cache_dirs: list[Path] = []

    # Dependency files and the DONE doc, per canon (pure-Python parsers, in this process).
    for index, checker in enumerate(checkers):
        for file in found.dependency.get(keys[index], []):
            for finding in project_checks.check_dependency_file(checker, Path(file), reads=reads):
                if finding not in seen:  # an included file may also be checked on its own
                    seen.add(finding)
                    findings.append(finding)
        if checker.wants_done_states and project_checks.covers_done_states(checker.canon, paths):
            findings.extend(project_checks.check_done_states(checker, reads))

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
            reads.changed(os.path.dirname(os.path.abspath(folder)))  # making the cache folder changed it
            if folder not in cache_dirs:
                cache_dirs.append(folder)
            cache = FileCache(folder, cache_key(checker.cache_identity()))
        caches.append(cache)
        for file in files:
            if cache is None:
                data = checker.read_python(file, reads)
                if isinstance(data, Finding):
                    findings.extend(checker.keep_reported([data], []))
                    continue
                todo.append((index, file, data))
                pending.append((index, file, None, ""))
                continue
            absolute = os.path.abspath(file)
            try:
                stat = reads.stat(absolute)
            except OSError as exc:
                findings.extend(checker.keep_reported([unreadable(file, exc)], []))
                continue
            # Entries are keyed by the path relative to the canon, so a cache restored into a
            # fresh clone elsewhere answers each unchanged file by its content, without a parse.
            entry = checker.relpath(absolute)
            hit = cache.by_stat(entry, stat)
            if hit is None:
                data = checker.read_python(file, reads)
                if isinstance(data, Finding):
                    findings.extend(checker.keep_reported([data], []))
                    continue
                from lint_canon.engine.cache import digest

                content_digest = digest(data)
                hit = cache.by_content(entry, stat, content_digest)
                if hit is None:
                    todo.append((index, file, data))
                    pending.append((index, entry, stat, content_digest))
                    continue
            if hit:
                shown = display_path(Path(file))
                findings.extend(from_tuple(shown, entry) for entry in hit)

    sources = [Source(index, file, data, display_path(Path(file))) for index, file, data in todo]
    results = check_sources(checkers, sources, jobs=jobs, timeout=timeout)
    for (index, entry, stat, content_digest), checked in zip(pending, results, strict=True):
        result = checked.result or []
        findings.extend(result)
        cache = caches[index]
        # Only what an analysis found is kept: a crash or a timeout may not happen again.
        if cache is not None and checked.analysed:
            cache.store(entry, stat, content_digest, [astuple_without_path(f) for f in result])
    for cache in caches:
        if cache is not None:
            cache.save()
    # Each finding with what formatters need (canon-relative path, its line's text): formatters
    # and baselines read nothing.
    return RunResult(located(sorted(set(findings)), canons), notes, canons, cache_dirs)


def _forced(config: Path, reads: RunReader) -> Canon:
    """The canon of --config, with the settings of the pyproject.toml beside it (recorded: a
    change there must not replay an old run)."""
    canon = reads.load_canon(config)
    try:
        reads.stat(str(canon.root / "pyproject.toml"))
    except OSError:
        pass  # recorded as missing: one that appears changes the run
    settings = settings_in(canon.root)
    return with_settings(canon, settings if settings is not None and settings.applies else None)


def canon_selection(canon: Canon, selection: Selection, select_given: bool) -> Selection:
    """``selection`` under the canon's ``[tool.lint-canon]`` select and ignore, whose codes are
    checked as --select and --ignore are: a prefix of no code is an error naming the closest."""
    from lint_canon.output.docs import unknown_code

    for glob, codes in canon.per_file_ignores:
        problem = unknown_code(codes)
        if problem is not None:
            raise ConfigError(display_path(canon.path), None, f"per_file_ignores.{glob}", problem)
    settings = settings_of(canon)
    if settings is None:
        return selection
    for key in ("select", "ignore"):
        problem = unknown_code(getattr(settings, key) or ())
        if problem is not None:
            raise settings.error(key, problem)
    for _, codes in settings.per_file_ignores:
        problem = unknown_code(codes)
        if problem is not None:
            raise settings.error("per-file-ignores", problem)
    return under_settings(selection, settings.select, settings.ignore, select_given)
