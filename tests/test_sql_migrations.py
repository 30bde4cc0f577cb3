"""The four migrations on a real PostgreSQL: they apply with psql to an empty database holding
the reference schema, a second run changes nothing, every object of the user's document exists,
and the document's sections 4-6 run as written afterwards."""

from __future__ import annotations

import subprocess
import time
import uuid

import psycopg
import pytest

from tests.pg import MIGRATIONS, REFERENCE_SCHEMA, bin_path, psql_file

ERROR_TABLES = [
    "outreach.dol_errors",
    "outreach.company_target_errors",
    "people.people_errors",
    "company.url_discovery_failures",
    "public.shq_error_log",
]
GOVERNANCE_COLUMNS = {
    "disposition": "error_disposition",
    "retry_count": "integer",
    "max_retries": "integer",
    "archived_at": "timestamp with time zone",
    "parked_at": "timestamp with time zone",
    "parked_by": "text",
    "park_reason": "text",
    "escalation_level": "integer",
    "escalated_at": "timestamp with time zone",
    "ttl_tier": "ttl_tier",
    "last_retry_at": "timestamp with time zone",
    "next_retry_at": "timestamp with time zone",
    "retry_exhausted": "boolean",
}


def dump_schema(conninfo: str) -> str:
    result = subprocess.run(
        [bin_path("pg_dump"), "--schema-only", "--no-owner", "-d", conninfo],
        capture_output=True,
        text=True,
        check=True,
    )
    # pg_dump 18 brackets the dump with a random \restrict key: not part of the schema.
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))


def test_psql_applies_every_file_and_a_second_run_changes_nothing(pg_databases):
    conninfo = pg_databases.create(migrated=False)
    for path in [REFERENCE_SCHEMA, *MIGRATIONS]:
        result = psql_file(conninfo, path)
        assert result.returncode == 0, f"{path.name}: {result.stderr}"
        assert "ERROR" not in result.stderr
    first = dump_schema(conninfo)
    with psycopg.connect(conninfo) as conn:
        registry = conn.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall()
    for path in [REFERENCE_SCHEMA, *MIGRATIONS]:
        result = psql_file(conninfo, path)
        assert result.returncode == 0, f"second run of {path.name}: {result.stderr}"
    assert dump_schema(conninfo) == first
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall() == registry


def test_a_failing_statement_stops_psql(pg_databases):
    # Without the reference schema the first migration cannot find its tables: psql must stop.
    conninfo = pg_databases.create(migrated=False)
    result = psql_file(conninfo, MIGRATIONS[0])
    assert result.returncode == 3
    assert (
        "ERROR:  error tables missing: company.url_discovery_failures, outreach.company_target_errors" in result.stderr
    )
    assert "HINT:  create the hub tables first (fixtures/reference_schema.sql has them)" in result.stderr


@pytest.mark.parametrize("table", ERROR_TABLES)
def test_governance_columns_on_every_error_table(db, table):
    schema, name = table.split(".")
    rows = db.execute(
        "SELECT column_name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END"
        " FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, name),
    ).fetchall()
    columns = dict(rows)
    for column, kind in GOVERNANCE_COLUMNS.items():
        assert columns.get(column) == kind, column
    expected_max = 5 if table == "outreach.dol_errors" else 3
    db.execute(f"INSERT INTO {table} (outreach_id, failure_code) VALUES (gen_random_uuid(), 'X')")
    row = db.execute(
        f"SELECT disposition::text, max_retries, retry_count, escalation_level, ttl_tier::text, retry_exhausted FROM {table}"
    ).fetchone()
    assert row == ("RETRY", expected_max, 0, 0, "MEDIUM", False)
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(f"UPDATE {table} SET escalation_level = 4")


def test_enums(db):
    rows = db.execute(
        "SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_type t"
        " JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname = 'shq' GROUP BY t.typname ORDER BY t.typname"
    ).fetchall()
    assert rows == [
        ("archive_reason", ["TTL_EXPIRED", "MANUAL", "RESOLVED", "SUPERSEDED", "ARCHIVE_DISPOSITION"]),
        ("error_disposition", ["RETRY", "PARKED", "ARCHIVED", "IGNORE", "RESOLVED"]),
        ("ttl_tier", ["SHORT", "MEDIUM", "LONG", "INFINITE"]),
    ]


