"""SQL files read with PostgreSQL's own parser (pglast): each statement with its text and the
line it starts on, and the line of a parse error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def statements(text: str) -> Iterator[tuple[Any, str, int]]:
    """(parsed statement, its text, its first line) for each statement of ``text``.
    pglast's ParseError comes out of the first iteration when the text does not parse."""
    from pglast import parse_sql

    data = text.encode("utf-8")  # pglast's locations count bytes
    for raw in parse_sql(text):
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(data)
        chunk = data[start:end].decode("utf-8")
        # The location points past the comments before a statement, not past its blank lines.
        leading = chunk[: len(chunk) - len(chunk.lstrip())]
        yield raw.stmt, chunk, data[:start].count(b"\n") + leading.count("\n") + 1


def error_line(exc: Exception, text: str) -> int:
    """The line of a pglast ParseError in ``text`` (1 when it gives no location)."""
    location = getattr(exc, "location", None)
    return text.encode("utf-8")[:location].count(b"\n") + 1 if isinstance(location, int) else 1
