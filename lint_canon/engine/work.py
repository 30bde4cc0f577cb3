"""The unit of work of a run: one source, and what the runner asks of whoever checks it.

The runner (``lint_canon.engine.runner``) owns the loop: the prefilter screen, the workers, a
failure turned into a result. What checks a source — the ``Checker`` of a canon (findings), the
inventory's scanner (uses) — answers the four questions of ``FileWork``; nothing else of it is
the runner's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from lint_canon.engine.isolation import Failure

Result = TypeVar("Result")
_Answer = TypeVar("_Answer", covariant=True)


@dataclass(frozen=True)
class Source:
    """One file's content to check: ``data`` as read (bytes) or as an editor gives it (text),
    ``path`` where it is (its package, its place under the canon), ``shown`` the path as printed
    (default: ``path``), ``checker`` the index of its checker among the run's."""

    checker: int
    path: str
    data: bytes | str
    shown: str = ""

    @property
    def printed(self) -> str:
        return self.shown or self.path

    @property
    def raw(self) -> bytes:
        """The content as bytes (text as an editor gave it, encoded as the prefilter reads it)."""
        return self.data if isinstance(self.data, bytes) else self.data.encode("utf-8", "surrogateescape")


class FileWork(Protocol[_Answer]):
    """What checks one source: picklable, as worker processes get their own copy."""

    def load(self) -> Any:
        """Build what checking needs (rules, prefilter), once; called in each worker first."""
        ...

    def screen(self, source: Source) -> bool:
        """Can the source hold anything of interest (the prefilter)? Cheap, never fails."""
        ...

    def analyse(self, source: Source) -> _Answer:
        """The answer for a source that passed the screen, whatever it holds (in a worker)."""
        ...

    def failed(self, source: Source, failure: Failure) -> _Answer:
        """The answer for a source whose worker crashed or ran out of time."""
        ...
