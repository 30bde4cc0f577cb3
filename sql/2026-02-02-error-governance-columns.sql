-- 2026-02-02-error-governance-columns.sql  (migration 1 of 5)
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
--   * A table whose rows belong to different hubs (shq.guard_violations: a violation's hub is
--     the hub the refused call was for) names the column holding each row's hub in hub_column;
--     a row whose hub_column is NULL falls back to the table's `hub`. Every reader of a table's
--     hub (the views of migration 3, the blocking checker of migration 4) goes through it.
--     code_column names the column of each row's failure code (the guard's V-code), which the
--     blocking view and the promotion blockers then show. The five tables of the document have
--     neither, so their views and blockers read as the document's tests pin them; a team may
--     turn codes on for one with shq.fn_govern_error_table(t, p_code_column => 'failure_code').
--   * disposition is added WITHOUT a value for existing rows (the backfill of section 6 sets
--     it), then gets DEFAULT 'RETRY' for new rows. Until backfilled, the jobs read NULL as RETRY.
--   * ttl_tier defaults to MEDIUM (30 days); max_retries defaults to 3, 5 on outreach.dol_errors.
--   * escalation_level is 0..3, checked by a constraint added NOT VALID here and validated later
--     in a transaction of its own (below): VALIDATE scans the table under SHARE UPDATE
--     EXCLUSIVE, which lets reads and writes go on, where an inline CHECK would scan it under
--     ACCESS EXCLUSIVE. The new columns have constant
--     defaults, so adding them rewrites nothing (a catalog change, one short exclusive lock).
--   * Indexes serve the jobs of migration 3: the park and escalate predicates as partial
--     indexes, and unresolved errors by outreach id for the promotion blockers. (The archive
--     job reads each table in physical chunks and needs no index.) They are NOT built here:
--     a plain CREATE INDEX blocks the table's writers for the whole build, and CREATE INDEX
--     CONCURRENTLY cannot run in a transaction or a function. shq.fn_governance_pending_steps()
--     lists the statements still to run (CREATE INDEX CONCURRENTLY for a missing or INVALID
--     index, VALIDATE CONSTRAINT for the check below); `lint-canon sql apply` and `sql govern`
--     run them one by one, each in its own transaction, and so does psql with
--     echo 'SELECT statement FROM shq.fn_governance_pending_steps() \gexec' | psql "$DATABASE_URL"
--   * Names derived from a table's (index, constraint, archive) go through
--     shq.fn_governance_name(), which keeps them within PostgreSQL's 63 bytes without two
--     names truncating to the same one.
--   * lock_timeout: 5s unless the session set one (the runner sets --lock-timeout), so a step
--     that waits for a busy table gives up instead of queueing every writer behind it.
--   * Every identifier in dynamic SQL is quoted with format('%I').
--
-- Safe to re-run: IF NOT EXISTS / ON CONFLICT everywhere; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-governance-columns.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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
    hub_column      name,            -- each row's hub (NULL in a row: the table's hub); NULL: `hub`
    code_column     name,            -- each row's failure code, shown with its blocking errors
    PRIMARY KEY (table_schema, table_name)
);
-- A registry made before hub_column and code_column gains them here (at the end, as above).
ALTER TABLE shq.error_table_registry
    ADD COLUMN IF NOT EXISTS hub_column  name,
    ADD COLUMN IF NOT EXISTS code_column name;

COMMENT ON TABLE shq.error_table_registry IS
    'Error tables under governance. Add one with shq.fn_govern_error_table(), not by hand.';

-- A name for an object derived from a table (p_base || p_suffix) that fits in 63 bytes: when
-- it would not, the base is cut and a hash of the whole base added, so two long names that
-- share their first 63 bytes still get different names.
CREATE OR REPLACE FUNCTION shq.fn_governance_name(p_base text, p_suffix text)
RETURNS name
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
    v_tag  text := '_' || left(md5(p_base), 8);
    v_base text := p_base;
BEGIN
    IF octet_length(p_base || p_suffix) <= 63 THEN
        RETURN p_base || p_suffix;
    END IF;
    WHILE octet_length(v_base || v_tag || p_suffix) > 63 LOOP
        v_base := left(v_base, -1);  -- by characters, so a multibyte one is never split
    END LOOP;
    RETURN v_base || v_tag || p_suffix;
END
$$;

