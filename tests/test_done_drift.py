"""CANON401-403: the DONE doc against the SQL fn_check_*_done functions (parsed with pglast)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, brief, check_paths, run_check

# ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.4, verbatim.
USER_TABLE = """\
**DONE State Checkers**:

| Function | Hub | DONE Criteria |
|----------|-----|---------------|
| `shq.fn_check_company_target_done(outreach_id)` | Company Target | execution_status='ready', email_method NOT NULL, confidence_score NOT NULL, imo_completed_at NOT NULL |
| `shq.fn_check_dol_done(outreach_id)` | DOL | ein NOT NULL, filing_present=TRUE |
| `shq.fn_check_people_done(outreach_id, min_slots)` | People | >= min_slots filled |
| `shq.fn_check_blog_done(outreach_id)` | Blog | Record exists |
| `shq.fn_check_bit_done(outreach_id)` | BIT | score NOT NULL, signal_count > 0 |
"""

CT = """\
CREATE OR REPLACE FUNCTION shq.fn_check_company_target_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.company_target ct WHERE ct.outreach_id = p_outreach_id
        AND ct.execution_status = 'ready' AND ct.email_method IS NOT NULL
        AND ct.confidence_score IS NOT NULL AND ct.imo_completed_at IS NOT NULL)
$$;
"""
DOL = """\
CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.dol d WHERE d.outreach_id = p_outreach_id
        AND d.ein IS NOT NULL AND d.filing_present = TRUE)
$$;
"""
PEOPLE = """\
CREATE OR REPLACE FUNCTION shq.fn_check_people_done(p_outreach_id uuid, p_min_slots integer DEFAULT NULL)
RETURNS boolean LANGUAGE sql AS $$
    SELECT count(*) FILTER (WHERE s.is_filled) >= coalesce(p_min_slots, 3)
    FROM people.company_slot s WHERE s.outreach_id = p_outreach_id
$$;
"""
BLOG = """\
CREATE OR REPLACE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.blog b WHERE b.outreach_id = p_outreach_id)
$$;
"""
BIT = """\
CREATE OR REPLACE FUNCTION shq.fn_check_bit_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.bit_scores b WHERE b.outreach_id = p_outreach_id
        AND b.score IS NOT NULL AND b.signal_count > 0)
