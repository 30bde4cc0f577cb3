"""Suppressions: what a run leaves out of its findings. ``--select`` / ``--ignore`` (code
prefixes, the longer match wins, as flake8 reads them), ``# noqa`` comments with flake8's own
patterns and its multi-line mapping, and ``# flake8: noqa`` for a whole file. The DONE doc and
its SQL (CANON401-403) take the same comment as each language writes one: ``<!-- noqa: CODE -->``
in Markdown, ``-- noqa: CODE`` in SQL. Baselines (``lint_canon.output.baseline``) are applied by
the front end after the run."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from lint_canon.output.findings import Finding
from lint_canon_guard.lines import split_lines

# flake8's own patterns (flake8.defaults), so that a comment suppresses the same findings in
# both front ends: a bare noqa comment, one naming codes (as prefixes), and the file-wide
# "flake8: noqa" comment at the start of a line.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
# The same comment in the DONE doc and its SQL: codes read as flake8 reads them (prefixes; no
# codes, or none that reads as a code, is a bare noqa). In Markdown it is an HTML comment, which
# GitHub does not show; in SQL a line comment.
_CODES = r"(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?"
_MARKDOWN_NOQA = re.compile(r"<!--[ \t]*noqa" + _CODES + r".*?-->", re.IGNORECASE)
_SQL_NOQA = re.compile(r"--[ \t]*noqa" + _CODES, re.IGNORECASE)
# A fenced code block (CommonMark, as lint_canon.project.done_states reads the doc): a comment
# inside one is text the doc shows, not a comment.
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")


@dataclass(frozen=True)
class Selection:
    """``--select`` / ``--ignore`` as flake8 reads them: code prefixes, the longer match wins."""

    select: tuple[str, ...] = ("CANON",)
    ignore: tuple[str, ...] = ()
    # --extend-select / --extend-ignore: added to whatever select and ignore the run ends with
    # (the command line's or [tool.lint-canon]'s), as ruff adds them
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        selected = max((len(p) for p in (*self.select, *self.extend_select) if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in (*self.ignore, *self.extend_ignore) if code.startswith(p)), default=-1)
        return selected >= 0 and selected >= ignored


def under_settings(
    selection: Selection, select: tuple[str, ...] | None, ignore: tuple[str, ...], select_given: bool
) -> Selection:
    """``selection`` (the command line's) over the ``select`` / ``ignore`` of ``[tool.lint-canon]``,
    as ruff resolves them: a given --select starts afresh (their select and ignore are dropped);
    otherwise their select (if any) replaces the default, and --ignore removes codes from what
    theirs select, even where their select names a longer prefix."""
    if select_given:
        return selection
    extended = {"extend_select": selection.extend_select, "extend_ignore": selection.extend_ignore}
    base = Selection(selection.select if select is None else select, ignore, **extended)
    extra = selection.ignore
    if not extra:
        return base

    def covered(prefix: str) -> bool:
        return any(prefix.startswith(code) for code in extra)

    # A prefix of theirs under an ignored one would win by length: drop it, the ignore decides.
    return Selection(
        tuple(p for p in base.select if not covered(p)),
        tuple(p for p in base.ignore if not covered(p)) + extra,
        **extended,
    )


def file_is_suppressed(lines: Sequence[str]) -> bool:
    """``# flake8: noqa`` at the start of a line, as flake8 reads it: also when codes follow
    (``# flake8: noqa: CANON101`` skips the whole file in flake8 too)."""
    return any(_FILE_NOQA.match(line) for line in lines)


def noqa_lines(text: str, lines: Sequence[str]) -> dict[int, str]:
    """flake8's noqa mapping: a line of a statement spanning several lines (a call, a string)
    is suppressed by a ``# noqa`` on any line of it. Lines outside it map to themselves."""
    mapping: dict[int, str] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return mapping
    first, last = len(lines) + 2, -1
    for kind, _, (start, _), (end, _), _ in tokens:
        if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first, last = min(first, start), max(last, end)
        if kind in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[first - 1 : last])
            for number in range(first, last + 1):
                mapping[number] = joined
            first, last = len(lines) + 2, -1
    return mapping


def noqa_edit(text: str, lines: Sequence[str], line: int, code: str) -> tuple[int, int, str] | None:
    """Where a ``# noqa: CODE`` comment suppressing ``code`` at ``line`` goes, as (1-based line,
    0-based column in characters, text to insert): at the end of the last line of the statement
    spanning ``line`` (``noqa_lines``' mapping, so a string or call over several lines stays whole),
    or into the codes of a ``# noqa:`` comment already there. None when the text does not
    tokenize (no place is safe to tell)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    first = None
    target = None
    for kind, _, (start, _), _, _ in tokens:
        if kind in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT):
            continue
        first = start if first is None else first
        if kind in (tokenize.NL, tokenize.NEWLINE):
            if first <= line <= start:
                target = start
                break
            first = None
    if target is None or not 0 < target <= len(lines):
        return None
    body = lines[target - 1].rstrip("\r\n")
    existing = _NOQA.search(body)
    if existing is not None and existing.group("codes"):
        at = existing.start("codes") + len(existing.group("codes").rstrip(", \t"))
        return target, at, f",{code}"
    return target, len(body), f"  # noqa: {code}"


def suppressed(finding: Finding, lines: Sequence[str], mapping: dict[int, str] | None = None) -> bool:
    """flake8's ``# noqa`` / ``# noqa: CODE[,CODE]`` on the finding's line (codes as prefixes)."""
    if not 0 < finding.line <= len(lines):
        return False
    text = mapping.get(finding.line, lines[finding.line - 1]) if mapping is not None else lines[finding.line - 1]
    return _names(_NOQA.search(text), finding.code, exact=True)


def _names(match: re.Match[str] | None, code: str, exact: bool = False) -> bool:
    """Does a noqa comment (a match with a ``codes`` group) suppress ``code``? ``exact``: the
    codes as written, as flake8 compares them (``# noqa: canon101`` names no code of ours);
    otherwise in any case (the DONE doc's and SQL's comments, ours alone)."""
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    named = [name if exact else name.upper() for name in re.split(r"[,\s]+", codes.strip()) if name]
    return any(code.startswith(name) for name in named)


def fenced_lines(lines: Sequence[str]) -> set[int]:
    """The 1-based numbers of the lines of a Markdown text inside fenced code blocks (the
    fences included)."""
    fenced: set[int] = set()
    fence: tuple[str, int] | None = None
    for number, line in enumerate(lines, 1):
        if fence is not None:
            fenced.add(number)
            closing = _FENCE_CLOSE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= fence[1]:
                fence = None
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = (opening.group(1)[0], len(opening.group(1)))
            fenced.add(number)
    return fenced


def keep_project_findings(findings: list[Finding], markdown: dict[str, str], sql: dict[str, str]) -> list[Finding]:
    """The findings on the DONE doc and its SQL not suppressed by a noqa comment of their line:
    ``<!-- noqa -->`` / ``<!-- noqa: CODE[,CODE] -->`` in a Markdown file (not inside a fenced
    code block), ``-- noqa`` / ``-- noqa: CODE[,CODE]`` in a SQL file (codes as prefixes).
    ``markdown`` and ``sql``: the text of each file, by the path its findings carry."""
    lines = {path: split_lines(text) for path, text in {**sql, **markdown}.items()}
    fenced = {path: fenced_lines(lines[path]) for path, text in markdown.items() if "noqa" in text.lower()}
    kept = []
    for finding in findings:
        file_lines = lines.get(finding.path, [])
        if 0 < finding.line <= len(file_lines):
            line = file_lines[finding.line - 1]
            if finding.path in markdown:
                match = None if finding.line in fenced.get(finding.path, ()) else _MARKDOWN_NOQA.search(line)
            else:
                match = _SQL_NOQA.search(line)
            if _names(match, finding.code):
                continue
        kept.append(finding)
    return kept


def keep_unsuppressed(
    findings: list[Finding],
    selection: Selection,
    lines: Sequence[str],
    text: str | None = None,
    apply_noqa: bool = True,
) -> list[Finding]:
    """The findings selected and not suppressed by a ``# noqa`` (flake8's rules)."""
    wanted = [f for f in findings if selection.wants(f.code)]
    if not apply_noqa or not wanted or not lines:
        return wanted
    mapping = None
    if text is not None and "noqa" in text.lower() and any(f.end_line > f.line or f.line > 0 for f in wanted):
        mapping = noqa_lines(text, lines)
    return [f for f in wanted if not suppressed(f, lines, mapping)]
