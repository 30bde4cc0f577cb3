"""CANON301 missing-guard: a call to a registered tool whose nearest enclosing function does
not carry the guard decorator. Calls at module or class level can never be guarded."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from lint_canon.analysis.vendors import HTTP_LIBRARIES, VendorCall
from lint_canon.canon.config import Canon
from lint_canon.output.findings import Reads, RuleInfo, Severity
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import host_needle, http_needles, module_needles


class MissingGuard(Rule):
    info = RuleInfo(
        "CANON301",
        "missing-guard",
        "V-GATE-001",
        Severity.CRITICAL,
        "registered vendor call outside a function carrying the guard",
        check="check_tool_registry_coverage",
        reads=Reads.PYTHON,
    )

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return any(tool.modules or tool.hosts for tool in canon.tools)

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        groups: set[tuple[Needle, ...]] = set()
        for tool in canon.tools:
            groups.update(module_needles(module.split(".", 1)[0]) for module in tool.modules)
            groups.update(
                (*http_needles(library), host_needle(host)) for host in tool.hosts for library in HTTP_LIBRARIES
            )
        return groups

    def visit_Call(self, node: cst.Call) -> None:
        for call in self.ctx.vendors.calls(node):
            if call.tool is not None:
                self._check(node, call)

    def _check(self, node: cst.Call, call: VendorCall) -> None:
        function, guard = self.ctx.vendors.enclosing_guard()
        if guard is not None:
            return
        what = f"call to {call.tool.id} ({call.target})"
        if function is None:
            self.report(node, f"{what} outside any function, where no guard can apply; move it into a guarded function")
        else:
            self.report(
                node,
                f"{what} in '{function.name.value}', which lacks the guard; decorate it with "
                f'@enforce_tool_canon("{call.tool.id}", HUB, InteractionType...)',
            )
