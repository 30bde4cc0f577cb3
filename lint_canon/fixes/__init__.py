"""``lint-canon check --fix`` / ``--diff``: libcst codemods for the findings that carry a fix
(CANON301 missing guard, CANON302 a typo in a guard's tool id, CANON305 a guard naming
another tool than the only one its function calls). ``--fix`` applies the safe ones;
``--unsafe-fixes`` the unsafe ones too (a guard that can refuse a call at run time).

Data flows one way, findings to fixes: ``plan`` applies the fix each finding carries
(``Finding.fix``) and finds its node by position. A file is rewritten only when it still holds what was checked (its
findings are found again in the bytes read), when it is UTF-8, and when the result parses, keeps
every other byte and no longer gives the fixed findings; otherwise it is left alone with a note.
It is written atomically (``write.py``): a failure leaves it as it was.
"""

from __future__ import annotations

import codecs
import difflib
import io
import os
import re
import tokenize
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lint_canon.canon.paths import display_path
from lint_canon.engine.checker import Checker
from lint_canon.engine.discovery import CanonFinder
from lint_canon.engine.isolation import DEFAULT_TIMEOUT
from lint_canon.engine.runner import Engine
from lint_canon.engine.suppressions import Selection
from lint_canon.engine.work import Source
from lint_canon.fixes.codemods import GUARD_MODULES
from lint_canon.fixes.plan import FIXABLE
from lint_canon.fixes.write import write_atomically
from lint_canon.output.findings import Applicability, Finding
from lint_canon.stacks import run_deep
from lint_canon_guard.config import Canon

__all__ = ["FIXABLE", "FixOutcome", "fix_findings", "fix_text"]

# The distributions that provide the guard's modules to a project: lint_canon_guard is
# lint-canon-guard's (and lint-canon requires it); lint_canon.guard, its alias, lint-canon's alone.
GUARD_DISTRIBUTIONS = frozenset({"lint-canon-guard", "lint-canon"})
ALIAS_DISTRIBUTIONS = frozenset({"lint-canon"})


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class FixOutcome:
    """What a fix run did (or, without ``write``, would do)."""

    fixed: list[Finding] = field(default_factory=list)  # the findings fixed
    files: list[str] = field(default_factory=list)  # the files changed
    diff: str = ""  # unified diff of every change
    notes: list[str] = field(default_factory=list)  # files or findings left alone, and why
    guard_checked: bool = False  # whether the project's dependencies were looked at for the guard
    unsafe: int = 0  # findings whose fix is unsafe, left for --unsafe-fixes


