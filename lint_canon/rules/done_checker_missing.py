"""CANON401 done-checker-missing: a hub of the DONE doc whose checker function no SQL defines."""

from __future__ import annotations

from collections.abc import Iterator

from lint_canon.output.codes import rule_info
from lint_canon.project.done_states import DocRow, SqlChecker
from lint_canon.rules.base import DoneStateRule, ProjectReport


class DoneCheckerMissing(DoneStateRule):
    info = rule_info("CANON401")

    def check(self, rows: list[DocRow], checkers: list[SqlChecker]) -> Iterator[ProjectReport]:
        defined = {c.function for c in checkers}
        for row in rows:
            if row.function not in defined:
                yield ProjectReport(
                    row.path,
                    row.line,
                    self.codes[0],
                    f"{row.hub}: the DONE doc names {row.function} but no SQL file defines it; "
                    "add the function or remove the row",
                )
