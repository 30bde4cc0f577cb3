"""Project checks: what is read once per canon rather than per Python module. Dependency files
(requirements*.txt and includes, pyproject.toml) against the canon's banned packages, and the
DONE doc against the SQL fn_check_*_done functions. Both answer with findings whatever the files
hold: what cannot be read is a finding at its line, and the rest is still compared."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lint_canon.canon.paths import display_path
from lint_canon.engine.reads import RunReader
from lint_canon.engine.suppressions import keep_project_findings
from lint_canon.output.findings import Finding
from lint_canon_guard.config import Canon
from lint_canon_guard.lines import split_lines

if TYPE_CHECKING:
    from lint_canon.engine.checker import Checker


def check_dependency_file(
    checker: Checker, path: Path, read: set[Path] | None = None, reads: RunReader | None = None
) -> list[Finding]:
    """Findings of a requirements file or pyproject.toml; ``read`` gathers the files a
    requirements file reads (itself and its includes, found or not)."""
    wanted_problems = checker.selection.wants("CANON901") or checker.selection.wants("CANON902")
    if not checker.dependency_rules and not wanted_problems:
        return []
    from lint_canon.project.dependencies import read_dependency_file

    reader = (reads or RunReader()).read_bytes
    dependencies, problems = read_dependency_file(
        path, read, checker.canon.max_file_size, reader, within=checker.canon.path.parent
    )
    findings = [Finding(p.path, p.line, 1, p.line, 1, p.code, p.message) for p in problems]
    by_file: dict[str, list[str]] = {}
    for rule_class in checker.dependency_rules:
        rule = rule_class(checker.canon)
        for report in rule.check(dependencies, checker.relpath(path)):
            dep = report.dependency
            findings.append(
                Finding(dep.path, dep.line, dep.col, dep.line, dep.col + len(dep.name), report.code, report.message)
            )
    kept = []
    for finding in findings:
        if finding.path not in by_file:
            try:
                by_file[finding.path] = split_lines(
                    reader(finding.path, checker.canon.max_file_size).decode("utf-8-sig")
                )
            except (OSError, UnicodeDecodeError):
                by_file[finding.path] = []
        kept.extend(checker.keep_reported([finding], by_file[finding.path]))
    return kept


def done_state_files(canon: Canon) -> tuple[Path, list[Path]]:
    """The DONE doc and the SQL files the canon names (folders searched for *.sql)."""
    root = canon.root
    doc = root / (canon.done_doc or "")
    sql: list[Path] = []
    for entry in canon.done_sql:
        path = root / entry
        sql += sorted(path.rglob("*.sql")) if path.is_dir() else [path]
    return doc, sql


def covers_done_states(canon: Canon, paths: Iterable[Path]) -> bool:
    """Does a run over ``paths`` include the DONE doc or its SQL (a file or a parent folder)?"""
    doc, sql = done_state_files(canon)
    # abspath, not Path.absolute: ".." must be collapsed for a given folder to contain them.
    targets = [
        Path(os.path.abspath(doc)),
        *(Path(os.path.abspath(p)) for p in sql),
        *(Path(os.path.abspath(canon.root / e)) for e in canon.done_sql),
    ]
    for path in paths:
        given = Path(os.path.abspath(path))
        if any(t == given or given in t.parents for t in targets):
            return True
    return False


def check_done_states(checker: Checker, reads: RunReader | None = None) -> list[Finding]:
    """CANON401-403: the DONE doc against the SQL fn_check_*_done functions, read through
    ``reads``. Whatever the doc and the SQL hold, the answer is findings: what cannot be read is
    one at its line (CANON901-903), and the rest is still read and compared."""
    from lint_canon.project.done_states import decode, read_doc, read_sql
    from lint_canon_guard.files import FileTooLarge, NotRegularFile

    reader = reads or RunReader()
    limit = checker.canon.max_file_size

    def read(path: Path, what: str, findings: list[Finding]) -> str | None:
        shown = display_path(path)
        try:
            data = reader.read_bytes(path, limit)
        except (FileTooLarge, NotRegularFile) as exc:
            reason = str(exc)
        except OSError as exc:
            reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
        else:
            text, bad = decode(data)
            if bad is not None:
                line, why = bad
                findings.append(Finding(shown, line, 1, line, 1, "CANON902", f"cannot decode {what}: {why}"))
            return text
        findings.append(Finding(shown, 1, 1, 1, 1, "CANON902", f"cannot read {what}: {reason}"))
        return None

    doc, sql_files = done_state_files(checker.canon)
    for entry in checker.canon.done_sql:  # a folder: a new .sql file in it would be read
        for _ in reader.walk(checker.canon.root / entry):
            pass
    findings: list[Finding] = []
    text = read(doc, "the DONE doc (done_states.doc)", findings)
    if text is None:
        return checker.keep_reported(findings, [])
    rows = read_doc(text, doc)
    # What each file holds, by the path its findings carry: for its noqa comments.
    markdown, sql = {display_path(doc): text}, {}
    checkers = []
    for path in sql_files:
        text = read(path, "SQL file (done_states.sql)", findings)
        if text is None:
            continue
        found, problems = read_sql(path, text)
        checkers += found
        shown = display_path(path)
        sql[shown] = text
        findings += [Finding(shown, p.line, 1, p.line, 1, p.code, p.message) for p in problems]
    for rule in checker.done_state_rules:
        for report in rule().check(rows, checkers):
            shown = display_path(report.path)
            findings.append(Finding(shown, report.line, 1, report.line, 1, report.code, report.message))
    if checker.apply_noqa:
        findings = keep_project_findings(findings, markdown, sql)
    return checker.keep_reported(findings, [])
