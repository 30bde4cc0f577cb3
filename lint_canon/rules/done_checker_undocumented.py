"""CANON403 done-checker-undocumented: a SQL fn_check_*_done function the DONE doc does not list."""

from __future__ import annotations

from collections.abc import Iterator

from lint_canon.output.codes import rule_info
from lint_canon.project.done_states import DocRow, SqlChecker
from lint_canon.rules.base import DoneStateRule, ProjectReport


class DoneCheckerUndocumented(DoneStateRule):
    info = rule_info("CANON403")

    def check(self, rows: list[DocRow], checkers: list[SqlChecker]) -> Iterator[ProjectReport]:
        documented = {row.function for row in rows}
        seen: set[str] = set()
        for checker in checkers:
            if checker.function in documented or checker.function in seen:
                continue
            seen.add(checker.function)
            yield ProjectReport(
                checker.path,
                checker.line,
                self.codes[0],
                f"{checker.function} is a DONE checker the DONE doc does not list; add its row "
                "(function, hub, criteria) to the doc",
            )
