"""CANON302 guard-unknown-tool: the guard names a tool id that the registry does not have."""

from __future__ import annotations

from lint_canon.config import Tool
from lint_canon.rules._guard_rule import GuardRule
from lint_canon.vendors import Guard


class GuardUnknownTool(GuardRule):
    codes = ("CANON302",)

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None and guard.tool_arg is not None:
            known = ", ".join(t.id for t in self.canon.tools) or "none"
            self.report(guard.tool_arg, f"guard names unknown tool '{guard.tool_id}'; registered tools: {known}")
