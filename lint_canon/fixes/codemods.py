"""The libcst rewrites of the fixes: a guard decorator on a function, a tool id in a string,
the guard's imports. Everything else of the file is kept byte for byte: the transformer rebuilds
only the nodes it is given (by identity), and libcst prints the rest as it was read."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Sequence

import libcst as cst

from lint_canon.analysis.syntax.imports import dotted_name

INTERACTION_TYPE = "InteractionType"
# Where InteractionType lives: lint-canon's alias of the guard module, and lint-canon-guard's
# names for it (its package, which services that install only the guard import, and the module).
GUARD_MODULES = ("lint_canon.guard", "lint_canon_guard", "lint_canon_guard.guard")


class FixTransformer(cst.CSTTransformer):
    """Adds ``decorators`` (id of a FunctionDef -> the guard) last, just above ``def``, so that
    the guard wraps the function itself under any other decorator; replaces the text of the
    strings and names in ``strings`` (id of a SimpleString or a Name -> new text)."""

    def __init__(self, decorators: dict[int, cst.Decorator], strings: dict[int, str]) -> None:
        super().__init__()
        self.decorators = decorators
        self.strings = strings

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        decorator = self.decorators.get(id(original_node))
        if decorator is None:
            return updated_node
        return updated_node.with_changes(decorators=[*updated_node.decorators, decorator])

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        text = self.strings.get(id(original_node))
        if text is None:
            return updated_node
        return updated_node.with_changes(value=requoted(original_node.value, text))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        # `InteractionType.READ` -> `InteractionType.ENRICH`: the member named anew
        text = self.strings.get(id(original_node))
        return updated_node if text is None else updated_node.with_changes(value=text)


def requoted(literal: str, text: str) -> str:
    """``text`` in the prefix and quotes of the string literal ``literal``."""
    body = literal.lstrip("rRuU")
    prefix = literal[: len(literal) - len(body)]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    return f"{prefix}{quote}{text}{quote}"


def replaceable(literal: cst.SimpleString, text: str) -> bool:
    """Can ``text`` go between the quotes of ``literal`` as it is (no escape needed)?"""
    body = literal.value.lstrip("rRuU")
    if body[:1] not in ('"', "'") or len(literal.value) - len(body) > 1:
        return False  # bytes, or a prefix we do not rewrite
    quote = body[:1]
    return text.isprintable() and quote not in text and "\\" not in text


def string(text: str) -> str:
    """A Python string literal of ``text``, in double quotes as ruff formats them."""
    return f'"{text}"' if '"' not in text and "\\" not in text and text.isprintable() else repr(text)


def guard_decorator(name: str, interaction_name: str, tool: str, hub: str, interaction: str) -> cst.Decorator:
    """``@enforce_tool_canon("TOOL-008", "HUB-X", InteractionType.ENRICH)`` with the names the file binds."""
    call = f"{name}({string(tool)}, {string(hub)}, {interaction_name}.{interaction})"
    return cst.Decorator(decorator=cst.parse_expression(call))


def _top_imports(module: cst.Module, before: int | None = None) -> Iterable[tuple[cst.ImportFrom, str | None]]:
    """The module's top-level ``from M import ...`` statements (those of its first ``before``
    statements when given: an import below a use binds its name too late), each with ``M``."""
    for statement in module.body[:before]:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                    yield small, dotted_name(small.module)


def bound_name(module: cst.Module, qualnames: Sequence[str], before: int | None = None) -> str | None:
    """The name under which a top-level ``from M import N [as A]`` (among the first ``before``
    statements) binds one of ``qualnames``."""
    for node, source in _top_imports(module, before):
        if isinstance(node.names, cst.ImportStar):
            continue
        for alias in node.names:
            imported = dotted_name(alias.name)
            if f"{source}.{imported}" in qualnames:
                return alias.asname.name.value if alias.asname is not None else imported  # type: ignore[union-attr]
    return None


def bound_names(source: str, imported: Iterable[str] = ()) -> set[str]:
    """Every name the module binds anywhere (assignments, parameters, functions, classes,
    imports, loop and ``with`` targets, ``global`` names): what an added import must not rebind.
    A name bound only by ``from M import N [as A]`` of one of the ``imported`` qualnames (the
    object the guard's import binds, under any name) does not count."""
    names: set[str] = set()
    same = set(imported)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(
                alias.asname or alias.name for alias in node.names if f"{node.module}.{alias.name}" not in same
            )
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".", 1)[0] for alias in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or an alias of it the module does not bind (``GuardInteractionType``)."""
    if name not in taken:
        return name
    base = f"Guard{name}" if name[:1].isupper() else f"guard_{name}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    return candidate


def _order(name: str) -> tuple[int, str]:
    # isort's and ruff's order-by-type: CONSTANTS, then Classes, then functions and variables.
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def add_imports(
    module: cst.Module,
    wanted: dict[str, list[tuple[str, str]]],
    before: int | None = None,
    first_party: frozenset[str] = frozenset(),
) -> cst.Module:
    """``from M import N [as A]`` for each module of ``wanted`` (module -> (name, alias)):
    merged into the file's top-level ``from M import ...`` above its first use (statement
    ``before``) where there is one, else a new line where isort (and ruff's I001) would put it
    among the leading imports: in its section, after the section's plain imports, in module order."""
    for source, names in wanted.items():
        if not names:
            continue
        existing = next(
            (
                node
                for node, imported in _top_imports(module, before)
                if imported == source and not isinstance(node.names, cst.ImportStar)
            ),
            None,
        )
        if before is not None:
            # the same names imported again below their first use would rebind them (F811)
            module = _dropped_below(module, source, {name for name, alias in names if alias == name}, before)
        # isort keeps `from m import a as b` on a line of its own (ruff's combine-as-imports off)
        plain = [(name, alias) for name, alias in names if alias == name]
        renamed = [(name, alias) for name, alias in names if alias != name]
        if existing is not None and plain:
            replaced = module.deep_replace(existing, _merged(existing, plain))
            assert isinstance(replaced, cst.Module)  # what is replaced is an import inside it
            module = replaced
            plain = []
        lines = ([plain] if plain else []) + [[one] for one in renamed]
        for line in sorted(lines, key=lambda group: _order(group[0][0])):
            module = _inserted(module, source, line, first_party)
    return module


def _dropped_below(module: cst.Module, source: str, names: set[str], before: int) -> cst.Module:
    """``names`` taken out of the top-level ``from source import ...`` lines from statement
    ``before`` on (a line left with none is removed): the import added above binds them."""
    if not names:
        return module
    body = list(module.body)
    changed = False
    for index in range(len(body) - 1, before - 1, -1):
        statement = body[index]
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            not isinstance(small, cst.ImportFrom)
            or small.relative
            or small.module is None
            or dotted_name(small.module) != source
            or isinstance(small.names, cst.ImportStar)
        ):
            continue
        kept = [alias for alias in small.names if alias.asname is not None or dotted_name(alias.name) not in names]
        if len(kept) == len(small.names):
            continue
        changed = True
        if not kept:
            # the line goes; the comments above it stay, above what follows it
            comments = [line for line in statement.leading_lines if line.comment is not None]
            del body[index]
            if comments and index < len(body):
                body[index] = body[index].with_changes(leading_lines=[*comments, *body[index].leading_lines])
            elif comments:
                module = module.with_changes(footer=[*comments, *module.footer])
            continue
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        body[index] = statement.with_changes(body=[small.with_changes(names=kept)])
    return module.with_changes(body=body) if changed else module


