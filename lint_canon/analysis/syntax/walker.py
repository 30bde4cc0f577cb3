"""One traversal of a libcst tree for the import tracker and every rule, without rebuilding it.

libcst's ``visit_batched`` goes through ``_visit_and_replace_children``, which constructs (and
validates) a new node for every node it visits, even for a visitor that changes nothing: the
traversal then costs about as much as the parse. This walker reads each node's fields and calls
the same ``visit_<Node>``, ``visit_<Node>_<field>``, ``leave_<Node>_<field>`` and
``leave_<Node>`` methods in the same order, at a fifth of the cost. The order of a node's
fields is libcst's own: read once per node type from its ``_visit_and_replace_children`` with
a visitor that records the fields and does not descend (tested against ``visit_batched`` on
real code in tests/test_libcst_contract.py). Fields that hold only whitespace, comments and
punctuation are not entered unless a visitor asks for such nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from lint_canon.analysis.syntax.lazy import Visitor

# What these fields hold is layout and punctuation only (whitespace, comments, empty lines,
# commas, parentheses, operators' spacing): no visitor of ours looks at it.
_TRIVIA_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "trailing_whitespace",
        "newline",
        "equal",
        "colon",
        "dot",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
    }
)
_TRIVIA_NODES = frozenset(
    {
        "SimpleWhitespace",
        "ParenthesizedWhitespace",
        "TrailingWhitespace",
        "EmptyLine",
        "Comment",
        "Newline",
        "LeftParen",
        "RightParen",
        "LeftSquareBracket",
        "RightSquareBracket",
        "LeftCurlyBrace",
        "RightCurlyBrace",
        "Comma",
        "Semicolon",
        "Colon",
        "Dot",
        "AssignEqual",
    }
)

Method = Callable[[cst.CSTNode], Any]
_Plan = tuple[tuple[Method, ...], tuple[tuple[str, tuple[Method, ...], tuple[Method, ...]], ...], tuple[Method, ...]]


class _FieldRecorder(cst.CSTVisitor):
    def __init__(self, node: cst.CSTNode) -> None:
        super().__init__()
        self.node = node
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.node:
            self.fields.append(attribute)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields libcst visits on a node of this type, in its order."""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        recorder = _FieldRecorder(node)
        node._visit_and_replace_children(recorder)
        fields = tuple(dict.fromkeys(recorder.fields))
        # libcst visits an f-string's (and a t-string's) format spec last, and only when there
        # is one: the node recorded may have had none.
        if "format_spec" in kind.__dataclass_fields__ and "format_spec" not in fields:
            fields += ("format_spec",)
        _FIELDS[kind] = fields
    return fields


class Walker:
    """Calls the visitors' methods on every node of a tree, in libcst's order."""

    def __init__(self, visitors: Sequence[Visitor | cst.BatchableCSTVisitor]) -> None:
        methods: dict[str, list[Method]] = {}
        for visitor in visitors:
            for name, method in visitor.get_visitors().items():
                methods.setdefault(name, []).append(method)
        self._methods = methods
        hooked = {name.split("_", 2)[1] for name in methods}
        self._skip = frozenset() if hooked & _TRIVIA_NODES else _TRIVIA_FIELDS
        self._plans: dict[type, _Plan] = {}

    def _plan(self, node: cst.CSTNode) -> _Plan:
        name = type(node).__name__
        get = self._methods.get
        skip = self._skip
        plan: _Plan = (
            tuple(get(f"visit_{name}", ())),
            tuple(
                (field, tuple(get(f"visit_{name}_{field}", ())), tuple(get(f"leave_{name}_{field}", ())))
                for field in _fields(node)
                if not (skip and (field in skip or field.startswith("whitespace")))
            ),
            tuple(get(f"leave_{name}", ())),
        )
        self._plans[type(node)] = plan
        return plan

    def walk_module(self, module: cst.Module, after_statement: Callable[[cst.CSTNode], None]) -> None:
        """``walk(module)``, calling ``after_statement`` with each top-level statement once it is
        walked (what the rules reported meanwhile was found inside it, or about it)."""
        visits, fields, leaves = self._plans.get(type(module)) or self._plan(module)
        for method in visits:
            method(module)
        for field, enter, leave in fields:
            for method in enter:
                method(module)
            value = getattr(module, field)
            for child in value if isinstance(value, (tuple, list)) else (value,):
                if (_KINDS.get(type(child)) or _kind(child)) is _NODE:
                    self.walk(child)
                    if field == "body":
                        after_statement(child)
            for method in leave:
                method(module)
        for method in leaves:
            method(module)

    def walk(self, node: cst.CSTNode) -> None:
        visits, fields, leaves = self._plans.get(type(node)) or self._plan(node)
        for method in visits:
            method(node)
        for field, enter, leave in fields:
            for method in enter:
                method(node)
            value = getattr(node, field)
            # What a field holds, by its class: a node, a sequence of them, or neither. Asked of
            # a dict, not of isinstance: CSTNode is an ABC, and its isinstance check costs a
            # Python call on every field of every node.
            kind = _KINDS.get(type(value)) or _kind(value)
            if kind is _NODE:
                self.walk(value)
            elif kind is _SEQUENCE:
                for child in value:
                    if (_KINDS.get(type(child)) or _kind(child)) is _NODE:
                        self.walk(child)
            for method in leave:
                method(node)
        for method in leaves:
            method(node)


_NODE, _SEQUENCE, _OTHER = "node", "sequence", "other"
_KINDS: dict[type, str] = {}


def _kind(value: object) -> str:
    kind = _NODE if isinstance(value, cst.CSTNode) else _SEQUENCE if isinstance(value, (tuple, list)) else _OTHER
    _KINDS[type(value)] = kind
    return kind
