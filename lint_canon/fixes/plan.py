"""From one file's findings to the edits that fix them: each finding is found again in the tree
by its exact position, and the fix is the one it carries (``Finding.fix``, data the rule gave:
nothing reads a message). Nothing here judges the code: a finding without a fix, or whose node
is not where the fix needs it, is left as it is."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import libcst as cst

from lint_canon.analysis.syntax.positions import node_positions
from lint_canon.fixes.codemods import (
    GUARD_MODULES,
    INTERACTION_TYPE,
    FixTransformer,
    add_imports,
    bound_name,
    bound_names,
    free_name,
    guard_decorator,
    replaceable,
)
from lint_canon.output.findings import Finding, Fix
from lint_canon.rules.guard_gates_unreachable import DEFAULT_ARG, gate_needs, takes_argument
from lint_canon_guard.config import Canon, Tool

FIXABLE = ("CANON301", "CANON302", "CANON305")


@dataclass
class Plan:
    """The rewritten module and the findings it fixes; ``notes`` say why a fix was not made."""

    module: cst.Module
    fixed: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imports: tuple[str, ...] = ()  # the modules the guard's names were imported from (none added: empty)


class _Tree:
    """The parsed file, the nodes of the top-level statements that hold findings found by
    position, and each such node's parent. PositionProvider would place every node of the module
    (seconds for a few thousand lines, what an editor's quick fix waits for); the statements
    the findings' lines fall in are enough, as a fix edits the function a finding is in."""

    def __init__(self, module: cst.Module, source: str, findings: Sequence[Finding]) -> None:
        self.module = module
        lines = {line for finding in findings for line in range(finding.line, finding.end_line + 1)}
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        of_statement: dict[int, cst.CSTNode] = {}
        nodes: list[cst.CSTNode] = []
        for statement, (first, last) in zip(module.body, _statement_lines(module, source), strict=True):
            if any(first <= wanted <= last for wanted in lines):
                self.parents[statement] = module
                collector = _Collect(self.parents)
                statement.visit(collector)
                nodes.extend(collector.found)
                of_statement.update((id(node), statement) for node in collector.found)
        positions = node_positions(module, source, nodes, of_statement)
        self.at: dict[tuple[int, int, int, int], list[cst.CSTNode]] = {}
        for node in nodes:
            self.at.setdefault(positions[id(node)], []).append(node)

    def transformed(self, transformer: cst.CSTTransformer) -> cst.Module:
        """The module with ``transformer`` run over the statements that hold findings (where
        every node a fix edits is) and the others as they are."""
        body = [
            cast(cst.BaseStatement, statement.visit(transformer)) if statement in self.parents else statement
            for statement in self.module.body
        ]
        return self.module.with_changes(body=body)

    def node(self, finding: Finding, kind: type) -> cst.CSTNode | None:
        key = (finding.line, finding.col - 1, finding.end_line, finding.end_col - 1)
        found = [node for node in self.at.get(key, []) if isinstance(node, kind)]
        return found[0] if len(found) == 1 else None

    def top_level_index(self, node: cst.CSTNode) -> int:
        """The index, in the module's body, of the top-level statement holding ``node``."""
        while node in self.parents and self.parents[node] is not self.module:
            node = self.parents[node]
        return next(index for index, statement in enumerate(self.module.body) if statement is node)

    def function_of(self, node: cst.CSTNode, through_lambda: bool) -> cst.FunctionDef | None:
        """The nearest enclosing function; None at module level, or inside a lambda unless
        ``through_lambda``."""
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, cst.FunctionDef):
                return node
            if isinstance(node, cst.Lambda) and not through_lambda:
                return None
        return None


class _Collect(cst.CSTVisitor):
    """Each node's parent (into ``parents``), and the calls and strings (``found``)."""

    def __init__(self, parents: dict[cst.CSTNode, cst.CSTNode]) -> None:
        self.parents = parents
        self.stack: list[cst.CSTNode] = []
        self.found: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[node] = self.stack[-1]
        self.stack.append(node)
        if isinstance(node, (cst.Call, cst.SimpleString)):
            self.found.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


_LINE_END = re.compile(r"\r\n?|\n")


def _statement_lines(module: cst.Module, source: str) -> list[tuple[int, int]]:
    """The first and last line of each top-level statement: from CPython's parse of the same
    text (a small part of a code generation's cost) where its statements pair with libcst's,
    else by generating each statement's code and counting its lines."""
    spans = _ast_lines(module, source)
    if spans is not None:
        return spans
    spans = []
    line = 1 + sum(len(_LINE_END.findall(module.code_for_node(header))) for header in module.header)
    for statement in module.body:
        count = len(_LINE_END.findall(module.code_for_node(statement)))
        spans.append((line, line + max(count, 1) - 1))
        line += count
    return spans


