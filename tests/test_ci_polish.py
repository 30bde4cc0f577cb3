"""CI polish (issue 17): annotations at the level SARIF gives each severity, SARIF rules with
their page and a security-severity, and noqa comments in the DONE doc and its SQL."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest

from lint_canon.output import codes as code_table
from lint_canon.output.findings import Finding, RuleInfo, Severity
from lint_canon.output.formats.github import format_github, step_summary
from lint_canon.output.formats.sarif import LEVEL, RULES_URL, SECURITY_SEVERITY, sarif_document
from tests.conftest import REPO, brief, run_check
from tests.test_done_drift import BIT, BLOG, CANON, CT, DOL, PEOPLE, USER_TABLE
from tests.test_formats import sarif_schema


@pytest.fixture
def low_rule(monkeypatch):
    """A LOW rule, CANON999 (no rule of the registry is LOW today)."""
    infos = dict(code_table.catalogue())
    infos["CANON999"] = RuleInfo("CANON999", "low-rule", None, Severity.LOW, "a low one")
    monkeypatch.setattr(code_table, "catalogue", lambda: infos)


# --- github -------------------------------------------------------------------------------


def test_github_annotation_per_severity(low_rule):
    findings = [
        Finding("a.py", 4, 1, 4, 2, "CANON999", "low"),
        Finding("a.py", 3, 1, 3, 2, "CANON403", "medium"),
        Finding("a.py", 2, 1, 2, 2, "CANON203", "high"),
        Finding("a.py", 1, 1, 1, 2, "CANON101", "critical"),
    ]
    assert format_github(findings).splitlines() == [
        "::error file=a.py,line=1,col=1,endLine=1,endColumn=2,title=CANON101 banned-import::critical",
        "::error file=a.py,line=2,col=1,endLine=2,endColumn=2,title=CANON203 unregistered-api-key::high",
        "::warning file=a.py,line=3,col=1,endLine=3,endColumn=2,title=CANON403 done-checker-undocumented::medium",
        "::notice file=a.py,line=4,col=1,endLine=4,endColumn=2,title=CANON999 low-rule::low",
    ]
    # The step summary is the table it was.
    assert step_summary(findings).splitlines() == [
        "## lint-canon: 4 findings",
        "",
        "| severity | code | location | message |",
        "| --- | --- | --- | --- |",
        "| CRITICAL | CANON101 banned-import | `a.py:1:1` | critical |",
        "| HIGH | CANON203 unregistered-api-key | `a.py:2:1` | high |",
        "| MEDIUM | CANON403 done-checker-undocumented | `a.py:3:1` | medium |",
        "| LOW | CANON999 low-rule | `a.py:4:1` | low |",
        "",
    ]


def test_github_and_sarif_levels_agree(low_rule):
    """One mapping: each annotation's command is the SARIF level of its result."""
    findings = [Finding("a.py", n, 1, n, 2, code, "m") for n, code in enumerate(code_table.catalogue(), 1)]
    commands = {line.split(" ")[0].strip(":") for line in format_github(findings).splitlines()}
    assert commands == {"error", "warning", "notice"}
    results = sarif_document(findings)["runs"][0]["results"]
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["level"] for r in results}
    for line in format_github(findings).splitlines():
        number = int(line.split(",line=")[1].split(",")[0])
        assert {"note": "notice"}.get(by_line[number], by_line[number]) == line.split(" ")[0].strip(":")
    assert LEVEL == {
        Severity.CRITICAL: "error",
        Severity.HIGH: "error",
        Severity.MEDIUM: "warning",
        Severity.LOW: "note",
    }


# --- SARIF --------------------------------------------------------------------------------


def test_sarif_rules_carry_help_uri_and_security_severity(low_rule):
    findings = [Finding("a.py", 1, 1, 1, 2, code, "m") for code in ("CANON101", "CANON203", "CANON403", "CANON999")]
    document = sarif_document(findings)
    jsonschema.validate(document, sarif_schema())
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["CANON101"]["helpUri"] == "https://github.com/lint-canon/lint-canon/blob/main/rules/CANON101.md"
    assert rules["CANON101"]["properties"] == {
        "tags": ["tool-canon", "security"],
        "severity": "CRITICAL",
        "security-severity": "9.0",
        "violation": "V-TOOL-002",
    }
    assert {code: rule["properties"]["security-severity"] for code, rule in rules.items()} == {
        "CANON101": "9.0",
        "CANON203": "7.0",
        "CANON403": "5.0",
        "CANON999": "3.0",
    }
    # CANON999 has no page: no link to one.
    assert "helpUri" not in rules["CANON999"]
    assert set(SECURITY_SEVERITY) == set(Severity)


