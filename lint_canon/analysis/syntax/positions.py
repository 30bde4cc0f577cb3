"""Positions of the few nodes a rule reported, for a fraction of PositionProvider's cost.

libcst's PositionProvider records a range for every node of the module, at several times the
cost of generating the code. A file with findings usually has one or two reported
nodes, so this code generation keeps a running character count and records spans only for the
nodes asked for (and the child nodes their syntactic span is hoisted from), with the same
syntactic rules as PositionProvider; offsets become line and column at the end. It subclasses
libcst's private ``CodegenState`` and calls ``Module._codegen`` (tested against PositionProvider
on real code in tests/test_libcst_contract.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")
_NOTHING = nullcontext()


@dataclass
class _SpanState(CodegenState):
    wanted: set[int] = field(default_factory=set)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    length: int = 0
    starts: list[int] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.length += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.length += len(value)

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.length -= len(self.tokens.pop())

    def before_codegen(self, node: Any) -> None:
        if id(node) in self.wanted:
            self.starts.append(self.length)

    def after_codegen(self, node: Any) -> None:
        if id(node) in self.wanted:
            start = self.starts.pop()
            # A syntactic span recorded inside the node wins over this whitespace-inclusive one.
            self.spans.setdefault(id(node), (start, self.length))

    def record_syntactic_position(self, node: Any, *, start_node: Any = None, end_node: Any = None) -> Any:
        if id(node) not in self.wanted:
            return _NOTHING
        return self._record(node, start_node, end_node)

    @contextmanager
    def _record(self, node: Any, start_node: Any, end_node: Any) -> Iterator[None]:
        if start_node is not None:
            self.wanted.add(id(start_node))
        if end_node is not None:
            self.wanted.add(id(end_node))
        start = self.length
        yield
        end = self.length
        if start_node is not None and id(start_node) in self.spans:
            start = self.spans[id(start_node)][0]
        if end_node is not None and id(end_node) in self.spans:
            end = self.spans[id(end_node)][1]
        self.spans[id(node)] = (start, end)


def node_positions(
    module: cst.Module,
    source: str,
    nodes: Iterable[cst.CSTNode],
    statements: Mapping[int, cst.CSTNode] | None = None,
) -> dict[int, tuple[int, int, int, int]]:
    """id(node) -> (line, column, end line, end column), lines 1-based, columns 0-based.
    ``statements``: the top-level statement each node was reported in (by its id), where known:
    the nodes are then looked for in those statements alone."""
    asked = {id(n) for n in nodes}
    spans = _in_statements(module, source, asked, statements) if statements and id(module) not in asked else None
    if spans is None:
        spans = _from_the_top(module, asked)
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1]

    return {key: (*where(start), *where(end)) for key, (start, end) in spans.items()}


def _in_statements(
    module: cst.Module, source: str, asked: set[int], statements: Mapping[int, cst.CSTNode]
) -> dict[int, tuple[int, int]] | None:
    """The spans of the nodes asked for, generating only the statements they were reported in:
    each statement's text is found in the source, where it must occur exactly once (that one
    occurrence is then its place). None when a statement's text is not found once, or a node
    is not inside the statement it was reported in (a rule may report another statement's
    node): the caller generates from the top."""
    by_statement: dict[int, tuple[cst.CSTNode, set[int]]] = {}
    for key in asked:
        statement = statements.get(key)
        if statement is None:
            return None
        by_statement.setdefault(id(statement), (statement, set()))[1].add(key)
    spans: dict[int, tuple[int, int]] = {}
    for statement, inside in by_statement.values():
        state = _SpanState(
            default_indent=module.default_indent, default_newline=module.default_newline, wanted=set(inside)
        )
        statement._codegen(state)
        text = "".join(state.tokens)
        at = source.find(text)
        if not text or at < 0 or source.find(text, at + 1) >= 0 or not inside <= state.spans.keys():
            return None
        for key, (start, end) in state.spans.items():
            spans[key] = (start + at, end + at)
    return spans


def _from_the_top(module: cst.Module, asked: set[int]) -> dict[int, tuple[int, int]]:
    """The spans of the nodes asked for, generating the module's code up to the last of them."""
    state = _SpanState(default_indent=module.default_indent, default_newline=module.default_newline, wanted=set(asked))
    if id(module) in asked:
        module._codegen(state)
    else:
        # Module._codegen_impl, up to the statement that holds the last node asked for: the
        # code after it moves no offset before it (most findings sit near the top: imports)
        for header in module.header:
            header._codegen(state)
        for stmt in module.body:
            stmt._codegen(state)
            if asked <= state.spans.keys():
                break
        else:
            for footer in module.footer:
                footer._codegen(state)
    return state.spans
