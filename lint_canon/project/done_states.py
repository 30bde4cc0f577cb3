"""The DONE-state contract: the criteria table of the DONE doc, and the ``fn_check_*_done``
functions of the SQL, both reduced to sets of normalised predicates that can be compared.

The doc is the table of the user's document (section 1.4): ``| Function | Hub | DONE Criteria |``,
criteria separated by commas, such as ``execution_status='ready', email_method NOT NULL``. Two
phrases of that document are understood as well: ``Record exists`` (the hub row exists, nothing
more) and ``>= min_slots filled`` (at least that many rows with ``is_filled``). The doc's tables
are the ones GitHub shows (GFM): a table needs its delimiter row; tables in fenced code blocks
and in HTML comments are not the doc's; ``\\|`` is a pipe inside a cell, and so is a pipe inside
a code span; a row's missing cells are empty and its extra cells are not shown.

The SQL is parsed with PostgreSQL's own parser (pglast), plpgsql bodies included, statement by
statement (lint_canon.project.sqltext): a statement that does not parse is reported at its line and the
others are still read. Both sides are normalised the same way: ``x NOT NULL`` = ``x IS NOT
NULL``; case, quoting, table aliases, casts and redundant parentheses do not matter; ``a = b`` =
``b = a``; ``x = TRUE`` = ``x``; ``0 < n`` = ``n > 0``; a parameter ``p_min_slots`` =
``min_slots``; ``coalesce(param, default)`` is the parameter; ``count(*) FILTER (WHERE
is_filled)`` is ``COUNT(filled)``. The comparison with the row's own id (``outreach_id =
p_outreach_id``) is the lookup, not a criterion.

A checker may select from a set-returning LANGUAGE sql function of the same file, the one
definition of the hub that a readiness view shares (``EXISTS (SELECT 1 FROM
shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)``): that function is
followed, one hop. Its WHERE and HAVING predicates are criteria, and a column of it that the
checker names (``s.done``) stands for the function's expression for that column (a constant
TRUE, a hub whose every row is DONE, is no criterion). A function that one selects from in
turn, or one in another language, is reported, not followed; a function of another file is not
followed (each file is read on its own).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lint_canon.project.sqltext import (
    SqlProblem,
    SqlStatement,
    SqlTooLarge,
    error_location,
    error_message,
    is_parser_limit,
    on_deep_stack,
    parse,
    read_statements,
)
from lint_canon_guard.lines import split_lines

EXISTS = "EXISTS"
MAX_CRITERIA_CHARS = 10_000  # a criteria cell longer than this is not read (a page of SQL)
MAX_FUNCTION_CHARS = 1_000
# Starts only where a name starts (never inside one, never after a dot): linear on any cell.
_NOT_NULL = re.compile(r"(?<![\w.\"])(?!is\b)([A-Za-z_][\w.]*|\"[^\"]+\")\s+NOT\s+NULL\b", re.IGNORECASE)
_AT_LEAST = re.compile(r"^>=\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)$")
_FUNCTION_CELL = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\(")
_CHECKER = re.compile(r"^(?:\w+\.)?fn_check_\w+_done$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_HTML_COMMENT = re.compile(r"^ {0,3}<!--")
_OTHER_BLOCK = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|>)")  # a heading or a block quote ends a table
_DELIMITER_CELL = re.compile(r"[ \t]*:?-+:?[ \t]*")
_BACKTICKS = re.compile(r"`+")
_SQL_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_OUTPUT_MODES = frozenset({"FUNC_PARAM_OUT", "FUNC_PARAM_TABLE"})


class Unparsable(Exception):
    """A criterion or function the normaliser cannot read; reported, never guessed. ``problem``:
    the same as a finding on the SQL file, at the line of the error, when there is one."""

    def __init__(self, message: str, problem: SqlProblem | None = None) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass
class DocRow:
    function: str
    hub: str
    line: int
    path: Path = Path()
    criteria: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    problems: list[str] = field(default_factory=list)
    comparable: bool = True  # False: the row cannot be compared at all (its problems say why)


@dataclass
class SqlChecker:
    function: str
    path: Path
    line: int
    criteria: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def decode(data: bytes) -> tuple[str, tuple[int, str] | None]:
    """UTF-8 text (a BOM dropped); bytes that are not UTF-8 are read as U+FFFD, and the first
    of them is returned as (line, message) so that it can be reported without losing the rest."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        reason = f"invalid UTF-8 at byte {exc.start + 1} ({exc.reason}); read as U+FFFD"
        return data.decode("utf-8", "replace"), (line, reason)


