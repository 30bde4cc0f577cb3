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

``[tool.lint-canon]`` in the pyproject.toml of the folder that names a canon (``--config FILE``:
FILE's folder) adds ``select``, ``ignore`` and ``exclude`` to that canon's run, as ruff reads its
settings: ``--select`` on the command line replaces their select and ignore; without it, their
select replaces the default and ``--ignore`` is added to their ignore.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.canon.settings import settings_in, settings_of, with_settings
from lint_canon.engine.checker import Checker, astuple_without_path, from_tuple, unreadable
from lint_canon.engine.discovery import CanonFinder, canon_key, discover
from lint_canon.engine.isolation import DEFAULT_TIMEOUT, Failure, Pool
from lint_canon.engine.reads import RunReader
from lint_canon.engine.suppressions import Selection, under_settings
from lint_canon.output.findings import Finding
from lint_canon.output.located import located
from lint_canon_guard.config import CANON_FILE, Canon
from lint_canon_guard.errors import ConfigError

_CHUNK = 64
_PARALLEL_SCREEN_FROM = 32  # files; fewer are prefiltered in this process


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
    # Each canon's own selection: it reaches the per-file cache key (Checker.cache_identity).
    checkers = [Checker(c, _selection(c, selection, select_given), use_prefilter=use_prefilter) for c in canons]
    findings: list[Finding] = [f for f in found.findings if selection.wants(f.code)]
    seen: set[Finding] = set()
    cache_dirs: list[Path] = []

    # Dependency files and the DONE doc, per canon (pure-Python parsers, in this process).
    for index, checker in enumerate(checkers):
        for file in found.dependency.get(keys[index], []):
            for finding in checker.check_dependency_file(Path(file), reads=reads):
                if finding not in seen:  # an included file may also be checked on its own
                    seen.add(finding)
                    findings.append(finding)
        if checker.covers_done_states(paths):
            findings.extend(checker.check_done_states(reads))

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

    results = _check_python(checkers, todo, jobs, timeout)
    for (index, entry, stat, content_digest), (result, analysed) in zip(pending, results, strict=True):
        findings.extend(result)
        cache = caches[index]
        # Only what an analysis found is kept: a crash or a timeout may not happen again (a
        # busy machine, a larger --timeout).
        if cache is not None and analysed:
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


def _selection(canon: Canon, selection: Selection, select_given: bool) -> Selection:
    """``selection`` under the canon's ``[tool.lint-canon]`` select and ignore, whose codes are
    checked as --select and --ignore are: a prefix of no code is an error naming the closest."""
    settings = settings_of(canon)
    if settings is None:
        return selection
    from lint_canon.output.docs import unknown_code

    for key in ("select", "ignore"):
        problem = unknown_code(getattr(settings, key) or ())
        if problem is not None:
            raise settings.error(key, problem)
    return under_settings(selection, settings.select, settings.ignore, select_given)


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
