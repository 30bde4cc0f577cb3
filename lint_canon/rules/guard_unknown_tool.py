"""CANON302 guard-unknown-tool: the guard names a tool id that the registry does not have.

With exactly one registered id close to it (a typo: one character added, dropped, changed or two
swapped, or another case), the message asks "did you mean", and the finding carries the fix as
data (``Fix``) for ``lint_canon.fixes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.output.codes import rule_info
from lint_canon.output.findings import Applicability, Fix
from lint_canon.rules._guard_rule import GuardRule
from lint_canon_guard.config import Tool

if TYPE_CHECKING:
    from lint_canon.analysis.vendors import Guard


def close_ids(unknown: str, known: Iterable[str]) -> list[str]:
    """The registered ids one typo away from ``unknown``: the same but for case, else those at an
    edit distance of 1 (a character added, dropped or changed, or two neighbours swapped)."""
    folded = unknown.casefold()
    ids = list(known)
    same = [tool_id for tool_id in ids if tool_id.casefold() == folded]
    if same:
        return same
    return [tool_id for tool_id in ids if _one_edit(folded, tool_id.casefold())]


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


class GuardUnknownTool(GuardRule):
    info = rule_info("CANON302")

    def check(self, guard: Guard, tool: Tool | None) -> None:
        if tool is None and guard.tool_arg is not None:
            ids = [t.id for t in self.canon.tools]
            close = close_ids(guard.tool_id or "", ids)
            if len(close) == 1:
                meant = self.canon.tool(close[0])
                fix = Fix(
                    "tool-id",
                    Applicability.UNSAFE,  # a guard that refused every call starts letting some through
                    f"replace '{guard.tool_id}' with '{close[0]}'",
                    "",
                    close[0],
                    named=guard.tool_id or "",
                    hubs=tuple(meant.hubs) if meant is not None else (),
                    interactions=tuple(meant.interactions) if meant is not None else (),
                )
                self.report(
                    guard.tool_arg, f"guard names unknown tool '{guard.tool_id}'; did you mean '{close[0]}'?", fix=fix
                )
                return
            known = ", ".join(ids) or "none"
            self.report(guard.tool_arg, f"guard names unknown tool '{guard.tool_id}'; registered tools: {known}")