-- The job indexes of one registered error table: (name, definition without CONCURRENTLY).
CREATE OR REPLACE FUNCTION shq.fn_governance_indexes(r shq.error_table_registry)
RETURNS TABLE (index_name name, definition text)
LANGUAGE sql
STABLE
AS $$
    -- Auto-park and escalation: partial indexes listing exactly the rows those jobs touch.
    SELECT shq.fn_governance_name(r.table_name, '_gov_park_idx'),
           format('ON %I.%I (%I) WHERE (disposition IS NULL OR disposition = %L) AND retry_count >= max_retries',
                  r.table_schema, r.table_name, r.id_column, 'RETRY')
    UNION ALL
    SELECT shq.fn_governance_name(r.table_name, '_gov_escalate_idx'),
           format('ON %I.%I (%I) WHERE disposition = %L AND escalation_level < 3',
                  r.table_schema, r.table_name, r.id_column, 'PARKED')
    UNION ALL
    -- Promotion blockers: unresolved errors by outreach id.
    SELECT shq.fn_governance_name(r.table_name, '_gov_blocking_idx'),
           format('ON %I.%I (%I) WHERE disposition IS NULL OR disposition IN (%L, %L)',
                  r.table_schema, r.table_name, r.outreach_column, 'RETRY', 'PARKED')
    WHERE r.outreach_column IS NOT NULL
$$;

-- What is left to do on the governed tables that must not run in a migration's transaction,
-- as statements to run one by one, each in a transaction of its own (autocommit): build the job
-- indexes CONCURRENTLY (an INVALID one, from a concurrent build that failed, is dropped and
-- built again), then validate the NOT VALID checks. Empty once everything is done.
CREATE OR REPLACE FUNCTION shq.fn_governance_pending_steps()
RETURNS TABLE (error_table text, object_name name, statement text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    r       shq.error_table_registry;
    i       record;
    v_valid boolean;
    v_check name;
BEGIN
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        CONTINUE WHEN to_regclass(format('%I.%I', r.table_schema, r.table_name)) IS NULL;
        error_table := format('%I.%I', r.table_schema, r.table_name);
        FOR i IN SELECT * FROM shq.fn_governance_indexes(r) ORDER BY 1 LOOP
            object_name := i.index_name;
            SELECT x.indisvalid INTO v_valid
            FROM pg_index x WHERE x.indexrelid = to_regclass(format('%I.%I', r.table_schema, i.index_name));
            IF v_valid THEN
                CONTINUE;
            END IF;
            IF v_valid IS NOT NULL THEN  -- INVALID: a concurrent build that failed
                statement := format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', r.table_schema, i.index_name);
                RETURN NEXT;
            END IF;
            statement := format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I %s', i.index_name, i.definition);
            RETURN NEXT;
        END LOOP;
        v_check := shq.fn_governance_name(r.table_name, '_escalation_level_check');
        IF EXISTS (SELECT 1 FROM pg_constraint k
                   WHERE k.conrelid = to_regclass(error_table) AND k.conname = v_check AND NOT k.convalidated) THEN
            object_name := v_check;
            statement := format('ALTER TABLE %s VALIDATE CONSTRAINT %I', error_table, v_check);
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;

-- Adds the governance columns and the escalation_level check to one error table (the job
-- indexes are built by fn_governance_pending_steps(), outside any transaction).
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
            ADD COLUMN IF NOT EXISTS escalation_level integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS escalated_at     timestamptz,
            ADD COLUMN IF NOT EXISTS ttl_tier         shq.ttl_tier NOT NULL DEFAULT %L,
            ADD COLUMN IF NOT EXISTS last_retry_at    timestamptz,
            ADD COLUMN IF NOT EXISTS next_retry_at    timestamptz,
            ADD COLUMN IF NOT EXISTS retry_exhausted  boolean NOT NULL DEFAULT false',
        v_qual, p_max_retries, 'MEDIUM');
    -- Existing rows keep disposition NULL for the backfill; new rows start as RETRY.
    EXECUTE format('ALTER TABLE %s ALTER COLUMN disposition SET DEFAULT %L', v_qual, 'RETRY');

    -- Added NOT VALID (no scan); fn_governance_pending_steps() validates it in a transaction of
    -- its own, which does not block the table's writers. A check on escalation_level that the
    -- table already has (an older version's inline one) will do.
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint k
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        WHERE k.conrelid = p_table AND k.contype = 'c' AND a.attname = 'escalation_level'
    ) THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (escalation_level BETWEEN 0 AND 3) NOT VALID',
                       v_qual, shq.fn_governance_name(v_table, '_escalation_level_check'));
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
