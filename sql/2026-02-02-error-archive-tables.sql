-- 2026-02-02-error-archive-tables.sql  (migration 2 of 5)
--
-- Purpose: the archive tables of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.2, one per
-- governed error table (<table>_archive in the same schema), with the archive metadata:
-- archived_at, archived_by, archive_reason (TTL_EXPIRED, MANUAL, RESOLVED, SUPERSEDED),
-- final_disposition and retention_expires_at.
--
-- Decisions:
--   * An archive table has every column of its error table (governance columns included) and
--     its primary key is the ORIGINAL row id: archiving a row twice fails loudly instead of
--     duplicating it.
--   * Retention comes from the registry: 1 year, 2 years for public.shq_error_log.
--   * shq.fn_create_error_archive() is re-runnable: it also adds to the archive any column the
--     error table gained since (so that the archive job can copy whole rows).
--
--   * Names derived from the archive's (primary key, index) go through shq.fn_governance_name()
--     (migration 1): within 63 bytes, and distinct for two long names.
--   * lock_timeout: 5s unless the session set one (the runner sets --lock-timeout).
--
-- Safe to re-run; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-archive-tables.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

DO $$
BEGIN
    IF to_regtype('shq.archive_reason') IS NULL THEN
        CREATE TYPE shq.archive_reason AS ENUM ('TTL_EXPIRED', 'MANUAL', 'RESOLVED', 'SUPERSEDED');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_create_error_archive(p_table regclass)
RETURNS regclass
LANGUAGE plpgsql
AS $$
DECLARE
    r        shq.error_table_registry;
    v_schema name;
    v_table  name;
    v_arch   text;
    v_col    record;
BEGIN
    SELECT n.nspname, c.relname INTO v_schema, v_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_table;
    SELECT * INTO r FROM shq.error_table_registry
    WHERE table_schema = v_schema AND table_name = v_table;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table %.% is not in shq.error_table_registry; use shq.fn_govern_error_table()',
            v_schema, v_table;
    END IF;
    v_arch := format('%I.%I', r.archive_schema, r.archive_table);

    -- LIKE copies the columns and NOT NULL constraints, not defaults or identity.
    EXECUTE format('CREATE TABLE IF NOT EXISTS %s (LIKE %I.%I)', v_arch, v_schema, v_table);

    -- Columns the error table gained after its archive was made.
    FOR v_col IN
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS coltype
        FROM pg_attribute a
        WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
          AND NOT EXISTS (
              SELECT 1 FROM pg_attribute b
              WHERE b.attrelid = v_arch::regclass AND b.attname = a.attname AND NOT b.attisdropped)
        ORDER BY a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', v_arch, v_col.attname, v_col.coltype);
    END LOOP;

    EXECUTE format(
        'ALTER TABLE %s
            ADD COLUMN IF NOT EXISTS archived_by          text,
            ADD COLUMN IF NOT EXISTS archive_reason       shq.archive_reason,
            ADD COLUMN IF NOT EXISTS final_disposition    shq.error_disposition,
            ADD COLUMN IF NOT EXISTS retention_expires_at timestamptz',
        v_arch);

    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = v_arch::regclass AND contype = 'p') THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%I)',
            v_arch, shq.fn_governance_name(r.archive_table, '_pkey'), r.id_column);
    END IF;
    -- Weekly cleanup: keyset on (retention_expires_at, id). Built with the archive, while it is
    -- empty (the archive is ours: no writer waits on it yet).
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (retention_expires_at, %I)',
        shq.fn_governance_name(r.archive_table, '_retention_idx'), v_arch, r.id_column);
    RETURN v_arch::regclass;
END
$$;

SELECT shq.fn_create_error_archive(format('%I.%I', table_schema, table_name)::regclass)
FROM shq.error_table_registry
ORDER BY table_schema, table_name;
