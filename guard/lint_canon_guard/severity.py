"""The document's severities (section 7), most severe first: of the guard's violations and of
the linter's findings (``lint_canon.output.findings.Severity`` is this one). A module of its own,
so that the linter's findings import it without the guard."""

from __future__ import annotations

from enum import StrEnum


class ViolationSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        """0 for the most severe: findings sort by it."""
        return list(ViolationSeverity).index(self)
