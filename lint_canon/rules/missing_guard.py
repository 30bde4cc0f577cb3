"""CANON301 missing-guard: a call to a registered tool whose nearest enclosing function does
not carry the guard decorator. Calls at module or class level can never be guarded.

The message of a call in a function spells the decorator to add; where the tool's hub or
interaction type is not the only one, it lists the choices. The finding carries the same as
data (``Fix``): ``lint_canon.fixes`` works from findings alone, never from a second analysis
nor from a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.analysis.vendor_tables import HTTP_LIBRARIES
from lint_canon.output.codes import rule_info
from lint_canon.output.findings import Applicability, Fix
from lint_canon.rules.base import FileContext, Needle, Rule
from lint_canon.rules.needles import default_host_needles, host_needle, http_needles, module_needles, stub_needles
from lint_canon_guard.config import Canon, Tool

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.analysis.vendors import VendorCall


def _advice(tool: Tool, decorator: str) -> str:
    """``@enforce_tool_canon("TOOL-008", "HUB-X", InteractionType.ENRICH)``, with HUB or
    ``InteractionType...`` and the choices where the canon leaves more than one (or none)."""
    hub = f'"{tool.hubs[0]}"' if len(tool.hubs) == 1 else "HUB"
    interaction = f"InteractionType.{tool.interactions[0]}" if len(tool.interactions) == 1 else "InteractionType..."
    choices = []
    if len(tool.hubs) > 1:
        choices.append(f"HUB: one of {', '.join(tool.hubs)}")
    elif not tool.hubs:
        choices.append(f"the canon lists no hubs for {tool.id}")
    if len(tool.interactions) > 1:
        choices.append(f"InteractionType: one of {', '.join(tool.interactions)}")
    elif not tool.interactions:
        choices.append(f"the canon lists no interactions for {tool.id}")
    advice = f'@{decorator}("{tool.id}", {hub}, {interaction})'
    return f"{advice} ({'; '.join(choices)})" if choices else advice


def guard_fix(tool: Tool, function: str, advice: str) -> Fix:
    """Adding the guard of ``tool`` to ``function``. Safe only when the guard cannot refuse a
    call at run time: the tool has one hub and one interaction (the guard names them), no gates,
    no human approval and no API key variable to check; otherwise unsafe (``--unsafe-fixes``)."""
    safe = (
        len(tool.hubs) == 1
        and len(tool.interactions) == 1
        and not tool.gates
        and not tool.human_approval
        and not (tool.api_key_envs or tool.api_key_env)
    )
    return Fix(
        "add-guard",
        Applicability.SAFE if safe else Applicability.UNSAFE,
        f"decorate '{function}' with {advice}",
        function,
        tool.id,
        hubs=tuple(tool.hubs),
        interactions=tuple(tool.interactions),
    )


class MissingGuard(Rule):
    info = rule_info("CANON301")

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # Unguarded function -> its calls to registered tools, reported when it ends: the advice
        # depends on every tool it calls. Each call is kept with its tool (``call.tool``).
        self._pending: dict[int, list[tuple[cst.Call, VendorCall, Tool]]] = {}

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
        groups.update(stub_needles())  # clients declared with an SDK's type stubs
        # an SDK no tool names, sending to the default host a tool registers
        groups.update(default_host_needles(canon, (host for tool in canon.tools for host in tool.hosts)))
        # a wrapper of an SDK (canon `wrappers`) is that SDK where it is used
        groups.update(module_needles(wrapper.module.split(".", 1)[0]) for wrapper in canon.wrappers)
        return groups

    def visit_Call(self, node: cst.Call) -> None:
        for call in self.ctx.vendors.calls(node):
            if call.tool is not None:
                self._check(node, call, call.tool)

    def _check(self, node: cst.Call, call: VendorCall, tool: Tool) -> None:
        function, guard = self.ctx.vendors.enclosing_guard()
        if guard is not None:
            return
        if function is None:
            self.report(
                node,
                f"call to {tool.id} ({call.target}) outside any function, where no guard can apply; "
                "move it into a guarded function",
            )
        else:
            self._pending.setdefault(id(function), []).append((node, call, tool))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        calls = self._pending.pop(id(original_node), None)
        if not calls:
            return
        name = original_node.name.value
        tools = list(dict.fromkeys(tool.id for _, _, tool in calls))
        decorator = self.canon.guard_decorators[0].rsplit(".", 1)[-1]
        for node, call, tool in calls:
            what = f"call to {tool.id} ({call.target}) in '{name}', which lacks the guard"
            if len(tools) == 1:
                advice = _advice(tool, decorator)
                self.report(node, f"{what}; decorate it with {advice}", fix=guard_fix(tool, name, advice))
            else:
                self.report(
                    node,
                    f"{what}; it calls {', '.join(tools)}: one guard names one tool, "
                    "so split it into one guarded function per tool",
                )
