"""CANON306 guard-gates-unreachable: a guard whose tool has gates (or needs human approval)
on a function that cannot be given a gate state: every call is refused.

The guard reads the gate state from the call's argument named ``gate_state`` (or the name the
decorator's ``gate_state_arg=`` gives), else from the function's default for it. A function
that has neither such a parameter nor ``**kwargs`` can never be called with one: the guard
refuses every call with V-GATE-001 (or V-GATE-002 for human approval).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lint_canon.analysis.syntax.lazy import cst
from lint_canon.output.codes import rule_info
from lint_canon.rules._guard_rule import GuardRule
from lint_canon_guard.config import Tool

if TYPE_CHECKING:
    from lint_canon.analysis.vendors import Guard

DEFAULT_ARG = "gate_state"  # the guard's own default for gate_state_arg


def gate_needs(tool: Tool) -> list[str]:
    """What the guard checks from a call's gate state for ``tool`` (empty: it needs none)."""
    return [*tool.gates, *(["human approval"] if tool.human_approval else [])]


def takes_argument(function: cst.FunctionDef, name: str) -> bool:
    """Whether a call of ``function`` can pass the argument ``name`` (a parameter of that name,
    or ``**kwargs``): where the guard reads the gate state from."""
    params = function.params
    return isinstance(params.star_kwarg, cst.Param) or any(
        param.name.value == name for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    )


class GuardGatesUnreachable(GuardRule):
    info = rule_info("CANON306")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        guard = self.ctx.vendors.guard(node)
        if guard is None or guard.tool_id is None:
            return
        tool = self.canon.tool(guard.tool_id)
        if tool is None or not gate_needs(tool):
            return
        name = _gate_state_arg(guard)
        if name is None:
            return  # named by an expression: which argument is not known here
        if takes_argument(node, name):
            return
        self.report(
            guard.decorator.decorator,
            f"the guard checks {tool.id}'s {', '.join(gate_needs(tool))} in the '{name}' argument, which "
            f"'{node.name.value}' does not take: every call is refused; add a '{name}' parameter its callers fill",
        )

    def check(self, guard: Guard, tool: Tool | None) -> None:  # visit_FunctionDef does the work
        return None


def _gate_state_arg(guard: Guard) -> str | None:
    """The argument the guard reads the gate state from: ``gate_state_arg="..."`` of the
    decorator call, else the guard's default; None when it is not a string literal."""
    call = guard.decorator.decorator
    if not isinstance(call, cst.Call):
        return DEFAULT_ARG
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "gate_state_arg":
            value = arg.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                return value.evaluated_value
            return None
    return DEFAULT_ARG