def _ast_lines(module: cst.Module, source: str) -> list[tuple[int, int]] | None:
    """``_statement_lines`` from ``ast``; None where it cannot tell (a syntax this Python does
    not parse, or statements that do not pair: ``a; b`` is one line of libcst's, two of ast's)."""
    try:
        body = ast.parse(source).body
    except Exception:  # SyntaxError, a newer syntax, RecursionError: count lines instead
        return None
    spans: list[tuple[int, int]] = []
    at = 0
    for statement in module.body:
        small = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        nodes = body[at : at + small]
        at += small
        if len(nodes) != small:
            return None
        first = min(min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) for node in nodes)
        last = max(node.end_lineno or node.lineno for node in nodes)
        # leading comments and blank lines belong to libcst's statement; no finding is on them
        spans.append((first, last))
    return spans if at == len(body) else None


def _named_string(tree: _Tree, finding: Finding, fix: Fix) -> tuple[cst.SimpleString, cst.Call] | None:
    """The string literal naming ``fix.named`` in a guard, and the guard's call: at the
    finding's place (CANON302, a fix without a function), else in the guard of ``fix.function``,
    the function making the finding's call (CANON305)."""
    if not fix.function:
        node = tree.node(finding, cst.SimpleString)
        call = tree.parents.get(tree.parents.get(node)) if node is not None else None  # type: ignore[arg-type]
        if isinstance(node, cst.SimpleString) and node.evaluated_value == fix.named and isinstance(call, cst.Call):
            return node, call
        return None
    found = tree.node(finding, cst.Call)
    function = tree.function_of(found, through_lambda=True) if found is not None else None
    if function is None or function.name.value != fix.function:
        return None
    return _tool_string(function, fix.named)


def _guard_argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    """The guard call's argument at ``position`` or named ``keyword``."""
    named = [arg for arg in call.args if arg.keyword is not None and arg.keyword.value == keyword]
    if named:
        return named[0].value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if position < len(positional) else None


def _tool_string(function: cst.FunctionDef, tool_id: str) -> tuple[cst.SimpleString, cst.Call] | None:
    """The string literal naming ``tool_id`` in the function's guard (the first positional
    argument or ``tool_id=`` of one decorator call, and only one), and that call."""
    found = []
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            continue
        arg = _guard_argument(call, 0, "tool_id")
        if isinstance(arg, cst.SimpleString) and arg.evaluated_value == tool_id:
            found.append((arg, call))
    return found[0] if len(found) == 1 else None


def _fitted(call: cst.Call, tool: Tool | None, hub: str | None, interaction: str | None) -> dict[int, str] | None:
    """The edits that make the guard's hub and interaction fit ``tool`` (id of a string or an
    ``InteractionType`` member's name -> new text): none where they fit already; the tool's one
    hub or interaction, or ``hub`` / ``interaction`` when given and the tool's, where they do
    not. None when they do not fit and no single choice is right."""
    if tool is None:
        return None
    edits: dict[int, str] = {}
    named_hub = _guard_argument(call, 1, "hub_id")
    if not isinstance(named_hub, cst.SimpleString) or not isinstance(named_hub.evaluated_value, str):
        return None
    if named_hub.evaluated_value not in tool.hubs:
        chosen = hub if hub in tool.hubs else tool.hubs[0] if len(tool.hubs) == 1 else None
        if chosen is None or not replaceable(named_hub, chosen):
            return None
        edits[id(named_hub)] = chosen
    named = _guard_argument(call, 2, "interaction_type")
    if isinstance(named, cst.Attribute):
        member: cst.Name | cst.SimpleString = named.attr
        current = named.attr.value
    elif isinstance(named, cst.SimpleString) and isinstance(named.evaluated_value, str):
        member, current = named, named.evaluated_value.upper()
    else:
        return None
    if current not in tool.interactions:
        chosen = interaction if interaction in tool.interactions else None
        if chosen is None and len(tool.interactions) == 1:
            chosen = tool.interactions[0]
        if chosen is None or (isinstance(member, cst.SimpleString) and not replaceable(member, chosen)):
            return None
        edits[id(member)] = chosen
    return edits