$$;
"""
MATCHING = [CT, DOL, PEOPLE, BLOG, BIT]
CANON = "version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n"


def drift(project, sql: list[str], doc: str = USER_TABLE):
    root = project({"DONE_STATE_DEFINITIONS.md": doc, "sql/checkers.sql": "\n".join(sql)}, canon=CANON)
    return run_check(root)


def test_user_table_verbatim_against_matching_sql_is_silent(project):
    assert drift(project, MATCHING) == []


def test_criterion_dropped_from_the_sql(project):
    findings = drift(project, [CT, DOL.replace(" AND d.filing_present = TRUE", ""), PEOPLE, BLOG, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]
    assert findings[0].message == (
        "DOL: criterion 'filing_present=TRUE' is in the DONE doc but not in the SQL "
        "(doc: ein IS NOT NULL, filing_present; SQL shq.fn_check_dol_done: ein IS NOT NULL)"
    )


def test_criterion_added_in_the_sql(project):
    findings = drift(
        project, [CT, DOL, PEOPLE, BLOG.replace("p_outreach_id)", "p_outreach_id AND b.blog_url IS NOT NULL)"), BIT]
    )
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 8, 1, "CANON402")]
    assert findings[0].message == (
        "Blog: criterion 'blog_url IS NOT NULL' is in the SQL but not in the DONE doc "
        "(doc: EXISTS; SQL shq.fn_check_blog_done: blog_url IS NOT NULL)"
    )


def test_hub_function_missing(project):
    findings = drift(project, [CT, DOL, BLOG, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 7, 1, "CANON401")]
    assert findings[0].message == (
        "People: the DONE doc names shq.fn_check_people_done but no SQL file defines it; add the function or remove the row"
    )


def test_extra_function(project):
    extra = BLOG.replace("fn_check_blog_done", "fn_check_crm_done").replace("outreach.blog", "outreach.crm")
    findings = drift(project, [*MATCHING, extra])
    assert brief(findings) == [("sql/checkers.sql", 27, 1, "CANON403")]
    assert findings[0].message.startswith("shq.fn_check_crm_done is a DONE checker the DONE doc does not list")


EQUIVALENT_SQL = {
    "IS NOT NULL vs NOT NULL, upper case, quoting": CT.replace(
        "ct.email_method IS NOT NULL", 'CT."email_method" IS NOT NULL'
    ).replace("AND ct.confidence_score", "and CT.CONFIDENCE_SCORE"),
    "operand order of =": CT.replace("ct.execution_status = 'ready'", "'ready' = ct.execution_status"),
    "redundant parentheses and no alias": DOL.replace(
        "AND d.ein IS NOT NULL AND d.filing_present = TRUE", "AND ((ein IS NOT NULL)) AND (filing_present = true)"
    ),
    "x = TRUE is x": DOL.replace("d.filing_present = TRUE", "d.filing_present"),
    "constant on the left": BIT.replace("b.signal_count > 0", "0 < b.signal_count"),
    "casts": BIT.replace("b.signal_count > 0", "b.signal_count::int > 0"),
}


@pytest.mark.parametrize("name", EQUIVALENT_SQL)
def test_equivalences_are_silent(project, name):
    changed = EQUIVALENT_SQL[name]
    sql = [changed if changed.split("(")[0] == f.split("(")[0] else f for f in MATCHING]
    assert sql != MATCHING
    assert drift(project, sql) == []


def test_doc_spellings_are_equivalent(project):
    doc = USER_TABLE.replace("ein NOT NULL, filing_present=TRUE", "EIN is not null, (filing_present)").replace(
        "execution_status='ready'", "'ready' = \"execution_status\""
    )
    assert drift(project, MATCHING, doc) == []


def test_plpgsql_bodies_are_read(project):
    plpgsql = textwrap.dedent(
        """\
        CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            RETURN EXISTS (SELECT 1 FROM outreach.dol d WHERE d.outreach_id = p_outreach_id AND d.ein IS NOT NULL);
        END
        $$;
        """
    )
    findings = drift(project, [CT, plpgsql, PEOPLE, BLOG, BIT])
    assert [(f.code, f.line) for f in findings] == [("CANON402", 6)]
    assert "'filing_present=TRUE' is in the DONE doc but not in the SQL" in findings[0].message


def test_unparsable_criterion_is_reported_not_guessed(project):
    doc = USER_TABLE.replace("score NOT NULL, signal_count > 0", "score NOT NULL, signal_count > 0, looks promising")
    findings = drift(project, MATCHING, doc)
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 9, 1, "CANON402")]
    assert findings[0].message.startswith("BIT: cannot parse criterion 'looks promising': syntax error at or near")
    assert findings[0].message.endswith("; it is not compared")


def test_missing_doc_and_broken_sql(project):
    root = project({"sql/checkers.sql": "CREATE FUNCTION oops(;\n"}, canon=CANON)
    assert [(f.path, f.code) for f in run_check(root)] == [("DONE_STATE_DEFINITIONS.md", "CANON902")]
    (root / "DONE_STATE_DEFINITIONS.md").write_text(USER_TABLE)
    codes = [(f.path, f.line, f.code) for f in run_check(root)]
    assert ("sql/checkers.sql", 1, "CANON901") in codes


def test_only_runs_when_the_doc_or_sql_is_checked(project):
    root = project(
        {"DONE_STATE_DEFINITIONS.md": USER_TABLE, "sql/checkers.sql": CT, "src/app.py": "import os\n"}, canon=CANON
    )
    assert run_check(root, "src") == []
    assert {f.code for f in run_check(root)} == {"CANON401"}
    assert {f.code for f in run_check(root, "sql/checkers.sql")} == {"CANON401"}


def test_the_project_holds_itself_to_its_own_rule(tmp_path, monkeypatch):
    import shutil

    # the repository's own doc and SQL, copied: a canon names files of its own repository only
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "sql", tmp_path / "sql")
    shutil.copy(REPO / "fixtures" / "DONE_STATE_DEFINITIONS.md", tmp_path / "DONE_STATE_DEFINITIONS.md")
    canon = tmp_path / "canon.yaml"
    canon.write_text("version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n")
    from lint_canon.engine.checker import Checker
    from lint_canon_guard.config import load_canon

    checker = Checker(load_canon(canon))
    findings = check_paths(checker, [tmp_path / "sql", tmp_path / "DONE_STATE_DEFINITIONS.md"])
    assert findings == []
    # Clean because the migrations define every checker the doc names: without them, each is missing.
    shutil.rmtree(tmp_path / "sql")
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "none.sql").write_text("SELECT 1;\n")
    missing = check_paths(checker, [tmp_path / "sql", tmp_path / "DONE_STATE_DEFINITIONS.md"])
    assert [(Path(f.path).name, f.line, f.col, f.code) for f in missing] == [
        ("DONE_STATE_DEFINITIONS.md", line, 1, "CANON401") for line in range(11, 16)
    ]
    assert [f.message.split(" but ")[0] for f in missing] == [
        f"{hub}: the DONE doc names shq.fn_check_{name}_done"
        for hub, name in [
            ("Company Target", "company_target"),
            ("DOL", "dol"),
            ("People", "people"),
            ("Blog", "blog"),
            ("BIT", "bit"),
        ]
    ]


# --- a checker that selects from the hub's one definition (migration 4's shape) ---------------

DOL_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_dol_done_state() RETURNS TABLE (outreach_id uuid, done boolean) LANGUAGE sql AS $$
    SELECT d.outreach_id, d.ein IS NOT NULL AND d.filing_present = TRUE FROM outreach.dol d
$$;
"""
DOL_VIA_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;
"""
PEOPLE_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_people_done_state(p_min_slots integer DEFAULT NULL)
RETURNS TABLE (outreach_id uuid, done boolean, filled_slots bigint) LANGUAGE sql AS $$
    SELECT s.outreach_id, count(*) FILTER (WHERE s.is_filled) >= coalesce(p_min_slots, 3), count(*) FILTER (WHERE s.is_filled)
    FROM people.company_slot s GROUP BY s.outreach_id
$$;
"""
PEOPLE_VIA_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_check_people_done(p_outreach_id uuid, p_min_slots integer DEFAULT NULL)
RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_people_done_state(p_min_slots) s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;
"""
BLOG_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_blog_done_state() RETURNS TABLE (outreach_id uuid, done boolean) LANGUAGE sql AS $$
    SELECT b.outreach_id, true FROM outreach.blog b
$$;
"""
BLOG_VIA_STATE = """\
CREATE OR REPLACE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_blog_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;
"""
VIA_STATES = [CT, DOL_STATE, DOL_VIA_STATE, PEOPLE_STATE, PEOPLE_VIA_STATE, BLOG_STATE, BLOG_VIA_STATE, BIT]


