"""One-file checking: decode, parse, walk, rules, positions (the ``Checker`` of a canon and a
selection; the runner calls it for each file, the flake8 plugin for each file flake8 gives it).

A Python file is read as bytes and skipped unless it holds one of the tokens the active rules
ask for (a module name of a ban, ...): most files of a large repository cannot hold a finding
and are never parsed. The rest are parsed once with libcst and traversed once by the import
tracker and every rule together; positions are computed only for files that have a report.
The ``Checker`` checks one file and nothing else: the runner spreads files over workers
(``screen``, ``analyse`` and ``failed`` are what it asks), the project checks
(``project_checks``) are the runner's, and the suppressions (``suppressions``) a part of their own.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import re
import tokenize
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lint_canon.canon.globs import match_path
from lint_canon.canon.paths import canon_relpath, display_path
from lint_canon.canon.settings import settings_of
from lint_canon.engine.isolation import Failure, FailureKind
from lint_canon.engine.prefilter import Prefilter
from lint_canon.engine.reads import RunReader
from lint_canon.engine.suppressions import Selection, file_is_suppressed, keep_unsuppressed
from lint_canon.engine.work import Source
from lint_canon.output.codes import FileKind, codes_reading
from lint_canon.output.findings import Finding, Fix
from lint_canon_guard.config import Canon, repository_root
from lint_canon_guard.lines import split_lines

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.rules.base import FileContext
    from lint_canon.rules.registry import RuleSet

# The rule modules are imported when the rule set is built (a run the cache answers never builds
# it), libcst only when a file has to be parsed (tests/test_rule_table.py).
# The codes of the rules over the DONE doc, from the table of codes: known without the rules.
DONE_CODES = codes_reading(FileKind.PROJECT)


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would: BOM, PEP 263 cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def _normalised_for_prefilter(data: bytes) -> bytes | None:
    """The file as the interpreter reads its names (decoded, NFKC), for the prefilter, when that
    can differ from its bytes: non-ASCII text, or a coding cookie (``utf-7`` spells letters in
    other bytes). None when the bytes are what Python reads."""
    head = data[:400]
    if data.isascii() and b"coding" not in head:
        return None
    try:
        text = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        return b""  # the checker reports it as unreadable: let it through
    return unicodedata.normalize("NFKC", text).encode("utf-8", "surrogatepass")


# Fifty opening brackets or `not`s in a row: no hand-written code does it, generated bombs do
# (libcst takes minutes and gigabytes on them). That is `(?:(?:[(\[{]|\bnot\s)[ \t\r\n\\]*){50}`,
# written to start with a character set (the first opener, or the n of a `not` with a word
# boundary before it) so that the regex engine skips to candidates: 7x faster on real code, the
# same matches (tests/test_engine.py).
BRACKET_BOMB = re.compile(
    r"[(\[{n](?:(?<=[(\[{])|(?<!\wn)(?<=n)ot\s)[ \t\r\n\\]*(?:(?:[(\[{]|\bnot\s)[ \t\r\n\\]*){49}"
)


def unreadable(path: Path | str, exc: OSError) -> Finding:
    """CANON902 for a file the system would not let us stat or read."""
    return Finding(display_path(Path(path)), 1, 1, 1, 1, "CANON902", f"cannot read file: {exc.strerror or exc}")


def _analysis_error(path: str, reason: str) -> Finding:
    return Finding(path, 1, 1, 1, 1, "CANON903", reason)


def _culprit(exc: BaseException) -> str:
    """Which rule a failure came from, read from its traceback: " in CANON301 (missing-guard)"."""
    from lint_canon.analysis.names import ImportTracker
    from lint_canon.rules.base import Rule

    culprit = ""
    tb = exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, Rule):
            culprit = f" in rule {owner.codes[0]} ({type(owner).__name__})"
        elif isinstance(owner, ImportTracker):
            culprit = " in the name resolver"
        tb = tb.tb_next
    return culprit


def cpython_verdict(text: str, path: str) -> Finding | None:
    """CANON901 when CPython rejects the source too (its message and place), else None."""
    try:
        ast.parse(text)
    except SyntaxError as syntax:
        line = syntax.lineno or 1
        col = syntax.offset or 1
        return Finding(path, line, col, line, col, "CANON901", f"syntax error: {syntax.msg}")
    except MemoryError:  # CPython 3.11's parser gives up on code nested too deeply
        return Finding(
            path, 1, 1, 1, 1, "CANON901", "syntax error: too complex for CPython's parser (nested too deeply)"
        )
    except (RecursionError, ValueError):
        return None  # parsed; only building Python's own tree of it went too deep
    return None


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
        self._rules: RuleSet | None = None
        self._prefilter: Prefilter | None = None
        self._star_cache: frozenset[str] | None = None
        self._packages: dict[str, str | None] = {}
        self._ignores: list[tuple[str, str, tuple[str, ...]]] | None = None

    def load(self) -> RuleSet:
        """The active rules and the prefilter derived from their needles, built once."""
        if self._rules is None:
            from lint_canon.rules.registry import RuleSet

            rules = RuleSet(self.canon, self.selection)
            self._prefilter = None if rules.token_groups is None else Prefilter(rules.token_groups)
            self._rules = rules
        return self._rules

    @property
    def python_rules(self) -> list[Any]:
        return self.load().python_rules

    @property
    def dependency_rules(self) -> list[Any]:
        return self.load().dependency_rules

    @property
    def done_state_rules(self) -> list[Any]:
        return self.load().done_state_rules

    def cache_identity(self) -> tuple[str, ...]:
        """Everything of this checker that shapes a finding, for the per-file cache's key."""
        # The canon's place within its repository, not on this machine: a cache restored into a
        # fresh clone elsewhere (CI) answers as it did where it was written.
        where = os.path.relpath(self.canon.path, repository_root(Path(self._root)))
        return (
            self.canon.digest,
            where.replace(os.sep, "/"),
            ",".join(self.selection.select),
            ",".join(self.selection.ignore),
            ",".join(self.selection.extend_select),
            ",".join(self.selection.extend_ignore),
            str(self.apply_noqa),
            str(self.canon.max_file_size),
        )

    # --- single files --------------------------------------------------------------------

    def relpath(self, path: Path | str) -> str:
        """POSIX path relative to the canon's folder, for ``exclude`` and ``allow_in``."""
        return canon_relpath(self._root, path)

    def may_hold_finding(self, data: bytes, package: str | None = None) -> bool:
        """The prefilter: can a file with these bytes hold a finding of an active rule?
        ``package`` is the file's package (``package_of``): what its relative imports reach."""
        rules = self.load()
        if not rules.python_rules:
            return False
        prefilter = self._prefilter
        if prefilter is None or not self.use_prefilter:
            return True
        dotted = package.encode() if package else None
        if prefilter(data, dotted):
            return True
        normalised = _normalised_for_prefilter(data)
        return normalised is not None and (not normalised or prefilter(normalised, dotted))

    def package_of(self, path: Path | str) -> str | None:
        """The dotted package of a file, from the folders above it that hold an ``__init__.py``
        (``myapp/sub/views.py`` -> ``myapp.sub``); None outside a package."""
        folder = os.path.dirname(os.path.abspath(path))
        known = self._packages.get(folder, False)
        if known is not False:
            return known  # type: ignore[return-value]
        parts: list[str] = []
        here = folder
        while os.path.isfile(os.path.join(here, "__init__.py")):
            parts.append(os.path.basename(here))
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
        package = ".".join(reversed(parts)) if parts and all(p.isidentifier() for p in parts) else None
        self._packages[folder] = package
        return package

    def check_python_file(self, path: Path, data: bytes | None = None, prefiltered: bool = False) -> list[Finding]:
        """Check one Python file in this process; ``data`` is its bytes when the caller has read
        them already, ``prefiltered`` says the prefilter has let them through already."""
        if data is None:
            read = self.read_python(path)
            if isinstance(read, Finding):
                return self.keep_reported([read], [])
            data = read
        package = self.package_of(path)
        if not prefiltered and not self.may_hold_finding(data, package):
            return []
        return self.check_source(data, display_path(Path(path)), self.relpath(path), package)

    def read_python(self, path: Path | str, reads: RunReader | None = None) -> bytes | Finding:
        """A Python file's bytes, or its CANON902 (not a regular file, too large, unreadable)."""
        from lint_canon_guard.files import FileTooLarge, NotRegularFile

        try:
            return (reads or RunReader()).read_bytes(path, self.canon.max_file_size)
        except (FileTooLarge, NotRegularFile) as exc:
            return Finding(display_path(Path(path)), 1, 1, 1, 1, "CANON902", str(exc))
        except OSError as exc:
            return unreadable(path, exc)

    def check_source(
        self, data: bytes | str, path: str, relpath: str | None = None, package: str | None = None
    ) -> list[Finding]:
        """Check Python source (bytes as read from disk, or text already decoded). Whatever the
        source holds, the answer is findings: a file the parser or a rule fails on gets one."""
        relpath = relpath if relpath is not None else Path(path).as_posix()
        if isinstance(data, bytes):
            try:
                text = decode_source(data)
            except (SyntaxError, UnicodeDecodeError, LookupError, ValueError) as exc:
                line = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else 1
                reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
                return self.keep_reported(
                    [Finding(path, line, 1, line, 1, "CANON902", f"cannot decode file: {reason}")], []
                )
        else:
            text = data
        lines = split_lines(text)
        if self.apply_noqa and file_is_suppressed(lines):
            return []
        if "\0" in text:
            line = text[: text.index("\0")].count("\n") + 1
            return self.keep_reported(
                [Finding(path, line, 1, line, 1, "CANON901", "syntax error: source code cannot contain null bytes")],
                lines,
            )
        try:
            findings = self._analyse(text, path, relpath, package)
        except RecursionError:
            findings = [_analysis_error(path, "the code is nested too deeply for the analysis (recursion limit)")]
        except MemoryError:
            findings = [_analysis_error(path, "the analysis ran out of memory on this file")]
        except Exception as exc:  # a rule or libcst failed on valid input: a bug of ours
            findings = [_analysis_error(path, f"internal error{_culprit(exc)}: {type(exc).__name__}: {exc}")]
        return self.keep_reported(findings, lines, text)

    def _analyse(self, text: str, path: str, relpath: str, package: str | None = None) -> list[Finding]:
        import libcst as cst

        from lint_canon.analysis.names import ImportTracker
        from lint_canon.analysis.syntax.positions import node_positions
        from lint_canon.rules.base import FileContext
        from lint_canon.sdks.model import models_for

        if BRACKET_BOMB.search(text):
            # CPython refuses more than 200 nested brackets (its tokenizer) and thousands of
            # nested `not` (its parser's stack) in every version: ask it first.
            verdict = cpython_verdict(text, path)
            if verdict is not None:
                return [verdict]
        try:
            module = cst.parse_module(text)
        except RecursionError:
            raise
        except Exception as exc:  # libcst raises more than ParserSyntaxError (CSTLogicError, ...)
            return [self._syntax_error(exc, text, path)]

        models = models_for(self.canon)
        tracker = ImportTracker(module, self.star_names, package, models=models)
        ctx = FileContext(path, relpath, self.canon, tracker, star_imports="*" in text and "import" in text)
        statements = self._walk(module, ctx)
        if tracker.late:
            # A class of the file is made with a client below it (`class Audio` first, then
            # `Audio(OpenAI())`): read the file again knowing every such call from the start.
            tracker = ImportTracker(module, self.star_names, package, made_with=tracker.made_with, models=models)
            ctx = FileContext(path, relpath, self.canon, tracker, star_imports=ctx.star_imports)
            statements = self._walk(module, ctx)
        if not ctx.reports:
            return []
        positions = node_positions(module, text, [report.node for report in ctx.reports], statements)
        findings = []
        for report in ctx.reports:
            line, col, end_line, end_col = positions[id(report.node)]
            findings.append(
                Finding(path, line, col + 1, end_line, end_col + 1, report.code, report.message, fix=report.fix)
            )
        return findings

    def _walk(self, module: cst.Module, ctx: FileContext) -> dict[int, cst.CSTNode]:
        """One walk of ``module`` by ``ctx``'s import tracker and every active rule; the
        top-level statement each report was made in, by its node's id (where positions look)."""
        from lint_canon.analysis.syntax.walker import Walker

        statements: dict[int, cst.CSTNode] = {}
        done = 0

        def after(statement: cst.CSTNode) -> None:
            nonlocal done
            for report in ctx.reports[done:]:
                statements.setdefault(id(report.node), statement)
            done = len(ctx.reports)

        Walker([ctx.tracker, *(rule(ctx) for rule in self.load().python_rules)]).walk_module(module, after)
        return statements

    def star_names(self, module: str) -> list[str]:
        """The names ``from <module> import *`` binds that a rule looks for: banned APIs
        (``subprocess.Popen`` banned: ``Popen``), the guard, HTTP functions and clients,
        environment readers. Derived from the same tables the rules use."""
        prefix = module + "."
        return sorted({name[len(prefix) :].split(".", 1)[0] for name in self._star_table() if name.startswith(prefix)})

    def _star_table(self) -> frozenset[str]:
        table = self._star_cache
        if table is None:
            from lint_canon.analysis.vendors import http_qualnames
            from lint_canon.rules.unregistered_api_key import ENVIRONMENT_READERS

            bans = {entry for ban in self.canon.banned for entry in ban.modules}
            table = frozenset(
                bans | set(self.canon.guard_decorators) | http_qualnames() | ENVIRONMENT_READERS | {"os.environ"}
            )
            self._star_cache = table
        return table

    def _syntax_error(self, exc: Exception, text: str, path: str) -> Finding:
        # CPython's own parser places most errors better than libcst's; libcst is the judge only
        # of syntax newer than the running interpreter, where CPython fails first.
        verdict = cpython_verdict(text, path)
        if verdict is not None:
            return verdict
        # Valid Python that libcst refuses: a parser limit (3,500 joined strings ...).
        message = str(getattr(exc, "message", None) or exc or "").strip()
        first = message.splitlines()[0] if message else type(exc).__name__
        return _analysis_error(path, f"the parser refuses this valid Python ({first}): a limit of libcst's parser")

    # --- the runner's questions (lint_canon.engine.work.FileWork) ---------------------------

    def screen(self, source: Source) -> bool:
        return self.may_hold_finding(source.raw, self.package_of(source.path))

    def analyse(self, source: Source) -> list[Finding]:
        return self.check_source(source.data, source.printed, self.relpath(source.path), self.package_of(source.path))

    def failed(self, source: Source, failure: Failure) -> list[Finding]:
        """The finding of a source whose worker crashed or ran out of time."""
        shown = source.printed
        try:
            text = source.data if isinstance(source.data, str) else decode_source(source.data)
        except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
            text = None
        if text is not None:
            verdict = cpython_verdict(text, shown)
            if verdict is not None:
                return self.keep_reported([verdict], split_lines(text), text)
        if failure.kind is FailureKind.ERROR:
            reason = f"internal error in the worker: {failure.detail}"
        elif failure.kind is FailureKind.TIMEOUT:
            reason = (
                f"analysis {failure.detail}: the parser is too slow on this file (chains of operators, "
                "subscripts or calls thousands long); exclude the file or raise --timeout"
            )
        else:
            reason = (
                f"the parser crashed on this file ({failure.detail}): valid Python nested or chained too deeply for it"
            )
        # the rules run in one walk of the file: none finished, so say whose findings are lost
        lost = sorted({code for rule in self.load().python_rules for code in rule.codes if self.selection.wants(code)})
        if lost:
            reason += f"; no findings of {', '.join(lost)} for it"
        lines = split_lines(text) if text is not None else []
        return self.keep_reported([_analysis_error(shown, reason)], lines, text)

    def _per_file_ignores(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(root, glob, code prefixes) of the canon's per_file_ignores and its settings'."""
        if self._ignores is None:
            self._ignores = [(self._root, glob, codes) for glob, codes in self.canon.per_file_ignores]
            settings = settings_of(self.canon)
            if settings is not None:
                root = os.path.abspath(settings.root)
                self._ignores += [(root, glob, codes) for glob, codes in settings.per_file_ignores]
        return self._ignores

    def _ignored_in_file(self, finding: Finding) -> bool:
        """Whether a per-file-ignores entry whose glob matches the finding's file names its code."""
        for root, glob, codes in self._per_file_ignores():
            if finding.code.startswith(codes) and match_path(canon_relpath(root, finding.path), (glob,)):
                return True
        return False

    def keep_reported(self, findings: list[Finding], lines: Sequence[str], text: str | None = None) -> list[Finding]:
        """The findings selected and not suppressed by a ``# noqa`` (``suppressions.keep_unsuppressed``),
        each with the text of its line (what fingerprints need, taken while the file is here)."""
        kept = keep_unsuppressed(findings, self.selection, lines, text, self.apply_noqa)
        if kept and self._per_file_ignores():
            kept = [f for f in kept if not self._ignored_in_file(f)]
        if not lines:
            return kept
        return [dataclasses.replace(f, line_text=lines[f.line - 1]) if 0 < f.line <= len(lines) else f for f in kept]


def astuple_without_path(finding: Finding) -> tuple[Any, ...]:
    """What the per-file cache keeps of a finding (``from_tuple`` makes it again)."""
    return (
        finding.line,
        finding.col,
        finding.end_line,
        finding.end_col,
        finding.code,
        finding.message,
        finding.line_text,
        finding.fix.as_data() if finding.fix is not None else None,
    )


def from_tuple(path: str, entry: Sequence[Any]) -> Finding:
    line, col, end_line, end_col, code, message, line_text, fix = entry
    return Finding(path, line, col, end_line, end_col, code, message, line_text=line_text, fix=Fix.from_data(fix))
