"""What formatters need besides a finding's position, filled in once by the run: the path
relative to the finding's canon (a baseline written at the monorepo root matches from any
subfolder) and the text of the finding's line (fingerprints survive code moving up or down).
Reading the files here, and only here, keeps every formatter a pure function of the findings."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import canon_relpath
from lint_canon.output.findings import Finding
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, read_bytes
from lint_canon_guard.lines import split_lines


def canon_relative(path: str, roots: Sequence[str]) -> str:
    """``path`` relative to the folder of its canon (the deepest of ``roots`` holding it), so
    that it is the same from whatever folder the run started."""
    absolute = os.path.abspath(path)
    holding = [root for root in roots if absolute.startswith(root.rstrip(os.sep) + os.sep)]
    if not holding:
        return Path(path).as_posix()
    return canon_relpath(max(holding, key=len), absolute)


def located(findings: Iterable[Finding], canons: Sequence[Any] = ()) -> list[Finding]:
    """The findings, each with its canon-relative path and the text of its line."""
    roots = [os.path.abspath(canon.root) for canon in canons]
    limit = max((canon.max_file_size for canon in canons), default=DEFAULT_MAX_FILE_SIZE)
    lines: dict[str, list[str]] = {}
    out = []
    for finding in findings:
        if finding.line_text:  # taken while the file was read (a Python or dependency file)
            out.append(dataclasses.replace(finding, relpath=canon_relative(finding.path, roots)))
            continue
        if finding.path not in lines:
            try:  # a regular file of bounded size, or nothing: a FIFO must not block the run
                text = read_bytes(finding.path, limit).decode("utf-8", errors="replace")
                lines[finding.path] = split_lines(text)
            except OSError:
                lines[finding.path] = []
        file_lines = lines[finding.path]
        line_text = file_lines[finding.line - 1] if 0 < finding.line <= len(file_lines) else ""
        out.append(dataclasses.replace(finding, relpath=canon_relative(finding.path, roots), line_text=line_text))
    return out
