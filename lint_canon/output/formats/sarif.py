"""SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules with their help from
rules/ (and ``helpUri``, the page on GitHub), results with regions and partialFingerprints that
survive unrelated edits.

Severities: ``LEVEL`` is the one mapping of our severities to the levels of SARIF, which the
``github`` format shares (error, warning, note: ``::error``, ``::warning``, ``::notice``).
``SECURITY_SEVERITY`` is the score code scanning sorts alerts by (a string; 9.0 and up is
critical, 7.0 high, 4.0 medium, below that low), so that it shows our severity, not only the
level."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lint_canon import __version__
from lint_canon.output.codes import Severity, info_for
from lint_canon.output.findings import Finding
from lint_canon.output.fingerprints import fingerprints

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.0", Severity.HIGH: "7.0", Severity.MEDIUM: "5.0", Severity.LOW: "3.0"}
# The rule pages as the repository shows them (pyproject.toml's [project.urls] names the same
# repository; tests/test_ci_polish.py holds them together). main, not the release's tag: a page
# of a rule that has changed since says what the rule does now.
RULES_URL = "https://github.com/lint-canon/lint-canon/blob/main/rules/"


def help_uri(code: str) -> str:
    """The absolute URL of a rule's page."""
    return f"{RULES_URL}{quote(code)}.md"


def _rule(code: str) -> dict[str, Any]:
    from lint_canon.output.docs import rule_doc

    info = info_for(code)
    page = rule_doc(code)  # None for another tool's code (flake8's E501): no page, no helpUri
    doc = page or info.summary
    rule: dict[str, Any] = {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        # GitHub's SARIF reference asks for security-severity on rules tagged "security"; the
        # canon is a security policy (vendors, secrets, guarded calls).
        "properties": {
            "tags": ["tool-canon", "security"],
            "severity": info.severity.value,
            "security-severity": SECURITY_SEVERITY[info.severity],
        },
    }
    if page is not None:
        rule["helpUri"] = help_uri(code)
    if info.violation:
        rule["properties"]["violation"] = info.violation
    return rule


def _uri(path: str) -> str:
    """A relative URI reference: percent-encoded UTF-8 (a file name that is not UTF-8 keeps its bytes)."""
    return quote(Path(path).as_posix().encode("utf-8", "surrogateescape"))


def sarif_document(findings: Sequence[Finding], rule_codes: Sequence[str] | None = None) -> dict[str, Any]:
    codes = sorted(set(rule_codes or ()) | {f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for finding, fingerprint in zip(findings, fingerprints(findings), strict=True):
        results.append(
            {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(finding.path)},
                            "region": {
                                "startLine": finding.line,
                                "startColumn": finding.col,
                                "endLine": max(finding.end_line, finding.line),
                                "endColumn": max(
                                    finding.end_col, finding.col if finding.end_line <= finding.line else 1
                                ),
                            },
                        }
                    }
                ],
                "partialFingerprints": {"lintCanonFingerprint/v1": fingerprint},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lint-canon",
                        "version": __version__,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def format_sarif(findings: Sequence[Finding]) -> str:
    return json.dumps(sarif_document(findings), indent=2) + "\n"
