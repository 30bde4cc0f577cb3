"""A plan entry is one file of the plan's folder (issue 24, point 1): one normal spelling that
the ledger keys on, nothing outside the folder read, short escaped excerpts in messages."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from lint_canon.db.migrations import excerpt
from tests.test_sql_runner import ledger, sql

CREDIT = "INSERT INTO credits VALUES (1);\n"


def folder_with(tmp_path: Path, plan: str, files: dict[str, str]) -> Path:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body)
    (folder / "plan.txt").write_text(plan)
    return folder


def credits(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM credits").fetchone()[0]


@pytest.mark.parametrize(
    ("plan", "line", "entry", "normal"),
    [
        ("credit.sql\n./credit.sql\n", 2, "./credit.sql", " (credit.sql)"),
        ("credit.sql\nsub/../credit.sql\n", 2, "sub/../credit.sql", " (credit.sql)"),
        ("./credit.sql\n.//credit.sql\n", 2, ".//credit.sql", " (credit.sql)"),
        ("credit.sql\nalias.sql\n", 2, "alias.sql", ""),  # a link to the same file
    ],
)
def test_two_entries_naming_one_file_are_refused_at_their_line(empty_db, tmp_path, plan, line, entry, normal):
    folder = folder_with(
        tmp_path, "", {"000.sql": "CREATE TABLE credits (n int);\n", "credit.sql": CREDIT, "sub/x": ""}
    )
    (folder / "alias.sql").symlink_to("credit.sql")
    (folder / "plan.txt").write_text("000.sql\n" + plan)
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"lint-canon: m/plan.txt:{line + 1}: {entry}{normal} names the file of line 2: a migration is listed once\n"
    )


def test_one_migration_runs_once_however_the_plan_spells_it(empty_db, tmp_path):
    folder_with(
        tmp_path, "000.sql\n./credit.sql\n", {"000.sql": "CREATE TABLE credits (n int);\n", "credit.sql": CREDIT}
    )
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    assert [file for file, _ in ledger(empty_db)] == ["000.sql", "credit.sql"]
    for spelling in ("credit.sql", "sub/../credit.sql", "./credit.sql"):
        (tmp_path / "m" / "sub").mkdir(exist_ok=True)
        (tmp_path / "m" / "plan.txt").write_text(f"000.sql\n{spelling}\n")
        result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
        assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "nothing to apply: 2 migrations up to date")
        status = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
        assert status.returncode == 0, status.stdout
    assert credits(empty_db) == 1


def test_a_ledger_written_with_other_spellings_is_read_and_brought_to_the_normal_form(empty_db, tmp_path):
    # An older lint-canon keyed the ledger on the plan's text: ./credit.sql and credit.sql ran twice.
    folder_with(
        tmp_path, "000.sql\n./credit.sql\n", {"000.sql": "CREATE TABLE credits (n int);\n", "credit.sql": CREDIT}
    )
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("UPDATE lint_canon.migrations SET file = './000.sql' WHERE file = '000.sql'")
        conn.execute(
            "INSERT INTO lint_canon.migrations (project, file, checksum, duration_ms, installed_rank)"
            " SELECT project, './credit.sql', checksum, 1, 3 FROM lint_canon.migrations WHERE file = 'credit.sql'"
        )
    (tmp_path / "m" / "plan.txt").write_text("000.sql\ncredit.sql\n")
    status = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 0, status.stdout
    assert [line.split()[:2] for line in status.stdout.splitlines()[1:-1]] == [
        ["applied", "000.sql"],
        ["applied", "credit.sql"],
    ]
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "nothing to apply: 2 migrations up to date")
    assert sorted(file for file, _ in ledger(empty_db)) == ["000.sql", "credit.sql"]
    with psycopg.connect(empty_db) as conn:
        notes = conn.execute(
            "SELECT file, note FROM lint_canon.migration_log WHERE status = 'normalised' ORDER BY id"
        ).fetchall()
    assert notes == [
        ("000.sql", "renamed from ./000.sql, its spelling in an older plan"),
        ("credit.sql", "the row of ./credit.sql removed: it names credit.sql, applied before it"),
    ]
    assert credits(empty_db) == 1


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            "../outside.sql",
            "../outside.sql: not a file of the plan's folder; list files by their path relative to m, without .. or a leading /",
        ),
        (
            "sub/../../outside.sql",
            "sub/../../outside.sql: not a file of the plan's folder; list files by their path relative to m, without .. or a leading /",
        ),
        (
            "{outside}",
            "{outside}: not a file of the plan's folder; list files by their path relative to m, without .. or a leading /",
        ),
        ("link.sql", "link.sql is a link out of the plan's folder; a migration is a file of m: copy it there"),
        ("sub", "sub is a folder; list the migrations it holds, one .sql file a line"),
        ("a#b.sql", "a#b.sql does not exist in m"),
        ("x" * 200 + ".sql", "x" * 60 + "... does not exist in m"),
        ("bad\x1b[31m.sql", "bad\\x1b[31m.sql does not exist in m"),
    ],
)
def test_an_entry_outside_the_folder_is_refused_and_never_read(empty_db, tmp_path, entry, error):
    outside = tmp_path / "outside.sql"
    outside.write_text("secretword:x:0:0 is not SQL\n")  # a parse error would quote it
    folder = folder_with(tmp_path, "", {"sub/one.sql": "SELECT 1;\n"})
    (folder / "link.sql").symlink_to(outside)
    entry = entry.replace("{outside}", str(outside))
    (folder / "plan.txt").write_text(f"# the plan\n{entry}  # a comment\n")
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"lint-canon: m/plan.txt:2: {error.replace('{outside}', excerpt(str(outside)))}\n"
    assert "secretword" not in result.stderr


def test_a_hash_inside_a_name_is_part_of_it(empty_db, tmp_path):
    folder_with(tmp_path, "a#b.sql # after a space: a comment\n", {"a#b.sql": "CREATE TABLE hashed (n int);\n"})
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("applied m/a#b.sql (")
    assert [file for file, _ in ledger(empty_db)] == ["a#b.sql"]


def test_a_plan_too_large_is_refused_without_echoing_it(empty_db, tmp_path):
    folder = folder_with(tmp_path, "", {})
    (folder / "plan.txt").write_text("y" * (2 * 1024 * 1024) + "\n")
    result = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "lint-canon: m/plan.txt: larger than 1,048,576 bytes; a plan lists file names, one a line\n",
    )
    (folder / "plan.txt").write_text("y" * (500 * 1024) + ".sql\n")
    long_line = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert long_line.returncode == 2 and len(long_line.stderr) < 200
    assert os.path.getsize(folder / "plan.txt") > 500 * 1024


def test_lint_canons_own_plan_names_the_project_a_new_plan_may_not_take():
    from lint_canon.db.migrations import OWN_PROJECT, load_plan, sql_folder

    assert load_plan(sql_folder(), own=True).project == OWN_PROJECT


@pytest.mark.parametrize(
    ("folder", "project"),
    [
        ("billing-service", "billing-service"),
        ("Café Ops", "cafe-ops"),  # what %project= accepts: ASCII letters, digits, _ . -
        ("my_app.v2", "my_app.v2"),
        ("..hidden..", "hidden"),
        ("データ", "default"),  # nothing left: the name a plan without %project= has
        ("lint-canon", "lint-canon-sql"),  # never lint-canon's own ledger rows
    ],
)
def test_a_new_plan_is_named_after_the_working_folder_as_the_parser_accepts(tmp_path, monkeypatch, folder, project):
    from lint_canon.db.migrations import MigrationError, load_plan, new_plan, project_name

    work = tmp_path / folder
    (work / "sql").mkdir(parents=True)
    monkeypatch.chdir(work)
    assert project_name(Path("sql")) == (project, work.resolve())
    new_plan(Path("sql"), project)
    assert load_plan(Path("sql")).project == project
    with pytest.raises(MigrationError, match=r"^sql/plan.txt: cannot create it \(File exists\)$"):
        new_plan(Path("sql"), project)
