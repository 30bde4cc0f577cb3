"""What a check produces: findings with exact positions, each pointing to its code's entry of the
table (``lint_canon.output.codes``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# What users see of a code is the table's (lint_canon.output.codes); these names stay here too,
# where a finding's users have always found them.
from lint_canon.output.codes import FileKind, RuleInfo, Severity, info_for

__all__ = ["Applicability", "FileKind", "Finding", "Fix", "RuleInfo", "Severity", "info_for"]


class Applicability(StrEnum):
    """How safely a fix can be applied (ruff's word): a *safe* fix cannot change what the
    program does, and ``--fix`` applies it; an *unsafe* one may (a guard that can refuse a call
    at run time), and needs ``--unsafe-fixes``."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    """The fix a finding carries, as data (``lint_canon.fixes`` applies it; nothing reads a
    message). ``kind``: ``add-guard`` (decorate ``function`` with the guard of ``tool``, its hub
    and interaction chosen among ``hubs`` / ``interactions`` where there are several) or
    ``tool-id`` (the guard of ``function`` names ``named``: write ``tool`` instead)."""

    kind: str
    applicability: Applicability
    title: str
    function: str
    tool: str
    named: str = ""
    hubs: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()

    def as_data(self) -> list[Any]:
        """The fix as JSON data (what the per-file cache keeps; ``from_data`` makes it again)."""
        return [
            self.kind,
            self.applicability.value,
            self.title,
            self.function,
            self.tool,
            self.named,
            list(self.hubs),
            list(self.interactions),
        ]

    @staticmethod
    def from_data(data: Any) -> Fix | None:
        """The fix ``as_data`` gave; None for anything else (a cache written otherwise)."""
        if not (isinstance(data, list) and len(data) == 8 and all(isinstance(item, str) for item in data[:6])):
            return None
        if data[1] not in ("safe", "unsafe") or not all(
            isinstance(names, list) and all(isinstance(name, str) for name in names) for names in data[6:]
        ):
            return None
        kind, applicability, title, function, tool, named, hubs, interactions = data
        return Fix(kind, Applicability(applicability), title, function, tool, named, tuple(hubs), tuple(interactions))

    @property
    def hub(self) -> str | None:
        return self.hubs[0] if len(self.hubs) == 1 else None

    @property
    def interaction(self) -> str | None:
        return self.interactions[0] if len(self.interactions) == 1 else None


@dataclass(frozen=True, order=True)
class Finding:
    """One finding. Lines are 1-based; columns are 1-based as flake8 and ruff print them.

    ``relpath`` (the path relative to the finding's canon) and ``line_text`` (the text of its
    line) are what fingerprints need; the run fills them in once (``lint_canon.output.located``), so
    that every formatter is a pure function of the findings. They take no part in comparing."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str
    relpath: str = field(default="", compare=False)
    line_text: str = field(default="", compare=False)
    fix: Fix | None = field(default=None, compare=False)  # what --fix can do about it

    @property
    def info(self) -> RuleInfo:
        return info_for(self.code)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def violation(self) -> str | None:
        return self.info.violation

    @property
    def severity(self) -> Severity:
        return self.info.severity
