"""CANON303 guard-out-of-scope: the guard's hub is not among the hubs of the tool it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lint_canon.output.codes import rule_info
from lint_canon.rules._guard_rule import GuardRule
from lint_canon_guard.config import Tool

if TYPE_CHECKING:
    from lint_canon.analysis.vendors import Guard


class GuardOutOfScope(GuardRule):
    info = rule_info("CANON303")

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None or guard.hub_id is None or guard.hub_arg is None or guard.hub_id in tool.hubs:
            return
        allowed = ", ".join(tool.hubs) or "none"
        self.report(guard.hub_arg, f"hub '{guard.hub_id}' is out of {tool.id}'s scope; its hubs: {allowed}")
