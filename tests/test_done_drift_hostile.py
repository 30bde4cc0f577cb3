"""The DONE drift check (CANON401-403) on input written to break it, run as a user runs it: the
real CLI in a subprocess, real files in tmp_path. Whatever the doc and the SQL hold, the answer
is findings at their real lines (CANON901-903 for what cannot be read), never a traceback, and
every checker that can be read is still compared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.test_done_drift import BIT, BLOG, CT, DOL, PEOPLE, USER_TABLE

DOC = "DONE_STATE_DEFINITIONS.md"
CANON = "version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n"
SELECT = "CANON4,CANON9"  # the DONE rules and every "could not read" code (CANON901-903)
DOL_DRIFT = DOL.replace(" AND d.filing_present = TRUE", "")  # the doc's DOL row (line 6) drifts
CRM = (
    "CREATE OR REPLACE FUNCTION shq.fn_check_crm_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$\n"
    "    SELECT EXISTS (SELECT 1 FROM outreach.crm c WHERE c.outreach_id = p_outreach_id)\n"
    "$$;\n"
)  # a checker the doc does not list: its CANON403 proves the file was read that far


def run(root: Path, files: dict[str, str | bytes]) -> tuple[int, list[tuple[str, str, int]], dict[tuple, str]]:
    """Write ``files`` (text is written as is: no newline translation) and a canon into
    ``root``, run ``lint-canon check``; (exit code, sorted (code, path, line), the messages at
    each (code, path, line), joined by newlines)."""
    files = {"canon.yaml": CANON, "app.py": "import os\n", **files}
    for name, body in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--select", SELECT, "--format", "json", "--no-cache", "."],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == ""
    findings = json.loads(result.stdout)["findings"]
    brief = sorted((f["code"], f["path"], f["line"]) for f in findings)
    messages: dict[tuple, str] = {}
    for f in sorted(findings, key=lambda f: f["message"]):
        key = (f["code"], f["path"], f["line"])
        messages[key] = f"{messages[key]}\n{f['message']}" if key in messages else f["message"]
    return result.returncode, brief, messages


# --- SQL: one bad statement is reported at its line, the others are still read ---------------

BROKEN_BLOG = """\
CREATE OR REPLACE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid)
RETURNS TABLE (done boolean
LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.blog b WHERE b.outreach_id = p_outreach_id)
$$;
"""


def test_a_broken_statement_between_two_checkers(tmp_path):
    # Lines 1-4 DOL, 5-9 the Blog checker with an unclosed "(" (line 6, found at line 7), 10-13
    # BIT with a drift. The unclosed "(" must not swallow BIT.
    sql = DOL + BROKEN_BLOG + BIT.replace("b.signal_count > 0", "b.signal_count > 1")
    code, found, messages = run(tmp_path, {DOC: USER_TABLE, "sql/checkers.sql": sql, "sql/more.sql": CT + PEOPLE})
    assert code == 1
    assert found == [
        ("CANON402", DOC, 8),  # Blog: its checker cannot be read, so it is not compared
        ("CANON402", DOC, 9),  # BIT, after the broken statement, is compared: doc side
        ("CANON402", DOC, 9),  # ... and SQL side
        ("CANON901", "sql/checkers.sql", 7),  # where PostgreSQL's parser stops, not line 1 or 5
    ]
    assert messages[("CANON901", "sql/checkers.sql", 7)] == 'cannot parse SQL: syntax error at or near "LANGUAGE"'
    assert messages[("CANON402", DOC, 8)] == (
        "Blog: shq.fn_check_blog_done cannot be read (sql/checkers.sql:7: cannot parse SQL: syntax error at or "
        'near "LANGUAGE"); its criteria are not compared'
    )


def test_a_plpgsql_body_that_does_not_parse(tmp_path):
    broken = """\
CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM outreach.dol d WHERE d.outreach_id = p_outreach_id
        AND d.ein IS NOT NULL AND d.filing_present);
    EXCEPTON WHEN others THEN RETURN false;
