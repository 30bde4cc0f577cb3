"""TOML as the linter reads it (``pyproject.toml``: its ``[tool.lint-canon]`` settings and its
dependencies): ``tomllib``, with every way it can fail turned into a ``TomlProblem`` at its line.

The linter's alone: the guard reads only ``[tool.lint-canon] config``, and tolerantly
(``lint_canon_guard.locate``).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from lint_canon_guard.lines import split_lines
from lint_canon_guard.messages import cut, printable


class TomlProblem(ValueError):
    """TOML that tomllib refuses or cannot read (nested too deeply, a number too long)."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def load_toml(source: str) -> dict[str, Any]:
    """``tomllib.loads``, with every failure a ``TomlProblem`` at its line (where known)."""
    import tomllib

    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        line, problem = toml_error(exc, source)
        raise TomlProblem(line, printable(problem)) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table.
        raise TomlProblem(_deepest_line(source), "arrays or inline tables nested too deeply") from None
    except ValueError as exc:
        # int() refuses more digits than sys.get_int_max_str_digits(); tomllib lets it through.
        limit = sys.get_int_max_str_digits()
        match = re.search(rf"[0-9_]{{{limit + 1},}}", source) if limit else None
        line = _line_at(source, match.start()) if match else None
        if match:
            raise TomlProblem(line, f"a number of more than {limit:,} digits") from None
        raise TomlProblem(None, printable(cut(str(exc).split("\n", 1)[0], 200))) from None


_NESTING = re.compile(r"""[\[\]{}]|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*""")


def _deepest_line(source: str, enough: int = 200) -> int | None:
    """The line where brackets first nest ``enough`` deep (strings and comments skipped)."""
    depth = 0
    for match in _NESTING.finditer(source):
        char = match.group()
        if char in ("[", "{"):
            depth += 1
            if depth >= enough:
                return _line_at(source, match.start())
        elif char in ("]", "}"):
            depth -= 1
    return None


def _line_at(text: str, index: int) -> int:
    return len(split_lines(text[:index] + "x"))


def toml_error(exc: Exception, source: str) -> tuple[int | None, str]:
    """Line and text of a TOML error (3.11's tomllib keeps the line only in the message)."""
    text = str(exc)
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", text)
    if match:
        return int(match.group(1)), text[: match.start()]
    if text.endswith("(at end of document)"):
        return max(1, len(split_lines(source))), text[: -len("(at end of document)")].strip()
    return getattr(exc, "lineno", None), text


def line_matching(source: str, pattern: str, after: int = 0) -> int | None:
    """The first line (after line ``after``) that ``pattern`` matches: where a key of a TOML
    document sits, which tomllib does not say."""
    compiled = re.compile(pattern)
    for number, line in enumerate(split_lines(source), 1):
        if number > after and compiled.match(line):
            return number
    return None
