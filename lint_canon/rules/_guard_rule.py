"""What the three guard-argument rules share: find the guard, know when its tool is unknown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import guard_needles
from lint_canon_guard.config import Canon, Tool

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.analysis.vendors import Guard


class GuardRule(Rule):
    """A rule on the arguments of the guard decorator of each function."""

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        return guard_needles(canon)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        guard = self.ctx.vendors.guard(node)
        if guard is None or guard.tool_id is None:
            return
        tool = self.canon.tool(guard.tool_id)
        self.check(guard, tool)

    def check(self, guard: Guard, tool: Tool | None) -> None:
        raise NotImplementedError
