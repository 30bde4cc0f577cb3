"""One source of truth per rule: the table of codes (lint_canon.output.codes) holds its code, name,
severity, document code, summary, report check and what it reads, and the rule class takes its
info from there (tests/test_rule_table.py); everything else is derived from the registry or held
equal to it here."""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml

from lint_canon.engine import checker as engine
from lint_canon.output import report
from lint_canon.output.codes import ENGINE_CODES, catalogue, check_codes, codes_reading
from lint_canon.output.findings import FileKind, Finding
from lint_canon.output.formats import sarif
from lint_canon.rules.base import DependencyRule, DoneStateRule, Rule
from lint_canon.rules.registry import rule_classes
from tests.conftest import REPO

# What the engine reports while reading a file of any kind (CANON903 needs a parse).
FILE_CODES = ("CANON901", "CANON902")


def test_every_code_belongs_to_a_report_check_or_is_a_problem_of_the_engine():
    for code, info in catalogue().items():
        if code in ENGINE_CODES:
            assert info.check is None, f"{code} is the engine's: it goes to the report's problems"
        else:
            assert info.check in report.CHECKS, f"{code} belongs to no report check ({info.check!r})"
    for check in report.CHECKS:
        assert check_codes(check), f"report check {check} has no code"


def test_the_report_lists_each_checks_codes_from_the_registry():
    built = report.build_report([], "canon.yaml", ["."])
    assert {name: check["codes"] for name, check in built["checks"].items()} == {
        "check_banned_libraries": ["CANON102"],
        "check_banned_imports": ["CANON101"],
        "check_tool_registry_coverage": [
            "CANON201",
            "CANON202",
            "CANON203",
            "CANON301",
            "CANON302",
            "CANON303",
            "CANON304",
            "CANON305",
            "CANON306",
        ],
        "check_done_state_contracts": ["CANON401", "CANON402", "CANON403"],
    }


def test_a_rule_is_one_module_that_carries_its_info():
    """Each module of lint_canon/rules/ (but what rules share) holds one rule class with its own
    info, and the registry finds it without any list to edit."""
    modules = sorted(
        path.stem
        for path in (REPO / "lint_canon" / "rules").glob("*.py")
        if not path.stem.startswith("_") and path.stem not in ("base", "needles", "registry")
    )
    found = rule_classes()
    assert sorted(rule.__module__.rsplit(".", 1)[1] for rule in found) == modules
    for rule in found:
        assert issubclass(rule, (Rule, DependencyRule, DoneStateRule))
        assert rule.codes == (rule.info.code,)
        assert rule.info.reads != FileKind.ANY, f"{rule.info.code} says what it reads"
    assert len({rule.info.code for rule in found}) == len(found)


def test_what_each_rule_reads_matches_the_rule_kind():
    for rule in rule_classes():
        expected = {Rule: FileKind.PYTHON, DependencyRule: FileKind.DEPENDENCIES, DoneStateRule: FileKind.PROJECT}
        kind = next(base for base in expected if issubclass(rule, base))
        assert rule.info.reads == expected[kind], rule.info.code
    assert engine.DONE_CODES == codes_reading(FileKind.PROJECT)


def _expand(select: str) -> set[str]:
    return {code for prefix in select.split(",") for code in catalogue() if code.startswith(prefix)}


@pytest.mark.parametrize(
    ("hook", "reads"),
    [("lint-canon-requirements", FileKind.DEPENDENCIES), ("lint-canon-done-drift", FileKind.PROJECT)],
)
def test_the_pre_commit_hooks_select_the_codes_of_what_they_read(hook, reads):
    hooks = {entry["id"]: entry for entry in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    argv = shlex.split(hooks[hook]["entry"])
    select = argv[argv.index("--select") + 1]
    assert _expand(select) == set(codes_reading(reads)) | set(FILE_CODES)
    # the Python hook runs everything (no --select)
    assert "--select" not in shlex.split(hooks["lint-canon"]["entry"])


def test_the_readme_rule_table_is_the_registry():
    text = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| (CANON\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    assert [(code, name.strip(), summary.strip(), violation.strip()) for code, name, summary, violation in rows] == [
        (info.code, info.name, info.summary, info.violation or "—") for info in catalogue().values()
    ]


def test_sarif_rules_come_from_the_registry():
    findings = [Finding("a.py", 1, 1, 1, 2, code, "m") for code in catalogue()]
    log = json.loads(sarif.format_sarif(findings))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [(rule["id"], rule["name"], rule["shortDescription"]["text"]) for rule in rules] == [
        (info.code, info.name, info.summary) for info in catalogue().values()
    ]


def test_the_codes_the_cli_accepts_without_importing_the_rules_are_the_registrys():
    from lint_canon.output.docs import page_codes

    assert page_codes() == list(catalogue())
