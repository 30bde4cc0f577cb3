"""``path:line:col: CODE message``, the layout flake8 and ruff print."""

from __future__ import annotations

from collections.abc import Sequence

from lint_canon.output.findings import Finding


def format_text(findings: Sequence[Finding]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}\n" for f in findings)