def _alias(name: str, alias: str) -> cst.ImportAlias:
    return cst.ImportAlias(name=cst.Name(name), asname=cst.AsName(name=cst.Name(alias)) if alias != name else None)


def _merged(node: cst.ImportFrom, names: list[tuple[str, str]]) -> cst.ImportFrom:
    old = list(node.names)  # type: ignore[arg-type]
    new = [_alias(name, alias) for name, alias in names]
    aliases = old + new
    keys = [_order(dotted_name(alias.name) or "") for alias in old]
    if keys == sorted(keys):
        aliases.sort(key=lambda alias: _order(dotted_name(alias.name) or ""))
    # The commas stay where they were (the last one may be a trailing comma); the names move.
    commas = [alias.comma for alias in old]
    if len(old) > 1:
        between = commas[-2]
    elif node.lpar is not None and isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace):
        between = cst.Comma(whitespace_after=node.lpar.whitespace_after)
    else:
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    commas = commas[:-1] + [between] * len(new) + commas[-1:]
    return node.with_changes(
        names=[alias.with_changes(comma=comma) for alias, comma in zip(aliases, commas, strict=True)]
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


_STDLIB = frozenset(sys.stdlib_module_names)
_FUTURE, _STANDARD, _THIRD_PARTY, _FIRST_PARTY, _LOCAL = range(5)


def _section(statement: cst.SimpleStatementLine, first_party: frozenset[str]) -> int:
    """isort's section of an import line: future, standard library, third party, first party
    (the file's own package), local (relative)."""
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom):
        if small.relative:
            return _LOCAL
        module = dotted_name(small.module) if small.module is not None else ""
    else:
        module = dotted_name(small.names[0].name) if isinstance(small, cst.Import) else ""
    top = (module or "").split(".", 1)[0]
    if top == "__future__":
        return _FUTURE
    if top in first_party:
        return _FIRST_PARTY
    return _STANDARD if top in _STDLIB else _THIRD_PARTY