def plan(
    module: cst.Module,
    source: str,
    findings: Sequence[Finding],
    canon: Canon,
    hub: str | None = None,
    interaction: str | None = None,
    first_party: frozenset[str] = frozenset(),
) -> Plan:
    """The edits that fix ``findings`` of one file (each by the fix it carries), with ``hub`` /
    ``interaction`` choosing among a tool's several."""
    tree = _Tree(module, source, findings)
    result = Plan(tree.module)
    strings: dict[int, str] = {}
    guards: dict[int, tuple[cst.FunctionDef, tuple[str, str, str], list[Finding]]] = {}
    refused: set[int] = set()
    for finding in findings:
        fix = finding.fix
        if fix is None:
            continue
        if fix.kind == "tool-id":
            # CANON302: the string naming an unknown tool, at the finding's place; CANON305: the
            # guard of the function that makes the finding's call
            guard = _named_string(tree, finding, fix)
            if guard is None or not replaceable(guard[0], fix.tool):
                continue
            # the new tool's hub and interaction too, where the guard's are not the new tool's
            fitted = _fitted(guard[1], canon.tool(fix.tool), hub, interaction)
            if fitted is None:
                _note(result, finding, fix.tool)
                continue
            strings[id(guard[0])] = fix.tool
            strings.update(fitted)
            result.fixed.append(finding)
        elif fix.kind == "add-guard":
            found = tree.node(finding, cst.Call)
            if found is None:
                continue
            function = tree.function_of(found, through_lambda=False)
            if function is None or function.name.value != fix.function or id(function) in refused:
                continue
            gated = canon.tool(fix.tool)
            needs = gate_needs(gated) if gated is not None else []
            if needs and not takes_argument(function, DEFAULT_ARG):
                note = (
                    f"{finding.path}:{finding.line}:{finding.col}: {finding.code} not fixed: {fix.tool} checks "
                    f"{', '.join(needs)} in a 'gate_state' argument '{fix.function}' does not take: the guard would "
                    "refuse every call; add a gate_state parameter its callers fill, then fix again"
                )
                if note not in result.notes:
                    result.notes.append(note)
                continue
            chosen_hub = hub if hub in fix.hubs else fix.hub
            chosen_interaction = interaction if interaction in fix.interactions else fix.interaction
            if chosen_hub is None or chosen_interaction is None:
                unresolved = _unresolved(finding, fix, (hub, interaction), (chosen_hub, chosen_interaction))
                if unresolved is not None and unresolved not in result.notes:
                    result.notes.append(unresolved)
                continue
            guard_of = (fix.tool, chosen_hub, chosen_interaction)
            known = guards.get(id(function))
            if known is None:
                guards[id(function)] = (function, guard_of, [finding])
            elif known[1] == guard_of:
                known[2].append(finding)
            else:  # two guards for one function: no fix is right
                refused.add(id(function))
                del guards[id(function)]
    decorators: dict[int, cst.Decorator] = {}
    if guards:
        qualname = canon.guard_decorators[0]
        home, _, name = qualname.rpartition(".")
        wanted: dict[str, list[tuple[str, str]]] = {}
        # the guard's names must be bound above the first function it decorates, by an import
        # that rebinds nothing the module already binds (else under an alias)
        first_use = min(tree.top_level_index(function) for function, _, _ in guards.values())
        guard_names = (*canon.guard_decorators, *(f"{module}.{INTERACTION_TYPE}" for module in GUARD_MODULES))
        taken = bound_names(source, guard_names)
        decorator = bound_name(tree.module, canon.guard_decorators, first_use)
        if decorator in taken:
            decorator = None  # the guard's import above, but the module binds the name again
        if decorator is None:
            decorator = free_name(name, taken)
            wanted.setdefault(home, []).append((name, decorator))
        interaction_modules = tuple(dict.fromkeys((home, *GUARD_MODULES) if home in GUARD_MODULES else GUARD_MODULES))
        interaction_name = bound_name(
            tree.module, [f"{module}.{INTERACTION_TYPE}" for module in interaction_modules], first_use
        )
        if interaction_name in taken:
            interaction_name = None
        if interaction_name is None:
            interaction_name = free_name(INTERACTION_TYPE, taken | {decorator})
            wanted.setdefault(interaction_modules[0], []).append((INTERACTION_TYPE, interaction_name))
        for key, (_, (tool, chosen_hub, chosen_interaction), fixed) in guards.items():
            decorators[key] = guard_decorator(decorator, interaction_name, tool, chosen_hub, chosen_interaction)
            result.fixed.extend(fixed)
        result.module = add_imports(
            tree.transformed(FixTransformer(decorators, strings)), wanted, first_use, first_party
        )
        result.imports = tuple(wanted)
    elif strings:
        result.module = tree.transformed(FixTransformer({}, strings))
    return result


def _note(result: Plan, finding: Finding, tool: str) -> None:
    note = (
        f"{finding.path}:{finding.line}:{finding.col}: {finding.code} not fixed: the guard's hub or "
        f"interaction is not {tool}'s and it has several: give --hub / --interaction"
    )
    if note not in result.notes:
        result.notes.append(note)


def _unresolved(
    finding: Finding,
    missing: Fix,
    given: tuple[str | None, str | None],
    chosen: tuple[str | None, str | None],
) -> str | None:
    """Why --hub / --interaction did not settle a CANON301 fix (None when neither was given:
    the finding's own message lists the choices)."""
    if given == (None, None):
        return None
    reasons = []
    for value, option, choice, choices, what in (
        (given[0], "--hub", chosen[0], missing.hubs, "hubs"),
        (given[1], "--interaction", chosen[1], missing.interactions, "interaction types"),
    ):
        if choice is not None:
            continue
        listed = ", ".join(choices)
        if not choices:
            reasons.append(f"the canon lists no {what} for {missing.tool}")
        elif value is None:
            reasons.append(f"{missing.tool} has several {what}: give {option} ({listed})")
        else:
            reasons.append(f"{option} {value} is not one of {missing.tool}'s {what} ({listed})")
    return f"{finding.path}:{finding.line}:{finding.col}: {finding.code} not fixed: {'; '.join(reasons)}"