@pytest.mark.parametrize(
    ("table", "retention"), [(t, "2 years" if "shq_error_log" in t else "1 year") for t in ERROR_TABLES]
)
def test_archive_tables(db, table, retention):
    archive = f"{table}_archive"
    schema, name = archive.split(".")
    columns = {
        r[0]
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            (schema, name),
        )
    }
    assert {"archived_at", "archived_by", "archive_reason", "final_disposition", "retention_expires_at"} <= columns
    assert set(GOVERNANCE_COLUMNS) <= columns
    key = db.execute(
        "SELECT a.attname FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)"
        " WHERE k.conrelid = %s::regclass AND k.contype = 'p'",
        (archive,),
    ).fetchall()
    assert key == [("error_id",)]
    assert db.execute(
        "SELECT retention::text FROM shq.error_table_registry WHERE format('%%s.%%s', table_schema, table_name) = %s",
        (table,),
    ).fetchone() == (retention.replace("years", "years").replace("year", "year"),)


def test_functions_and_views_of_the_document(db):
    functions = {
        r[0]
        for r in db.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'shq'"
        )
    }
    assert {
        "fn_get_ttl_interval",
        "fn_archive_expired_errors",
        "fn_auto_park_exhausted_retries",
        "fn_escalate_stale_parked_errors",
        "fn_cleanup_expired_archives",
        "fn_run_error_governance_jobs",
        "fn_check_company_target_done",
        "fn_check_dol_done",
        "fn_check_people_done",
        "fn_check_blog_done",
        "fn_check_bit_done",
        "fn_has_blocking_dol_errors",
        "fn_has_blocking_company_target_errors",
        "fn_has_blocking_people_errors",
        "fn_get_promotion_blockers",
        "fn_can_promote_to_hub",
        "fn_is_tier1_marketing_ready",
        "fn_is_tier2_enrichment_complete",
        "fn_is_tier3_campaign_ready",
        "fn_govern_error_table",
    } <= functions
    views = {r[0] for r in db.execute("SELECT table_name FROM information_schema.views WHERE table_schema = 'shq'")}
    assert views == {
        "vw_error_governance_summary",
        "vw_blocking_errors_by_outreach",
        "vw_promotion_readiness",
        "vw_promotion_readiness_summary",
        "vw_error_status_groups",  # the report's views (2026-12-06-report-role-views.sql)
        "vw_promotion_tier_counts",
    }
    assert db.execute(
        "SELECT shq.fn_get_ttl_interval('SHORT')::text, shq.fn_get_ttl_interval('MEDIUM')::text,"
        " shq.fn_get_ttl_interval('LONG')::text, shq.fn_get_ttl_interval('INFINITE')"
    ).fetchone() == ("7 days", "30 days", "90 days", None)


BACKFILL = """
-- Set disposition based on resolved status
UPDATE outreach.dol_errors SET disposition = 'RETRY' WHERE resolved_at IS NULL AND disposition IS NULL;
UPDATE outreach.dol_errors SET disposition = 'RESOLVED' WHERE resolved_at IS NOT NULL AND disposition IS NULL;

-- Set TTL tier based on error type (customize per hub)
UPDATE outreach.dol_errors SET ttl_tier = 'SHORT' WHERE failure_code IN ('RATE_LIMIT', 'TIMEOUT');
UPDATE outreach.dol_errors SET ttl_tier = 'MEDIUM' WHERE failure_code IN ('VALIDATION_ERROR', 'MISSING_DATA');

-- Mark exhausted retries
UPDATE outreach.dol_errors
SET retry_exhausted = TRUE,
    disposition = 'PARKED',
    parked_at = NOW(),
    parked_by = 'backfill',
    park_reason = 'MAX_RETRIES_EXCEEDED'
WHERE retry_count >= max_retries AND disposition = 'RETRY';
"""

SECTIONS_4_5 = [
    "SELECT * FROM shq.fn_run_error_governance_jobs();",
    "SELECT * FROM shq.fn_cleanup_expired_archives();",
    "SELECT * FROM shq.vw_error_governance_summary;",
    "SELECT * FROM shq.vw_blocking_errors_by_outreach;",
    "SELECT * FROM shq.vw_promotion_readiness_summary;",
]


