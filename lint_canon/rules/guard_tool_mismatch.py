"""CANON305 guard-tool-mismatch: a guarded function calls the vendor of another tool than the
one its guard names (the guard checks the wrong gates, scope and budget)."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from lint_canon.canon.config import Canon
from lint_canon.output.findings import Reads, RuleInfo, Severity
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import guard_needles


class GuardToolMismatch(Rule):
    info = RuleInfo(
        "CANON305",
        "guard-tool-mismatch",
        "V-SCOPE-001",
        Severity.CRITICAL,
        "guarded function calls another tool's vendor than the one its guard names",
        check="check_tool_registry_coverage",
        reads=Reads.PYTHON,
    )

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        return guard_needles(canon)

    def visit_Call(self, node: cst.Call) -> None:
        _, guard = self.ctx.vendors.enclosing_guard()
        if guard is None or guard.tool_id is None or self.canon.tool(guard.tool_id) is None:
            return
        for call in self.ctx.vendors.calls(node):
            if call.tool is not None and guard.tool_id != call.tool.id:
                self.report(
                    node,
                    f"the guard names {guard.tool_id} but this calls {call.tool.id} ({call.target}); "
                    f"guard this call with {call.tool.id} or call {guard.tool_id}'s vendor",
                )