END
$$;
"""
    code, found, messages = run(
        tmp_path, {DOC: USER_TABLE, "sql/dol.sql": broken, "sql/rest.sql": CT + PEOPLE + BLOG + BIT}
    )
    assert code == 1
    assert found == [("CANON402", DOC, 6), ("CANON901", "sql/dol.sql", 5)]
    assert messages[("CANON901", "sql/dol.sql", 5)].startswith(
        'shq.fn_check_dol_done: cannot parse the plpgsql body: syntax error at or near "EXCEPTON"'
    )
    assert "cannot be read (its plpgsql body does not parse" in messages[("CANON402", DOC, 6)]


def test_a_sql_body_that_does_not_parse_is_reported_at_its_line(tmp_path):
    broken = BLOG.replace("WHERE b.outreach_id = p_outreach_id)", "WHERE b.outreach_id = p_outreach_id AND)")
    code, found, _ = run(tmp_path, {DOC: USER_TABLE, "sql/checkers.sql": CT + DOL + PEOPLE + broken + BIT})
    assert code == 1
    # The Blog checker starts at line 15 (CT 5 lines, DOL 4, People 5); its body's error at 16.
    assert found == [("CANON402", DOC, 8), ("CANON901", "sql/checkers.sql", 16)]


# --- the doc: what GitHub shows is what is compared --------------------------------------------

FENCED = """\
Tables that are examples, not the contract:

```markdown
| Function | Hub | DONE Criteria |
|----------|-----|---------------|
| `shq.fn_check_crm_done(outreach_id)` | CRM | Record exists |
```

   ~~~~
   | Function | Hub | DONE Criteria |
   |---|---|---|
   | `shq.fn_check_dol_done(outreach_id)` | DOL | ein NOT NULL |
   ```
   | `shq.fn_check_lost_done(outreach_id)` | Lost | Record exists |
   ~~~~~

<!--
| Function | Hub | DONE Criteria |
|---|---|---|
| `shq.fn_check_old_done(outreach_id)` | Old | Record exists |
-->
"""


def test_tables_in_code_fences_and_comments_are_not_the_docs(tmp_path):
    code, found, _ = run(
        tmp_path, {DOC: USER_TABLE + "\n" + FENCED, "sql/checkers.sql": CT + DOL + PEOPLE + BLOG + BIT}
    )
    assert (code, found) == (0, [])


def test_the_same_tables_outside_fences_do_give_findings(tmp_path):
    unfenced = "\n".join(
        line for line in FENCED.splitlines() if not line.strip().startswith(("```", "~~~", "<!--", "-->"))
    )
    code, found, _ = run(
        tmp_path, {DOC: USER_TABLE + "\n" + unfenced, "sql/checkers.sql": CT + DOL + PEOPLE + BLOG + BIT}
    )
    assert code == 1
    assert found == [
        ("CANON401", DOC, 15),  # crm
        ("CANON401", DOC, 20),  # lost
        ("CANON401", DOC, 24),  # old
        ("CANON402", DOC, 19),  # the second DOL row: 'filing_present' is only in the SQL
    ]


CONTACT = """\
CREATE OR REPLACE FUNCTION shq.fn_check_contact_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.contact c WHERE c.outreach_id = p_outreach_id
        AND c.first_name || c.last_name <> '' AND c.email || '' LIKE '%@%')
$$;
"""
PIPES = """\
| Function | Hub | DONE Criteria |
|----------|-----|---------------|
| `shq.fn_check_contact_done(outreach_id)` | Contact | first_name \\|\\| last_name <> '', `email || '' LIKE '%@%'` |
| `shq.fn_check_blog_done(outreach_id)` | Blog | Record exists | <!-- an extra cell: not shown, not read -->
| `shq.fn_check_bit_done(outreach_id)` | BIT |
"""


def test_escaped_pipes_code_spans_and_rows_of_another_width(tmp_path):
    code, found, messages = run(tmp_path, {DOC: PIPES, "sql/checkers.sql": CONTACT + BLOG + BIT})
    assert code == 1
    assert found == [("CANON402", DOC, 5)]  # only the BIT row, which has no criteria cell
    assert messages[("CANON402", DOC, 5)] == (
        "BIT: the row has 2 cells and the table 3: its DONE criteria cell is missing (a pipe inside a cell is "
        "written \\|); it is not compared"
    )


def test_a_pipe_in_a_cell_stays_in_its_criterion(tmp_path):
    sql = CONTACT.replace(" AND c.email || '' LIKE '%@%'", "").replace(" AND c.first_name || c.last_name <> ''", "")
    code, found, messages = run(
        tmp_path,
        {DOC: PIPES.replace("| `shq.fn_check_bit_done(outreach_id)` | BIT |\n", ""), "sql/checkers.sql": sql + BLOG},
    )
    assert code == 1
    assert found == [("CANON402", DOC, 3), ("CANON402", DOC, 3)]
    first, second = messages[("CANON402", DOC, 3)].splitlines()
    assert first.startswith("Contact: criterion \"`email || '' LIKE '%@%'`\" is in the DONE doc but not in the SQL")
    assert second.startswith("Contact: criterion \"first_name || last_name <> ''\" is in the DONE doc but not in")


