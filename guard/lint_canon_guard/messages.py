"""How a message quotes what a user wrote: one printable line, cut to a readable length.

Shared by the canon's loader (``lint_canon_guard.config``) and the linter's ``[tool.lint-canon]``
and TOML messages (``lint_canon.canon``), so that every ``FILE:LINE: key: problem`` line reads
alike."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def cut(text: str, size: int) -> str:
    """``text`` of at most ``size`` characters, "..." marking what was cut."""
    return text if len(text) <= size else text[: size - 3] + "..."


def short(value: Any) -> str:
    """``repr`` of a value quoted in a message, cut to a readable length."""
    return cut(repr(value), 80)


def printable(text: str) -> str:
    """One printable line: control characters and line or paragraph separators escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def display(path: Path) -> str:
    """A path as a message names it: relative to the working folder, printable."""
    try:
        return printable(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return printable(str(path))


def value_kind(value: Any) -> str:
    """What a value read from YAML or TOML is, in words ("a list", "a number")."""
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def not_regular(kind: str) -> str:
    """A ``NotRegularFile``'s kind as a message says it ("a FIFO, not a regular file")."""
    return kind if kind.startswith("not ") else f"{kind}, not a regular file"
