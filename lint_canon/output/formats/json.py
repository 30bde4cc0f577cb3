"""The JSON report: ``{"version": 1, "findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from lint_canon.output.findings import Finding


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "violation": f.violation,
        "severity": f.severity.value,
        # as ruff's JSON: what --fix can do, and whether it needs --unsafe-fixes
        "fix": {"applicability": f.fix.applicability.value, "message": f.fix.title} if f.fix is not None else None,
    }


def summary(findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "total": len(findings),
        "files": len({f.path for f in findings}),
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
        "by_severity": dict(sorted(Counter(f.severity.value for f in findings).items())),
    }


def format_json(findings: Sequence[Finding]) -> str:
    report = {"version": 1, "findings": [finding_dict(f) for f in findings], "summary": summary(findings)}
    return json.dumps(report, indent=2) + "\n"