def test_crlf_lone_cr_and_form_feeds_keep_lines(tmp_path):
    # The doc: CRLF line ends and a form feed inside its first line (str.splitlines would count
    # one line more). Its BIT row holds a criterion that cannot be parsed.
    doc = "Intro\fstill line one\n\n" + USER_TABLE.replace("signal_count > 0", "signal_count > 0, looks promising")
    sql = "\n".join([CT, DOL_DRIFT, PEOPLE, BLOG, BIT, CRM])  # CRM starts at line 27
    code, found, messages = run(
        tmp_path,
        {DOC: doc.replace("\n", "\r\n"), "sql/checkers.sql": sql.replace("\n", "\r").replace("\f", " ")},
    )
    assert code == 1
    assert found == [
        ("CANON402", DOC, 8),  # the DOL row
        ("CANON402", DOC, 11),  # the BIT row's own line: 'looks promising'
        ("CANON403", "sql/checkers.sql", 27),
    ]
    assert messages[("CANON402", DOC, 11)].startswith("BIT: cannot parse criterion 'looks promising'")


# --- generated hostile input, each beside a real drift that must still be reported ------------

REAL = {DOC: USER_TABLE, "sql/checkers.sql": "\n".join([CT, DOL_DRIFT, PEOPLE, BLOG, BIT])}
DRIFT = ("CANON402", DOC, 6)
CHAIN = b" + ".join([b"1"] * 700_000)  # 2.8 MB: more tokens than a checker may have


def _checker_with_body(body: bytes) -> bytes:
    return (
        b"CREATE OR REPLACE FUNCTION shq.fn_check_crm_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$\n"
        b"    SELECT EXISTS (SELECT 1 FROM outreach.crm c WHERE c.outreach_id = p_outreach_id AND " + body + b" > 0)\n"
        b"$$;\n"
    )


HOSTILE_SQL = {
    # pglast hands C a NUL-terminated string: what follows a NUL would be silently dropped.
    "nul-bytes": (b"SELECT 1;\x00\x00 SELECT 2;\n" + CRM.encode(), [("CANON901", 1), ("CANON403", 2)]),
    "invalid-utf8": (b"SELECT '\xff\xfe';\n" + CRM.encode(), [("CANON902", 1), ("CANON403", 2)]),
    "unterminated-dollar-quote": (
        CRM.encode() + b"SELECT 1;\nSELECT $$ never closed;\nSELECT 2;\n",
        [("CANON403", 1), ("CANON901", 5)],
    ),
    "unterminated-comment": (CRM.encode() + b"/* never closed\nSELECT 2;\n", [("CANON403", 1), ("CANON901", 4)]),
    "10000-nested-parentheses": (
        b"SELECT " + b"(" * 10_000 + b"1" + b")" * 10_000 + b";\n" + CRM.encode(),
        [("CANON903", 1), ("CANON403", 2)],
    ),
    "2mb-statement": (b"SELECT " + CHAIN + b";\n" + CRM.encode(), [("CANON403", 2)]),
    "2mb-checker-body": (_checker_with_body(CHAIN), [("CANON403", 1), ("CANON903", 2)]),
    # 60,000 levels deep: pglast's C code overflows an 8 MB stack on it (a segfault, not an error).
    "deep-chain-in-a-checker": (_checker_with_body(b"+".join([b"1"] * 60_000)), [("CANON403", 1), ("CANON903", 1)]),
    "unclosed-parenthesis": (b"SELECT (1;\nSELECT 2;\n" + CRM.encode(), [("CANON901", 1), ("CANON403", 3)]),
    "begin-atomic-body": (
        b"CREATE FUNCTION shq.one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true "
        b"THEN 1 END;\nEND;\n" + CRM.encode(),
        [("CANON403", 6)],
    ),
}


@pytest.mark.parametrize("name", HOSTILE_SQL)
def test_hostile_sql(tmp_path, name):
    data, expected = HOSTILE_SQL[name]
    code, found, messages = run(tmp_path, {**REAL, "sql/hostile.sql": data})
    assert code == 1
    assert found == sorted([DRIFT, *((c, "sql/hostile.sql", line) for c, line in expected)])
    assert all(messages.values())


