"""`lint-canon server` driven by a real LSP client over stdio (pytest-lsp's client, the process
started as an editor starts it): diagnostics on open, change and save from unsaved text, code
actions applied, canon.yaml diagnosed and reloaded."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.conftest import cli_env

CANON = """version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-001
    vendor: acme
    hubs: [HUB-A]
    interactions: [READ]
    hosts: [api.acme.com]
banned:
  - reason: "contract ended"
    modules: [clearbit]
"""
APP = """import requests


def fetch(q):
    return requests.get("https://api.acme.com/v1/search", params={"q": q}, timeout=5)
"""
GUARDED = """import requests
from lint_canon.guard import InteractionType, enforce_tool_canon


@enforce_tool_canon("TOOL-001", "HUB-A", InteractionType.READ)
def fetch(q):
    return requests.get("https://api.acme.com/v1/search", params={"q": q}, timeout=5)
"""
RULE_PAGE = "https://github.com/lint-canon/lint-canon/blob/main/rules/{}.md"


def session(root: Path, body: Callable[[LanguageClient], Awaitable[None]]) -> None:
    """Start `lint-canon server` as VS Code would, initialise, run ``body``, shut down."""

    async def run() -> None:
        # pytest-lsp's client with its default handlers, but ours for the diagnostics
        client = LanguageClient()
        defaults = {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
        register_lsp_features(client, defaults)
        registrations: list[types.RegistrationParams] = []

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            registrations.append(params)

        client.registrations = registrations  # type: ignore[attr-defined]
        # Every publication kept (a wait registered after one arrives would miss it).
        published: list[types.PublishDiagnosticsParams] = []

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            published.append(params)
            client.diagnostics[params.uri] = params.diagnostics

        client.published = published  # type: ignore[attr-defined]
        client.taken = set()  # type: ignore[attr-defined]
        await client.start_io(sys.executable, "-m", "lint_canon", "server", env=cli_env(), cwd=str(root))
        try:
            await client.initialize_session(
                types.InitializeParams(
                    capabilities=client_capabilities("visual-studio-code"),
                    root_uri=root.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
                )
            )
            await asyncio.wait_for(body(client), 60)
        finally:
            await client.shutdown_session()

    asyncio.run(run())


async def diagnostics_of(client: LanguageClient, uri: str, version: int | None = None) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` (of ``version`` when given) not read yet."""
    while True:
        for i, params in enumerate(client.published):  # type: ignore[attr-defined]
            if i not in client.taken and params.uri == uri and (version is None or params.version == version):  # type: ignore[attr-defined]
                client.taken.add(i)  # type: ignore[attr-defined]
                return list(params.diagnostics)
        await asyncio.sleep(0.01)


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[Any, ...]]:
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.severity)
        for d in diagnostics
    ]


def open_file(client: LanguageClient, path: Path, text: str, language: str = "python") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def applied(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """``text`` with the edits of ``edit`` for ``uri`` applied (positions in UTF-16 units)."""
    assert edit.changes is not None and list(edit.changes) == [uri]
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        head = "".join(lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = line.encode("utf-16-le")[: 2 * position.character].decode("utf-16-le")
        return len(head) + len(units)

    for change in sorted(edit.changes[uri], key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(change.range.start)] + change.new_text + text[offset(change.range.end) :]
    return text


def test_diagnostics_follow_the_unsaved_text_and_a_code_action_fixes_them(tmp_path):
    (tmp_path / "canon.yaml").write_text(CANON)
    app = tmp_path / "app.py"
    app.write_text(APP)

    async def body(client: LanguageClient) -> None:
        uri = open_file(client, app, APP)
        [found] = await diagnostics_of(client, uri, 1)
        assert summary([found]) == [("CANON301", 4, 11, 4, 85, types.DiagnosticSeverity.Error)]
        assert found.message.startswith("call to TOOL-001 (host 'api.acme.com') in 'fetch', which lacks the guard")
        assert found.source == "lint-canon"
        assert found.code_description is not None and found.code_description.href == RULE_PAGE.format("CANON301")

        # An edit, not saved: a banned import appears on line 1 (the lines below move down).
        edited = "import clearbit\n" + APP
        change(client, uri, 2, edited)
        assert summary(await diagnostics_of(client, uri, 2)) == [
            ("CANON101", 0, 7, 0, 15, types.DiagnosticSeverity.Error),
            ("CANON301", 5, 11, 5, 85, types.DiagnosticSeverity.Error),
        ]
        change(client, uri, 3, APP)
        await diagnostics_of(client, uri, 3)

        # The code actions at the finding: its fix (preferred: it is safe) and a noqa comment.
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=found.range,
                context=types.CodeActionContext(diagnostics=[found]),
            )
        )
        assert actions is not None
        by_title = {action.title: action for action in actions if isinstance(action, types.CodeAction)}
        assert sorted(by_title) == [
            "Fix CANON301: " + by_title_fix(by_title),
            "Suppress CANON301 on this line (# noqa: CANON301)",
            "lint-canon: apply every safe fix",
        ]
        fix = next(a for t, a in by_title.items() if t.startswith("Fix CANON301"))
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        assert fix.edit is not None and applied(APP, fix.edit, uri) == GUARDED
        noqa = by_title["Suppress CANON301 on this line (# noqa: CANON301)"]
        assert noqa.edit is not None
        suppressed = applied(APP, noqa.edit, uri)
        assert suppressed.splitlines()[4].endswith("timeout=5)  # noqa: CANON301")

        # Applied (as the editor does) and saved: nothing left.
        change(client, uri, 4, GUARDED)
        assert await diagnostics_of(client, uri, 4) == []
        change(client, uri, 5, suppressed)
        assert await diagnostics_of(client, uri, 5) == []

    session(tmp_path, body)