def test_document_sections_4_to_6_run_as_written(pg_databases):
    """Existing rows from before the migrations, then the backfill and the scheduled queries."""
    conninfo = pg_databases.create(migrated=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(REFERENCE_SCHEMA.read_text())
        conn.execute(
            "INSERT INTO outreach.dol_errors (error_id, outreach_id, failure_code, resolved_at) VALUES"
            " (1, gen_random_uuid(), 'RATE_LIMIT', NULL),"
            " (2, gen_random_uuid(), 'VALIDATION_ERROR', now()),"
            " (3, gen_random_uuid(), 'EIN_NOT_FOUND', NULL)"
        )
        for migration in MIGRATIONS:
            conn.execute(migration.read_text())
        assert conn.execute("SELECT count(*) FROM outreach.dol_errors WHERE disposition IS NULL").fetchone() == (3,)
        conn.execute("UPDATE outreach.dol_errors SET retry_count = 5 WHERE error_id = 3")
        conn.execute(BACKFILL)
        rows = conn.execute(
            "SELECT error_id, disposition::text, ttl_tier::text, retry_exhausted, parked_by FROM outreach.dol_errors ORDER BY 1"
        ).fetchall()
        assert rows == [
            (1, "RETRY", "SHORT", False, None),
            (2, "RESOLVED", "MEDIUM", False, None),
            (3, "PARKED", "MEDIUM", True, "backfill"),
        ]
        for query in SECTIONS_4_5:
            conn.execute(query).fetchall()
        outreach_id = conn.execute("SELECT gen_random_uuid()").fetchone()[0]
        # Section 5's 'uuid-here' is a placeholder: with a real id the query runs as written.
        individual = "SELECT * FROM shq.vw_promotion_readiness WHERE outreach_id = 'uuid-here';"
        assert conn.execute(individual.replace("uuid-here", str(outreach_id))).fetchall() == []
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            conn.execute(individual)


def test_psql_leaves_the_steps_that_need_their_own_transaction_and_runs_them_with_gexec(pg_databases):
    conninfo = pg_databases.create(migrated=False)
    for path in [REFERENCE_SCHEMA, *MIGRATIONS]:
        assert psql_file(conninfo, path).returncode == 0
    with psycopg.connect(conninfo) as conn:
        # migration 1 built no index on the hub tables and validated no check: the steps are listed
        assert conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'outreach' AND indexname LIKE '%gov%'"
        ).fetchone() == (0,)
        steps = conn.execute("SELECT statement FROM shq.fn_governance_pending_steps()").fetchall()
        assert len(steps) == 24  # 4 on each of the six governed tables
        assert steps[0] == (
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS url_discovery_failures_gov_blocking_idx ON "
            "company.url_discovery_failures (outreach_id) WHERE disposition IS NULL OR disposition IN ('RETRY', 'PARKED')",
        )
        assert steps[3] == (
            "ALTER TABLE company.url_discovery_failures VALIDATE CONSTRAINT url_discovery_failures_escalation_level_check",
        )
        assert conn.execute(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'dol_errors_escalation_level_check'"
        ).fetchone() == (False,)
    # The README's way with psql: \gexec runs each row as a statement, outside a transaction.
    result = subprocess.run(
        [bin_path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
        input="SELECT statement FROM shq.fn_governance_pending_steps() \\gexec\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM shq.fn_governance_pending_steps()").fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid"
            " WHERE c.relname LIKE '%\\_gov\\_%' AND x.indisvalid"
        ).fetchone() == (18,)


def test_an_invalid_index_from_a_failed_concurrent_build_is_dropped_and_built_again(db):
    db.execute("DROP INDEX outreach.dol_errors_gov_park_idx")
    db.execute(
        "CREATE INDEX dol_errors_gov_park_idx ON outreach.dol_errors (error_id);"
        " UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'outreach.dol_errors_gov_park_idx'::regclass"
    )
    assert db.execute("SELECT statement FROM shq.fn_governance_pending_steps()").fetchall() == [
        ("DROP INDEX CONCURRENTLY IF EXISTS outreach.dol_errors_gov_park_idx",),
        (
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS dol_errors_gov_park_idx ON outreach.dol_errors (error_id)"
            " WHERE (disposition IS NULL OR disposition = 'RETRY') AND retry_count >= max_retries",
        ),
    ]


def test_a_migration_run_by_psql_waits_briefly_for_a_busy_table(pg_databases):
    conninfo = pg_databases.create(migrated=False)
    assert psql_file(conninfo, REFERENCE_SCHEMA).returncode == 0
    with psycopg.connect(conninfo) as holder:
        holder.execute("LOCK TABLE outreach.dol_errors IN ACCESS SHARE MODE")  # a long read, say
        started = time.monotonic()
        result = psql_file(conninfo, MIGRATIONS[0])
        waited = time.monotonic() - started
    assert result.returncode == 3
    assert "ERROR:  canceling statement due to lock timeout" in result.stderr
    assert 4 < waited < 30  # lock_timeout 5s: it gave up instead of queueing writers behind it


def test_the_generic_job_executors_are_not_for_everyone(db):
    role = f"lc_reader_{uuid.uuid4().hex[:8]}"
    db.execute(f'CREATE ROLE "{role}"; GRANT USAGE ON SCHEMA shq TO "{role}"')
    try:
        db.execute(f'SET ROLE "{role}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("SELECT * FROM shq.fn_run_chunked_job('x', 'live', 'SELECT 1', now(), 10, 1, NULL)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("SELECT * FROM shq.fn_run_keyset_job('x', 'SELECT 1', now(), 10, 1)")
    finally:
        db.execute("RESET ROLE")
        db.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