def test_a_checker_is_compared_through_the_function_it_selects_from(project):
    assert drift(project, VIA_STATES) == []


EQUIVALENT_HOPS = {
    "an unqualified column": DOL_VIA_STATE.replace("AND s.done)", "AND done)"),
    "columns renamed in FROM": DOL_VIA_STATE.replace(
        "fn_dol_done_state() s WHERE s.outreach_id", "fn_dol_done_state() AS s (id, ok) WHERE s.id"
    ).replace("s.done", "s.ok"),
    "no alias": DOL_VIA_STATE.replace(
        "fn_dol_done_state() s WHERE s.outreach_id", "fn_dol_done_state() WHERE fn_dol_done_state.outreach_id"
    ).replace("s.done", "fn_dol_done_state.done"),
    "the done column selected": DOL_VIA_STATE.replace(
        "SELECT EXISTS (SELECT 1 FROM shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)",
        "SELECT s.done FROM shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id",
    ),
    "a plpgsql checker": DOL_VIA_STATE.replace(
        "LANGUAGE sql AS $$\n    SELECT EXISTS", "LANGUAGE plpgsql AS $$\nBEGIN RETURN EXISTS"
    ).replace("s.done)\n", "s.done); END\n"),
}


@pytest.mark.parametrize("name", EQUIVALENT_HOPS)
def test_ways_of_selecting_from_the_definition_are_equivalent(project, name):
    sql = [EQUIVALENT_HOPS[name] if s == DOL_VIA_STATE else s for s in VIA_STATES]
    assert EQUIVALENT_HOPS[name] != DOL_VIA_STATE
    assert drift(project, sql) == []


def test_drift_in_the_one_definition_is_reported(project):
    sql = [DOL_STATE.replace(" AND d.filing_present = TRUE", "") if s == DOL_STATE else s for s in VIA_STATES]
    findings = drift(project, sql)
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]
    assert findings[0].message == (
        "DOL: criterion 'filing_present=TRUE' is in the DONE doc but not in the SQL "
        "(doc: ein IS NOT NULL, filing_present; SQL shq.fn_check_dol_done: ein IS NOT NULL)"
    )


