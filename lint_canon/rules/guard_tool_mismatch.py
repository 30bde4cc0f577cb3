"""CANON305 guard-tool-mismatch: a guarded function calls the vendor of another tool than the
one its guard names (the guard checks the wrong gates, scope and budget).

When the function calls that one other tool and nothing else, the message says the guard should
name it, and the finding carries that fix as data (``Fix``) for ``lint_canon.fixes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.output.codes import rule_info
from lint_canon.output.findings import Applicability, Fix
from lint_canon.rules.base import FileContext, Needle, Rule
from lint_canon.rules.needles import guard_needles
from lint_canon_guard.config import Canon, Tool

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.analysis.vendors import VendorCall


class GuardToolMismatch(Rule):
    info = rule_info("CANON305")

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # Guarded function -> (the tools it calls, its calls to another tool than its guard's),
        # reported when it ends: the advice depends on every tool it calls.
        # Each call is kept with its tool (``call.tool``).
        self._seen: dict[int, tuple[set[str], list[tuple[cst.Call, VendorCall, Tool]]]] = {}

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        return guard_needles(canon)

    def visit_Call(self, node: cst.Call) -> None:
        function, guard = self.ctx.vendors.enclosing_guard()
        if function is None or guard is None or guard.tool_id is None or self.canon.tool(guard.tool_id) is None:
            return
        for call in self.ctx.vendors.calls(node):
            tool = call.tool
            if tool is None:
                continue
            tools, mismatched = self._seen.setdefault(id(function), (set(), []))
            tools.add(tool.id)
            if guard.tool_id != tool.id:
                mismatched.append((node, call, tool))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        seen = self._seen.pop(id(original_node), None)
        if seen is None:
            return
        tools, mismatched = seen
        guard = self.ctx.vendors.guard(original_node)
        named = guard.tool_id if guard is not None else None
        for node, call, tool in mismatched:
            what = f"the guard names {named} but this calls {tool.id} ({call.target})"
            if len(tools) == 1:
                assert named is not None  # its calls were kept under a guard that names a tool
                function = original_node.name.value
                fix = Fix(
                    "tool-id",
                    Applicability.UNSAFE,  # the guard checks another tool's hubs, gates and key
                    f"make the guard of '{function}' name {tool.id}",
                    function,
                    tool.id,
                    named=named,
                    hubs=tuple(tool.hubs),
                    interactions=tuple(tool.interactions),
                )
                self.report(node, f"{what}, the only tool '{function}' calls; make the guard name {tool.id}", fix=fix)
            else:
                self.report(node, f"{what}; guard this call with {tool.id} or call {named}'s vendor")
