"""The DONE-state contract: the criteria table of the DONE doc, and the ``fn_check_*_done``
functions of the SQL, both reduced to sets of normalised predicates that can be compared.

The doc is the table of the user's document (section 1.4): ``| Function | Hub | DONE Criteria |``,
criteria separated by commas, such as ``execution_status='ready', email_method NOT NULL``. Two
phrases of that document are understood as well: ``Record exists`` (the hub row exists, nothing
more) and ``>= min_slots filled`` (at least that many rows with ``is_filled``).

The SQL is parsed with PostgreSQL's own parser (pglast), plpgsql bodies included. Both sides are
normalised the same way: ``x NOT NULL`` = ``x IS NOT NULL``; case, quoting, table aliases,
casts and redundant parentheses do not matter; ``a = b`` = ``b = a``; ``x = TRUE`` = ``x``;
``0 < n`` = ``n > 0``; a parameter ``p_min_slots`` = ``min_slots``; ``coalesce(param, default)``
is the parameter; ``count(*) FILTER (WHERE is_filled)`` is ``COUNT(filled)``. The comparison
with the row's own id (``outreach_id = p_outreach_id``) is the lookup, not a criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXISTS = "EXISTS"
_NOT_NULL = re.compile(r"\b(?!is\b)([A-Za-z_][\w.]*|\"[^\"]+\")\s+NOT\s+NULL\b", re.IGNORECASE)
_AT_LEAST = re.compile(r"^>=\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)$")
_FUNCTION_CELL = re.compile(r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)?)\s*\(")
_CHECKER = re.compile(r"^(?:\w+\.)?fn_check_\w+_done$")


class Unparsable(Exception):
    """A criterion or function the normaliser cannot read; reported, never guessed."""


@dataclass
class DocRow:
    function: str
    hub: str
    line: int
    path: Path = Path()
    criteria: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    problems: list[str] = field(default_factory=list)


@dataclass
class SqlChecker:
    function: str
    path: Path
    line: int
    criteria: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


# --- the doc ------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [cell.strip() for cell in body.split("|")]


def _split_top(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses."""
    parts, depth, quote, current = [], 0, None, []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def read_doc(text: str, path: Path = Path()) -> list[DocRow]:
    """The rows of every ``| Function | Hub | DONE Criteria |`` table of the doc."""
    rows: list[DocRow] = []
    columns: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip().startswith("|"):
            columns = None
            continue
        cells = _cells(line)
        lowered = [c.lower().strip("* ") for c in cells]
        if "function" in lowered and "hub" in lowered and any("criteria" in c for c in lowered):
            columns = {
                "function": lowered.index("function"),
                "hub": lowered.index("hub"),
                "criteria": next(i for i, c in enumerate(lowered) if "criteria" in c),
            }
            continue
        if columns is None or all(set(c) <= set("-: ") for c in cells):
            continue
        if len(cells) <= max(columns.values()):
            continue
        match = _FUNCTION_CELL.search(cells[columns["function"]].strip("`"))
        if match is None:
            continue
        row = DocRow(match.group(1).lower(), cells[columns["hub"]], number, path)
        for criterion in _split_top(cells[columns["criteria"]]):
            try:
                for normal in normalise_criterion(criterion):
                    row.criteria[normal] = criterion
            except Unparsable as exc:
                row.problems.append(f"cannot parse criterion {criterion!r}: {exc}")
        rows.append(row)
    return rows


