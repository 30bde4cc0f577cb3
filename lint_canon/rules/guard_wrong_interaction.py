"""CANON304 guard-wrong-interaction: the guard's interaction type is not one the tool allows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lint_canon.output.codes import rule_info
from lint_canon.rules._guard_rule import GuardRule
from lint_canon_guard.config import Tool

if TYPE_CHECKING:
    from lint_canon.analysis.vendors import Guard


class GuardWrongInteraction(GuardRule):
    info = rule_info("CANON304")

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None or guard.interaction is None or guard.interaction_arg is None:
            return
        if guard.interaction in tool.interactions:
            return
        allowed = ", ".join(tool.interactions) or "none"
        self.report(
            guard.interaction_arg,
            f"interaction type '{guard.interaction}' is not allowed for {tool.id}; its interactions: {allowed}",
        )