def _sort_key(statement: cst.SimpleStatementLine) -> tuple[int, str, str, tuple[int, str]]:
    """Where a line sorts in its section (isort's defaults): plain ``import m`` lines first,
    then ``from m import ...``, each by module name, case aside; lines of one module by their
    first name (order by type)."""
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom):
        module = dotted_name(small.module) if small.module is not None else ""
        first = small.names[0] if not isinstance(small.names, cst.ImportStar) and small.names else None
        member = _order(dotted_name(first.name) or "") if first is not None else (0, "")
        return 1, (module or "").lower(), module or "", member
    module = dotted_name(small.names[0].name) if isinstance(small, cst.Import) else ""
    return 0, (module or "").lower(), module or "", (0, "")


def _inserted(module: cst.Module, source: str, names: list[tuple[str, str]], first_party: frozenset[str]) -> cst.Module:
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _is_import(body[end]):
        end += 1
    listed = ", ".join(
        name if alias == name else f"{name} as {alias}" for name, alias in sorted(names, key=lambda n: _order(n[0]))
    )
    line = cst.parse_statement(f"from {source} import {listed}")
    assert isinstance(line, cst.SimpleStatementLine)
    if end == start:
        # no imports yet: after the docstring, with the blank lines isort keeps around imports
        line = line.with_changes(leading_lines=[cst.EmptyLine()] if start else [])
        if end < len(body) and not any(empty.comment is None for empty in body[end].leading_lines):
            blank = 2 if isinstance(body[end], (cst.FunctionDef, cst.ClassDef)) else 1
            body[end] = body[end].with_changes(leading_lines=[cst.EmptyLine()] * blank + list(body[end].leading_lines))
        body.insert(end, line)
        return module.with_changes(body=body)
    section = _section(line, first_party)
    key = _sort_key(line)
    block = [(index, body[index]) for index in range(start, end)]
    sections = [_section(statement, first_party) for _, statement in block]  # type: ignore[arg-type]
    same = [(index, statement) for (index, statement), kind in zip(block, sections, strict=True) if kind == section]
    if same:
        # in its section: before the first line that sorts after it, else after the last one
        position = next(
            (index for index, statement in same if _sort_key(statement) > key),  # type: ignore[arg-type]
            same[-1][0] + 1,
        )
        if position == same[0][0]:
            # it becomes the section's first line: it takes that line's blank lines and comments
            first = body[position]
            line = line.with_changes(leading_lines=list(first.leading_lines))
            body[position] = first.with_changes(leading_lines=[])
        body.insert(position, line)
        return module.with_changes(body=body)
    # a section of its own, between the sections before it and those after it
    after = next((index for (index, _), kind in zip(block, sections, strict=True) if kind > section), end)
    line = line.with_changes(leading_lines=[cst.EmptyLine()] if after > start else [])
    if after < end and after == start:
        first = body[after]
        line = line.with_changes(leading_lines=list(first.leading_lines))
        body[after] = first.with_changes(leading_lines=[cst.EmptyLine()])
    elif after < end and not any(empty.comment is None for empty in body[after].leading_lines):
        body[after] = body[after].with_changes(leading_lines=[cst.EmptyLine(), *body[after].leading_lines])
    body.insert(after, line)
    return module.with_changes(body=body)
