"""The one line model of every reader: lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as Python's
tokenizer, flake8 and pip read them. ``str.splitlines`` also splits at form feeds, vertical
tabs, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029, which would move a ``# noqa``, a
position or a fingerprint to another line."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line ends (no empty last line after a final end)."""
    lines = _BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_count(text: str) -> int:
    return len(split_lines(text))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lines_with_ends(text: str) -> list[str]:
    """The lines of ``text`` as ``split_lines`` cuts them, each with its line end: joined, they
    are ``text`` again."""
    return _LINE.findall(text)
