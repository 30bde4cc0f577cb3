"""Suppressions: what a run leaves out of its findings. ``--select`` / ``--ignore`` (code
prefixes, the longer match wins, as flake8 reads them), ``# noqa`` comments with flake8's own
patterns and its multi-line mapping, and ``# flake8: noqa`` for a whole file. Baselines
(``lint_canon.output.baseline``) are applied by the front end after the run."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from lint_canon.output.findings import Finding

# flake8's own patterns (flake8.defaults), so that a comment suppresses the same findings in
# both front ends: a bare noqa comment, one naming codes (as prefixes), and the file-wide
# "flake8: noqa" comment at the start of a line.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_FILE_NOQA_WITH_CODES = re.compile(r"\s*# flake8[:=]\s*noqa:", re.IGNORECASE)


@dataclass(frozen=True)
class Selection:
    """``--select`` / ``--ignore`` as flake8 reads them: code prefixes, the longer match wins."""

    select: tuple[str, ...] = ("CANON",)
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        selected = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return selected >= 0 and selected >= ignored


def file_is_suppressed(lines: Sequence[str]) -> bool:
    """``# flake8: noqa`` on a line of its own (flake8 ignores it when it names codes)."""
    return any(_FILE_NOQA.match(line) and not _FILE_NOQA_WITH_CODES.match(line) for line in lines)


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


def suppressed(finding: Finding, lines: Sequence[str], mapping: dict[int, str] | None = None) -> bool:
    """flake8's ``# noqa`` / ``# noqa: CODE[,CODE]`` on the finding's line (codes as prefixes)."""
    if not 0 < finding.line <= len(lines):
        return False
    text = mapping.get(finding.line, lines[finding.line - 1]) if mapping is not None else lines[finding.line - 1]
    match = _NOQA.search(text)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return any(finding.code.startswith(code.upper()) for code in re.split(r"[,\s]+", codes.strip()) if code)


def keep(
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