def fix_findings(
    findings: Iterable[Finding],
    selection: Selection,
    *,
    forced: Canon | None = None,
    hub: str | None = None,
    interaction: str | None = None,
    write: bool = True,
    unsafe: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> FixOutcome:
    """Fix the ``findings`` of a run (made with ``selection``, each file against its folder's
    canon, or ``forced``) that carry a fix, the safe ones (and the unsafe ones with ``unsafe``);
    write the files unless ``write`` is false. Each file is checked again first (in a worker, with
    the run's ``timeout``): the fix applied is the one its finding carries now."""
    outcome = FixOutcome()
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in FIXABLE:
            by_file.setdefault(finding.path, []).append(finding)
    if not by_file:
        return outcome
    finder = CanonFinder(forced)
    by_canon: dict[str, int] = {}
    checkers: list[Checker] = []
    projects: list[frozenset[str]] = []  # each canon's project's modules
    files: list[tuple[Path, list[Finding], int]] = []
    for path, wanted in by_file.items():
        canon = finder.canon_for(os.path.dirname(os.path.abspath(path)))
        if canon is None:
            outcome.notes.append(f"{path}: not fixed: no canon above it any more")
            continue
        index = by_canon.get(str(canon.path))
        if index is None:
            index = by_canon[str(canon.path)] = len(checkers)
            checkers.append(Checker(canon, selection))
            projects.append(_project_modules(canon.path.parent))
        files.append((Path(path), wanted, index))
    # Each file, and then its fixed text, is checked again in a worker, as in a run: no file
    # can crash or hang the fixing.
    with Engine(checkers, timeout=timeout) as engine:
        for file, wanted, index in files:
            recheck = _Recheck(engine, index, file)
            _fix_file(file, wanted, checkers[index], projects[index], recheck, hub, interaction, write, outcome, unsafe)
    return outcome


@dataclass(frozen=True)
class _Recheck:
    """The findings of a file's bytes (as read, or as a fix would write them), checked as the
    run checked them; None when the check failed (its worker crashed or ran out of time)."""

    engine: Engine[list[Finding]]
    checker: int
    path: Path

    def __call__(self, data: bytes, shown: str) -> list[Finding] | None:
        checked = self.engine.check([Source(self.checker, str(self.path), data, shown)])[0]
        return checked.result or [] if checked.analysed else None


def _fix_file(
    path: Path,
    wanted: list[Finding],
    checker: Checker,
    project: frozenset[str],
    recheck: _Recheck,
    hub: str | None,
    interaction: str | None,
    write: bool,
    outcome: FixOutcome,
    unsafe: bool,
) -> None:
    shown = wanted[0].path
    try:
        data = path.read_bytes()
    except OSError as exc:
        outcome.notes.append(f"{shown}: not fixed: cannot read it: {exc.strerror or exc}")
        return
    fixed = _fixed(data, path, shown, wanted, checker, project, recheck, hub, interaction, outcome, unsafe)
    if fixed is None:
        return
    text, new_text, found = fixed
    new_data = (codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b"") + new_text.encode("utf-8")
    if write:
        refusal = write_atomically(path, data, new_data)
        if refusal is not None:
            outcome.notes.append(f"{shown}: not fixed: {refusal}")
            return
    outcome.fixed.extend(found)
    outcome.files.append(shown)
    outcome.diff += unified_diff(text, new_text, shown)


def fix_text(
    text: str,
    path: Path,
    findings: Iterable[Finding],
    checker: Checker,
    engine: Engine[list[Finding]],
    index: int,
    *,
    unsafe: bool = False,
    hub: str | None = None,
    interaction: str | None = None,
    current: list[Finding] | None = None,
) -> tuple[str | None, FixOutcome]:
    """``text`` (an editor's unsaved buffer of ``path``) with the fixes of ``findings`` applied,
    as ``--fix`` applies them to a file: checked again first with ``engine``'s checker ``index``,
    and refused unless the result parses and no longer gives them. None when nothing was fixed
    (the outcome's notes say why)."""
    outcome = FixOutcome()
    wanted = [finding for finding in findings if finding.code in FIXABLE]
    if not wanted:
        return None, outcome
    data = text.encode("utf-8", "surrogateescape")
    project = _project_modules(checker.canon.path.parent)
    recheck = _Recheck(engine, index, path)
    fixed = _fixed(
        data, path, wanted[0].path, wanted, checker, project, recheck, hub, interaction, outcome, unsafe, current
    )
    if fixed is None:
        return None, outcome
    outcome.fixed.extend(fixed[2])
    outcome.files.append(wanted[0].path)
    return fixed[1], outcome


def _fixed(
    data: bytes,
    path: Path,
    shown: str,
    wanted: list[Finding],
    checker: Checker,
    project: frozenset[str],
    recheck: _Recheck,
    hub: str | None,
    interaction: str | None,
    outcome: FixOutcome,
    unsafe: bool,
    current: list[Finding] | None = None,
) -> tuple[str, str, list[Finding]] | None:
    """The file's text, its fixed text and the findings fixed; None (with a note) when it is
    left alone. ``current``: the findings of ``data`` already (else it is checked again)."""
    import libcst as cst

    from lint_canon.fixes.plan import plan

    if current is None:
        current = recheck(data, shown)
    if current is None:
        outcome.notes.append(f"{shown}: not fixed: checking it again failed (a crash or a timeout of the parser)")
        return None
    if not set(wanted) <= set(current):
        outcome.notes.append(f"{shown}: not fixed: it changed since it was checked; check it again")
        return None
    asked = set(wanted)
    carried = [finding for finding in current if finding in asked and finding.fix is not None]
    # A guard names a hub and an interaction of its tool: none listed, no fix can be written.
    for finding in [f for f in carried if f.fix is not None and f.fix.kind == "add-guard"]:
        assert finding.fix is not None
        missing = [
            what
            for what, listed in (("hubs", finding.fix.hubs), ("interactions", finding.fix.interactions))
            if not listed
        ]
        if missing:
            carried.remove(finding)
            outcome.notes.append(
                f"{finding.path}:{finding.line}:{finding.col}: {finding.code} not fixed: the canon lists no "
                f"{' and no '.join(missing)} for {finding.fix.tool}; fill in its {' and '.join(missing)} in "
                f"{display_path(checker.canon.path)}, then fix again"
            )
    allowed = [f for f in carried if unsafe or f.fix is not None and f.fix.applicability is Applicability.SAFE]
    outcome.unsafe += len(carried) - len(allowed)
    if not allowed:
        return None
    wanted = allowed
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        if encoding not in ("utf-8", "utf-8-sig"):
            raise UnicodeError(f"it declares the encoding {encoding}")
        text = data.decode(encoding)
    except (SyntaxError, UnicodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        outcome.notes.append(f"{shown}: not fixed: only UTF-8 files are rewritten ({reason})")
        return None
    try:
        # the project's top-level modules, and the file's own package (or module)
        first_party = project | {(checker.package_of(path) or path.stem).split(".", 1)[0]}
        # On a deep stack, as in the workers: code the worker's parser took must not overflow here.
        planned = run_deep(
            lambda: plan(cst.parse_module(text), text, wanted, checker.canon, hub, interaction, first_party)
        )
    except Exception as exc:  # libcst failed on a file the checker could read: leave it be
        outcome.notes.append(f"{shown}: not fixed: {type(exc).__name__}: {exc}")
        return None
    outcome.notes.extend(planned.notes)
    new_text = planned.module.code
    if not planned.fixed or new_text == text:
        return None
    refusal = _refusal(new_text, shown, planned.fixed, current, recheck)
    if refusal is not None:
        outcome.notes.append(f"{shown}: not fixed: {refusal}; this is a bug of lint-canon, please report it")
        return None
    if planned.imports and not outcome.guard_checked:
        outcome.guard_checked = True
        outcome.notes.extend(_undeclared_guard(checker, planned.imports))
    return text, new_text, planned.fixed


def _project_modules(root: Path) -> frozenset[str]:
    """The project's own top-level modules, as isort and ruff find them by default (``src =
    [".", "src"]`` from the project's root, the canon's folder): where the guard's import is not."""
    names: set[str] = set()
    for folder in (root, root / "src"):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name, _, suffix = entry.name.partition(".")
            if name.isidentifier() and (suffix == "py" if entry.is_file() else entry.is_dir() and not suffix):
                names.add(name)
    return frozenset(names)


def _refusal(new_text: str, shown: str, fixed: list[Finding], before: list[Finding], recheck: _Recheck) -> str | None:
    """Why the rewritten text must not be written: it does not compile, it still gives a
    finding it was to fix, or it gives one the file did not have. None when it may. (libcst's
    parse of it is the re-check's, in a worker: a text it refuses gives CANON901, which the
    file did not have.)"""
    try:
        compile(new_text, shown, "exec", dont_inherit=True)
    except Exception as exc:  # SyntaxError, ValueError (a NUL), RecursionError
        return f"the fixed code would not compile ({type(exc).__name__}: {exc})"
    after = recheck(new_text.encode("utf-8"), shown)
    if after is None:
        return "checking the fixed code failed (a crash or a timeout of the parser)"
    kept = Counter((f.code, f.message) for f in after)
    still = [f for f in fixed if (f.code, f.message) in kept]
    if still:
        return f"the fix would leave {still[0].code} at line {still[0].line}"
    added = kept - Counter((f.code, f.message) for f in before if f not in fixed)
    if added:
        new = next(f for f in after if (f.code, f.message) in added)
        return f"the fix would add {new.code} at line {new.line} ({new.message})"
    return None


def _undeclared_guard(checker: Checker, modules: tuple[str, ...]) -> list[str]:
    """The note when the dependency files of the canon's repository do not declare the
    distribution of the guard modules the fixes imported (``modules``): lint_canon.guard is
    lint-canon's alone; lint_canon_guard is lint-canon-guard's, or lint-canon's, which requires
    it. Nothing when one does, when the modules are the team's own, or when the repository has
    no dependency file to say."""
    from lint_canon.project.dependencies import read_dependency_file

    ours = [module for module in modules if module in GUARD_MODULES]
    if not ours:
        return []
    alias = next((module for module in ours if module.split(".")[0] == "lint_canon"), None)
    wanted = ALIAS_DISTRIBUTIONS if alias is not None else GUARD_DISTRIBUTIONS
    root = checker.canon.path.parent
    files = [root / "pyproject.toml", *sorted(root.glob("requirements*.txt"))]
    present = [file for file in files if file.is_file()]
    if not present:
        return []
    for file in present:
        try:
            declared, _ = read_dependency_file(file)
        except (OSError, ValueError):
            continue
        if any(_normal(dependency.name) in wanted for dependency in declared):
            return []
    if alias is None:
        return [
            f"the guards added import {ours[0]}, from the lint-canon-guard distribution, which "
            f"{present[0].name} does not declare: add it to the project's dependencies"
        ]
    return [
        f"the guards added import {alias}, from the lint-canon distribution, which {present[0].name} does not "
        "declare: add it to the project's dependencies, or, where only lint-canon-guard is installed, "
        "name lint_canon_guard.enforce_tool_canon first in the canon's guard.decorators"
    ]


def unified_diff(old: str, new: str, path: str) -> str:
    """The change as ``diff -u`` prints it, with "\\ No newline at end of file" where due."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True), path, path):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)
