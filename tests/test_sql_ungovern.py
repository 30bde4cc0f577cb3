"""`lint-canon sql ungovern TABLE` (issue 24): a table leaves governance, its data stays; a
governed table that was dropped or renamed no longer fails every daily run once ungoverned."""

from __future__ import annotations

import psycopg
import pytest

from tests.test_sql_runner import sql

NOW = "2026-03-01T12:00:00+00:00"


def govern_invoices(url: str, tmp_path) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.invoice_errors (invoice_error_id bigint PRIMARY KEY,"
            " outreach_id uuid, failure_code text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
    assert sql("govern", "billing.invoice_errors", "--database-url", url, cwd=tmp_path).returncode == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO billing.invoice_errors (invoice_error_id, outreach_id, failure_code, created_at, ttl_tier)"
            " VALUES (1, gen_random_uuid(), 'X', '2026-02-01', 'SHORT'), (2, gen_random_uuid(), 'X', '2026-02-28',"
            " 'SHORT')"
        )


def daily(url: str, tmp_path, now: str = NOW):
    return sql("jobs", "daily", "--now", now, "--force", "--database-url", url, cwd=tmp_path)


def registered(url: str) -> list[tuple[str, ...]]:
    """What registers billing.invoice_errors: its registry row, the jobs' positions, the views."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT 'registry' FROM shq.error_table_registry WHERE table_name = 'invoice_errors'"
            " UNION ALL SELECT 'position ' || job_name FROM shq.governance_job_progress"
            "  WHERE error_table IN ('billing.invoice_errors', 'billing.invoice_errors_archive')"
            " UNION ALL SELECT DISTINCT 'summary view' FROM shq.vw_error_governance_summary"
            "  WHERE error_table = 'billing.invoice_errors'"
            " ORDER BY 1"
        ).fetchall()


def test_ungovern_keeps_the_data_and_says_so(db_url, tmp_path):
    govern_invoices(db_url, tmp_path)
    assert daily(db_url, tmp_path).returncode == 0  # row 1 archived; positions kept for this run
    assert registered(db_url) == [
        ("position archive_expired_errors",),
        ("position auto_park_exhausted_retries",),
        ("position escalate_stale_parked_errors",),
        ("registry",),
        ("summary view",),
    ]
    result = sql("ungovern", "billing.invoice_errors", "--database-url", db_url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "billing.invoice_errors ungoverned: the jobs no longer touch it and its rows block no promotion; its "
        "governance columns, job indexes and archive billing.invoice_errors_archive are kept (drop them by hand once "
        "they are not needed)\n"
    )
    assert registered(db_url) == []
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT invoice_error_id, disposition::text FROM billing.invoice_errors").fetchall() == [
            (2, "RETRY")
        ]
        assert conn.execute("SELECT invoice_error_id FROM billing.invoice_errors_archive").fetchall() == [(1,)]
        assert conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'invoice_errors' AND indexname LIKE '%gov%'"
        ).fetchone() == (3,)
    # The jobs leave it alone now, and it can be governed again, archive and all.
    assert "archive_expired_errors: 0 rows in " in daily(db_url, tmp_path, "2026-03-20T12:00:00+00:00").stdout
    again = sql("govern", "billing.invoice_errors", "--database-url", db_url, cwd=tmp_path)
    assert again.stdout.startswith("billing.invoice_errors governed: archive billing.invoice_errors_archive, ")


@pytest.mark.parametrize(
    ("change", "name", "message"),
    [
        (
            "DROP TABLE billing.invoice_errors CASCADE",  # CASCADE: the monitoring views read it
            "billing.invoice_errors",
            "billing.invoice_errors ungoverned: no table has that name now (dropped or renamed), so the jobs no "
            "longer look for it; its archive billing.invoice_errors_archive is kept (drop it by hand once it is not "
            "needed)",
        ),
        (
            "ALTER TABLE billing.invoice_errors RENAME TO invoice_failures",
            "billing.invoice_errors",
            "billing.invoice_errors ungoverned: no table has that name now (dropped or renamed), so the jobs no "
            "longer look for it; its archive billing.invoice_errors_archive is kept (drop it by hand once it is not "
            "needed)",
        ),
        (
            "DROP TABLE billing.invoice_errors CASCADE; DROP TABLE billing.invoice_errors_archive",
            'billing."invoice_errors"',
            "billing.invoice_errors ungoverned: no table has that name now (dropped or renamed), nor its archive "
            "billing.invoice_errors_archive; the jobs no longer look for them",
        ),
    ],
)
def test_a_dropped_or_renamed_table_fails_each_daily_run_until_ungoverned(db_url, tmp_path, change, name, message):
    govern_invoices(db_url, tmp_path)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(change)
    for day in ("2026-03-01", "2026-03-02"):  # every run, not just the first
        failing = daily(db_url, tmp_path, f"{day}T12:00:00+00:00")
        assert failing.returncode == 1
        assert (
            'archive_expired_errors: FAILED after 0 rows: billing.invoice_errors: relation "billing.invoice_errors" '
            "does not exist" in failing.stdout
        )
    result = sql("ungovern", name, "--database-url", db_url, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, message + "\n", "")
    assert registered(db_url) == []
    ok = daily(db_url, tmp_path, "2026-03-03T12:00:00+00:00")
    assert (ok.returncode, ok.stdout.startswith("jobs daily: ok in ")) == (0, True), ok.stdout
    with psycopg.connect(db_url) as conn:  # the monitoring views are there again (CASCADE dropped them)
        assert conn.execute(
            "SELECT to_regclass('shq.vw_error_governance_summary') IS NOT NULL,"
            " to_regclass('shq.vw_blocking_errors_by_outreach') IS NOT NULL"
        ).fetchone() == (True, True)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billing.nope", "billing.nope is not governed (shq.error_table_registry has no row for it)"),
        (
            "outreach.dol_errors_archive",
            "outreach.dol_errors_archive is not governed: it is the archive of outreach.dol_errors; ungovern that table",
        ),
        (
            "dol_errors",
            'name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors"), not dol_errors',
        ),
        (
            'a."unclosed',
            'name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors"), not a."unclosed',
        ),
    ],
)
def test_ungovern_what_is_not_governed_is_one_line_and_exit_2(db_url, tmp_path, name, message):
    result = sql("ungovern", name, "--database-url", db_url, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"lint-canon: ungovern {name}: {message}\n")
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM shq.error_table_registry").fetchone() == (6,)