def test_every_rule_page_link_is_a_page_of_the_repository():
    codes = list(code_table.catalogue())
    rules = sarif_document([], codes)["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["helpUri"] for rule in rules] == [f"{RULES_URL}{code}.md" for code in codes]
    assert all((REPO / "rules" / f"{code}.md").is_file() for code in codes)
    jsonschema.validate(sarif_document([], codes), sarif_schema())


def test_project_urls_name_the_repository_the_rule_pages_are_in():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert urls == {
        "Homepage": "https://github.com/lint-canon/lint-canon",
        "Documentation": "https://github.com/lint-canon/lint-canon#readme",
        "Repository": "https://github.com/lint-canon/lint-canon",
        "Changelog": "https://github.com/lint-canon/lint-canon/blob/main/CHANGELOG.md",
        "Issues": "https://github.com/lint-canon/lint-canon/issues",
    }
    guard = tomllib.loads((REPO / "guard" / "pyproject.toml").read_text())["project"]["urls"]
    assert guard == {**urls, "Documentation": "https://github.com/lint-canon/lint-canon/blob/main/guard/README.md"}
    assert RULES_URL == f"{urls['Repository']}/blob/main/rules/"


def test_sarif_of_a_run_keeps_its_rules_linked(project):
    root = project({"app.py": "import clearbit\n"})
    document = json.loads(json.dumps(sarif_document(run_check(root))))
    (rule,) = document["runs"][0]["tool"]["driver"]["rules"]
    assert (rule["id"], rule["helpUri"], rule["defaultConfiguration"]["level"]) == (
        "CANON101",
        f"{RULES_URL}CANON101.md",
        "error",
    )


# --- noqa in the DONE doc and its SQL ------------------------------------------------------

DROPPED = DOL.replace(" AND d.filing_present = TRUE", "")
EXTRA = BLOG.replace("fn_check_blog_done", "fn_check_crm_done").replace("outreach.blog", "outreach.crm")
DOL_ROW = "| `shq.fn_check_dol_done(outreach_id)` | DOL | ein NOT NULL, filing_present=TRUE |"
PEOPLE_ROW = "| `shq.fn_check_people_done(outreach_id, min_slots)` | People | >= min_slots filled |"


def drift(project, doc: str, sql: list[str]):
    root = project({"DONE_STATE_DEFINITIONS.md": doc, "sql/checkers.sql": "\n".join(sql)}, canon=CANON)
    return brief(run_check(root))


def test_without_comments_the_drift_is_reported(project):
    assert drift(project, USER_TABLE, [CT, DROPPED, BLOG, BIT, EXTRA]) == [
        ("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402"),
        ("DONE_STATE_DEFINITIONS.md", 7, 1, "CANON401"),
        ("sql/checkers.sql", 21, 1, "CANON403"),
    ]


@pytest.mark.parametrize(
    "comment",
    ["<!-- noqa: CANON402 -->", "<!-- noqa -->", "<!-- noqa: CANON4 -->", "<!--noqa:canon402,CANON401-->"],
)
def test_markdown_comment_suppresses_the_row(project, comment):
    doc = USER_TABLE.replace(DOL_ROW, f"{DOL_ROW} {comment}")
    assert drift(project, doc, [CT, DROPPED, PEOPLE, BLOG, BIT]) == []


def test_markdown_comment_naming_another_code_or_on_another_line_does_not(project):
    doc = USER_TABLE.replace(DOL_ROW, f"{DOL_ROW} <!-- noqa: CANON401 -->").replace(
        PEOPLE_ROW, f"{PEOPLE_ROW} <!-- noqa: CANON402 -->"
    )
    assert drift(project, doc, [CT, DROPPED, BLOG, BIT]) == [
        ("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402"),
        ("DONE_STATE_DEFINITIONS.md", 7, 1, "CANON401"),
    ]
    # A Python comment is no comment in Markdown.
    doc = USER_TABLE.replace(DOL_ROW, f"{DOL_ROW} # noqa")
    assert drift(project, doc, [CT, DROPPED, PEOPLE, BLOG, BIT]) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]


def test_markdown_comment_in_a_fenced_block_is_text(project):
    from lint_canon.engine.suppressions import fenced_lines

    doc = "```\n<!-- noqa -->\n```\n\n" + USER_TABLE
    assert fenced_lines(doc.splitlines()) == {1, 2, 3}
    assert fenced_lines(["~~~~", "```", "~~~", "~~~~", "| x |"]) == {1, 2, 3, 4}
    assert fenced_lines(["``` not `a fence`", "x"]) == set()
    assert drift(project, doc, [CT, DROPPED, PEOPLE, BLOG, BIT]) == [("DONE_STATE_DEFINITIONS.md", 10, 1, "CANON402")]


@pytest.mark.parametrize("comment", ["-- noqa: CANON403", "-- noqa", "--noqa:CANON4", "-- NOQA: CANON403, CANON402"])
def test_sql_comment_suppresses_the_function(project, comment):
    extra = EXTRA.replace("LANGUAGE sql AS $$\n", f"LANGUAGE sql AS $$ {comment}\n", 1)
    assert drift(project, USER_TABLE, [*[CT, DOL, PEOPLE, BLOG, BIT], extra]) == []


def test_sql_comment_naming_another_code_or_a_block_comment_does_not(project):
    for comment in ("-- noqa: CANON402", "/* noqa */"):
        extra = EXTRA.replace("LANGUAGE sql AS $$\n", f"LANGUAGE sql AS $$ {comment}\n", 1)
        assert drift(project, USER_TABLE, [CT, DOL, PEOPLE, BLOG, BIT, extra]) == [
            ("sql/checkers.sql", 27, 1, "CANON403")
        ], comment


def test_disable_noqa_reports_them_all(project):
    """A checker with noqa off (as ``inventory`` makes one) does not read the comments."""
    from lint_canon.engine.checker import Checker
    from lint_canon.engine.project_checks import check_done_states
    from lint_canon.engine.suppressions import Selection
    from lint_canon_guard.config import load_canon

    doc = USER_TABLE.replace(DOL_ROW, f"{DOL_ROW} <!-- noqa -->")
    sql = "\n".join([CT, DROPPED, PEOPLE, BLOG, BIT])
    root = project({"DONE_STATE_DEFINITIONS.md": doc, "sql/checkers.sql": sql}, canon=CANON)
    checker = Checker(load_canon(root / "canon.yaml"), Selection(("CANON",)), apply_noqa=False)
    assert brief(check_done_states(checker)) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]
