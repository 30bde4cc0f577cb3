"""The flake8 extension ``CAN``: a thin adapter over the engine.

flake8 filters by ``--select`` and applies ``# noqa`` itself (the CLI applies the same rules),
so the plugin reports every CANON code and leaves suppression to flake8. Each file obeys the
canon of its folder, with the CLI's folder skips and the canon's ``exclude``; the parse runs in
a worker process, as in the CLI, so that no file can crash or hang flake8. Columns are 0-based
here; flake8 prints them +1.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lint_canon import __version__
from lint_canon.engine.checker import Checker
from lint_canon.engine.discovery import CanonFinder
from lint_canon.engine.reads import RunReader
from lint_canon.engine.runner import Engine
from lint_canon.engine.suppressions import Selection
from lint_canon.engine.work import Source
from lint_canon.output.findings import Finding


@functools.lru_cache(maxsize=4)
def _finder(config: str | None) -> CanonFinder:
    """The CLI's canon search (once per folder, canons loaded once), or the one --canon-config names."""
    reads = RunReader()
    return CanonFinder(reads.load_canon(config) if config else None, reads)


_CHECKERS: dict[str, Checker] = {}


def _checker_for(config: str | None, folder: str) -> Checker | None:
    """The checker for files of ``folder``; None where no canon applies (a project that does
    not use lint-canon: installing the plugin must not break flake8 there)."""
    canon = _finder(config).canon_for(folder)
    if canon is None:
        return None
    checker = _CHECKERS.get(str(canon.path))
    if checker is None or checker.canon is not canon:
        checker = _CHECKERS[str(canon.path)] = Checker(canon, Selection(("CANON",)), apply_noqa=False)
    return checker


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
        if checker is None or _skipped(str(self.path), checker):
            return
        source = Source(0, str(self.path), "".join(self.lines), self.filename)
        outcome = _engine(checker).check([source])[0].result or []
        for f in outcome:
            yield f.line, f.col - 1, f"{f.code} {f.message}", type(self)


def _skipped(path: str, checker: Checker) -> bool:
    """The files the CLI does not check: in skipped folders, or excluded by the canon."""
    from lint_canon.engine.discovery import in_skipped_folder, is_excluded

    if path == "stdin.py":
        return False
    return in_skipped_folder(path, checker.canon) or is_excluded(path, checker.canon)


_ENGINE: Engine[list[Finding]] | None = None


def _engine(checker: Checker) -> Engine[list[Finding]]:
    """The engine of this flake8 process, kept open across files: one worker, started on first
    use (a forked flake8 worker gets its own, never its parent's), checking with ``checker``
    (a file under another canon starts another)."""
    global _ENGINE
    if _ENGINE is None or _ENGINE.work != [checker]:
        if _ENGINE is not None:
            _ENGINE.close()
        _ENGINE = Engine([checker], jobs=1)
    return _ENGINE