def test_a_checker_that_ignores_the_done_column_checks_only_that_the_row_exists(project):
    sql = [s.replace(" AND s.done)", ")") if s == PEOPLE_VIA_STATE else s for s in VIA_STATES]
    findings = drift(project, sql)
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 7, 1, "CANON402")]
    assert findings[0].message == (
        "People: criterion '>= min_slots filled' is in the DONE doc but not in the SQL "
        "(doc: COUNT(filled) >= min_slots; SQL shq.fn_check_people_done: EXISTS)"
    )


def test_the_where_of_the_function_selected_from_is_criteria_too(project):
    # A function listing the DONE ids (no done column): its WHERE holds the criteria.
    blog_ids = """\
CREATE FUNCTION shq.fn_blog_done_ids() RETURNS TABLE (outreach_id uuid) LANGUAGE sql AS $$
    SELECT b.outreach_id FROM outreach.blog b WHERE b.blog_url IS NOT NULL
$$;
CREATE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_blog_done_ids() WHERE fn_blog_done_ids.outreach_id = p_outreach_id)
$$;
"""
    findings = drift(project, [CT, DOL, PEOPLE, blog_ids, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 8, 1, "CANON402")]
    assert findings[0].message == (
        "Blog: criterion 'blog_url IS NOT NULL' is in the SQL but not in the DONE doc "
        "(doc: EXISTS; SQL shq.fn_check_blog_done: blog_url IS NOT NULL)"
    )


def test_a_definition_that_does_not_parse_is_reported_at_its_line(project):
    broken = DOL_STATE.replace("d.filing_present = TRUE FROM", "d.filing_present = FROM")
    findings = drift(project, [CT, PEOPLE, BLOG, BIT, broken, DOL_VIA_STATE])
    # CT, People, Blog and BIT take 21 lines (a blank line after each): the definition starts
    # at line 22, the error of its body is on line 23.
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402"), ("sql/checkers.sql", 23, 1, "CANON901")]
    assert findings[0].message == (
        "DOL: shq.fn_check_dol_done cannot be read (it selects from shq.fn_dol_done_state, which cannot be read: "
        'its SQL body does not parse: syntax error at or near "FROM" (line 23)); its criteria are not compared'
    )
    assert findings[1].message == 'shq.fn_dol_done_state: cannot parse the SQL body: syntax error at or near "FROM"'


