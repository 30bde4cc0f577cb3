"""Where the guard finds its canon at run time, reading nothing of the linter's settings.

Walking up from the working folder (``LINT_CANON_CONFIG``, read by the guard, comes first), the
canon is that of the first folder whose pyproject.toml names one, ``[tool.lint-canon] config =
"path/to/canon.yaml"`` (relative to that file), or that holds a canon.yaml: the canon
``lint-canon check`` finds for that folder.

Decided here: of ``[tool.lint-canon]`` the guard reads ``config`` and nothing else.

- The other keys (``select``, ``ignore``, ``exclude``, a misspelling of one, a value of the
  wrong type) are the linter's: ``lint-canon check`` reports them (lint_canon.canon.settings)
  and the guard never looks at them, so a mistake in a linter setting cannot refuse a
  service's calls.
- A pyproject.toml whose TOML does not parse (a mistake anywhere in it) is read line by line
  for the ``config = ...`` line of its ``[tool.lint-canon]`` table.
- ``config`` itself is the guard's too: one it cannot read (not a non-empty string, or a line
  that is not TOML) is a ``ConfigError``, as a broken canon is. The guard cannot tell which
  canon is meant, and enforcing another one would enforce the wrong rules.
- A pyproject.toml that cannot be read at all (not a regular file, too large, no permission)
  names no canon for the guard; the linter refuses it.
- The guard follows ``config`` wherever it points: a deployed service has no ``.git`` to bound
  it. The linter's own bound (inside the repository: what it reads may be printed) is the
  linter's.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from lint_canon_guard.config import CANON_FILE
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, read_bytes
from lint_canon_guard.lines import split_lines
from lint_canon_guard.messages import display

# A pyproject.toml without these bytes cannot hold [tool.lint-canon], however its TOML spells it.
_NAMES_US = b"lint-canon"
_HEADER = re.compile(r"\s*\[")
_OUR_TABLE = re.compile(r"""\s*\[\s*(?:tool|"tool"|'tool')\s*\.\s*(?:lint-canon|"lint-canon"|'lint-canon')\s*\]""")
_CONFIG_LINE = re.compile(r"""\s*(?:config|"config"|'config')\s*=""")


def find_canon(start: Path | str) -> Path | None:
    """The canon of ``start`` (a folder, or a file in one), walking up; None when no folder
    names one."""
    here = Path(start).absolute()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        named = canon_named_in(folder)
        if named is not None:
            return named
    return None


def canon_named_in(folder: Path) -> Path | None:
    """The canon a folder names itself: ``config`` of its pyproject.toml's ``[tool.lint-canon]``,
    else its canon.yaml (a FIFO or a folder of that name too: loading it says what is wrong,
    rather than handing the folder to a parent's canon); None when it names none."""
    named = pyproject_config(folder / "pyproject.toml")
    if named is not None:
        return named
    candidate = folder / CANON_FILE
    return candidate if os.path.exists(candidate) else None


def pyproject_config(pyproject: Path) -> Path | None:
    """The canon ``[tool.lint-canon] config`` of ``pyproject`` names, or None; every other key
    of the table is left to the linter."""
    try:
        data = read_bytes(pyproject, DEFAULT_MAX_FILE_SIZE)
    except (OSError, ValueError):
        return None
    if _NAMES_US not in data:
        return None
    text = data.decode("utf-8", "replace")
    try:
        document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        value, line = _config_line(pyproject, text)
    else:
        tool = document.get("tool")
        table = tool.get("lint-canon") if isinstance(tool, dict) else None
        value, line = (table.get("config") if isinstance(table, dict) else None), None
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(display(pyproject), line, "tool.lint-canon.config", "expected the path of a canon.yaml")
    return pyproject.parent / value


def _config_line(pyproject: Path, text: str) -> tuple[Any, int | None]:
    """``config`` of the ``[tool.lint-canon]`` table of a document tomllib refuses, read from its
    own line, and that line; (None, None) when the table has no such line."""
    inside = False
    for number, line in enumerate(split_lines(text), 1):
        if _HEADER.match(line):
            inside = _OUR_TABLE.match(line) is not None
        elif inside and _CONFIG_LINE.match(line):
            try:
                return tomllib.loads(line).get("config"), number
            except (tomllib.TOMLDecodeError, RecursionError, ValueError):
                raise ConfigError(
                    display(pyproject),
                    number,
                    "tool.lint-canon.config",
                    'not TOML; write it as config = "path/to/canon.yaml" (lint-canon check says what is wrong)',
                ) from None
    return None, None
