"""The one engine behind every front end: files → prefilter → parse → rules → findings.

A Python file is read as bytes and skipped unless it holds one of the tokens the active rules
ask for (a module name of a ban, ...): most files of a large repository cannot hold a finding
and are never parsed. The rest are parsed once with libcst and traversed once by the import
tracker and every rule together; positions are computed only for files that have a report.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.config import Canon
from lint_canon.deps import is_dependency_file
from lint_canon.errors import UsageError
from lint_canon.findings import Finding
from lint_canon.globs import match_path
from lint_canon.paths import display_path
from lint_canon.prefilter import Prefilter

# libcst and the rules are imported when a file has to be parsed, not before: a run that the
# cache answers never pays for them.
DONE_CODES = ("CANON401", "CANON402", "CANON403")

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

_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"^\s*# flake8[:=]\s*noqa\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Selection:
    """``--select`` / ``--ignore`` as flake8 reads them: code prefixes, the longer match wins."""

    select: tuple[str, ...] = ("CANON",)
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        selected = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return selected >= 0 and selected >= ignored


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would: BOM, PEP 263 cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def suppressed(finding: Finding, lines: Sequence[str]) -> bool:
    """flake8's ``# noqa`` / ``# noqa: CODE[,CODE]`` on the finding's line (codes as prefixes)."""
    if not 0 < finding.line <= len(lines):
        return False
    match = _NOQA.search(lines[finding.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return any(finding.code.startswith(code.upper()) for code in re.split(r"[,\s]+", codes.strip()) if code)


class Checker:
    """Checks files against one canon; picklable, so worker processes get their own copy."""

    def __init__(
        self, canon: Canon, selection: Selection | None = None, apply_noqa: bool = True, use_prefilter: bool = True
    ) -> None:
        self.canon = canon
        self.selection = selection or Selection()
        self.apply_noqa = apply_noqa
        # Off only to prove that the prefilter never changes an answer (the differential test).
        self.use_prefilter = use_prefilter
        self.wants_done_states = bool(canon.done_doc) and any(self.selection.wants(c) for c in DONE_CODES)
        self._root = os.path.abspath(canon.root)
        self._loaded = False

    def _load(self) -> None:
        """The active rules and the prefilter derived from them (imports libcst)."""
        if self._loaded:
            return
        from lint_canon.rules import DEPENDENCY_RULES, DONE_STATE_RULES, PYTHON_RULES

        canon, wanted = self.canon, self.selection.wants
        self.python_rules = [r for r in PYTHON_RULES if r.applies(canon) and any(wanted(c) for c in r.codes)]
        self.dependency_rules = [r for r in DEPENDENCY_RULES if r.applies(canon) and any(wanted(c) for c in r.codes)]
        self.done_state_rules = [
            r for r in DONE_STATE_RULES if self.wants_done_states and any(wanted(c) for c in r.codes)
        ]
        groups: set[Any] | None = set()
        for rule in self.python_rules:
            wanted_groups = rule.tokens(canon)
            if wanted_groups is None:
                groups = None
                break
            groups.update(wanted_groups)
        self.token_groups: tuple[tuple[Any, ...], ...] | None = None if groups is None else tuple(sorted(groups))
        self._prefilter = None if groups is None else Prefilter(groups)
        self._loaded = True

    def __getattr__(self, name: str) -> Any:
        # python_rules, token_groups, ... appear on first use.
        if name in (
            "python_rules",
            "dependency_rules",
            "done_state_rules",
            "token_groups",
            "_prefilter",
        ):
            self._load()
            return self.__dict__[name]
        raise AttributeError(name)

    # --- single files --------------------------------------------------------------------

    def relpath(self, path: Path | str) -> str:
        """POSIX path relative to the canon's folder, for ``exclude`` and ``allow_in``."""
        absolute = os.path.abspath(path)
        if absolute.startswith(self._root + os.sep):
            return absolute[len(self._root) + 1 :].replace(os.sep, "/")
        if absolute == self._root:
            return "."
        return Path(display_path(Path(path))).as_posix()

    def may_hold_finding(self, data: bytes) -> bool:
        """The prefilter: can a file with these bytes hold a finding of an active rule?"""
        if not self.python_rules:
            return False
        if self._prefilter is None or not self.use_prefilter:
            return True
        return self._prefilter(data)

    def check_python_file(self, path: Path, data: bytes | None = None, prefiltered: bool = False) -> list[Finding]:
        """Check one Python file; ``data`` is its bytes when the caller has read them already,
        ``prefiltered`` says the prefilter has let them through already."""
        shown = display_path(path)
        if data is None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                return self._keep(
                    [Finding(shown, 1, 1, 1, 1, "CANON902", f"cannot read file: {exc.strerror or exc}")], []
                )
        if not prefiltered and not self.may_hold_finding(data):
            return []
        return self.check_source(data, shown, self.relpath(path))

    def check_source(self, data: bytes | str, path: str, relpath: str | None = None) -> list[Finding]:
        """Check Python source (bytes as read from disk, or text already decoded)."""
        relpath = relpath if relpath is not None else Path(path).as_posix()
        if isinstance(data, bytes):
            try:
                text = decode_source(data)
            except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
                line = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else 1
                reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
                return self._keep([Finding(path, line, 1, line, 1, "CANON902", f"cannot decode file: {reason}")], [])
        else:
            text = data
        lines = text.splitlines()
        if self.apply_noqa and _FILE_NOQA.search(text):
            return []
        import libcst as cst

        from lint_canon.names import ImportTracker
        from lint_canon.positions import node_positions
        from lint_canon.rules.base import FileContext
        from lint_canon.walker import Walker

        try:
            module = cst.parse_module(text)
        except Exception as exc:  # libcst raises more than ParserSyntaxError (CSTLogicError, ...)
            return self._keep([self._syntax_error(exc, text, path)], lines)

        tracker = ImportTracker(module)
        ctx = FileContext(path, relpath, self.canon, tracker)
        Walker([tracker, *(rule(ctx) for rule in self.python_rules)]).walk(module)
        if not ctx.reports:
            return []
        positions = node_positions(module, text, [report.node for report in ctx.reports])
        findings = []
        for report in ctx.reports:
            line, col, end_line, end_col = positions[id(report.node)]
            findings.append(Finding(path, line, col + 1, end_line, end_col + 1, report.code, report.message))
        return self._keep(findings, lines)

    def _syntax_error(self, exc: Exception, text: str, path: str) -> Finding:
        # CPython's own parser places most errors better than libcst's; libcst is the judge only
        # of syntax newer than the running interpreter, where CPython fails first.
        try:
            ast.parse(text)
        except SyntaxError as syntax:
            line = syntax.lineno or 1
            col = syntax.offset or 1
            return Finding(path, line, col, line, col, "CANON901", f"syntax error: {syntax.msg}")
        except (ValueError, RecursionError, MemoryError) as other:
            return Finding(path, 1, 1, 1, 1, "CANON901", f"syntax error: {other}")
        line = getattr(exc, "raw_line", None) or 1
        col = (getattr(exc, "raw_column", None) or 0) + 1
        message = getattr(exc, "message", None) or "libcst cannot parse this file"
        return Finding(path, line, col, line, col, "CANON901", f"syntax error: {str(message).splitlines()[0]}")

    def check_dependency_file(self, path: Path, read: set[Path] | None = None) -> list[Finding]:
        """Findings of a requirements file or pyproject.toml; ``read`` gathers the files a
        requirements file reads (itself and its includes, found or not)."""
        wanted_problems = self.selection.wants("CANON901") or self.selection.wants("CANON902")
        if not self.dependency_rules and not wanted_problems:
            return []
        from lint_canon.deps import read_dependency_file

        dependencies, problems = read_dependency_file(path, read)
        findings = [Finding(p.path, p.line, 1, p.line, 1, p.code, p.message) for p in problems]
        by_file: dict[str, list[str]] = {}
        for rule_class in self.dependency_rules:
            rule = rule_class(self.canon)
            for report in rule.check(dependencies, self.relpath(path)):
                dep = report.dependency
                findings.append(
                    Finding(dep.path, dep.line, dep.col, dep.line, dep.col + len(dep.name), report.code, report.message)
                )
        kept = []
        for finding in findings:
            if finding.path not in by_file:
                try:
                    by_file[finding.path] = Path(finding.path).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError):
                    by_file[finding.path] = []
            kept.extend(self._keep([finding], by_file[finding.path]))
        return kept

    def _keep(self, findings: list[Finding], lines: Sequence[str]) -> list[Finding]:
        return [f for f in findings if self.selection.wants(f.code) and not (self.apply_noqa and suppressed(f, lines))]

    # --- many files ----------------------------------------------------------------------

    def discover(self, paths: Iterable[Path], record: Any = None) -> tuple[list[str], list[Path]]:
        """Python files (as path strings) and dependency files under ``paths``, minus skipped
        folders and the canon's ``exclude``. Files named explicitly are taken when their kind is
        known. Strings, not Path objects: a large tree has thousands of files, most of them
        answered by the cache without ever becoming more than a name."""
        python: list[str] = []
        dependency: list[Path] = []
        exclude = self.canon.exclude

        def excluded(path: str) -> bool:
            return bool(exclude) and match_path(self.relpath(path), exclude)

        def take(path: str, name: str) -> None:
            if name.endswith(".py"):
                if not excluded(path):
                    python.append(path)
            elif name.endswith((".txt", ".toml")) and is_dependency_file(Path(path)) and not excluded(path):
                dependency.append(Path(path))

        def walk(folder: str) -> None:
            if record is not None:
                record.folder(folder)  # a file added, removed or renamed here changes its mtime
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                return
            for entry in entries:
                name = entry.name
                if entry.is_dir():
                    if name in SKIP_DIRS or name.endswith(".egg-info") or excluded(entry.path):
                        continue
                    if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        if record is not None:
                            record.folder(entry.path)  # until its pyvenv.cfg goes
                        continue
                    walk(entry.path)
                else:
                    take(entry.path, name)

        for path in paths:
            if path.is_file():
                take(str(path), path.name)
                continue
            if not path.is_dir():
                raise UsageError(f"{path}: no such file or folder")
            walk(str(path))
        return python, dependency

    # --- the DONE-state contract -----------------------------------------------------------

    def done_state_files(self) -> tuple[Path, list[Path]]:
        """The DONE doc and the SQL files the canon names (folders searched for *.sql)."""
        root = self.canon.root
        doc = root / (self.canon.done_doc or "")
        sql: list[Path] = []
        for entry in self.canon.done_sql:
            path = root / entry
            sql += sorted(path.rglob("*.sql")) if path.is_dir() else [path]
        return doc, sql

    def covers_done_states(self, paths: Iterable[Path]) -> bool:
        """Does a run over ``paths`` include the DONE doc or its SQL (a file or a parent folder)?"""
        if not self.wants_done_states:
            return False
        doc, sql = self.done_state_files()
        targets = [
            doc.absolute(),
            *(p.absolute() for p in sql),
            *((self.canon.root / e).absolute() for e in self.canon.done_sql),
        ]
        for path in paths:
            given = path.absolute()
            if any(t == given or given in t.parents for t in targets):
                return True
        return False

    def check_done_states(self, record: Any = None) -> list[Finding]:
        """CANON401-403: the DONE doc against the SQL fn_check_*_done functions. ``record`` (a
        runcache.RunRecord) is told the files and folders read."""
        from pglast.parser import ParseError

        from lint_canon.done_states import read_doc, read_sql
        from lint_canon.sqltext import error_line

        doc, sql_files = self.done_state_files()
        if record is not None:
            self._record_done_state_files(record, doc, sql_files)
        shown_doc = display_path(doc)
        findings: list[Finding] = []
        try:
            rows = read_doc(doc.read_text(encoding="utf-8"), doc)
        except (OSError, UnicodeDecodeError) as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
            return self._keep(
                [Finding(shown_doc, 1, 1, 1, 1, "CANON902", f"cannot read the DONE doc (done_states.doc): {reason}")],
                [],
            )
        checkers = []
        for path in sql_files:
            shown = display_path(path)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = "no such file" if isinstance(exc, FileNotFoundError) else str(exc)
                findings.append(
                    Finding(shown, 1, 1, 1, 1, "CANON902", f"cannot read SQL file (done_states.sql): {reason}")
                )
                continue
            try:
                checkers += read_sql(path, text)
            except ParseError as exc:
                line = error_line(exc, text)
                findings.append(Finding(shown, line, 1, line, 1, "CANON901", f"cannot parse SQL: {exc.args[0]}"))
        for rule in self.done_state_rules:
            for report in rule().check(rows, checkers):
                shown = display_path(report.path)
                findings.append(Finding(shown, report.line, 1, report.line, 1, report.code, report.message))
        return self._keep(findings, [])

    def check_paths(
        self, paths: Iterable[Path], jobs: int = 1, cache_dir: Path | None = None, record: Any = None
    ) -> list[Finding]:
        """Every finding under ``paths``, sorted by path and position. With ``cache_dir``,
        Python files whose content did not change are answered from the cache. ``record`` (a
        runcache.RunRecord) is told every file and folder the run reads."""
        paths = list(paths)
        python, dependency = self.discover(paths, record)
        findings: list[Finding] = []
        seen: set[Finding] = set()
        for file in dependency:
            read: set[Path] = set()
            for finding in self.check_dependency_file(file, read):
                if finding not in seen:  # an included file may also be checked on its own
                    seen.add(finding)
                    findings.append(finding)
            if record is not None:
                for path in (file, *read):
                    record.file(str(path))
        if cache_dir is None:
            findings.extend(self._check_python_files(python, jobs))
        else:
            findings.extend(self._check_with_cache(python, jobs, cache_dir, record))
        if self.covers_done_states(paths):
            findings.extend(self.check_done_states(record))
        return sorted(set(findings))

    def _record_done_state_files(self, record: Any, doc: Path, sql: list[Path]) -> None:
        for path in (doc, *sql):
            record.file(str(path))
        for entry in self.canon.done_sql:  # a folder: a new .sql file in it would be read
            for walked, _, _ in os.walk(self.canon.root / entry):
                record.folder(walked)

    def _check_with_cache(self, files: list[str], jobs: int, cache_dir: Path, record: Any = None) -> list[Finding]:
        """Each file is stat-ed once; read (once) only when its stat changed; checked only when
        the cache does not know its content."""
        from lint_canon.cache import FileCache, cache_key, digest

        key = cache_key(
            self.canon.digest, str(self.canon.path), self.selection.select, self.selection.ignore, self.apply_noqa
        )
        cache = FileCache(cache_dir, key)
        findings: list[Finding] = []
        todo: list[tuple[Path, bytes | None]] = []
        pending: list[tuple[str, os.stat_result, str]] = []  # beside todo: where its findings go
        abspath, stat_of, by_stat = os.path.abspath, os.stat, cache.by_stat
        for file in files:
            absolute = abspath(file)
            try:
                stat = stat_of(absolute)
                hit = by_stat(absolute, stat)
                if hit is None:
                    with open(absolute, "rb") as handle:
                        data = handle.read()
            except OSError:
                findings.extend(self.check_python_file(Path(file)))  # reports it as unreadable
                if record is not None:
                    record.file(absolute)
                continue
            if record is not None:
                record.file(absolute, stat)
            if hit is None:
                content_digest = digest(data)
                hit = cache.by_content(absolute, stat, content_digest)
                if hit is None:
                    todo.append((Path(file), data))
                    pending.append((absolute, stat, content_digest))
                    continue
            if hit:
                shown = display_path(Path(file))
                findings.extend(Finding(shown, *rest) for rest in hit)
        results = self._check_python_files_grouped(todo, jobs)
        for (absolute, stat, content_digest), result in zip(pending, results, strict=True):
            findings.extend(result)
            cache.store(absolute, stat, content_digest, [astuple_without_path(f) for f in result])
        cache.save()
        return findings

    def _check_python_files_grouped(self, items: list[tuple[Path, bytes | None]], jobs: int) -> list[list[Finding]]:
        """The findings of each (file, its bytes or None), in order (in worker processes when it pays)."""
        if jobs <= 1 or len(items) < _PARALLEL_FROM:
            return [self.check_python_file(file, data) for file, data in items]
        from concurrent.futures import ProcessPoolExecutor

        self._load()
        chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(self,)) as pool:
            # First the prefilter, over chunks of files: most files end there.
            screened: list[list[Finding] | int] = [r for chunk in pool.map(_screen_chunk, chunks) for r in chunk]
            # Then the files to parse, one task each and the largest first, so that the workers
            # finish together (a chunk holding a few large files kept one worker busy alone).
            survivors = sorted((i for i, r in enumerate(screened) if isinstance(r, int)), key=lambda i: -screened[i])
            for i, result in zip(survivors, pool.map(_check_one, [items[i] for i in survivors]), strict=True):
                screened[i] = result
        return screened  # type: ignore[return-value]  # every size is now the file's findings

    def _check_python_files(self, files: list[str], jobs: int) -> Iterator[Finding]:
        for result in self._check_python_files_grouped([(Path(file), None) for file in files], jobs):
            yield from result


def astuple_without_path(finding: Finding) -> tuple[Any, ...]:
    return (finding.line, finding.col, finding.end_line, finding.end_col, finding.code, finding.message)


_CHUNK = 64
_PARALLEL_FROM = 32  # files; fewer are checked at once, without starting workers
_WORKER: Checker | None = None


def _init_worker(checker: Checker) -> None:
    global _WORKER
    _WORKER = checker


def _screen_chunk(items: list[tuple[Path, bytes | None]]) -> list[list[Finding] | int]:
    """Per file: its final findings ([] when the prefilter rules it out), or its size in bytes
    when it must be parsed."""
    assert _WORKER is not None
    results: list[list[Finding] | int] = []
    for file, data in items:
        if data is None:
            try:
                data = file.read_bytes()
            except OSError:
                results.append(_WORKER.check_python_file(file))  # reports it as unreadable
                continue
        results.append(len(data) if _WORKER.may_hold_finding(data) else [])
    return results


def _check_one(item: tuple[Path, bytes | None]) -> list[Finding]:
    assert _WORKER is not None
    file, data = item
    return _WORKER.check_python_file(file, data, prefiltered=True)
