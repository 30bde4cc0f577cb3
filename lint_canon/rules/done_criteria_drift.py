"""CANON402 done-criteria-drift: a DONE criterion on one side only, the doc's or the SQL's; also
a criterion, a row or a checker that cannot be read (reported at the doc's row, never guessed;
a row that cannot be read at all is not compared), and a second row for the same hub."""

from __future__ import annotations

from collections.abc import Iterator

from lint_canon.output.codes import rule_info
from lint_canon.project.done_states import EXISTS, DocRow, SqlChecker
from lint_canon.rules.base import DoneStateRule, ProjectReport


class DoneCriteriaDrift(DoneStateRule):
    info = rule_info("CANON402")

    def check(self, rows: list[DocRow], checkers: list[SqlChecker]) -> Iterator[ProjectReport]:
        by_name = {c.function: c for c in checkers}
        first: dict[str, DocRow] = {}
        for row in rows:
            earlier = first.setdefault(row.function, row)
            if earlier is not row:
                # two rows for one hub: which one the SQL must match is not known
                yield ProjectReport(
                    row.path,
                    row.line,
                    self.codes[0],
                    f"{row.hub}: a second row for this hub (the first is at line {earlier.line}); keep one, "
                    "it is not compared",
                )
                continue
            for problem in row.problems:
                yield ProjectReport(row.path, row.line, self.codes[0], f"{row.hub}: {problem}; it is not compared")
            checker = by_name.get(row.function)
            if checker is None or not row.comparable:
                continue
            if checker.problem is not None:
                yield ProjectReport(
                    row.path,
                    row.line,
                    self.codes[0],
                    f"{row.hub}: {row.function} cannot be read ({checker.problem}); its criteria are not compared",
                )
                continue
            doc = ", ".join(sorted(row.criteria)) or "none"
            sql = ", ".join(sorted(checker.criteria)) or "none"
            sides = f"(doc: {doc}; SQL {row.function}: {sql})"
            doc_set, sql_set = set(row.criteria), set(checker.criteria)
            if (doc_set | sql_set) - {EXISTS} or row.problems:
                # Any criterion on the row implies that the row exists (one that cannot be
                # parsed too).
                doc_set.discard(EXISTS)
                sql_set.discard(EXISTS)
            for normal in sorted(doc_set - sql_set):
                yield ProjectReport(
                    row.path,
                    row.line,
                    self.codes[0],
                    f"{row.hub}: criterion {row.criteria[normal]!r} is in the DONE doc but not in the SQL {sides}",
                )
            for normal in sorted(sql_set - doc_set):
                yield ProjectReport(
                    row.path,
                    row.line,
                    self.codes[0],
                    f"{row.hub}: criterion {normal!r} is in the SQL but not in the DONE doc {sides}",
                )
