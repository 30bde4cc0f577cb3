"""What a check produces: findings with exact positions, and the catalogue of rule codes."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class RuleInfo:
    """A rule code as users see it: its name, the document's violation code and severity."""

    code: str
    name: str
    violation: str | None
    severity: Severity
    summary: str


# The contract table of PRODUCT.md; codes are never renamed, only added.
CATALOGUE: dict[str, RuleInfo] = {
    info.code: info
    for info in (
        RuleInfo(
            "CANON101", "banned-import", "V-TOOL-002", Severity.CRITICAL, "import or use of a banned module or API"
        ),
        RuleInfo(
            "CANON102",
            "banned-requirement",
            "V-TOOL-002",
            Severity.CRITICAL,
            "banned package in requirements files or pyproject",
        ),
        RuleInfo(
            "CANON201",
            "unregistered-vendor-call",
            "V-TOOL-001",
            Severity.CRITICAL,
            "call to a vendor SDK or external host that no tool registers",
        ),
        RuleInfo("CANON202", "banned-vendor-call", "V-TOOL-002", Severity.CRITICAL, "call to a banned host"),
        RuleInfo(
            "CANON203",
            "unregistered-api-key",
            "V-TOOL-003",
            Severity.HIGH,
            "read of a secret-looking env var that no tool owns",
        ),
        RuleInfo(
            "CANON301",
            "missing-guard",
            "V-GATE-001",
            Severity.CRITICAL,
            "registered vendor call outside a function carrying the guard",
        ),
        RuleInfo(
            "CANON302",
            "guard-unknown-tool",
            "V-TOOL-001",
            Severity.CRITICAL,
            "guard names a tool id that is not registered",
        ),
        RuleInfo(
            "CANON303",
            "guard-out-of-scope",
            "V-SCOPE-001",
            Severity.CRITICAL,
            "guard's hub is not among the tool's hubs",
        ),
        RuleInfo(
            "CANON304",
            "guard-wrong-interaction",
            "V-TYPE-001",
            Severity.HIGH,
            "guard's interaction type is not among the tool's",
        ),
        RuleInfo(
            "CANON305",
            "guard-tool-mismatch",
            "V-SCOPE-001",
            Severity.CRITICAL,
            "guarded function calls another tool's vendor than the one its guard names",
        ),
        RuleInfo("CANON401", "done-checker-missing", None, Severity.HIGH, "hub in the DONE doc with no SQL checker"),
        RuleInfo("CANON402", "done-criteria-drift", None, Severity.HIGH, "a criterion on one side only (doc vs SQL)"),
        RuleInfo(
            "CANON403", "done-checker-undocumented", None, Severity.MEDIUM, "SQL fn_check_*_done absent from the doc"
        ),
        RuleInfo("CANON901", "syntax-error", None, Severity.HIGH, "file is not valid Python (CPython rejects it too)"),
        RuleInfo(
            "CANON902",
            "unreadable-file",
            None,
            Severity.HIGH,
            "file cannot be read or decoded, is not a regular file, or is too large",
        ),
        RuleInfo(
            "CANON903",
            "analysis-error",
            None,
            Severity.HIGH,
            "valid Python that could not be analysed (a parser limit, an internal error in a rule)",
        ),
    )
}


def info_for(code: str) -> RuleInfo:
    """The catalogue entry of ``code``; another tool's code (flake8's E501) gets a plain one."""
    return CATALOGUE.get(code) or RuleInfo(code, code, None, Severity.MEDIUM, code)


@dataclass(frozen=True, order=True)
class Finding:
    """One finding. Lines are 1-based; columns are 1-based as flake8 and ruff print them."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str

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
