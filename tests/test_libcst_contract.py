"""lint_canon.analysis.syntax against the installed libcst: what it borrows from libcst's private API
still means what it meant. The walker visits as ``visit_batched`` does and the positions are
``PositionProvider``'s, on real files (this package, the test corpus, the fixtures); every
import class libcst exports is handled; the no-op marker is where FastBatchable reads it. A
libcst release that changes any of these fails here, not in the findings."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lint_canon.analysis.names import ImportTracker
from lint_canon.analysis.syntax import walker
from lint_canon.analysis.syntax.imports import FROM_IMPORT_NODES, IMPORT_NODES, PLAIN_IMPORT_NODES
from lint_canon.analysis.syntax.positions import node_positions
from lint_canon.analysis.syntax.visitors import FastBatchable
from lint_canon.analysis.syntax.walker import _TRIVIA_NODES, Walker
from lint_canon.rules.banned_import import BannedImport
from tests.conftest import REPO
from tests.test_walker import EVERY_KIND

CORPUS = sorted(
    {
        *(REPO / "lint_canon").rglob("*.py"),
        *(REPO / "tests" / "corpus").rglob("*.py"),
        *(REPO / "fixtures").rglob("*.py"),
    }
)
IDS = [str(path.relative_to(REPO)) for path in CORPUS]

NODE_KINDS = sorted(
    name for name in dir(cst) if isinstance(getattr(cst, name), type) and issubclass(getattr(cst, name), cst.CSTNode)
)
# What the rules report: import statements and their names, names and attribute chains, calls,
# subscripts (`os.environ[...]`), decorators and the guard's argument values; and FunctionDef,
# whose span ends where its body's does (the path where a span is taken from a child node).
REPORTED_KINDS = (
    cst.Call,
    cst.Import,
    cst.ImportFrom,
    cst.ImportAlias,
    cst.Attribute,
    cst.Name,
    cst.Subscript,
    cst.Decorator,
    cst.FunctionDef,
    cst.Arg,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
)


@functools.cache
def _parsed(path: Path) -> tuple[str, cst.Module] | None:
    """Each file parsed once for all the tests here; None for what libcst does not parse."""
    source = path.read_text(encoding="utf-8")
    try:
        return source, cst.parse_module(source)
    except Exception:
        return None


def _corpus_file(path: Path) -> tuple[str, cst.Module]:
    parsed = _parsed(path)
    if parsed is None:
        pytest.skip("libcst does not parse this file")
    return parsed


class _Log(FastBatchable):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int]] = []


def _logger(method: str):  # type: ignore[no-untyped-def]
    def log(self: _Log, node: cst.CSTNode) -> None:
        self.log.append((method, id(node)))

    return log


def _recorder(kinds: list[str]) -> type[_Log]:
    """A visitor that logs every visit and leave of these node kinds, and a few field hooks."""
    methods = [f"{prefix}_{kind}" for kind in kinds for prefix in ("visit", "leave")]
    methods += ["visit_If_body", "leave_If_body", "visit_FunctionDef_params", "leave_Call_args"]
    return type("Recorder", (_Log,), {method: _logger(method) for method in methods})


_EVERY_NODE = _recorder(NODE_KINDS)
# Without the trivia nodes the walker skips the trivia fields, as it does for the rules.
_NO_TRIVIA = _recorder([kind for kind in NODE_KINDS if kind not in _TRIVIA_NODES])


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_walker_visits_like_visit_batched_on_real_files(path, monkeypatch):
    _, module = _corpus_file(path)
    monkeypatch.setattr(walker, "_FIELDS", {})  # the order is learnt from this file's nodes
    expected = _EVERY_NODE()
    MetadataWrapper(module, unsafe_skip_copy=True).visit_batched([expected])
    assert len(expected.log) > 1

    every = _EVERY_NODE()
    Walker([every]).walk(module)
    assert every.log == expected.log

    no_trivia = _NO_TRIVIA()
    Walker([no_trivia]).walk(module)
    assert no_trivia.log == [event for event in expected.log if event[0].split("_")[1] not in _TRIVIA_NODES]


@pytest.mark.parametrize("path", [None, *CORPUS], ids=["every kind of syntax", *IDS])
def test_positions_are_position_providers_on_real_files(path):
    source, module = (EVERY_KIND, cst.parse_module(EVERY_KIND)) if path is None else _corpus_file(path)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    # All at once, as for a file with findings of every kind: a node and those inside it.
    reported = [node for node in expected if isinstance(node, REPORTED_KINDS)]
    got = node_positions(module, source, reported)
    for node in reported:
        where = expected[node]
        want = (where.start.line, where.start.column, where.end.line, where.end.column)
        assert got[id(node)] == want, (type(node).__name__, module.code_for_node(node)[:80])


def test_every_import_class_of_libcst_is_handled():
    # The classes libcst exports with "Import" in their name are of two sorts: statements
    # (BaseSmallStatement: `import x`, `from x import y`, their `lazy` forms), which bind names
    # and are what the import code must know, and the parts of those statements (an `x as y`
    # alias, the `*` of `from x import *`), which only ever appear inside one. A new statement
    # class must be added to lint_canon.analysis.syntax.imports; a new part is unknown to this test too,
    # and must be looked at (is it an import of its own?) before it is listed below.
    classes = {
        getattr(cst, name)
        for name in dir(cst)
        if "Import" in name and isinstance(getattr(cst, name), type) and issubclass(getattr(cst, name), cst.CSTNode)
    }
    statements = {kind for kind in classes if issubclass(kind, cst.BaseSmallStatement)}
    assert statements == set(IMPORT_NODES)
    assert classes - statements == {cst.ImportAlias, cst.ImportStar}
    assert set(PLAIN_IMPORT_NODES) | set(FROM_IMPORT_NODES) == set(IMPORT_NODES)

    # What the import code reads from each: `names` (aliases), and for `from` imports the
    # module and the leading dots (import_from_module, ImportTracker.from_module).
    for kind in PLAIN_IMPORT_NODES:
        assert {"names"} <= {field.name for field in dataclasses.fields(kind)} and not hasattr(kind, "module")
    for kind in FROM_IMPORT_NODES:
        assert {"names", "module", "relative"} <= {field.name for field in dataclasses.fields(kind)}

    # The visitors that bind and ban imported names have a method (not libcst's stub) for each.
    for kind in IMPORT_NODES:
        for visitor, method in (
            (ImportTracker, f"visit_{kind.__name__}"),
            (ImportTracker, f"leave_{kind.__name__}"),
            (BannedImport, f"visit_{kind.__name__}"),
        ):
            assert not getattr(getattr(visitor, method), "_is_no_op", False), (visitor.__name__, method)


@pytest.mark.parametrize("source", ["lazy import a.b as c\n", "lazy from a import b\n"])
def test_lazy_imports_parse_into_import_nodes(source):
    # Why pyproject.toml asks for libcst 1.9: an older one refuses them, and `lazy import` of a
    # banned module would be a syntax error instead of a finding.
    [line] = cst.parse_module(source).body
    assert isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], IMPORT_NODES)


def test_inherited_visitor_stubs_carry_the_no_op_marker():
    class Bare(cst.BatchableCSTVisitor):
        pass

    stubs = [name for name in dir(Bare) if name.startswith(("visit_", "leave_"))]
    assert {"visit_Module", "leave_Module", "visit_Call_args", "leave_Import"} <= set(stubs)
    assert all(getattr(getattr(Bare, name), "_is_no_op", False) for name in stubs)

    class NoOverrides(FastBatchable):
        pass

    class Some(FastBatchable):
        def visit_Import(self, node: cst.Import) -> None:
            pass

        visit_ImportFrom = visit_Import

        def leave_Call_args(self, node: cst.Call) -> None:
            pass

    # FastBatchable lists what libcst's own get_visitors lists: only the methods a class defines.
    assert NoOverrides().get_visitors() == {} == cst.BatchableCSTVisitor.get_visitors(NoOverrides())
    assert set(Some().get_visitors()) == {"visit_Import", "visit_ImportFrom", "leave_Call_args"}
    assert set(Some().get_visitors()) == set(cst.BatchableCSTVisitor.get_visitors(Some()))
