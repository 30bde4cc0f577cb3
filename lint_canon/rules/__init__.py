"""The rules: one module each, named after what it finds. Add a rule by listing it here."""

from __future__ import annotations

from lint_canon.rules.banned_import import BannedImport
from lint_canon.rules.banned_requirement import BannedRequirement
from lint_canon.rules.base import DependencyRule, Rule

PYTHON_RULES: tuple[type[Rule], ...] = (BannedImport,)
DEPENDENCY_RULES: tuple[type[DependencyRule], ...] = (BannedRequirement,)

# Codes the engine itself reports, whatever the rules.
ENGINE_CODES = ("CANON901", "CANON902")

IMPLEMENTED_CODES: tuple[str, ...] = tuple(
    sorted({code for rule in (*PYTHON_RULES, *DEPENDENCY_RULES) for code in rule.codes} | set(ENGINE_CODES))
)
