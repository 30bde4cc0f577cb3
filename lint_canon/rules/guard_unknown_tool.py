"""CANON302 guard-unknown-tool: the guard names a tool id that the registry does not have."""

from __future__ import annotations

from lint_canon.analysis.vendors import Guard
from lint_canon.canon.config import Tool
from lint_canon.output.findings import Reads, RuleInfo, Severity
from lint_canon.rules._guard_rule import GuardRule


class GuardUnknownTool(GuardRule):
    info = RuleInfo(
        "CANON302",
        "guard-unknown-tool",
        "V-TOOL-001",
        Severity.CRITICAL,
        "guard names a tool id that is not registered",
        check="check_tool_registry_coverage",
        reads=Reads.PYTHON,
    )

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None and guard.tool_arg is not None:
            known = ", ".join(t.id for t in self.canon.tools) or "none"
            self.report(guard.tool_arg, f"guard names unknown tool '{guard.tool_id}'; registered tools: {known}")
