"""``lint-canon check --fix`` / ``--diff``: libcst codemods for the findings that say how to fix
them (CANON301 missing guard, CANON302 a typo in a guard's tool id, CANON305 a guard naming
another tool than the only one its function calls).

Data flows one way, findings to fixes: ``plan`` reads what each finding's message proposes and
finds its node by position. A file is rewritten only when it still holds what was checked (its
findings are found again in the bytes read), when it is UTF-8, and when the result parses, keeps
every other byte and no longer gives the fixed findings; otherwise it is left alone with a note.
It is written atomically (``write.py``): a failure leaves it as it was.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import io
import os
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lint_canon.canon.config import Canon
from lint_canon.engine.checker import Checker
from lint_canon.engine.discovery import CanonFinder
from lint_canon.engine.suppressions import Selection
from lint_canon.fixes.plan import FIXABLE, proposes_fix
from lint_canon.fixes.write import write_atomically
from lint_canon.output.findings import Finding

__all__ = ["FIXABLE", "FixOutcome", "fix_findings"]


@dataclass
class FixOutcome:
    """What a fix run did (or, without ``write``, would do)."""

    fixed: list[Finding] = field(default_factory=list)  # the findings fixed
    files: list[str] = field(default_factory=list)  # the files changed
    diff: str = ""  # unified diff of every change
    notes: list[str] = field(default_factory=list)  # files or findings left alone, and why


def fix_findings(
    findings: Iterable[Finding],
    selection: Selection,
    *,
    forced: Canon | None = None,
    hub: str | None = None,
    interaction: str | None = None,
    write: bool = True,
) -> FixOutcome:
    """Fix the ``findings`` of a run (made with ``selection``, each file against its folder's
    canon, or ``forced``) that propose a fix; write the files unless ``write`` is false."""
    outcome = FixOutcome()
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in FIXABLE and proposes_fix(finding):
            by_file.setdefault(finding.path, []).append(finding)
    if not by_file:
        return outcome
    finder = CanonFinder(forced)
    checkers: dict[str, Checker] = {}
    for path, wanted in by_file.items():
        canon = finder.canon_for(os.path.dirname(os.path.abspath(path)))
        if canon is None:
            outcome.notes.append(f"{path}: not fixed: no canon above it any more")
            continue
        checker = checkers.setdefault(str(canon.path), Checker(canon, selection))
        _fix_file(Path(path), wanted, checker, hub, interaction, write, outcome)
    return outcome


def _fix_file(
    path: Path,
    wanted: list[Finding],
    checker: Checker,
    hub: str | None,
    interaction: str | None,
    write: bool,
    outcome: FixOutcome,
) -> None:
    import libcst as cst

    from lint_canon.fixes.plan import plan

    shown = wanted[0].path
    try:
        data = path.read_bytes()
    except OSError as exc:
        outcome.notes.append(f"{shown}: not fixed: cannot read it: {exc.strerror or exc}")
        return
    current = _findings(checker, data, shown, path)
    if not set(wanted) <= set(current):
        outcome.notes.append(f"{shown}: not fixed: it changed since it was checked; check it again")
        return
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        if encoding not in ("utf-8", "utf-8-sig"):
            raise UnicodeError(f"it declares the encoding {encoding}")
        text = data.decode(encoding)
    except (SyntaxError, UnicodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        outcome.notes.append(f"{shown}: not fixed: only UTF-8 files are rewritten ({reason})")
        return
    try:
        planned = plan(cst.parse_module(text), wanted, checker.canon, hub, interaction)
    except Exception as exc:  # libcst failed on a file the checker could read: leave it be
        outcome.notes.append(f"{shown}: not fixed: {type(exc).__name__}: {exc}")
        return
    outcome.notes.extend(planned.notes)
    new_text = planned.module.code
    if not planned.fixed or new_text == text:
        return
    refusal = _refusal(new_text, shown, planned.fixed, checker, path)
    if refusal is not None:
        outcome.notes.append(f"{shown}: not fixed: {refusal}; this is a bug of lint-canon, please report it")
        return
    new_data = (codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b"") + new_text.encode("utf-8")
    if write:
        refusal = write_atomically(path, data, new_data)
        if refusal is not None:
            outcome.notes.append(f"{shown}: not fixed: {refusal}")
            return
    outcome.fixed.extend(planned.fixed)
    outcome.files.append(shown)
    outcome.diff += unified_diff(text, new_text, shown)


def _findings(checker: Checker, data: bytes, shown: str, path: Path) -> list[Finding]:
    return checker.check_source(data, shown, checker.relpath(path), checker.package_of(path))


def _refusal(new_text: str, shown: str, fixed: list[Finding], checker: Checker, path: Path) -> str | None:
    """Why the rewritten text must not be written: it does not parse, or it still gives a
    finding it was to fix. None when it may."""
    import libcst as cst

    try:
        ast.parse(new_text, shown)
        cst.parse_module(new_text)
    except Exception as exc:  # SyntaxError, libcst's parser errors
        return f"the fixed code would not parse ({type(exc).__name__}: {exc})"
    after = {(f.code, f.message) for f in _findings(checker, new_text.encode("utf-8"), shown, path)}
    still = [f for f in fixed if (f.code, f.message) in after]
    if still:
        return f"the fix would leave {still[0].code} at line {still[0].line}"
    return None


def unified_diff(old: str, new: str, path: str) -> str:
    """The change as ``diff -u`` prints it, with "\\ No newline at end of file" where due."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True), path, path):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)