# --- the doc ------------------------------------------------------------------------------


def _code_span_ends(text: str) -> dict[int, list[int]]:
    """Where each run of backticks starts, by run length (to find a code span's end quickly)."""
    runs: dict[int, list[int]] = {}
    for match in _BACKTICKS.finditer(text):
        runs.setdefault(len(match.group()), []).append(match.start())
    return runs


def _cells(line: str) -> list[str] | None:
    """The cells of a table row (GFM): split at ``|`` except an escaped ``\\|`` (a pipe in the
    cell) and a ``|`` inside a code span; the pipes at both ends are optional. None for a line
    with no cell separator."""
    body = line.strip()
    runs = _code_span_ends(body) if "`" in body else {}
    cells: list[str] = []
    current: list[str] = []
    last_separator = -1
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch == "\\" and i + 1 < n:
            current.append("|" if body[i + 1] == "|" else body[i : i + 2])
            i += 2
        elif ch == "`":
            backticks = _BACKTICKS.match(body, i)
            assert backticks is not None  # body[i] is one
            run = len(backticks.group())
            starts = runs.get(run, [])
            at = bisect.bisect_right(starts, i)
            if at < len(starts):  # a code span: its pipes are the cell's
                end = starts[at] + run
                current.append(body[i:end].replace("\\|", "|"))
                i = end
            else:
                current.append(body[i : i + run])
                i += run
        elif ch == "|":
            cells.append("".join(current))
            current = []
            last_separator = i
            i += 1
        else:
            current.append(ch)
            i += 1
    if last_separator < 0:
        return None
    if last_separator != n - 1:
        cells.append("".join(current))
    if body.startswith("|"):
        cells.pop(0)
    return [cell.strip() for cell in cells]


def _is_delimiter_row(line: str) -> list[str] | None:
    cells = _cells(line) if "|" in line and "-" in line else None
    if not cells or not all(_DELIMITER_CELL.fullmatch(cell) for cell in cells):
        return None
    return cells


def _columns(cells: list[str]) -> dict[str, int] | None:
    lowered = [c.strip("*_` ").lower() for c in cells]
    if "function" not in lowered or "hub" not in lowered or not any("criteria" in c for c in lowered):
        return None
    return {
        "function": lowered.index("function"),
        "hub": lowered.index("hub"),
        "criteria": next(i for i, c in enumerate(lowered) if "criteria" in c),
    }


