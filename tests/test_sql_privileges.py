"""A privilege the database refuses is one line naming the grant that allows it (issue 24,
point 8), for every command, with a real role of a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.conftest import REPO
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


def scheduler_grants(role: str) -> str:
    """The README's block of the scheduler role's grants, for ``role``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("-- the scheduler role's grants\n", 1)[1].split("```", 1)[0]
    return "\n".join(line.strip() for line in block.splitlines()).replace("scheduler", f'"{role}"')


def test_the_documented_scheduler_role_runs_both_schedules_with_only_its_grants(db_url, tmp_path):
    role = f"lc_scheduler_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(scheduler_grants(role))
        conn.execute(
            "INSERT INTO outreach.dol_errors (error_id, failure_code, created_at, ttl_tier) VALUES"
            " (1, 'X', now() - interval '30 days', 'SHORT'), (2, 'X', now(), 'SHORT')"
        )
        conn.execute(
            "INSERT INTO outreach.dol_errors_archive (error_id, failure_code, created_at, retry_count, max_retries,"
            " escalation_level, ttl_tier, retry_exhausted, archived_at, retention_expires_at) VALUES"
            " (9, 'X', now() - interval '3 years', 0, 5, 0, 'SHORT', false, now() - interval '2 years',"
            " now() - interval '1 year')"
        )
    info = conninfo_to_dict(db_url)
    info["user"] = role
    url = make_conninfo(**info)
    try:
        daily = sql("jobs", "daily", "--database-url", url, cwd=tmp_path)
        weekly = sql("jobs", "weekly", "--database-url", url, cwd=tmp_path)
        with psycopg.connect(url) as conn:  # what the role cannot do by itself
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM outreach.dol_errors")
            conn.rollback()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT * FROM shq.fn_run_keyset_job('x', 'SELECT 1', now(), 10, 1)")
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
    assert (daily.returncode, daily.stderr) == (0, ""), daily.stdout
    assert "archive_expired_errors: 1 rows in " in daily.stdout
    assert (weekly.returncode, weekly.stderr) == (0, ""), weekly.stdout
    assert "cleanup_expired_archives: 1 rows in " in weekly.stdout
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT error_id FROM outreach.dol_errors").fetchall() == [(2,)]
        assert conn.execute("SELECT error_id FROM outreach.dol_errors_archive").fetchall() == [(1,)]


def test_the_job_functions_are_not_for_everyone(stranger, db_url):
    role, url = stranger
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'GRANT USAGE ON SCHEMA shq TO "{role}"')
    with psycopg.connect(url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as info:
            conn.execute("SELECT * FROM shq.fn_cleanup_expired_archives(now() + interval '10 years')")
    assert info.value.diag.message_primary == "permission denied for function fn_cleanup_expired_archives"
