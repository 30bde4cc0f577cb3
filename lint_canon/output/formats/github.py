"""GitHub Actions workflow commands, escaped exactly as the Actions toolkit escapes them.

Each finding is ``::error``, ``::warning`` or ``::notice`` by its severity, the level SARIF gives
it (``sarif.LEVEL``: CRITICAL and HIGH error, MEDIUM warning, LOW note). GitHub shows 10 error
and 10 warning annotations per step and 50 per job, so the most severe come first; the front
ends append ``step_summary`` (the whole list as a Markdown table) to ``GITHUB_STEP_SUMMARY``
through ``write_step_summary``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from lint_canon.output.findings import Finding
from lint_canon.output.formats.sarif import LEVEL

# SARIF's level -> the workflow command that annotates at that level.
_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _by_severity(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity.rank, f.path, f.line, f.col, f.code))


def format_github(findings: Sequence[Finding]) -> str:
    lines = []
    for f in _by_severity(findings):
        props = {
            "file": f.path,
            "line": str(f.line),
            "col": str(f.col),
            "endLine": str(f.end_line),
            "endColumn": str(f.end_col),
            "title": f"{f.code} {f.name}",
        }
        rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::{_COMMAND[LEVEL[f.severity]]} {rendered}::{escape_data(f.message)}\n")
    return "".join(lines)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def step_summary(findings: Sequence[Finding]) -> str:
    rows = [
        f"## lint-canon: {len(findings)} finding{'s' if len(findings) != 1 else ''}\n\n",
        "| severity | code | location | message |\n",
        "| --- | --- | --- | --- |\n",
    ]
    for f in _by_severity(findings):
        rows.append(
            f"| {f.severity.value} | {f.code} {f.name} | `{_cell(f.path)}:{f.line}:{f.col}` | {_cell(f.message)} |\n"
        )
    return "".join(rows) + "\n"


def write_step_summary(findings: Sequence[Finding]) -> None:
    """Append ``step_summary`` where GitHub Actions shows a job's summary (the file
    GITHUB_STEP_SUMMARY names), when it names one and there are findings."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary_file or not findings:
        return
    try:
        with open(summary_file, "a", encoding="utf-8", errors="backslashreplace") as out:
            out.write(step_summary(findings))
    except OSError as exc:
        from lint_canon_guard.errors import CanonError

        raise CanonError(
            f"{summary_file}: cannot write the job summary (GITHUB_STEP_SUMMARY): {exc.strerror or exc}"
        ) from None
