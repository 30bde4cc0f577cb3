"""The rule classes and the rule set a canon and a selection activate.

Each rule is one module of ``lint_canon/rules/`` whose class takes its ``info`` (code, name,
severity, the document's violation code, summary, the ``report`` check it belongs to, what it
reads) from the table of codes, ``lint_canon.output.codes``, and one page ``rules/CODE.md``. The
registry finds the rule classes by listing that package. What users see of the codes is the
table's, read without importing a rule: the catalogue (``lint-canon rule``, SARIF's rules,
``--select`` validation), the codes of ``report``'s four checks, the pre-commit hooks'
``--select`` lists and the README's table (tests/test_registry.py); tests/test_rule_table.py holds
the table and the rule classes equal. Adding a rule is adding its module, its table entry and its
page.

The rule modules import neither libcst nor the analysis at module level: building the rule set
and its needles (the prefilter) costs no parser, for a run that parses nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from lint_canon.output.codes import ENGINE_CODES
from lint_canon.rules.base import DependencyRule, DoneStateRule, Rule

if TYPE_CHECKING:
    from lint_canon.engine.suppressions import Selection
    from lint_canon_guard.config import Canon

RuleClass: TypeAlias = type[Rule] | type[DependencyRule] | type[DoneStateRule]

# Modules of lint_canon/rules/ that hold what rules share, not a rule.
_SHARED = frozenset({"base", "needles", "registry"})


def _is_rule_class(value: object, module: str) -> TypeGuard[RuleClass]:
    """A class of ``module`` that carries its own ``info``: a rule (each derives from one of
    base.py's three kinds, which declare ``info``)."""
    return isinstance(value, type) and value.__module__ == module and "info" in vars(value)


@cache
def rule_classes() -> tuple[RuleClass, ...]:
    """Every rule class, in the order of their codes: the classes of lint_canon/rules/'s modules
    that carry their own ``info``."""
    import lint_canon.rules as package

    found: list[RuleClass] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in _SHARED or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        found += [value for value in vars(loaded).values() if _is_rule_class(value, loaded.__name__)]
    return tuple(sorted(found, key=lambda rule: rule.info.code))


class RuleSet:
    """The rules a canon and a selection activate, and the needles of the Python rules (the
    engine's prefilter is built from ``token_groups``; None: some rule reads every file)."""

    def __init__(self, canon: Canon, selection: Selection) -> None:
        rules = rule_classes()
        wanted = selection.wants
        done_rules = [r for r in rules if issubclass(r, DoneStateRule)]
        wants_done = bool(canon.done_doc) and any(wanted(c) for r in done_rules for c in r.codes)
        # A file's CANON90x findings come from parsing it, which a full run does for the files its
        # rules' prefilter lets through: with any CANON90x selected, those same files are parsed
        # (by every rule, the findings filtered afterwards), so `--select CANON901` gives exactly
        # the CANON901 lines of a full run.
        engine_codes = any(wanted(c) for c in ENGINE_CODES)
        self.python_rules = [
            r
            for r in rules
            if issubclass(r, Rule) and r.applies(canon) and (engine_codes or any(wanted(c) for c in r.codes))
        ]
        self.dependency_rules = [
            r for r in rules if issubclass(r, DependencyRule) and r.applies(canon) and any(wanted(c) for c in r.codes)
        ]
        self.done_state_rules = [r for r in done_rules if wants_done and any(wanted(c) for c in r.codes)]
        every_group: set[Any] = set()
        groups: set[Any] | None = every_group
        for rule in self.python_rules:
            wanted_groups = rule.tokens(canon)
            if wanted_groups is None:
                groups = None
                break
            every_group.update(wanted_groups)
        self.token_groups: tuple[tuple[Any, ...], ...] | None = None if groups is None else tuple(sorted(groups))