def by_title_fix(by_title: dict[str, types.CodeAction]) -> str:
    [title] = [t for t in by_title if t.startswith("Fix CANON301: ")]
    return title.removeprefix("Fix CANON301: ")


def test_the_canon_is_diagnosed_as_typed_and_reloaded_when_saved(tmp_path):
    canon = tmp_path / "canon.yaml"
    canon.write_text(CANON)
    app = tmp_path / "app.py"
    app.write_text("import clearbit\n")

    async def body(client: LanguageClient) -> None:
        uri = open_file(client, app, "import clearbit\n")
        assert summary(await diagnostics_of(client, uri, 1)) == [
            ("CANON101", 0, 7, 0, 15, types.DiagnosticSeverity.Error)
        ]
        # canon.yaml open in the editor, with a mistake typed on line 9: reported there, unsaved.
        canon_uri = open_file(client, canon, CANON, "yaml")
        assert await diagnostics_of(client, canon_uri, 1) == []
        broken = CANON.replace("banned:\n", "baned:\n")
        change(client, canon_uri, 2, broken)
        [problem] = await diagnostics_of(client, canon_uri, 2)
        assert (problem.range.start.line, problem.severity) == (8, types.DiagnosticSeverity.Error)
        assert "baned" in problem.message and "banned" in problem.message  # did you mean

        # The ban removed and saved: the open file is checked again against the new canon.
        canon.write_text(CANON.split("banned:")[0])
        change(client, canon_uri, 3, CANON.split("banned:")[0])
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=canon_uri))
        )
        assert await diagnostics_of(client, uri, 1) == []

        # Written outside the editor (a git pull), as the client's file watcher reports it.
        [registration] = client.registrations  # type: ignore[attr-defined]
        [options] = [r.register_options for r in registration.registrations]
        assert options == {"watchers": [{"globPattern": "**/canon.yaml"}, {"globPattern": "**/pyproject.toml"}]}
        canon.write_text(CANON)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=canon_uri, type=types.FileChangeType.Changed)]
            )
        )
        assert summary(await diagnostics_of(client, uri, 1)) == [
            ("CANON101", 0, 7, 0, 15, types.DiagnosticSeverity.Error)
        ]

    session(tmp_path, body)


def test_an_unsafe_fix_is_offered_apart_and_never_in_fix_all(tmp_path):
    # A gated tool: the guard it adds may refuse calls at run time, so its fix is unsafe.
    (tmp_path / "canon.yaml").write_text(
        CANON.replace("    hosts: [api.acme.com]\n", "    hosts: [api.acme.com]\n    gates: [verified]\n")
    )
    text = APP.replace("def fetch(q):", "def fetch(q, gate_state):")
    app = tmp_path / "app.py"
    app.write_text(text)

    async def body(client: LanguageClient) -> None:
        uri = open_file(client, app, text)
        [found] = await diagnostics_of(client, uri, 1)
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=found.range,
                context=types.CodeActionContext(diagnostics=[found]),
            )
        )
        assert actions is not None
        titles = [action.title for action in actions]
        assert titles == [
            'Fix CANON301: decorate \'fetch\' with @enforce_tool_canon("TOOL-001", "HUB-A", InteractionType.READ) (unsafe)',
            "Suppress CANON301 on this line (# noqa: CANON301)",
        ]
        [fix, _] = actions
        assert isinstance(fix, types.CodeAction) and not fix.is_preferred
        assert fix.edit is not None
        assert applied(text, fix.edit, uri) == GUARDED.replace("def fetch(q):", "def fetch(q, gate_state):")

    session(tmp_path, body)


