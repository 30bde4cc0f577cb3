-- 2026-02-02-error-governance-columns.sql  (migration 1 of 4)
--
-- Purpose: the governance columns of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.1 on every
-- hub-owned error table: disposition, retry_count, max_retries, archived_at, parked_at,
-- parked_by, park_reason, escalation_level, escalated_at, ttl_tier, last_retry_at,
-- next_retry_at, retry_exhausted; the two enums; and the registry of governed tables.
--
-- Decisions:
--   * The governed tables are data: shq.error_table_registry lists them (with their id column,
--     outreach-id column, owning hub, max_retries default, retention and archive table). The
--     five tables of the document are registered here; shq.fn_govern_error_table (migration 3)
--     registers any other table without editing a migration.
--   * disposition is added WITHOUT a value for existing rows (the backfill of section 6 sets
--     it), then gets DEFAULT 'RETRY' for new rows. Until backfilled, the jobs read NULL as RETRY.
--   * ttl_tier defaults to MEDIUM (30 days); max_retries defaults to 3, 5 on outreach.dol_errors.
--   * escalation_level is 0..3 (checked).
--   * Indexes serve the jobs of migration 3: the park and escalate predicates as partial
--     indexes, and unresolved errors by outreach id for the promotion blockers. (The archive
--     job reads each table in physical chunks and needs no index.)
--   * Every identifier in dynamic SQL is quoted with format('%I').
--
-- Safe to re-run: IF NOT EXISTS / ON CONFLICT everywhere; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-governance-columns.sql "$DATABASE_URL"

SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS shq;

DO $$
BEGIN
    IF to_regtype('shq.error_disposition') IS NULL THEN
        CREATE TYPE shq.error_disposition AS ENUM ('RETRY', 'PARKED', 'ARCHIVED', 'IGNORE', 'RESOLVED');
    END IF;
    IF to_regtype('shq.ttl_tier') IS NULL THEN
        CREATE TYPE shq.ttl_tier AS ENUM ('SHORT', 'MEDIUM', 'LONG', 'INFINITE');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS shq.error_table_registry (
    table_schema    name NOT NULL,
    table_name      name NOT NULL,
    id_column       name NOT NULL,
    outreach_column name,            -- NULL: its rows name no outreach id and block nothing
    hub             text,            -- owning hub; NULL: system-wide (blocks the all-hub tiers)
    max_retries     integer NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    retention       interval NOT NULL DEFAULT interval '1 year',
    archive_schema  name NOT NULL,
    archive_table   name NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_schema, table_name)
);

COMMENT ON TABLE shq.error_table_registry IS
    'Error tables under governance. Add one with shq.fn_govern_error_table(), not by hand.';

-- Adds the governance columns and the job indexes to one error table.
CREATE OR REPLACE FUNCTION shq.fn_add_governance_columns(p_table regclass, p_max_retries integer DEFAULT 3)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema name;
    v_table  name;
    v_id     name;
    v_out    name;
    v_qual   text;
BEGIN
    SELECT n.nspname, c.relname INTO v_schema, v_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_table;
    v_qual := format('%I.%I', v_schema, v_table);

    SELECT r.id_column, r.outreach_column INTO v_id, v_out
    FROM shq.error_table_registry r
    WHERE r.table_schema = v_schema AND r.table_name = v_table;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'table % is not in shq.error_table_registry; use shq.fn_govern_error_table()', v_qual;
    END IF;

    EXECUTE format(
        'ALTER TABLE %s
            ADD COLUMN IF NOT EXISTS disposition      shq.error_disposition,
            ADD COLUMN IF NOT EXISTS retry_count      integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS max_retries      integer NOT NULL DEFAULT %s,
            ADD COLUMN IF NOT EXISTS archived_at      timestamptz,
            ADD COLUMN IF NOT EXISTS parked_at        timestamptz,
            ADD COLUMN IF NOT EXISTS parked_by        text,
            ADD COLUMN IF NOT EXISTS park_reason      text,
            ADD COLUMN IF NOT EXISTS escalation_level integer NOT NULL DEFAULT 0
                CHECK (escalation_level BETWEEN 0 AND 3),
            ADD COLUMN IF NOT EXISTS escalated_at     timestamptz,
            ADD COLUMN IF NOT EXISTS ttl_tier         shq.ttl_tier NOT NULL DEFAULT %L,
            ADD COLUMN IF NOT EXISTS last_retry_at    timestamptz,
            ADD COLUMN IF NOT EXISTS next_retry_at    timestamptz,
            ADD COLUMN IF NOT EXISTS retry_exhausted  boolean NOT NULL DEFAULT false',
        v_qual, p_max_retries, 'MEDIUM');
    -- Existing rows keep disposition NULL for the backfill; new rows start as RETRY.
    EXECUTE format('ALTER TABLE %s ALTER COLUMN disposition SET DEFAULT %L', v_qual, 'RETRY');

    -- Auto-park and escalation: partial indexes listing exactly the rows those jobs touch.
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON %s (%I)
            WHERE (disposition IS NULL OR disposition = %L) AND retry_count >= max_retries',
        v_table || '_gov_park_idx', v_qual, v_id, 'RETRY');
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON %s (%I)
            WHERE disposition = %L AND escalation_level < 3',
        v_table || '_gov_escalate_idx', v_qual, v_id, 'PARKED');
    -- Promotion blockers: unresolved errors by outreach id.
    IF v_out IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS %I ON %s (%I)
                WHERE disposition IS NULL OR disposition IN (%L, %L)',
            v_table || '_gov_blocking_idx', v_qual, v_out, 'RETRY', 'PARKED');
    END IF;
END
$$;

-- The five error tables of the document (section 1.1), with their overrides.
INSERT INTO shq.error_table_registry
    (table_schema, table_name, id_column, outreach_column, hub, max_retries, retention, archive_schema, archive_table)
VALUES
    ('outreach', 'dol_errors',             'error_id', 'outreach_id', 'HUB-DOL',            5, interval '1 year',  'outreach', 'dol_errors_archive'),
    ('outreach', 'company_target_errors',  'error_id', 'outreach_id', 'HUB-COMPANY-TARGET', 3, interval '1 year',  'outreach', 'company_target_errors_archive'),
    ('people',   'people_errors',          'error_id', 'outreach_id', 'HUB-PEOPLE',         3, interval '1 year',  'people',   'people_errors_archive'),
    ('company',  'url_discovery_failures', 'error_id', 'outreach_id', 'HUB-COMPANY-TARGET', 3, interval '1 year',  'company',  'url_discovery_failures_archive'),
    ('public',   'shq_error_log',          'error_id', 'outreach_id', NULL,                 3, interval '2 years', 'public',   'shq_error_log_archive')
ON CONFLICT (table_schema, table_name) DO NOTHING;

DO $$
DECLARE
    v_missing text;
BEGIN
    SELECT string_agg(format('%I.%I', table_schema, table_name), ', ' ORDER BY table_schema, table_name)
    INTO v_missing
    FROM shq.error_table_registry
    WHERE to_regclass(format('%I.%I', table_schema, table_name)) IS NULL;
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'error tables missing: %', v_missing
            USING HINT = 'create the hub tables first (fixtures/reference_schema.sql has them)';
    END IF;
END
$$;

SELECT shq.fn_add_governance_columns(format('%I.%I', table_schema, table_name)::regclass, max_retries)
FROM shq.error_table_registry
ORDER BY table_schema, table_name;