def normalise_criterion(criterion: str) -> list[str]:
    """The normalised predicates one criterion of the doc stands for."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    text = criterion.strip().strip("`").strip()
    if text.lower() in ("record exists", "row exists", "exists"):
        return [EXISTS]
    at_least = _AT_LEAST.match(text)
    if at_least:
        param, column = at_least.groups()
        return [f"COUNT({_strip_is(column.lower())}) >= {_strip_param(param.lower())}"]
    text = _NOT_NULL.sub(r"\1 IS NOT NULL", text)
    try:
        where = parse_sql(f"SELECT 1 WHERE {text}")[0].stmt.whereClause
    except ParseError as exc:
        raise Unparsable(str(exc.args[0]) if exc.args else "not SQL") from None
    return _Normaliser(params=set()).conjuncts(where)


# --- the SQL ------------------------------------------------------------------------------


def read_sql(path: Path, text: str) -> list[SqlChecker]:
    """Every ``CREATE [OR REPLACE] FUNCTION ... fn_check_*_done`` of one SQL file."""
    from lint_canon.sqltext import statements

    checkers = []
    for stmt, chunk, line in statements(text):
        if type(stmt).__name__ != "CreateFunctionStmt":
            continue
        name = ".".join(n.sval for n in stmt.funcname).lower()
        if not _CHECKER.match(name):
            continue
        checker = SqlChecker(name, path, line)
        try:
            for normal in _function_criteria(stmt, chunk):
                checker.criteria[normal] = normal
        except Unparsable as exc:
            checker.problem = str(exc)
        checkers.append(checker)
    return checkers


def _function_criteria(stmt: Any, source: str) -> list[str]:
    from pglast import parse_plpgsql, parse_sql

    options = {o.defname: o.arg for o in stmt.options or ()}
    language = options.get("language").sval.lower() if options.get("language") is not None else "sql"
    params = [p.name for p in stmt.parameters or () if p.name]
    body = options.get("as")
    if body is None and getattr(stmt, "sql_body", None) is not None:
        raise Unparsable("SQL-standard function bodies are not read; use AS $$ ... $$")
    if body is None:
        raise Unparsable("the function has no body")
    normaliser = _Normaliser(params=set(params), id_param=params[0] if params else None)
    if language == "sql":
        text = body[0].sval
        selects = [s.stmt for s in parse_sql(text)]
        if not selects or type(selects[-1]).__name__ != "SelectStmt":
            raise Unparsable("the body does not end with a SELECT")
        return normaliser.select_criteria(selects[-1])
    if language == "plpgsql":
        expressions = []
        _collect_returns(parse_plpgsql(source), expressions)
        if not expressions:
            raise Unparsable("no RETURN expression in the plpgsql body")
        out: list[str] = []
        for expression in expressions:
            select = parse_sql(f"SELECT {expression}")[0].stmt
            out += normaliser.select_criteria(select)
        return out
    raise Unparsable(f"functions in LANGUAGE {language} are not read")


def _collect_returns(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "PLpgSQL_stmt_return" and isinstance(value, dict):
                expr = value.get("expr", {}).get("PLpgSQL_expr", {}).get("query")
                if expr:
                    out.append(expr)
            _collect_returns(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_returns(item, out)


# --- normalisation ------------------------------------------------------------------------


def _strip_param(name: str) -> str:
    return name[2:] if name.startswith("p_") else name


def _strip_is(name: str) -> str:
    return name[3:] if name.startswith("is_") else name


_FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">="}


class _Normaliser:
    def __init__(self, params: set[str], id_param: str | None = None) -> None:
        self.params = params
        self.id_param = id_param

    def select_criteria(self, select: Any) -> list[str]:
        if not select.targetList:
            raise Unparsable("SELECT without a result")
        value = select.targetList[0].val
        out: list[str] = []
        kind = type(value).__name__
        if kind == "SubLink" and _sublink_kind(value) == "EXISTS_SUBLINK":
            out += self.where_criteria(value.subselect.whereClause)
            return out or [EXISTS]
        out += self.conjuncts(value)
        out += self.where_criteria(select.whereClause)
        return out

    def where_criteria(self, where: Any) -> list[str]:
        if where is None:
            return []
        return [c for c in self.conjuncts(where, drop_lookup=True) if c]

    def conjuncts(self, node: Any, drop_lookup: bool = False) -> list[str]:
        if node is None:
            return []
        if type(node).__name__ == "BoolExpr" and _boolop(node) == "AND_EXPR":
            out: list[str] = []
            for arg in node.args:
                out += self.conjuncts(arg, drop_lookup)
            return out
        if drop_lookup and self._is_lookup(node):
            return []
        return [self.text(node)]

    def _is_lookup(self, node: Any) -> bool:
        if type(node).__name__ != "A_Expr" or _op(node) != "=" or self.id_param is None:
            return False
        sides = [node.lexpr, node.rexpr]
        return any(type(s).__name__ == "ColumnRef" and _colname(s) == self.id_param for s in sides)

    def text(self, node: Any) -> str:  # noqa: C901 - one case per node type
        kind = type(node).__name__
        if kind == "ColumnRef":
            name = _colname(node)
            return _strip_param(name) if name in self.params else name
        if kind == "ParamRef":
            return f"${node.number}"
        if kind == "A_Const":
            return _const(node)
        if kind == "TypeCast":
            return self.text(node.arg)
        if kind == "NullTest":
            suffix = "IS NOT NULL" if "NOT" in _enum(node.nulltesttype) else "IS NULL"
            return f"{self.text(node.arg)} {suffix}"
        if kind == "BooleanTest":
            test = _enum(node.booltesttype)
            inner = self.text(node.arg)
            return inner if test.endswith("IS_TRUE") else f"NOT {inner}" if test.endswith("IS_FALSE") else inner
        if kind == "BoolExpr":
            op = _boolop(node)
            if op == "NOT_EXPR":
                return f"NOT {self.text(node.args[0])}"
            parts = sorted(self.text(a) for a in node.args)
            return "(" + f" {'AND' if op == 'AND_EXPR' else 'OR'} ".join(parts) + ")"
        if kind == "A_Expr":
            return self._expr(node)
        if kind == "FuncCall":
            return self._call(node)
        if kind == "CoalesceExpr":
            first = node.args[0]
            if type(first).__name__ == "ColumnRef" and _colname(first) in self.params:
                return self.text(first)  # a parameter with a default
            return "coalesce(" + ", ".join(self.text(a) for a in node.args) + ")"
        if kind == "SubLink":
            raise Unparsable("a subquery inside a criterion")
        from pglast.stream import RawStream

        return RawStream()(node)

    def _expr(self, node: Any) -> str:
        op = _op(node)
        left, right = node.lexpr, node.rexpr
        if op in ("=", "<>", "!=") and _is_bool_const(right) or _is_bool_const(left) and op in ("=", "<>", "!="):
            const, other = (right, left) if _is_bool_const(right) else (left, right)
            truth = _const(const) == "TRUE"
            if op != "=":
                truth = not truth
            inner = self.text(other)
            return inner if truth else f"NOT {inner}"
        lhs, rhs = self.text(left), self.text(right) if right is not None else ""
        if op == "!=":
            op = "<>"
        if op in ("=", "<>"):
            lhs, rhs = sorted((lhs, rhs))
        elif op in _FLIP and type(left).__name__ == "A_Const" and type(right).__name__ != "A_Const":
            lhs, rhs, op = rhs, lhs, _FLIP[op]
        return f"{lhs} {op} {rhs}"

    def _call(self, node: Any) -> str:
        name = node.funcname[-1].sval.lower()
        args = list(node.args or ())
        if name == "coalesce" and args and type(args[0]).__name__ == "ColumnRef" and _colname(args[0]) in self.params:
            return self.text(args[0])
        if name == "count":
            if node.agg_filter is not None:
                return f"COUNT({_strip_is(self.text(node.agg_filter))})"
            if node.agg_star:
                return "COUNT(*)"
        inner = ", ".join(self.text(a) for a in args) if not node.agg_star else "*"
        return f"{name}({inner})"


def _enum(value: Any) -> str:
    return getattr(value, "name", None) or str(value).split(".")[-1]


def _sublink_kind(node: Any) -> str:
    return _enum(node.subLinkType)


def _boolop(node: Any) -> str:
    return _enum(node.boolop)


def _op(node: Any) -> str:
    return node.name[-1].sval if node.name else ""


def _colname(node: Any) -> str:
    fields = [f for f in node.fields if type(f).__name__ == "String"]
    return fields[-1].sval.lower() if fields else "*"


def _is_bool_const(node: Any) -> bool:
    return (
        type(node).__name__ == "A_Const"
        and getattr(node, "val", None) is not None
        and type(node.val).__name__ == "Boolean"
    )


def _const(node: Any) -> str:
    if getattr(node, "isnull", False):
        return "NULL"
    value = node.val
    kind = type(value).__name__
    if kind == "Integer":
        return str(value.ival)
    if kind == "Float":
        return str(value.fval)
    if kind == "Boolean":
        return "TRUE" if value.boolval else "FALSE"
    if kind == "String":
        return "'" + value.sval.replace("'", "''") + "'"
    return str(value)
