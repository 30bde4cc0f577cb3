"""The flake8 extension ``CAN``: a thin adapter over the engine.

flake8 filters by ``--select`` and applies ``# noqa`` itself, so the plugin reports every
CANON code and leaves suppression to flake8. Columns are 0-based here; flake8 prints them +1.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lint_canon import __version__
from lint_canon.config import Canon, find_canon_file, load_canon
from lint_canon.engine import Checker, Selection


@functools.lru_cache(maxsize=64)
def _checker_for(config: str | None, folder: str) -> Checker | None:
    """The checker for files of ``folder``; None where no canon applies (a project that does
    not use lint-canon: installing the plugin must not break flake8 there)."""
    if config:
        canon: Canon = load_canon(config)
    else:
        found = find_canon_file(folder)
        if found is None:
            return None
        canon = _load(str(found))
    return Checker(canon, Selection(("CANON",)), apply_noqa=False)


@functools.lru_cache(maxsize=16)
def _load(path: str) -> Canon:
    return load_canon(path)


class CanonPlugin:
    """Yields lint-canon findings on the file flake8 is checking."""

    name = "lint-canon"
    version = __version__
    config: str | None = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines
        self.path = Path(filename if filename not in ("-", "stdin") else "stdin.py")
        # Loaded here, not in run(): flake8 turns an exception raised while the plugin is
        # built into one line ("... failed during execution due to <message>").
        self.checker = _checker_for(self.config, str(self.path.absolute().parent))

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--canon-config",
            default=None,
            parse_from_config=True,
            help="canon.yaml for lint-canon (default: found from each file's folder)",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.config = options.canon_config

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        checker = self.checker
        if checker is None:
            return
        source = "".join(self.lines)
        if not checker.may_hold_finding(source.encode("utf-8", "surrogateescape")):
            return
        for f in checker.check_source(source, self.filename, checker.relpath(self.path)):
            yield f.line, f.col - 1, f"{f.code} {f.message}", type(self)
