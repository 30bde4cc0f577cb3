"""Errors a user can cause: each carries a one-line message written for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class CanonError(Exception):
    """Base of every error a user can cause; the front ends print it as one line, exit 2."""

    def __repr__(self) -> str:
        # flake8 prints plugin failures with repr(); keep that one readable line too.
        return str(self)


class UsageError(CanonError):
    """A bad command line or a path that does not exist."""


class ConfigError(CanonError):
    """An invalid canon: ``FILE:LINE: key.path: what is wrong``."""

    def __init__(self, path: Path | str, line: int | None, key: str, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.key = key
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str, str]]:
        # flake8 sends a plugin's exception from its workers to the main process: it must
        # survive pickling, or flake8's result thread dies and the run hangs.
        return (type(self), (self.path, self.line, self.key, self.problem))


class Cancelled(KeyboardInterrupt):
    """SIGTERM during a ``sql`` command: unwinds as Ctrl-C does (psycopg cancels the running
    query, ``finally`` blocks stop servers and drop scratch databases), then exit 143."""


class DatabaseError(CanonError):
    """A database problem a user can fix: unreachable server, missing URL, held lock."""