def test_a_file_with_no_canon_above_it_gets_no_diagnostics_and_a_broken_canon_says_so(tmp_path):
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "x.py").write_text("import clearbit\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "canon.yaml").write_text("version: 1\nhubs: [HUB-A\n")
    (project / "y.py").write_text("import clearbit\n")

    async def body(client: LanguageClient) -> None:
        uri = open_file(client, lone / "x.py", "import clearbit\n")
        assert await diagnostics_of(client, uri, 1) == []
        other = open_file(client, project / "y.py", "import clearbit\n")
        assert await diagnostics_of(client, other, 1) == []
        [message] = client.messages  # sent before the (empty) diagnostics
        assert message.type == types.MessageType.Error
        assert message.message == (
            "lint-canon: the canon does not load, so files under it are not checked: "
            "project/canon.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"
        )
        # Its problem is on canon.yaml too, not open in the editor, at the line the loader names.
        [problem] = client.diagnostics[(project / "canon.yaml").as_uri()]
        assert (problem.range.start.line, problem.message) == (
            2,
            "invalid YAML: expected ',' or ']', but got '<stream end>'",
        )

    session(tmp_path, body)


def test_a_noqa_comment_goes_where_the_suppression_reads_it():
    from lint_canon.engine.suppressions import noqa_edit
    from lint_canon_guard.lines import split_lines

    text = 'x = f(\n    1,\n)\ny = 1  # noqa: CANON101\ns = """a\nb"""\nz = 2  # a note\n'
    lines = split_lines(text)
    assert [noqa_edit(text, lines, line, "CANON201") for line in range(1, 9)] == [
        (1, 6, "  # noqa: CANON201"),
        (2, 6, "  # noqa: CANON201"),
        (3, 1, "  # noqa: CANON201"),
        (4, 23, ",CANON201"),  # into the codes already there
        (6, 4, "  # noqa: CANON201"),  # a string over two lines: after it, where noqa maps it
        (6, 4, "  # noqa: CANON201"),
        (7, 15, "  # noqa: CANON201"),
        None,  # no such line
    ]
    assert noqa_edit("def f(:\n", ["def f(:"], 1, "CANON101") is None  # does not tokenize


def test_a_problem_of_a_shared_canon_is_shown_on_it_and_at_the_extends_line_then_taken_back(tmp_path):
    shared = tmp_path / "platform" / "canon.yaml"
    shared.parent.mkdir()
    shared.write_text(CANON.replace("vendor: acme", "vendor: 5"))
    service = tmp_path / "svc" / "canon.yaml"
    service.parent.mkdir()
    text = "version: 1\nextends: ../platform/canon.yaml\nhubs: [HUB-B]\n"
    service.write_text(text)
    app = tmp_path / "svc" / "app.py"
    app.write_text("import clearbit\n")

    async def body(client: LanguageClient) -> None:
        uri = open_file(client, app, "import clearbit\n")
        assert await diagnostics_of(client, uri, 1) == []  # its canon does not load
        [on_shared] = await diagnostics_of(client, shared.as_uri())
        assert (on_shared.range.start.line, on_shared.message) == (
            4,
            "tools[0].vendor: expected a non-empty string, got a number",
        )
        canon_uri = open_file(client, service, text, "yaml")
        [at_extends] = await diagnostics_of(client, canon_uri, 1)
        assert at_extends.range.start.line == 1
        assert at_extends.message == (
            "in the canon this one extends, platform/canon.yaml:5: tools[0].vendor: expected a non-empty string, got a number"
        )
        # Mended outside the editor: the shared canon's diagnostic is taken back, the ban reported.
        shared.write_text(CANON)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=shared.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
        assert await diagnostics_of(client, shared.as_uri()) == []
        assert summary(await diagnostics_of(client, uri, 1)) == [
            ("CANON101", 0, 7, 0, 15, types.DiagnosticSeverity.Error)
        ]

    session(tmp_path, body)
