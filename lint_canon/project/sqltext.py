"""SQL files read with PostgreSQL's own scanner and parser (pglast).

Two readers. ``statements`` parses a whole file at once and raises pglast's ParseError when any
of it does not parse: what the migration runner wants. ``read_statements`` reads what it can:
the file is cut into statements on the scanner's tokens, as psql cuts it (a ``;`` outside
parentheses and outside a ``BEGIN ATOMIC ... END`` body ends a statement), each statement is
parsed on its own, and a statement that does not parse is a problem at the line of the error
while the others are still read.

Measured with pglast 8.8 (libpg_query of PostgreSQL 18), what odd input does to pglast:

- the text goes to C as a NUL-terminated string: whatever follows a NUL byte is silently not
  seen, so a NUL is reported and read as a space;
- ``pglast.split(..., with_parser=False)`` drops everything after a statement with an unclosed
  ``(`` without an error, so the splitting here is done on ``pglast.parser.scan``'s tokens;
- an unterminated quote, quoted identifier, dollar quote or comment makes the scanner fail for
  the whole text (at the position where it starts);
- nesting beyond about 10,000 levels (parentheses, NOT, sub-selects) is refused by the parser
  ("memory exhausted"), a parser limit rather than an error of the SQL;
- a long left-deep chain (``1+1+...``, ``x::int::int...``, 50,000 long) parses, but turning
  it into Python objects recurses in C and overflows an 8 MB thread stack (a segmentation
  fault, which no ``except`` catches). So trees are built on a thread with a large stack, and
  not at all for a statement of more tokens than that stack allows (``token_limit``: a tree is
  never deeper than its token count; 500,000 tokens parse in seconds with < 300 MB of stack).
  A statement whose tree nobody needs is only checked by PostgreSQL's grammar
  (``split(..., with_parser=True)``), which builds no Python objects and does not recurse.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

MAX_TOKENS = 500_000
MAX_ERRORS = 50  # per file; a file that bad is not worth reading further
_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_LIMITS = ("memory exhausted", "stack depth limit exceeded", "too deeply nested")
_BREAK = re.compile(r"\r\n|\r|\n")
_NEAR = re.compile(r'at or near "(.*)"\Z', re.DOTALL)
_T = TypeVar("_T")


class SqlTooLarge(Exception):
    """SQL with more tokens than ``token_limit()``: not parsed, so that it cannot exhaust the stack."""


# --- positions ----------------------------------------------------------------------------


class LineIndex:
    """Character offset -> 1-based line, with lines ending at ``\\r\\n``, ``\\r`` or ``\\n``
    (lint_canon_guard.lines' model: form feeds and U+2028 do not end a line)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in _BREAK.finditer(text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, max(offset, 0))


def error_location(exc: BaseException) -> int | None:
    """The character index pglast gives with a ParseError (``args[1]``), if any."""
    args: tuple[Any, ...] = getattr(exc, "args", ())
    location = args[1] if len(args) > 1 else None
    return location if isinstance(location, int) and location >= 0 else None


def error_message(exc: BaseException) -> str:
    """pglast's message on one line: the text it quotes ("at or near ...") runs to the end of
    the file after an unterminated quote, so it is cut short."""
    args = getattr(exc, "args", ())
    message = str(args[0]) if args else type(exc).__name__
    near = _NEAR.search(message)
    if near is not None and ("\n" in near.group(1) or "\r" in near.group(1) or len(near.group(1)) > 40):
        quoted = _BREAK.split(near.group(1))[0][:40]
        message = f'{message[: near.start(1)]}{quoted}..."'
    return message


def error_line(exc: Exception, text: str) -> int:
    """The line of a pglast ParseError in ``text`` (1 when it gives no location)."""
    location = error_location(exc)
    return LineIndex(text).line(location) if location is not None else 1


def is_parser_limit(message: str) -> bool:
    """Does a ParseError say that the parser gave up (nesting too deep), not that the SQL is wrong?"""
    return any(limit in message for limit in _LIMITS)


# --- a large stack ------------------------------------------------------------------------

_deep = threading.local()
_BYTES_PER_TOKEN = 2048  # measured: about 210 bytes of C stack per token of a left-deep chain
_PLAIN_STACK = 8 * 1024 * 1024  # a thread's stack when no larger one can be had


def token_limit() -> int:
    """The most tokens a statement parsed into a tree may have on this thread's stack."""
    stack = getattr(_deep, "stack", _PLAIN_STACK)
    return min(MAX_TOKENS, stack // _BYTES_PER_TOKEN)


def on_deep_stack(function: Callable[[], _T]) -> _T:
    """``function()`` on a thread with a large stack (pglast recurses in C once per tree level);
    directly when already on one. Where no large stack can be had (a limit on address space),
    on this thread, with a token limit to match (``token_limit``)."""
    if getattr(_deep, "stack", None) is not None:
        return function()
    returned: list[_T] = []  # one of the two gets the outcome
    raised: list[BaseException] = []

    def target(stack: int) -> None:
        _deep.stack = stack
        try:
            returned.append(function())
        except BaseException as exc:  # re-raised in the caller's thread
            raised.append(exc)

    from lint_canon.stacks import start_on_deep_stack

    thread, _ = start_on_deep_stack(target, "lint-canon-sql")
    if thread is None:
        _deep.stack = _PLAIN_STACK
        try:
            return function()
        finally:
            del _deep.stack
    thread.join()
    if raised:
        raise raised[0]
    return returned[0]


# --- parsing one piece of SQL --------------------------------------------------------------


def parse(sql: str) -> tuple[Any, ...]:
    """pglast's ``parse_sql``, refused (SqlTooLarge) beyond ``token_limit()`` tokens, and for a
    NUL byte, which pglast would silently take for the end of the text. Call it inside
    ``on_deep_stack``."""
    from pglast import parse_sql
    from pglast.parser import ParseError, scan

    if "\x00" in sql:
        raise ParseError("NUL byte in SQL text", sql.index("\x00"))
    limit = token_limit()
    if len(sql) > limit:  # shorter texts cannot hold that many tokens
        count = len(scan(sql))
        if count > limit:
            raise SqlTooLarge(f"{count:,} tokens (the limit is {limit:,})")
    return parse_sql(sql)


# --- a whole file, statement by statement ----------------------------------------------------


@dataclass(frozen=True)
class SqlProblem:
    """Something of a SQL file that could not be read: CANON901 (not valid SQL), CANON902 (not
    valid Unicode) or CANON903 (it could not be analysed: a parser limit, a failure of pglast)."""

    line: int
    code: str
    message: str


@dataclass(frozen=True)
class SqlStatement:
    """One statement of a file: pglast's node (None when it does not parse, then ``problem``
    says why, or when no tree was wanted), its text from its first token to its end (without
    the ``;``), where it starts, and its first words (unquoted words lower-cased, quoted
    identifiers without their quotes): what a statement that does not parse was meant to be."""

    stmt: Any
    text: str
    line: int
    start: int
    words: tuple[str, ...]
    problem: SqlProblem | None = None
    lines: LineIndex | None = field(default=None, repr=False, compare=False)

    def line_at(self, offset: int) -> int:
        """The file's line of ``offset`` in this statement's text."""
        return self.lines.line(self.start + offset) if self.lines is not None else self.line


@dataclass
class _Walk:
    """The tokens of a file and the state of cutting them into statements."""

    text: str
    tokens: list[Any]
    lines: LineIndex
    statements: list[SqlStatement] = field(default_factory=list)
    problems: list[SqlProblem] = field(default_factory=list)
    errors: int = 0

    def word(self, token: Any) -> str:
        raw = self.text[token.start : token.end + 1]
        return raw[1:-1].replace('""', '"') if raw.startswith('"') and len(raw) > 1 else raw.lower()

    def problem(self, offset: int, code: str, message: str) -> SqlProblem:
        problem = SqlProblem(self.lines.line(offset), code, message)
        self.problems.append(problem)
        if code == "CANON901":
            self.errors += 1
        return problem


def _scan(text: str) -> tuple[list[Any], tuple[str, int] | None]:
    """The scanner's tokens of ``text``; when it fails, the tokens before the failure and the
    failure (message, position). pglast reports where the bad token starts."""
    from pglast.parser import ParseError, scan

    end, failure = len(text), None
    while True:
        try:
            return scan(text[:end]), failure
        except ParseError as exc:
            location = error_location(exc)
            if failure is None:
                failure = (error_message(exc), location if location is not None else 0)
            if location is None or location >= end or location == 0:
                return [], failure
            end = location


def _next_statement(walk: _Walk, index: int) -> tuple[int, int, int] | None:
    """(first token, end token, next index) of the statement from token ``index`` on, psql's
    way: ``;`` ends it outside parentheses and outside the BEGIN ... END of a
    ``CREATE [OR REPLACE] {FUNCTION|PROCEDURE}`` (psqlscan.l's begin_depth)."""
    tokens = walk.tokens
    first = None
    paren = begin = 0
    heads: list[str] = []  # psql's identifiers[]: the first letters of the first four words
    routine = False
    for i in range(index, len(tokens)):
        token = tokens[i]
        name = token.name
        if name in _COMMENTS:
            continue
        if name == "ASCII_59" and paren == 0 and begin == 0:
            if first is not None:
                return first, i, i + 1
            continue  # an empty statement
        if first is None:
            first = i
        if name == "ASCII_40":
            paren += 1
        elif name == "ASCII_41":
            paren = max(paren - 1, 0)
        elif (token.kind != "NO_KEYWORD" or name == "IDENT") and walk.text[token.start] != '"':
            word = walk.text[token.start : token.end + 1].lower()
            if len(heads) < 4:
                heads.append(word[0] if word in ("create", "function", "procedure", "or", "replace") else "")
                routine = _creates_routine(heads)
            if paren == 0 and routine:
                if word == "begin":
                    begin += 1
                elif word == "case" and begin >= 1:
                    begin += 1
                elif word == "end" and begin > 0:
                    begin -= 1
    if first is None:
        return None
    return first, len(tokens), len(tokens)


def _creates_routine(heads: list[str]) -> bool:
    padded = heads + [""] * (4 - len(heads))
    return padded[0] == "c" and (
        padded[1] in ("f", "p") or (padded[1] == "o" and padded[2] == "r" and padded[3] in ("f", "p"))
    )


def read_statements(
    text: str, wanted: Callable[[Sequence[str]], bool] | None = None
) -> tuple[list[SqlStatement], list[SqlProblem]]:
    """Every statement of ``text`` and every problem found reading it; never raises, whatever
    the text. Statements whose first words ``wanted`` accepts (all by default) come with
    pglast's tree, unless they have more than ``token_limit()`` tokens (a CANON903 problem);
    the others are only checked by PostgreSQL's grammar and come with ``stmt`` None."""
    return on_deep_stack(lambda: _read_statements(text, wanted))


def _read_statements(
    text: str, wanted: Callable[[Sequence[str]], bool] | None
) -> tuple[list[SqlStatement], list[SqlProblem]]:
    lines = LineIndex(text)
    walk = _Walk(text, [], lines)
    if "\x00" in text:
        at = text.index("\x00")
        walk.problem(
            at,
            "CANON901",
            f"NUL byte in SQL ({text.count(chr(0))} in the file); PostgreSQL refuses it and pglast "
            "would stop reading there: read here as a space",
        )
        text = walk.text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates: only a caller's str can hold them
        walk.problem(exc.start, "CANON902", "text that is not valid Unicode; read here as '?'")
        text = walk.text = text.encode("utf-8", "replace").decode("utf-8")
    walk.tokens, failure = _scan(text)
    index = 0
    unfinished = None  # the first token of the statement the scanner's failure cuts short
    while True:
        if walk.errors >= MAX_ERRORS:
            rest = walk.tokens[index].start if index < len(walk.tokens) else len(text)
            if text[rest:].strip():
                walk.problem(rest, "CANON901", f"{MAX_ERRORS} errors in this file; the rest of it is not read")
            failure = None
            break
        found = _next_statement(walk, index)
        if found is None:
            break
        first, end, index = found
        if end == len(walk.tokens) and failure is not None:
            unfinished = first
            break
        index = _read_one(walk, first, end, index, wanted)
    if failure is not None:
        message, location = failure
        problem = walk.problem(location, "CANON901", f"{message}; the rest of the file is not read")
        if unfinished is not None:
            start = walk.tokens[unfinished].start
            words = tuple(walk.word(t) for t in walk.tokens[unfinished : unfinished + 16] if t.name not in _COMMENTS)
            walk.statements.append(
                SqlStatement(None, text[start:].strip(), lines.line(start), start, words, problem, lines)
            )
    return walk.statements, walk.problems


def _read_one(walk: _Walk, first: int, end: int, after: int, wanted: Callable[[Sequence[str]], bool] | None) -> int:
    """Read tokens ``first``..``end`` as one statement; the token index to go on from."""
    from pglast import parse_sql
    from pglast.parser import ParseError, split

    tokens, text = walk.tokens, walk.text
    start = tokens[first].start
    chunk = text[start : tokens[end - 1].end + 1]
    words = tuple(walk.word(t) for t in tokens[first : min(end, first + 16)] if t.name not in _COMMENTS)
    tree = wanted is None or wanted(words)

    def add(stmt: Any, problem: SqlProblem | None = None, stop: int = end) -> None:
        shown = text[start : tokens[stop - 1].end + 1] if stop > first else chunk
        walk.statements.append(SqlStatement(stmt, shown, walk.lines.line(start), start, words, problem, walk.lines))

    limit = token_limit()
    if tree and end - first > limit:
        add(
            None,
            walk.problem(
                start,
                "CANON903",
                f"statement of {end - first:,} tokens not analysed (the limit is {limit:,}, so that "
                "reading it cannot exhaust the stack or take minutes)",
            ),
        )
        return after
    try:
        if tree:
            raws = parse_sql(chunk)
        else:
            # PostgreSQL's grammar alone, without building Python objects: as strict, far
            # cheaper, and with no recursion whatever the statement holds.
            split(chunk, with_parser=True, only_slices=True)
            add(None)
            return after
    except ParseError as exc:
        message, location = error_message(exc), error_location(exc)
        if location is None:
            at = tokens[end - 1].start if "end of input" in message else start
        else:
            at = start + location
        if is_parser_limit(message):
            add(None, walk.problem(at, "CANON903", f"PostgreSQL's parser gives up on this statement: {message}"))
            return after
        # Recover at the first ";" after the error (the statement swallowed the next ones
        # through an unclosed parenthesis or BEGIN) and read on from there.
        stop = end
        if location is not None:
            stop = next((i for i in range(first, end) if tokens[i].name == "ASCII_59" and tokens[i].start >= at), end)
        add(None, walk.problem(at, "CANON901", f"cannot parse SQL: {message}"), stop)
        return stop + 1 if stop < end else after
    except RecursionError:
        add(None, walk.problem(start, "CANON903", "statement nested too deeply for pglast to read"))
        return after
    except Exception as exc:  # pglast on input nobody foresaw: reported, never a traceback
        add(None, walk.problem(start, "CANON903", f"pglast failed on this statement: {type(exc).__name__}: {exc}"))
        return after
    for raw in raws:
        offset = raw.stmt_location or 0
        piece = chunk[offset : offset + raw.stmt_len] if raw.stmt_len else chunk[offset:]
        at = start + offset + len(piece) - len(piece.lstrip())
        walk.statements.append(SqlStatement(raw.stmt, piece.strip(), walk.lines.line(at), at, words, None, walk.lines))
    return after


# --- a whole file, all or nothing (the migration runner) ----------------------------------------


def statements(text: str) -> Iterator[tuple[Any, str, int]]:
    """(parsed statement, its text, its first line) for each statement of ``text``.
    pglast's ParseError comes out of the first iteration when the text does not parse."""
    from pglast import parse_sql

    lines = LineIndex(text)
    for raw in parse_sql(text):
        # pglast gives character offsets; the location points past the comments and blank
        # lines before a statement, except for the first one.
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(text)
        chunk = text[start:end]
        leading = len(chunk) - len(chunk.lstrip())
        yield raw.stmt, chunk, lines.line(start + leading)
