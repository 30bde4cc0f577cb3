"""``lint-canon server``: the language server, LSP over stdio (pygls).

- Diagnostics for a Python file on open, on change (after a pause in typing) and on save, from
  the editor's unsaved text, against the canon of the file's folder as ``check`` finds it (its
  ``[tool.lint-canon]`` settings, ``exclude``, skipped folders and ``max_file_size``). The text
  is checked by the runner in a worker process, as every file of a run: no source can crash or
  hang the server.
- Code actions: the fix a finding carries (safe ones as preferred quick fixes, unsafe ones
  marked so, as ``--fix`` and ``--unsafe-fixes``), refused unless the result parses and no longer
  gives the finding; ``# noqa: CODE`` for any finding; "fix all" (the safe fixes of the file).
- Each diagnostic links to its rule's page (``codeDescription``).
- The canon is reloaded when a file the canon search read changes (``canon.yaml``,
  ``pyproject.toml``, a folder that gains one); the open files are checked again when one is
  saved or the client reports it changed. ``canon.yaml`` itself is diagnosed from its unsaved
  text with the loader's messages at their lines.

Only Python files are checked here; requirements files and ``pyproject.toml`` are left to
``lint-canon check`` and the pre-commit hooks, as the stdin mode leaves them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from lint_canon import __version__
from lint_canon.engine.checker import Checker
from lint_canon.engine.discovery import CanonFinder, in_skipped_folder, is_excluded
from lint_canon.engine.reads import RunReader
from lint_canon.engine.runcache import RunRecord
from lint_canon.engine.runner import Engine, canon_selection
from lint_canon.engine.suppressions import Selection, noqa_edit
from lint_canon.engine.work import Source
from lint_canon.fixes import FIXABLE, fix_text
from lint_canon.output.findings import Applicability, Finding, Severity
from lint_canon.output.formats.sarif import help_uri
from lint_canon_guard.config import CANON_FILE, ConfigErrors, canon_from_text
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.lines import lines_with_ends, split_lines

if TYPE_CHECKING:
    from pygls.workspace import TextDocument

    from lint_canon_guard.config import Canon

# Typing pauses this long before a changed file is checked again (an open or a save: at once).
CHANGE_DELAY = 0.15
SOURCE = "lint-canon"
FIX_ALL = "source.fixAll.lint-canon"
_SEVERITY = {
    Severity.CRITICAL: types.DiagnosticSeverity.Error,
    Severity.HIGH: types.DiagnosticSeverity.Error,
    Severity.MEDIUM: types.DiagnosticSeverity.Warning,
    Severity.LOW: types.DiagnosticSeverity.Information,
}


@dataclass
class _Checking:
    """One canon's checker and the engine (a worker process) that checks with it."""

    canon: Canon
    checker: Checker
    engine: Engine[list[Finding]]


class Canons:
    """The canons of the open files, found as ``check`` finds them, each with a checker and an
    engine; all dropped and found again when a file the search read has changed."""

    def __init__(self) -> None:
        self._checking: dict[str, _Checking] = {}
        # The last text of each file and its findings: a code action asks about the text the
        # diagnostics were made from, which need not be checked twice.
        self._last: dict[str, tuple[str, list[Finding]]] = {}
        self._reset()

    def _reset(self) -> None:
        self.close()
        self.record = RunRecord()
        self.reads = RunReader(self.record)
        self.finder = CanonFinder(None, self.reads)

    def close(self) -> None:
        for checking in self._checking.values():
            checking.engine.close()
        self._checking = {}
        self._last = {}

    def forget(self, path: str) -> None:
        """A file the editor closed: its last text is not kept."""
        self._last.pop(path, None)

    def refresh(self) -> None:
        """Forget every canon if a file or folder the canon search read has changed."""
        if not self.record.unchanged():
            self._reset()

    def for_file(self, path: str) -> _Checking | None:
        """The canon of ``path``'s folder and what checks with it; None when no canon is above
        it. A ``ConfigError`` when the canon (or its settings) is wrong."""
        self.refresh()
        canon = self.finder.canon_for(os.path.dirname(os.path.abspath(path)))
        if canon is None:
            return None
        key = f"{canon.path}\0{id(canon)}"
        checking = self._checking.get(key)
        if checking is None:
            checker = Checker(canon, canon_selection(canon, Selection(), select_given=False))
            checking = self._checking[key] = _Checking(canon, checker, Engine([checker]))
        return checking

    def findings(self, path: str, text: str) -> list[Finding]:
        """The findings of ``text`` as the file at ``path``, as ``check`` would give them."""
        checking = self.for_file(path)
        if checking is None:
            return []
        canon = checking.canon
        if in_skipped_folder(path, canon, reads=self.reads) or is_excluded(path, canon):
            return []
        size = len(text.encode("utf-8", "surrogateescape"))
        if size > canon.max_file_size:
            limit = canon.max_file_size
            message = f"too large ({size:,} bytes; the limit is {limit:,}: max_file_size in the canon)"
            return checking.checker.keep_reported([Finding(path, 1, 1, 1, 1, "CANON902", message)], [])
        last = self._last.get(path)
        if last is not None and last[0] == text:
            return last[1]
        checked = checking.engine.check([Source(0, path, text, path)])[0]
        findings = sorted(set(checked.result or []), key=lambda f: (f.line, f.col, f.code))
        if checked.analysed:  # a crash or a timeout may not repeat
            self._last[path] = (text, findings)
        return findings


class CanonServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("lint-canon", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.canons = Canons()
        # One thread checks, in order: the engines are not shared between threads, and the
        # event loop stays free to read the editor's messages meanwhile.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lint-canon-check")
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.shown_errors: set[str] = set()
        self.canon_uris: set[str] = set()  # canon files not open that canon_failed published to

    # --- checking -----------------------------------------------------------------------------

    async def run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def schedule(self, uri: str, delay: float) -> None:
        """Check the document ``uri`` after ``delay`` seconds, instead of any check pending."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.publish(uri)
        except asyncio.CancelledError:
            pass
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    async def publish(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path, version, text = document.path, document.version, document.source
        if os.path.basename(path) == CANON_FILE:
            diagnostics = await self.run(_canon_diagnostics, path, text)
        elif _is_python(document):
            try:
                findings = await self.run(self.canons.findings, path, text)
            except ConfigError as error:
                self.canon_failed(error)
                findings = []
            else:
                if self.canon_uris:  # a canon loads again: what was said on it is taken back
                    self.clear_canon_uris()
            diagnostics = [_diagnostic(finding, document) for finding in findings]
        else:
            return
        if self.workspace.text_documents.get(uri) is document and document.version == version:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
            )

    def canon_failed(self, error: ConfigError) -> None:
        """A canon that does not load: each problem on the canon file that holds it (those not
        open in the editor too: a shared canon it extends), and a message, once per problem, so
        that a file without diagnostics is not taken for clean."""
        for file, errors in _by_file(error).items():
            uri = from_fs_path(file)
            if uri is not None and uri not in self.workspace.text_documents:
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=_config_diagnostics(errors, None))
                )
                self.canon_uris.add(uri)
        text = str(error).splitlines()[0]
        if text not in self.shown_errors:
            self.shown_errors.add(text)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"lint-canon: the canon does not load, so files under it are not checked: {text}",
                )
            )

    def clear_canon_uris(self) -> None:
        """Take back what canon_failed said on canon files not open in the editor."""
        for uri in self.canon_uris - set(self.workspace.text_documents):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.canon_uris.clear()

    def check_all(self) -> None:
        """Check every open file again (a canon or its settings may have changed)."""
        self.shown_errors.clear()
        self.clear_canon_uris()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    # --- code actions -------------------------------------------------------------------------

    def code_actions(self, document: TextDocument, wanted: types.Range, only: list[str] | None) -> list[Any]:
        """In the checking thread: the actions for the findings of ``document`` in ``wanted``."""
        path, text = document.path, document.source
        if not _is_python(document):
            return []
        try:
            findings = self.canons.findings(path, text)
            checking = self.canons.for_file(path)
        except ConfigError:
            return []
        if checking is None:
            return []
        actions: list[Any] = []
        quick = only is None or any(kind.startswith("quickfix") for kind in only)
        fix_all = only is None or any(FIX_ALL.startswith(kind) or kind.startswith(FIX_ALL) for kind in only)
        lines = split_lines(text)
        for finding in findings:
            diagnostic = _diagnostic(finding, document)
            if not quick or not _overlaps(diagnostic.range, wanted):
                continue
            if finding.fix is not None and finding.code in FIXABLE:
                unsafe = finding.fix.applicability is Applicability.UNSAFE
                fixed, _ = fix_text(
                    text, Path(path), [finding], checking.checker, checking.engine, 0, unsafe=unsafe, current=findings
                )
                if fixed is not None:
                    title = f"Fix {finding.code}: {finding.fix.title}" + (" (unsafe)" if unsafe else "")
                    actions.append(
                        types.CodeAction(
                            title=title,
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            is_preferred=not unsafe,
                            edit=_edit(document, text, fixed),
                        )
                    )
            where = noqa_edit(text, lines, finding.line, finding.code)
            if where is not None:
                line, column, insert = where
                at = _client_position(document, line - 1, column)
                actions.append(
                    types.CodeAction(
                        title=f"Suppress {finding.code} on this line (# noqa: {finding.code})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=types.WorkspaceEdit(
                            changes={
                                document.uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=insert)]
                            }
                        ),
                    )
                )
        safe = [f for f in findings if f.fix is not None and f.fix.applicability is Applicability.SAFE]
        if fix_all and safe:
            fixed, _ = fix_text(text, Path(path), safe, checking.checker, checking.engine, 0, current=findings)
            if fixed is not None:
                actions.append(
                    types.CodeAction(
                        title="lint-canon: apply every safe fix", kind=FIX_ALL, edit=_edit(document, text, fixed)
                    )
                )
        return actions


def _is_python(document: TextDocument) -> bool:
    return document.language_id == "python" or document.path.endswith((".py", ".pyi"))


def _client_position(document: TextDocument, line: int, character: int) -> types.Position:
    """A position in characters (as findings count columns) in the client's units (UTF-16 by
    default)."""
    return document.position_codec.position_to_client_units(
        document.lines, types.Position(line=line, character=character)
    )


def _diagnostic(finding: Finding, document: TextDocument) -> types.Diagnostic:
    start = _client_position(document, max(finding.line - 1, 0), max(finding.col - 1, 0))
    end = _client_position(document, max(finding.end_line - 1, 0), max(finding.end_col - 1, 0))
    if (end.line, end.character) <= (start.line, start.character):
        end = types.Position(line=start.line + 1, character=0)  # no extent: the whole line
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=help_uri(finding.code)),
        source=SOURCE,
    )


def _overlaps(inner: types.Range, outer: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(inner.start) <= key(outer.end) and key(outer.start) <= key(inner.end)


def _edit(document: TextDocument, old: str, new: str) -> types.WorkspaceEdit:
    """One edit replacing the lines between the common head and tail of ``old`` and ``new``."""
    before, after = lines_with_ends(old), lines_with_ends(new)
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    start = types.Position(line=head, character=0)
    end = types.Position(line=len(before) - tail, character=0)
    inserted = "".join(after[head : len(after) - tail])
    edit = types.TextEdit(range=types.Range(start=start, end=end), new_text=inserted)
    return types.WorkspaceEdit(changes={document.uri: [edit]})


def _by_file(error: ConfigError) -> dict[str, list[ConfigError]]:
    """The problems of a canon that does not load, by the absolute path of the file that holds
    each (a canon and the canons it extends)."""
    grouped: dict[str, list[ConfigError]] = {}
    for each in error.errors if isinstance(error, ConfigErrors) else (error,):
        grouped.setdefault(os.path.abspath(each.path), []).append(each)
    return grouped


def _line_error(lines: Sequence[str], line: int, message: str) -> types.Diagnostic:
    """An error over the whole of ``line`` (0-based; empty where the text is not known)."""
    width = len(lines[line]) if line < len(lines) else 0
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=width)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def _problem(error: ConfigError) -> str:
    return f"{error.key}: {error.problem}" if error.key else error.problem


def _config_diagnostics(errors: Sequence[ConfigError], text: str | None) -> list[types.Diagnostic]:
    """Diagnostics of problems of one file, at their lines (the whole line when ``text`` is known)."""
    lines = split_lines(text) if text is not None else []
    return [_line_error(lines, max((each.line or 1) - 1, 0), _problem(each)) for each in errors]


def _canon_diagnostics(path: str, text: str) -> list[types.Diagnostic]:
    """canon.yaml as the editor holds it, validated by the loader: its own problems at their
    lines; a problem of a canon it extends at its ``extends:`` line, naming where it is."""
    try:
        canon_from_text(path, text)
    except ConfigError as error:
        grouped = _by_file(error)
        diagnostics = _config_diagnostics(grouped.pop(os.path.abspath(path), []), text)
        lines = split_lines(text)
        at = next((i for i, line in enumerate(lines) if line.startswith("extends")), 0)
        for each in (each for errors in grouped.values() for each in errors):
            where = f"{each.path}:{each.line}" if each.line else each.path
            diagnostics.append(_line_error(lines, at, f"in the canon this one extends, {where}: {_problem(each)}"))
        return diagnostics
    return []


def make_server() -> CanonServer:
    server = CanonServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: CanonServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: CanonServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, CHANGE_DELAY)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: CanonServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri) or ""
        if os.path.basename(path) in (CANON_FILE, "pyproject.toml"):
            ls.check_all()  # the files under it obey what was saved
        else:
            ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: CanonServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        path = to_fs_path(uri)
        if path is not None:
            ls.executor.submit(ls.canons.forget, path)  # in the checking thread, which owns it
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: CanonServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.check_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(ls: CanonServer, params: types.CodeActionParams) -> list[Any]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        only = [str(kind) for kind in params.context.only] if params.context.only else None
        actions: list[Any] = await ls.run(ls.code_actions, document, params.range, only)
        return actions

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CanonServer, params: types.InitializedParams) -> None:
        # Ask to hear of canon files changed outside the editor, where the client can watch.
        watch = ls.client_capabilities.workspace
        changes = watch.did_change_watched_files if watch is not None else None
        if changes is not None and changes.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in (CANON_FILE, "pyproject.toml")]
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="lint-canon-canons",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                        )
                    ]
                )
            )

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CanonServer, params: None) -> None:
        ls.canons.close()

    return server


def serve() -> int:
    """``lint-canon server``: speak LSP on stdin and stdout until the editor says exit."""
    server = make_server()
    try:
        server.start_io()
    finally:
        server.canons.close()
        server.executor.shutdown(wait=False, cancel_futures=True)
    return 0
