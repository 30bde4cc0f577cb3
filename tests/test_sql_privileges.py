"""A privilege the database refuses is one line naming the grant that allows it (issue 24,
point 8), for every command, with a real role of a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.test_sql_runner import sql


@pytest.fixture
def stranger(db_url) -> Iterator[tuple[str, str]]:
    """(role, URL logging in as it): a role that may connect, and nothing else."""
    role = f"lc_stranger_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    info = conninfo_to_dict(db_url)
    info["user"] = role
    yield role, make_conninfo(**info)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


@pytest.mark.parametrize("command", [["status"], ["jobs", "daily"]])
def test_a_missing_schema_grant_is_one_line_naming_it(stranger, tmp_path, command):
    role, url = stranger
    result = sql(*command, "--database-url", url, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "lint-canon: permission denied for schema shq: the database user lacks a grant; the owner can give it with "
        f"GRANT USAGE ON SCHEMA shq TO {role} (and CREATE, for apply and govern)\n"
    )


def test_a_missing_table_grant_in_a_job_names_the_table(db_url, stranger, tmp_path):
    role, url = stranger
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'GRANT USAGE ON SCHEMA shq TO "{role}"')
    result = sql("govern", "public.shq_error_log", "--database-url", url, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert result.stderr.startswith("lint-canon: govern public.shq_error_log: permission denied for ")
    assert f" TO {role}" in result.stderr and "internal error" not in result.stderr


def test_a_migration_refused_a_privilege_says_which_grant(empty_db, tmp_path):
    role = f"lc_stranger_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN; CREATE SCHEMA owned; GRANT USAGE ON SCHEMA owned TO "{role}"')
        conn.execute(f'CREATE SCHEMA lint_canon AUTHORIZATION "{role}"')  # the ledger is its own
    info = conninfo_to_dict(empty_db)
    info["user"] = role
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "001.sql").write_text("CREATE TABLE owned.t (id int);\n")
    (tmp_path / "m" / "plan.txt").write_text("001.sql\n")
    try:
        result = sql("apply", "--dir", "m", "--database-url", make_conninfo(**info), cwd=tmp_path)
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA lint_canon CASCADE; DROP OWNED BY "{role}"; DROP ROLE "{role}"')
    assert result.returncode == 2
    assert result.stderr == (
        "lint-canon: m/001.sql:1: permission denied for schema owned: the database user lacks a grant; the owner can "
        f"give it with GRANT USAGE ON SCHEMA owned TO {role} (and CREATE, for apply and govern) (rolled back; nothing "
        "of this file was applied)\n"
    )
