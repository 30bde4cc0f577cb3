"""The libcst rewrites of the fixes: a guard decorator on a function, a tool id in a string,
the guard's imports. Everything else of the file is kept byte for byte: the transformer rebuilds
only the nodes it is given (by identity), and libcst prints the rest as it was read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst

from lint_canon.analysis.syntax.imports import dotted_name

INTERACTION_TYPE = "InteractionType"
# Where InteractionType lives: the linter's name for the guard module, and the guard's own.
GUARD_MODULES = ("lint_canon.guard", "lint_canon_guard.guard")


class Codemod(cst.CSTTransformer):
    """Adds ``decorators`` (id of a FunctionDef -> the guard) last, just above ``def``, so that
    the guard wraps the function itself under any other decorator; replaces the text of the
    strings in ``strings`` (id of a SimpleString -> new text)."""

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


def _top_imports(module: cst.Module) -> Iterable[cst.ImportFrom]:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                    yield small


def bound_name(module: cst.Module, qualnames: Sequence[str]) -> str | None:
    """The name under which a top-level ``from M import N [as A]`` binds one of ``qualnames``."""
    for node in _top_imports(module):
        if isinstance(node.names, cst.ImportStar):
            continue
        source = dotted_name(node.module)
        for alias in node.names:
            imported = dotted_name(alias.name)
            if f"{source}.{imported}" in qualnames:
                return alias.asname.name.value if alias.asname is not None else imported  # type: ignore[union-attr]
    return None


def _order(name: str) -> tuple[int, str]:
    # isort's and ruff's order-by-type: CONSTANTS, then Classes, then functions and variables.
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def add_imports(module: cst.Module, wanted: dict[str, list[str]]) -> cst.Module:
    """``from M import names`` for each module of ``wanted``: merged into the file's top-level
    ``from M import ...`` where there is one, else a new line after its leading imports."""
    for source, names in wanted.items():
        if not names:
            continue
        existing = next(
            (
                node
                for node in _top_imports(module)
                if dotted_name(node.module) == source and not isinstance(node.names, cst.ImportStar)
            ),
            None,
        )
        if existing is not None:
            module = module.deep_replace(existing, _merged(existing, names))
        else:
            module = _inserted(module, source, names)
    return module


def _merged(node: cst.ImportFrom, names: list[str]) -> cst.ImportFrom:
    old = list(node.names)  # type: ignore[arg-type]
    new = [cst.ImportAlias(name=cst.Name(name)) for name in names]
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


def _inserted(module: cst.Module, source: str, names: list[str]) -> cst.Module:
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _is_import(body[end]):
        end += 1
    line = cst.parse_statement(f"from {source} import {', '.join(sorted(names, key=_order))}")
    if end > start:
        only_future = all(
            isinstance(small, cst.ImportFrom) and dotted_name(small.module) == "__future__"  # type: ignore[arg-type]
            for statement in body[start:end]
            for small in statement.body  # type: ignore[attr-defined]
        )
        line = line.with_changes(leading_lines=[cst.EmptyLine()] if only_future else [])
    else:
        line = line.with_changes(leading_lines=[cst.EmptyLine()] if start else [])
        if end < len(body) and not any(empty.comment is None for empty in body[end].leading_lines):
            # Code right after the new import: a blank line between (two before a def or class).
            blank = 2 if isinstance(body[end], (cst.FunctionDef, cst.ClassDef)) else 1
            body[end] = body[end].with_changes(leading_lines=[cst.EmptyLine()] * blank + list(body[end].leading_lines))
    body.insert(end, line)
    return module.with_changes(body=body)
