"""``path:line:col: CODE message``, the layout flake8 and ruff print; with ``show_source``, the
line and a caret under the column (flake8 --show-source); with ``colour``, the path bold and the
code red (critical, high) or yellow (medium, low), as on a terminal. ``format_statistics`` is
``--statistics``: how many findings of each code (ruff check --statistics)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from lint_canon.output.findings import Finding, Severity

_BOLD, _RED, _YELLOW, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
_SEVERE = (Severity.CRITICAL, Severity.HIGH)


def _caret(line_text: str, col: int) -> str:
    # Tabs before the column stay tabs, so that the caret lines up however the terminal shows them.
    indent = "".join(c if c == "\t" else " " for c in line_text[: col - 1])
    return f"{indent}^"


# What could split a finding's line or drive a terminal: line breaks, other control characters.
_UNPRINTABLE = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
_UNPRINTABLE |= {0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` with what would break its line written as escapes (a file name or a URL holding
    a newline cannot split a finding in two, nor colour the terminal)."""
    return text.translate(_UNPRINTABLE)


def _line(f: Finding, colour: bool) -> str:
    path, message = one_line(f.path), one_line(f.message)
    if not colour:
        return f"{path}:{f.line}:{f.col}: {f.code} {message}\n"
    code_colour = _RED if f.severity in _SEVERE else _YELLOW
    return f"{_BOLD}{path}{_RESET}:{f.line}:{f.col}: {code_colour}{f.code}{_RESET} {message}\n"


def format_text(findings: Sequence[Finding], show_source: bool = False, colour: bool = False) -> str:
    out = []
    for f in findings:
        out.append(_line(f, colour))
        if show_source and f.line_text:
            out.append(f"{f.line_text}\n{_caret(f.line_text, f.col)}\n")
    return "".join(out)


def format_statistics(findings: Sequence[Finding]) -> str:
    """``count  code  name`` per code, the most frequent first."""
    counts = Counter(f.code for f in findings)
    if not counts:
        return ""
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = len(f"{rows[0][1]}")
    code_width = max(len(code) for code in counts)
    names = {f.code: f.name for f in findings}
    return "".join(f"{count:>{width}}  {code:<{code_width}}  {names[code]}\n" for code, count in rows)