def test_a_fifo_in_the_sql_folder(tmp_path):
    (tmp_path / "sql").mkdir()
    os.mkfifo(tmp_path / "sql" / "pipe.sql")  # reading it would block forever
    code, found, messages = run(tmp_path, REAL)
    assert code == 1
    assert found == sorted([DRIFT, ("CANON902", "sql/pipe.sql", 1)])
    assert "FIFO" in messages[("CANON902", "sql/pipe.sql", 1)]


HOSTILE_DOC = {
    "nul-and-invalid-utf8": (b"Intro \x00 \xff\n\n" + USER_TABLE.encode(), 2, [("CANON902", 1)]),
    "huge-criteria-cell": (
        USER_TABLE.encode() + b"| `shq.fn_check_crm_done(id)` | CRM | " + b"a.b." * 20_000 + b" NOT NULL |\n",
        0,
        [("CANON401", 10), ("CANON402", 10)],
    ),
    "backtick-storm": (
        b"| " + b" ".join(b"`" * (n % 97 + 1) for n in range(20_000)) + b" |\n\n" + USER_TABLE.encode(),
        2,
        [],
    ),
    "unclosed-fence-swallows-the-rest": (
        USER_TABLE.encode() + b"\n````\n| `shq.fn_check_x_done(id)` | X | y |\n",
        0,
        [],
    ),
    # Each part is refused, not read as the condition it starts with (TRUE, outreach_id).
    "criterion-that-hides-sql": (
        USER_TABLE.replace("Record exists", "TRUE UNION SELECT 1, outreach_id -- exists").encode(),
        0,
        [("CANON402", 8), ("CANON402", 8)],
    ),
}


@pytest.mark.parametrize("name", HOSTILE_DOC)
def test_hostile_doc(tmp_path, name):
    data, shift, expected = HOSTILE_DOC[name]
    code, found, messages = run(tmp_path, {**REAL, DOC: data})
    assert code == 1
    assert found == sorted([("CANON402", DOC, 6 + shift), *((c, DOC, line) for c, line in expected)])


# --- the function a checker selects from: read once, reported at its own lines -----------------

DOL_VIA_STATE = (
    "CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid) RETURNS boolean LANGUAGE sql AS $$\n"
    "    SELECT EXISTS (SELECT 1 FROM shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)\n"
    "$$;\n"
)


def _state_with_done(done: bytes) -> bytes:
    return (
        b"CREATE OR REPLACE FUNCTION shq.fn_dol_done_state() RETURNS TABLE (outreach_id uuid, done boolean)\n"
        b"LANGUAGE sql AS $$\n"
        b"    SELECT d.outreach_id, " + done + b" FROM outreach.dol d\n"
        b"$$;\n"
    )


HOSTILE_DEFINITIONS = {
    # Lines 1-4 the definition, 5-7 the checker, 8-10 a second checker of the same definition:
    # one problem, where the definition is, however many checkers select from it.
    "2mb-body": (_state_with_done(CHAIN + b" > 0"), ("CANON903", 3), "its SQL body is not analysed"),
    "deep-chain": (_state_with_done(b"+".join([b"1"] * 60_000) + b" > 0"), ("CANON903", 1), "nested too deeply"),
    "unclosed-parenthesis": (
        _state_with_done(b"d.ein IS NOT NULL AND d.filing_present").replace(b"done boolean)", b"done boolean"),
        ("CANON901", 2),
        'sql/dol.sql:2: cannot parse SQL: syntax error at or near "LANGUAGE"',
    ),
}


@pytest.mark.parametrize("name", HOSTILE_DEFINITIONS)
def test_a_definition_that_cannot_be_read(tmp_path, name):
    definition, problem, reason = HOSTILE_DEFINITIONS[name]
    second = DOL_VIA_STATE.replace("fn_check_dol_done", "fn_check_crm_done").encode()
    code, found, messages = run(
        tmp_path,
        {
            DOC: USER_TABLE,
            "sql/checkers.sql": CT + PEOPLE + BLOG + BIT,
            "sql/dol.sql": definition + DOL_VIA_STATE.encode() + second,
        },
    )
    assert code == 1
    assert found == sorted(
        [("CANON402", DOC, 6), (problem[0], "sql/dol.sql", problem[1]), ("CANON403", "sql/dol.sql", 8)]
    )
    assert messages[("CANON402", DOC, 6)].startswith(
        "DOL: shq.fn_check_dol_done cannot be read (it selects from shq.fn_dol_done_state, which cannot be read: "
    )
    assert reason in messages[("CANON402", DOC, 6)]
