"""CANON303 guard-out-of-scope: the guard's hub is not among the hubs of the tool it names."""

from __future__ import annotations

from lint_canon.analysis.vendors import Guard
from lint_canon.output.findings import FileKind, RuleInfo, Severity
from lint_canon.rules._guard_rule import GuardRule
from lint_canon_guard.config import Tool


class GuardOutOfScope(GuardRule):
    info = RuleInfo(
        "CANON303",
        "guard-out-of-scope",
        "V-SCOPE-001",
        Severity.CRITICAL,
        "guard's hub is not among the tool's hubs",
        check="check_tool_registry_coverage",
        reads=FileKind.PYTHON,
    )

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None or guard.hub_id is None or guard.hub_arg is None or guard.hub_id in tool.hubs:
            return
        allowed = ", ".join(tool.hubs) or "none"
        self.report(guard.hub_arg, f"hub '{guard.hub_id}' is out of {tool.id}'s scope; its hubs: {allowed}")
