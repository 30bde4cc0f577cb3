"""flake8 report formatters (entry point ``flake8.report``): ``--format=canon-github`` writes
GitHub workflow commands (most severe first, the step summary when GITHUB_STEP_SUMMARY is
set), ``--format=canon-sarif`` one SARIF 2.1.0 document. They reuse lint-canon's formats."""

from __future__ import annotations

from typing import Any

from flake8.formatting.base import BaseFormatter

from lint_canon.output.findings import Finding


def _finding(error: Any) -> Finding:
    path = error.filename[2:] if error.filename.startswith("./") else error.filename
    line = error.line_number or 1
    col = error.column_number or 1
    return Finding(path, line, col, line, col, error.code, error.text)


class _Collecting(BaseFormatter):
    """Collects every violation and writes them all at the end, in one document."""

    def after_init(self) -> None:
        self.findings: list[Finding] = []

    def handle(self, error: Any) -> None:
        self.findings.append(_finding(error))

    def format(self, error: Any) -> str | None:  # handle() replaces the per-line path
        return None

    def render(self, findings: list[Finding]) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        text = self.render(sorted(self.findings))
        if text:
            self._write(text.rstrip("\n"))
        super().stop()


class GitHubFormatter(_Collecting):
    def render(self, findings: list[Finding]) -> str:
        from lint_canon.output.formats.github import format_github, write_step_summary

        write_step_summary(findings)
        return format_github(findings)


class SarifFormatter(_Collecting):
    def render(self, findings: list[Finding]) -> str:
        from lint_canon.output.formats.sarif import format_sarif
        from lint_canon.output.located import located

        return format_sarif(located(findings))
