"""SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules with their help from
rules/, results with regions and partialFingerprints that survive unrelated edits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lint_canon import __version__
from lint_canon.output.findings import Finding, Severity, info_for
from lint_canon.output.fingerprints import fingerprints

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}


def _rule(code: str) -> dict[str, Any]:
    from lint_canon.output.docs import rule_doc

    info = info_for(code)
    doc = rule_doc(code) or info.summary
    rule: dict[str, Any] = {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"tags": ["tool-canon"], "severity": info.severity.value},
    }
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
                "level": _LEVEL[finding.severity],
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
