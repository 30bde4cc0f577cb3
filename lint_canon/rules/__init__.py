"""The rules: one module each, named after what it finds. Add a rule by listing it here."""

from __future__ import annotations

from lint_canon.rules.banned_import import BannedImport
from lint_canon.rules.banned_requirement import BannedRequirement
from lint_canon.rules.banned_vendor_call import BannedVendorCall
from lint_canon.rules.base import DependencyRule, DoneStateRule, Rule
from lint_canon.rules.done_checker_missing import DoneCheckerMissing
from lint_canon.rules.done_checker_undocumented import DoneCheckerUndocumented
from lint_canon.rules.done_criteria_drift import DoneCriteriaDrift
from lint_canon.rules.guard_out_of_scope import GuardOutOfScope
from lint_canon.rules.guard_tool_mismatch import GuardToolMismatch
from lint_canon.rules.guard_unknown_tool import GuardUnknownTool
from lint_canon.rules.guard_wrong_interaction import GuardWrongInteraction
from lint_canon.rules.missing_guard import MissingGuard
from lint_canon.rules.unregistered_api_key import UnregisteredApiKey
from lint_canon.rules.unregistered_vendor_call import UnregisteredVendorCall

PYTHON_RULES: tuple[type[Rule], ...] = (
    BannedImport,
    UnregisteredVendorCall,
    BannedVendorCall,
    UnregisteredApiKey,
    MissingGuard,
    GuardUnknownTool,
    GuardOutOfScope,
    GuardWrongInteraction,
    GuardToolMismatch,
)
DEPENDENCY_RULES: tuple[type[DependencyRule], ...] = (BannedRequirement,)
DONE_STATE_RULES: tuple[type[DoneStateRule], ...] = (DoneCheckerMissing, DoneCriteriaDrift, DoneCheckerUndocumented)

# Codes the engine itself reports, whatever the rules.
ENGINE_CODES = ("CANON901", "CANON902", "CANON903")

IMPLEMENTED_CODES: tuple[str, ...] = tuple(
    sorted(
        {code for rule in (*PYTHON_RULES, *DEPENDENCY_RULES, *DONE_STATE_RULES) for code in rule.codes}
        | set(ENGINE_CODES)
    )
)
