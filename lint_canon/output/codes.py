"""The table of every rule code (ruff's codes.rs): what users see of each code, written once.

Each code's name, the document's violation code, severity, summary, the ``report`` check it
belongs to and what it reads are here, for the rules and for what the engine reports itself
(CANON901-903). A rule class takes its ``info`` from this table (``rule_info``); the catalogue
(``lint-canon rule``, SARIF's rules, ``--select`` validation), the codes of ``report``'s checks
and of the pre-commit hooks are read from it, without importing a rule (nor libcst).
tests/test_rule_table.py holds the table and the rule classes equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from lint_canon_guard.severity import ViolationSeverity

# The user's severities (document section 7), the guard's own; findings sort by their rank.
Severity = ViolationSeverity


class FileKind(StrEnum):
    """The kind of file a rule reads: which files can hold its findings (and which pre-commit hook
    runs it)."""

    PYTHON = "Python modules"
    DEPENDENCIES = "dependency files (requirements, pyproject.toml)"
    PROJECT = "project files (the DONE doc and its SQL)"
    ANY = "any file the run reads"


@dataclass(frozen=True)
class RuleInfo:
    """A rule code as users see it: its name, the document's violation code and severity, a
    summary, the ``report`` check it belongs to (None: the engine's own problems) and what it
    reads."""

    code: str
    name: str
    violation: str | None
    severity: Severity
    summary: str
    check: str | None = None
    reads: FileKind = FileKind.ANY


_PYTHON, _DEPENDENCIES, _PROJECT = FileKind.PYTHON, FileKind.DEPENDENCIES, FileKind.PROJECT

_RULE_INFOS = (
    RuleInfo(
        "CANON101",
        "banned-import",
        "V-TOOL-002",
        Severity.CRITICAL,
        "import or use of a banned module or API",
        check="check_banned_imports",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON102",
        "banned-requirement",
        "V-TOOL-002",
        Severity.CRITICAL,
        "banned package in requirements files or pyproject",
        check="check_banned_libraries",
        reads=_DEPENDENCIES,
    ),
    RuleInfo(
        "CANON201",
        "unregistered-vendor-call",
        "V-TOOL-001",
        Severity.CRITICAL,
        "call to a vendor SDK or external host that no tool registers",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON202",
        "banned-vendor-call",
        "V-TOOL-002",
        Severity.CRITICAL,
        "call to a banned host",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON203",
        "unregistered-api-key",
        "V-TOOL-003",
        Severity.HIGH,
        "read of a secret-looking env var that no tool owns",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON301",
        "missing-guard",
        "V-GATE-001",
        Severity.CRITICAL,
        "registered vendor call outside a function carrying the guard",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON302",
        "guard-unknown-tool",
        "V-TOOL-001",
        Severity.CRITICAL,
        "guard names a tool id that is not registered",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON303",
        "guard-out-of-scope",
        "V-SCOPE-001",
        Severity.CRITICAL,
        "guard's hub is not among the tool's hubs",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON304",
        "guard-wrong-interaction",
        "V-TYPE-001",
        Severity.HIGH,
        "guard's interaction type is not among the tool's",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON305",
        "guard-tool-mismatch",
        "V-SCOPE-001",
        Severity.CRITICAL,
        "guarded function calls another tool's vendor than the one its guard names",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON306",
        "guard-gates-unreachable",
        "V-GATE-001",
        Severity.CRITICAL,
        "guarded function cannot be given the gate state its tool's gates need",
        check="check_tool_registry_coverage",
        reads=_PYTHON,
    ),
    RuleInfo(
        "CANON401",
        "done-checker-missing",
        None,
        Severity.HIGH,
        "hub in the DONE doc with no SQL checker",
        check="check_done_state_contracts",
        reads=_PROJECT,
    ),
    RuleInfo(
        "CANON402",
        "done-criteria-drift",
        None,
        Severity.HIGH,
        "a criterion on one side only (doc vs SQL)",
        check="check_done_state_contracts",
        reads=_PROJECT,
    ),
    RuleInfo(
        "CANON403",
        "done-checker-undocumented",
        None,
        Severity.MEDIUM,
        "SQL fn_check_*_done absent from the doc",
        check="check_done_state_contracts",
        reads=_PROJECT,
    ),
)
# What the engine itself reports about a file, whatever the rules: in `report`'s "problems".
_ENGINE_INFOS = (
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
        reads=_PYTHON,
    ),
)
ENGINE_CODES: tuple[str, ...] = tuple(info.code for info in _ENGINE_INFOS)
_TABLE: Mapping[str, RuleInfo] = MappingProxyType(
    {info.code: info for info in sorted(_RULE_INFOS + _ENGINE_INFOS, key=lambda info: info.code)}
)


def catalogue() -> Mapping[str, RuleInfo]:
    """Every code, in order: the rules' and the engine's."""
    return _TABLE


def rule_info(code: str) -> RuleInfo:
    """The table's entry of one of our codes (a rule class's ``info``); KeyError for another."""
    return _TABLE[code]


def info_for(code: str) -> RuleInfo:
    """The table's entry of ``code``; another tool's code (flake8's E501) gets a plain one."""
    return catalogue().get(code) or RuleInfo(code, code, None, Severity.MEDIUM, code)


def implemented_codes() -> tuple[str, ...]:
    return tuple(catalogue())


def check_codes(check: str) -> tuple[str, ...]:
    """The codes of one of ``report``'s checks."""
    return tuple(code for code, info in catalogue().items() if info.check == check)


def codes_reading(reads: FileKind) -> tuple[str, ...]:
    return tuple(code for code, info in catalogue().items() if info.reads == reads)
