"""What a check produces: findings with exact positions, and the catalogue of rule codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """The user's severities (document section 7); findings sort by them."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        return ("CRITICAL", "HIGH", "MEDIUM", "LOW").index(self.value)


class Reads(StrEnum):
    """What a rule reads: which files can hold its findings (and which pre-commit hook runs it)."""

    PYTHON = "Python modules"
    DEPENDENCIES = "dependency files (requirements, pyproject.toml)"
    PROJECT = "project files (the DONE doc and its SQL)"
    ANY = "any file the run reads"


@dataclass(frozen=True)
class RuleInfo:
    """A rule code as users see it: its name, the document's violation code and severity, a
    summary, the ``report`` check it belongs to (None: the engine's own problems) and what it
    reads. Each rule class carries its own (``lint_canon.rules.registry`` collects them)."""

    code: str
    name: str
    violation: str | None
    severity: Severity
    summary: str
    check: str | None = None
    reads: Reads = Reads.ANY


def info_for(code: str) -> RuleInfo:
    """The registry's entry of ``code``; another tool's code (flake8's E501) gets a plain one."""
    from lint_canon.rules.registry import catalogue

    return catalogue().get(code) or RuleInfo(code, code, None, Severity.MEDIUM, code)


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