def _split_top(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
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
    """The rows of every ``| Function | Hub | DONE Criteria |`` table of the doc (as GitHub
    shows it: not those in fenced code blocks or HTML comments). Never raises."""
    return on_deep_stack(lambda: _read_doc(text, path))


def _read_doc(text: str, path: Path) -> list[DocRow]:
    # CommonMark replaces NUL with U+FFFD; lines end as everywhere in lint-canon (a form feed
    # inside a line is not a line end).
    lines = split_lines(text.replace("\x00", "\ufffd"))
    rows: list[DocRow] = []
    fence: tuple[str, int] | None = None
    in_comment = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if fence is not None:
            closing = _FENCE_CLOSE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= fence[1]:
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        opening = _FENCE.match(line)
        if opening and not (opening.group(2)[0] == "`" and "`" in opening.group(3)):
            fence = (opening.group(2)[0], len(opening.group(2)))
            continue
        if _HTML_COMMENT.match(line):
            in_comment = "-->" not in line[line.index("<!--") + 4 :]
            continue
        if i >= len(lines) or "|" not in line:
            continue
        header = _cells(line)
        delimiter = _is_delimiter_row(lines[i])
        if header is None or delimiter is None or len(header) != len(delimiter):
            continue
        i += 1
        columns = _columns(header)
        while i < len(lines):
            line = lines[i]
            if not line.strip() or _FENCE.match(line) or _HTML_COMMENT.match(line) or _OTHER_BLOCK.match(line):
                break
            cells = _cells(line)
            if cells is None:
                break
            i += 1
            if columns is not None:
                row = _row(cells, len(header), columns, i, path)
                if row is not None:
                    rows.append(row)
    return rows


def _row(cells: list[str], width: int, columns: dict[str, int], number: int, path: Path) -> DocRow | None:
    """One row of a DONE table (None when its function cell names no function)."""
    function_cell = cells[columns["function"]] if columns["function"] < len(cells) else ""
    function_cell = function_cell[:MAX_FUNCTION_CHARS].strip("` ")
    match = _FUNCTION_CELL.search(function_cell)
    if match is not None:
        function = match.group(1).lower()
    elif _CHECKER.match(function_cell.lower()):
        function = function_cell.lower()
    else:
        return None
    row = DocRow(function, cells[columns["hub"]] if columns["hub"] < len(cells) else "", number, path)
    if columns["criteria"] >= len(cells):
        row.problems.append(
            f"the row has {len(cells)} cells and the table {width}: its DONE criteria cell is missing "
            "(a pipe inside a cell is written \\|)"
        )
        row.comparable = False
        return row
    cell = cells[columns["criteria"]]
    if len(cell) > MAX_CRITERIA_CHARS:
        row.problems.append(f"its DONE criteria cell is {len(cell):,} characters long, too long to read")
        row.comparable = False
        return row
    for criterion in _split_top(cell):
        try:
            for normal in normalise_criterion(criterion):
                row.criteria[normal] = criterion
        except Unparsable as exc:
            row.problems.append(f"cannot parse criterion {criterion!r}: {exc}")
        except Exception as exc:  # a bug of ours on an odd criterion: said, and the row goes on
            row.problems.append(f"cannot read criterion {criterion!r}: internal error {type(exc).__name__}: {exc}")
    return row


_PLAIN_SELECT = (
    "distinctClause",
    "intoClause",
    "fromClause",
    "groupClause",
    "havingClause",
    "windowClause",
    "valuesLists",
    "sortClause",
    "limitOffset",
    "limitCount",
    "lockingClause",
    "withClause",
    "larg",
    "rarg",
)


def normalise_criterion(criterion: str) -> list[str]:
    """The normalised predicates one criterion of the doc stands for (Unparsable when it is not
    one condition)."""
    from pglast.parser import ParseError, scan

    text = criterion.strip().strip("`").strip()
    if "\x00" in text or "\ufffd" in text:
        raise Unparsable("it holds a NUL byte or bytes that are not UTF-8")
    if text.lower() in ("record exists", "row exists", "exists"):
        return [EXISTS]
    at_least = _AT_LEAST.match(text)
    if at_least:
        param, column = at_least.groups()
        return [f"COUNT({_strip_is(column.lower())}) >= {_strip_param(param.lower())}"]
    text = _NOT_NULL.sub(r"\1 IS NOT NULL", text)
    sql = f"SELECT 1 WHERE {text}"
    try:
        names = {token.name for token in scan(sql)}
        if names & _SQL_COMMENTS:
            raise Unparsable("a comment (-- or /* */) inside a criterion hides what follows it")
        if "ASCII_59" in names:
            raise Unparsable("a ';' inside a criterion")
        select = parse(sql)[0].stmt
    except ParseError as exc:
        raise Unparsable(error_message(exc)) from None
    except SqlTooLarge as exc:
        raise Unparsable(f"too large to read ({exc})") from None
    if type(select).__name__ != "SelectStmt" or select.whereClause is None:
        raise Unparsable("not one condition")
    if any(getattr(select, clause, None) for clause in _PLAIN_SELECT):
        raise Unparsable("not one condition (it continues the SELECT it is read in)")
    try:
        return _Normaliser(params=set()).conjuncts(select.whereClause)
    except RecursionError:
        raise Unparsable("nested too deeply to read") from None


# --- the SQL ------------------------------------------------------------------------------


def function_name(words: Sequence[str]) -> str | None:
    """The function a ``CREATE [OR REPLACE] FUNCTION`` statement creates, from its first words
    (it need not parse)."""
    if not words or words[0] != "create":
        return None
    at = 3 if tuple(words[1:3]) == ("or", "replace") else 1
    if len(words) <= at or words[at] != "function":
        return None
    parts = []
    for word in words[at + 1 :]:
        if word == "(":
            break
        parts.append(word)
    return "".join(parts).lower() or None


def checker_name(words: Sequence[str]) -> str | None:
    """The ``fn_check_*_done`` a statement creates, from its first words (it need not parse)."""
    name = function_name(words)
    return name if name is not None and _CHECKER.match(name) else None


def read_sql(path: Path, text: str) -> tuple[list[SqlChecker], list[SqlProblem]]:
    """Every ``CREATE [OR REPLACE] FUNCTION ... fn_check_*_done`` of one SQL file, and what
    could not be read in it (CANON901 / CANON903 at their lines). Never raises: a checker that
    cannot be read carries its ``problem``."""
    return on_deep_stack(lambda: _read_sql(path, text))


def _read_sql(path: Path, text: str) -> tuple[list[SqlChecker], list[SqlProblem]]:
    from lint_canon.canon.paths import display_path

    statements, problems = read_statements(text, wanted=lambda words: checker_name(words) is not None)
    helpers = _Helpers(path, statements, problems)
    checkers = []
    for statement in statements:
        name = checker_name(statement.words)
        if name is None:
            continue
        if statement.stmt is None:
            if statement.problem is not None:
                where = f"{display_path(path)}:{statement.problem.line}"
                problem = f"{where}: {statement.problem.message}"
                checkers.append(SqlChecker(name, path, statement.line, problem=problem))
            continue
        stmt = statement.stmt
        if type(stmt).__name__ != "CreateFunctionStmt":
            continue
        # as PostgreSQL reads it: pglast folds an unquoted name to lower case and keeps a quoted
        # one as written ("fn_check_DOL_done" is another function than fn_check_dol_done)
        name = ".".join(n.sval for n in stmt.funcname)
        if not _CHECKER.match(name):
            continue
        checker = SqlChecker(name, path, statement.line)
        try:
            for normal in _function_criteria(statement, name, helpers):
                checker.criteria[normal] = normal
        except Unparsable as exc:
            checker.problem = str(exc)
            if exc.problem is not None:
                problems.append(exc.problem)
        except RecursionError:
            checker.problem = "nested too deeply to analyse"
            problems.append(SqlProblem(statement.line, "CANON903", f"{name}: {checker.problem}"))
        except Exception as exc:  # a bug of ours on odd SQL: said, and the other checkers go on
            checker.problem = f"internal error of lint-canon: {type(exc).__name__}: {exc}"
            problems.append(SqlProblem(statement.line, "CANON903", f"{name}: {checker.problem}"))
        checkers.append(checker)
    return checkers, problems


def _body_line(statement: SqlStatement, body: str, location: int | None, message: str) -> int:
    """The file's line of ``location`` in a function's body (a string constant of the
    statement); where pglast gives no location, of the token the message names when the body
    holds it once, else of the body's start."""
    from pglast.parser import ParseError, scan

    try:
        tokens = scan(statement.text)
    except ParseError:
        return statement.line
    strings = [t for t in tokens if t.name == "SCONST"]
    if not strings:
        return statement.line
    token = max(strings, key=lambda t: t.end - t.start)  # the body, not a 'plpgsql' or a default
    raw = statement.text[token.start : token.end + 1]
    opening = raw.index("$", 1) + 1 if raw.startswith("$") else raw.index("'") + 1
    if location is None:
        near = re.search(r'at or near "(.+)"', message)
        if near and body.count(near.group(1)) == 1:
            location = body.index(near.group(1))
        else:
            location = len(body) - len(body.lstrip())  # where the body's text starts
    before = body[: max(location, 0)]
    return statement.line_at(token.start + opening) + len(split_lines(before + "x")) - 1


def _unreadable(statement: SqlStatement, name: str, exc: BaseException, what: str, text: str) -> Unparsable:
    """A body (``text``) of the function ``name`` that pglast refuses: CANON901 at the line of
    the error, CANON903 when the parser gave up rather than found an error."""
    message = error_message(exc)
    line = _body_line(statement, text, error_location(exc), message)
    if isinstance(exc, SqlTooLarge) or is_parser_limit(message):
        problem = SqlProblem(line, "CANON903", f"{name}: the {what} is not analysed: {message}")
        return Unparsable(f"its {what} is not analysed: {message} (line {line})", problem)
    problem = SqlProblem(line, "CANON901", f"{name}: cannot parse the {what}: {message}")
    return Unparsable(f"its {what} does not parse: {message} (line {line})", problem)


def _body(stmt: Any) -> tuple[str, str]:
    """(language, body) of a CreateFunctionStmt."""
    options = {o.defname: o.arg for o in stmt.options or ()}
    language_option = options.get("language")
    language = language_option.sval.lower() if language_option is not None else "sql"
    body = options.get("as")
    if body is None and getattr(stmt, "sql_body", None) is not None:
        raise Unparsable("SQL-standard function bodies are not read; use AS $$ ... $$")
    if body is None:
        raise Unparsable("the function has no body")
    return language, body[0].sval


def _function_criteria(statement: SqlStatement, name: str, helpers: _Helpers | None = None) -> list[str]:
    from pglast import parse_plpgsql
    from pglast.parser import ParseError

    stmt = statement.stmt
    params = [p.name for p in stmt.parameters or () if p.name]
    language, text = _body(stmt)
    normaliser = _Normaliser(params=set(params), id_param=params[0] if params else None, helpers=helpers)
    if language == "sql":
        try:
            selects = [s.stmt for s in parse(text)]
        except (ParseError, SqlTooLarge) as exc:
            raise _unreadable(statement, name, exc, "SQL body", text) from None
        if not selects or type(selects[-1]).__name__ != "SelectStmt":
            raise Unparsable("the body does not end with a SELECT")
        return normaliser.select_criteria(selects[-1])
    if language == "plpgsql":
        try:
            # libpg_query's plpgsql reader checks its own stack depth (no tree of Python
            # objects is built in C); json.loads raises RecursionError, caught by the caller.
            tree = parse_plpgsql(statement.text)
        except ParseError as exc:
            raise _unreadable(statement, name, exc, "plpgsql body", text) from None
        expressions: list[str] = []
        _collect_returns(tree, expressions)
        if not expressions:
            raise Unparsable("no RETURN expression in the plpgsql body")
        out: list[str] = []
        for expression in expressions:
            try:
                select = parse(f"SELECT {expression}")[0].stmt
            except (ParseError, SqlTooLarge) as exc:
                raise Unparsable(f"cannot parse its RETURN expression: {error_message(exc)}") from None
            out += normaliser.select_criteria(select)
        return out
    raise Unparsable(f"functions in LANGUAGE {language} are not read")


# --- the function a checker selects from ------------------------------------------------------


@dataclass
class _Column:
    """An output column of a helper, normalised: as a whole and as conjuncts (or why it cannot
    be, said when a checker uses it)."""

    text: str = ""
    conjuncts: list[str] = field(default_factory=list)
    problem: Unparsable | None = None


@dataclass
class _Helper:
    """A function a checker selects from: its output columns and the normalised predicates of
    its WHERE and HAVING."""

    name: str
    columns: dict[str, _Column]
    predicates: list[str]


class _Helpers:
    """The functions one SQL file defines, read as helpers when a checker selects from one (each
    once: a helper that cannot be read is one problem however many checkers use it)."""

    def __init__(self, path: Path, statements: list[SqlStatement], problems: list[SqlProblem]) -> None:
        self.path = path
        self.problems = problems
        self.statements: dict[str, SqlStatement] = {}
        for statement in statements:
            name = function_name(statement.words)
            if name is not None:
                self.statements[name] = statement  # the last definition is the one that stays
        self.read: dict[str, _Helper | Unparsable] = {}

    def defines(self, name: str) -> bool:
        return name in self.statements

    def get(self, name: str) -> _Helper | None:
        """The helper ``name``, None when this file does not define it; Unparsable when it
        cannot be read."""
        if name not in self.statements:
            return None
        if name not in self.read:
            statement = self.statements[name]
            try:
                self.read[name] = self._read(name, statement)
            except RecursionError:
                problem = SqlProblem(statement.line, "CANON903", f"{name}: nested too deeply to analyse")
                self.read[name] = Unparsable("it is nested too deeply to analyse", problem)
                self.problems.append(problem)
            except Unparsable as exc:
                if exc.problem is not None:
                    self.problems.append(exc.problem)
                self.read[name] = exc
        found = self.read[name]
        if isinstance(found, Unparsable):
            raise Unparsable(f"it selects from {name}, which cannot be read: {found}")
        return found

    def _read(self, name: str, statement: SqlStatement) -> _Helper:
        from pglast.parser import ParseError

        from lint_canon.canon.paths import display_path

        if statement.problem is not None:  # already reported where it is
            raise Unparsable(f"{display_path(self.path)}:{statement.problem.line}: {statement.problem.message}")
        if statement.stmt is None:  # only checkers are parsed into trees up front
            try:
                statement = replace(statement, stmt=parse(statement.text)[0].stmt)
            except SqlTooLarge as exc:
                problem = SqlProblem(statement.line, "CANON903", f"{name}: not analysed: {exc}")
                raise Unparsable(f"it is not analysed ({exc})", problem) from None
            except ParseError as exc:
                raise Unparsable(f"it does not parse: {error_message(exc)}") from None
        stmt = statement.stmt
        if type(stmt).__name__ != "CreateFunctionStmt":
            raise Unparsable("it is not a function")
        language, text = _body(stmt)
        if language != "sql":
            raise Unparsable(f"it is in LANGUAGE {language}; only a LANGUAGE sql function is followed")
        try:
            selects = [s.stmt for s in parse(text)]
        except (ParseError, SqlTooLarge) as exc:
            raise _unreadable(statement, name, exc, "SQL body", text) from None
        select = selects[-1] if selects else None
        if select is None or type(select).__name__ != "SelectStmt" or getattr(select, "larg", None) is not None:
            raise Unparsable("its body does not end with a plain SELECT")
        for _, function, _ in _range_functions(select.fromClause):
            if self.defines(function):
                raise Unparsable(
                    f"it selects from {function}, which this file defines too; one function is followed, not two"
                )
        targets = select.targetList or ()
        table = [p.name.lower() for p in stmt.parameters or () if _enum(p.mode) == "FUNC_PARAM_TABLE"]
        if table and len(table) != len(targets):
            raise Unparsable(f"it returns {len(table)} columns but its SELECT gives {len(targets)}")
        names = table or [_target_name(target) for target in targets]
        inputs = {p.name for p in stmt.parameters or () if p.name and _enum(p.mode) not in _OUTPUT_MODES}
        normaliser = _Normaliser(params=inputs)
        columns: dict[str, _Column] = {}
        # Normalised here, not when a checker uses them: a RecursionError is then the helper's,
        # reported once at its line.
        for column, target in zip(names, targets, strict=True):
            if column is None:
                continue
            try:
                # A constant TRUE (every row of the hub is DONE) is no criterion.
                conjuncts = [c for c in normaliser.conjuncts(target.val) if c != "TRUE"]
                columns[column] = _Column(normaliser.text(target.val), conjuncts)
            except Unparsable as exc:
                columns[column] = _Column(problem=Unparsable(f"its column {column}: {exc}"))
        predicates = normaliser.where_criteria(select.whereClause) + normaliser.where_criteria(select.havingClause)
        return _Helper(name, columns, predicates)


def _target_name(target: Any) -> str | None:
    """The name a SELECT gives a result column: its alias, else the column it reads."""
    if target.name:
        alias: str = target.name
        return alias.lower()
    return _colname(target.val) if type(target.val).__name__ == "ColumnRef" else None


def _range_functions(from_clause: Any) -> list[tuple[str, str, list[str]]]:
    """(alias, function, column aliases) of each function a FROM clause selects from, joins
    included (walked without recursion)."""
    found = []
    stack = list(reversed(from_clause or ()))
    while stack:
        item = stack.pop()
        kind = type(item).__name__
        if kind == "JoinExpr":
            stack += [item.rarg, item.larg]
        elif kind == "RangeFunction" and not item.is_rowsfrom and len(item.functions) == 1:
            call = item.functions[0][0]
            if type(call).__name__ != "FuncCall":
                continue
            name = ".".join(n.sval for n in call.funcname).lower()
            alias = item.alias.aliasname.lower() if item.alias is not None else call.funcname[-1].sval.lower()
            renamed = [c.sval.lower() for c in (item.alias.colnames or ())] if item.alias is not None else []
            found.append((alias, name, renamed))
    return found


def _collect_returns(tree: Any, out: list[str]) -> None:
    """The expressions of every RETURN of a parse_plpgsql tree (walked without recursion)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("PLpgSQL_stmt_return")
            if isinstance(value, dict):
                expr = ((value.get("expr") or {}).get("PLpgSQL_expr") or {}).get("query")
                if expr:
                    out.append(expr)
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


# --- normalisation ------------------------------------------------------------------------


def _strip_param(name: str) -> str:
    return name[2:] if name.startswith("p_") else name


def _strip_is(name: str) -> str:
    return name[3:] if name.startswith("is_") else name


_FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">="}


class _Normaliser:
    def __init__(self, params: set[str], id_param: str | None = None, helpers: _Helpers | None = None) -> None:
        self.params = params
        self.id_param = id_param
        self.helpers = helpers
        self.scope: dict[str, tuple[_Helper, dict[str, _Column]]] = {}  # alias -> helper, its columns

    def select_criteria(self, select: Any) -> list[str]:
        if getattr(select, "larg", None) is not None:
            raise Unparsable("a set operation (UNION, INTERSECT, EXCEPT) in the checker's query")
        if not select.targetList:
            raise Unparsable("SELECT without a result")
        value = select.targetList[0].val
        out: list[str] = []
        kind = type(value).__name__
        if kind == "SubLink" and getattr(value.subselect, "larg", None) is not None:
            raise Unparsable("a set operation (UNION, INTERSECT, EXCEPT) in the checker's query")
        if kind == "SubLink" and _sublink_kind(value) == "EXISTS_SUBLINK":
            self._enter(value.subselect.fromClause)
            out += self.where_criteria(value.subselect.whereClause)
            out += self._helper_predicates()
            return out or [EXISTS]
        self._enter(select.fromClause)
        out += self.conjuncts(value)
        out += self.where_criteria(select.whereClause)
        out += self._helper_predicates()
        return out

    def _enter(self, from_clause: Any) -> None:
        """The helpers a query selects from (functions of the same file), by alias."""
        self.scope = {}
        if self.helpers is None:
            return
        for alias, function, renamed in _range_functions(from_clause):
            helper = self.helpers.get(function)
            if helper is None:
                continue
            columns = dict(helper.columns)
            if renamed:  # FROM f() AS s (a, b): the columns by position, renamed
                columns = dict(zip(renamed, helper.columns.values(), strict=False))
            self.scope[alias] = (helper, columns)

    def _helper_predicates(self) -> list[str]:
        return [c for helper, _ in self.scope.values() for c in helper.predicates]

    def _helper_column(self, node: Any) -> _Column | None:
        """The column of a helper that ``node`` names, if it names one."""
        if not self.scope or type(node).__name__ != "ColumnRef":
            return None
        fields = [f.sval.lower() for f in node.fields if type(f).__name__ == "String"]
        if not fields or len(fields) != len(node.fields):
            return None
        if len(fields) >= 2:
            entries = [self.scope[fields[-2]]] if fields[-2] in self.scope else []
        else:
            entries = list(self.scope.values())
        for helper, columns in entries:
            column = columns.get(fields[-1])
            if column is not None and column.problem is not None:
                raise Unparsable(f"it selects from {helper.name}, which cannot be read: {column.problem}")
            if column is not None:
                return column
        return None

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
        column = self._helper_column(node)
        if column is not None:
            return list(column.conjuncts)
        return [self.text(node)]

    def _is_lookup(self, node: Any) -> bool:
        if type(node).__name__ != "A_Expr" or _op(node) != "=" or self.id_param is None:
            return False
        sides = [node.lexpr, node.rexpr]
        return any(type(s).__name__ == "ColumnRef" and _colname(s) == self.id_param for s in sides)

    def text(self, node: Any) -> str:  # noqa: C901 - one case per node type
        kind = type(node).__name__
        if kind == "ColumnRef":
            column = self._helper_column(node)
            if column is not None:
                return column.text
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
    if not node.name:
        return ""
    name: str = node.name[-1].sval
    return name


def _colname(node: Any) -> str:
    fields = [f for f in node.fields if type(f).__name__ == "String"]
    if not fields:
        return "*"
    name: str = fields[-1].sval
    return name.lower()


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
        text: str = value.sval
        return "'" + text.replace("'", "''") + "'"
    return str(value)