def test_one_function_is_followed_not_two(project):
    inner = DOL_STATE.replace("fn_dol_done_state", "fn_dol_rows")
    outer = DOL_STATE.replace(
        "SELECT d.outreach_id, d.ein IS NOT NULL AND d.filing_present = TRUE FROM outreach.dol d",
        "SELECT r.outreach_id, r.done FROM shq.fn_dol_rows() r",
    )
    findings = drift(project, [CT, inner, outer, DOL_VIA_STATE, PEOPLE, BLOG, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]
    assert findings[0].message == (
        "DOL: shq.fn_check_dol_done cannot be read (it selects from shq.fn_dol_done_state, which cannot be read: "
        "it selects from shq.fn_dol_rows, which this file defines too; one function is followed, not two); "
        "its criteria are not compared"
    )


def test_a_plpgsql_definition_is_not_followed_but_reported(project):
    plpgsql = """\
CREATE OR REPLACE FUNCTION shq.fn_dol_done_state() RETURNS TABLE (outreach_id uuid, done boolean) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT d.outreach_id, d.ein IS NOT NULL AND d.filing_present FROM outreach.dol d;
END
$$;
"""
    findings = drift(project, [CT, plpgsql, DOL_VIA_STATE, PEOPLE, BLOG, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON402")]
    assert findings[0].message == (
        "DOL: shq.fn_check_dol_done cannot be read (it selects from shq.fn_dol_done_state, which cannot be read: "
        "it is in LANGUAGE plpgsql; only a LANGUAGE sql function is followed); its criteria are not compared"
    )


def test_a_function_another_file_defines_is_not_followed(project):
    # Each SQL file is read on its own: the checker is compared as it reads, the doc's criteria
    # are missing from it, and the finding says so rather than passing silently.
    root = project(
        {
            "DONE_STATE_DEFINITIONS.md": USER_TABLE,
            "sql/checkers.sql": "\n".join([CT, DOL_VIA_STATE, PEOPLE, BLOG, BIT]),
            "sql/states.sql": DOL_STATE,
        },
        canon=CANON,
    )
    sides = "(doc: ein IS NOT NULL, filing_present; SQL shq.fn_check_dol_done: done)"
    assert [(f.path, f.line, f.code, f.message) for f in run_check(root)] == [
        (
            "DONE_STATE_DEFINITIONS.md",
            6,
            "CANON402",
            f"DOL: criterion 'done' is in the SQL but not in the DONE doc {sides}",
        ),
        (
            "DONE_STATE_DEFINITIONS.md",
            6,
            "CANON402",
            f"DOL: criterion 'ein NOT NULL' is in the DONE doc but not in the SQL {sides}",
        ),
        (
            "DONE_STATE_DEFINITIONS.md",
            6,
            "CANON402",
            f"DOL: criterion 'filing_present=TRUE' is in the DONE doc but not in the SQL {sides}",
        ),
    ]


@pytest.mark.parametrize(
    ("function", "edit", "line", "messages"),
    [
        (
            "fn_dol_done_state",
            ("AND d.filing_present = TRUE", "AND d.filing_present IS NOT NULL"),
            12,
            [
                "DOL: criterion 'filing_present IS NOT NULL' is in the SQL but not in the DONE doc (doc: ein IS NOT "
                "NULL, filing_present; SQL shq.fn_check_dol_done: ein IS NOT NULL, filing_present IS NOT NULL)",
                "DOL: criterion 'filing_present=TRUE' is in the DONE doc but not in the SQL (doc: ein IS NOT NULL, "
                "filing_present; SQL shq.fn_check_dol_done: ein IS NOT NULL, filing_present IS NOT NULL)",
            ],
        ),
        (
            "fn_bit_done_state",
            ("AND b.signal_count > 0", "AND b.signal_count > 1"),
            15,
            [
                "BIT: criterion 'signal_count > 0' is in the DONE doc but not in the SQL (doc: score IS NOT NULL, "
                "signal_count > 0; SQL shq.fn_check_bit_done: score IS NOT NULL, signal_count > 1)",
                "BIT: criterion 'signal_count > 1' is in the SQL but not in the DONE doc (doc: score IS NOT NULL, "
                "signal_count > 0; SQL shq.fn_check_bit_done: score IS NOT NULL, signal_count > 1)",
            ],
        ),
    ],
)
def test_the_projects_own_definitions_drifting_from_its_doc(tmp_path, monkeypatch, function, edit, line, messages):
    # The repository's migration 4 and DONE doc, one hub's definition edited: the drift is found
    # in the one place that holds the criteria now, and reported at the hub's row of the doc.
    migration = (REPO / "sql" / "2026-02-02-promotion-gate-functions.sql").read_text()
    start = migration.index(f"CREATE OR REPLACE FUNCTION shq.{function}()")
    end = migration.index("$$;", start)
    assert edit[0] in migration[start:end]
    edited = migration[:start] + migration[start:end].replace(*edit) + migration[end:]
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "promotion.sql").write_text(edited)
    (tmp_path / "DONE_STATE_DEFINITIONS.md").write_text((REPO / "fixtures" / "DONE_STATE_DEFINITIONS.md").read_text())
    (tmp_path / "canon.yaml").write_text(CANON)
    monkeypatch.chdir(tmp_path)
    findings = run_check(tmp_path)
    assert [(f.path, f.line, f.code) for f in findings] == [("DONE_STATE_DEFINITIONS.md", line, "CANON402")] * 2
    assert [f.message for f in findings] == messages


def test_a_second_row_for_one_hub_is_a_finding(project):
    # The doc names DOL's checker twice with other criteria: which one the SQL must match is
    # not known; the second row is reported, not compared.
    doubled = USER_TABLE + "| `shq.fn_check_dol_done(outreach_id)` | DOL | ein NOT NULL |\n"
    findings = drift(project, MATCHING, doc=doubled)
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 10, 1, "CANON402")]
    assert findings[0].message == (
        "DOL: a second row for this hub (the first is at line 6); keep one, it is not compared"
    )


def test_a_quoted_name_is_matched_as_postgresql_reads_it(project):
    # Unquoted names fold to lower case (SHQ.FN_CHECK_DOL_DONE is the doc's fn_check_dol_done);
    # a quoted one keeps its case: "fn_check_DOL_done" is another function.
    upper = DOL.replace("shq.fn_check_dol_done", "SHQ.FN_CHECK_DOL_DONE")
    assert drift(project, [CT, upper, PEOPLE, BLOG, BIT]) == []
    quoted = DOL.replace("shq.fn_check_dol_done", 'shq."fn_check_DOL_done"')
    findings = drift(project, [CT, quoted, PEOPLE, BLOG, BIT])
    assert brief(findings) == [("DONE_STATE_DEFINITIONS.md", 6, 1, "CANON401"), ("sql/checkers.sql", 7, 1, "CANON403")]
