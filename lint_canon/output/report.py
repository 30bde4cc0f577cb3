"""`lint-canon report`: ci_enforcement_report.json, the user's four CI checks (document section
2.2) over the repository, each with `passed` and its findings, and a summary."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lint_canon import __version__
from lint_canon.output.codes import ENGINE_CODES, check_codes
from lint_canon.output.findings import Finding
from lint_canon.output.formats.json import finding_dict

# The user's four checks, in order; which codes each holds is the table's (RuleInfo.check).
CHECKS: dict[str, str] = {
    "check_banned_libraries": "Banned libraries in requirements files and pyproject.toml",
    "check_banned_imports": "Banned imports in Python files",
    "check_tool_registry_coverage": (
        "Vendor calls outside the registry, banned hosts, unowned API keys, missing or wrong guards"
    ),
    "check_done_state_contracts": "DONE_STATE_DEFINITIONS.md against the SQL checkers",
}


def build_report(findings: Sequence[Finding], canon_path: str, paths: Sequence[str]) -> dict[str, Any]:
    checks = {}
    for name, description in CHECKS.items():
        codes = check_codes(name)
        mine = [finding_dict(f) for f in findings if f.code in codes]
        checks[name] = {"description": description, "codes": list(codes), "passed": not mine, "findings": mine}
    problems = [finding_dict(f) for f in findings if f.code in ENGINE_CODES]
    failed = [name for name, check in checks.items() if not check["passed"]]
    return {
        "version": 1,
        "tool": {"name": "lint-canon", "version": __version__},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "canon": canon_path,
        "paths": list(paths),
        "checks": checks,
        "problems": problems,
        "summary": {
            "passed": not failed and not problems,
            "checks_passed": len(checks) - len(failed),
            "checks_failed": len(failed),
            "failed_checks": failed,
            "findings": len(findings),
            "problems": len(problems),
            "by_code": dict(sorted(Counter(f.code for f in findings).items())),
        },
    }


def render(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"
