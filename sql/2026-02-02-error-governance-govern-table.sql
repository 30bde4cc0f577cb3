-- 2026-02-02-error-governance-govern-table.sql  (migration 3, part 7 of 7)
--
-- Purpose: shq.fn_govern_error_table(), which puts any further error table under governance
-- without editing a migration (`lint-canon sql govern` calls it): its registry row, the
-- governance columns (shq.fn_add_governance_columns, migration 1), its archive
-- (shq.fn_create_error_archive, migration 2) and the monitoring views made again
-- (2026-02-02-error-governance-views.sql).
--
-- Decisions:
--   * Run again on a governed table, it changes only what its arguments name (NULL: keep).
--   * The job indexes and the check's validation are left to shq.fn_governance_pending_steps()
--     (they must run outside a transaction); `lint-canon sql govern` runs them.
--   * The id column is p_id_column, else the registered one, else the single-column primary
--     key. At first registration a column outreach_id is the outreach column and a column
--     failure_code the code column, unless named. p_hub_column names a column holding each
--     row's hub (a row's NULL falls back to p_hub).
--   * Refused with a message: what is not a table, a partitioned table (govern its
--     partitions), the archive of a governed table, a table without created_at (the TTL jobs
--     need it), max_retries below 0, a retention that is not positive, a column not there.
--   * The archive's name goes through shq.fn_governance_name() (within 63 bytes) and is never
--     the table itself nor another governed table's.
--   * lock_timeout: 5s unless the session set one, so that a busy table makes it give up
--     instead of queueing every writer behind it.
--   * An older signature (six arguments, before p_hub_column and p_code_column) is dropped
--     first: two would make a call ambiguous.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-governance-govern-table.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

-- Puts a further error table under governance: registry row, columns, archive, views. Run again
-- on a governed table, it changes only what its arguments name (NULL: keep). The job indexes and
-- the check's validation are left to shq.fn_governance_pending_steps() (they must run outside a
-- transaction); `lint-canon sql govern` runs them. p_hub_column names a column holding each
-- row's hub (a row's NULL falls back to p_hub); p_code_column the column of each row's failure
-- code, shown with its blocking errors (first registration: failure_code when the table has one).
DROP FUNCTION IF EXISTS shq.fn_govern_error_table(regclass, integer, interval, text, name, name);
CREATE OR REPLACE FUNCTION shq.fn_govern_error_table(
    p_table           regclass,
    p_max_retries     integer DEFAULT NULL,
    p_retention       interval DEFAULT NULL,
    p_hub             text DEFAULT NULL,
    p_id_column       name DEFAULT NULL,
    p_outreach_column name DEFAULT NULL,
    p_hub_column      name DEFAULT NULL,
    p_code_column     name DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema  name;
    v_table   name;
    v_kind    "char";
    v_id      name := p_id_column;
    v_out     name := p_outreach_column;
    v_code    name := p_code_column;
    v_column  name;
    v_archive name;
    v_old     shq.error_table_registry;
    v_row     shq.error_table_registry;
BEGIN
    IF current_setting('lock_timeout') IN ('0', '0ms') THEN
        PERFORM set_config('lock_timeout', '5s', true);  -- wait briefly for a busy table, then give up
    END IF;
    SELECT n.nspname, c.relname, c.relkind INTO v_schema, v_table, v_kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_table;
    IF v_kind IS NULL OR v_kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', p_table;
    END IF;
    IF v_kind = 'p' THEN
        RAISE EXCEPTION '%.% is partitioned: its rows live in its partitions, which the jobs read one table at a time; govern each partition instead',
            quote_ident(v_schema), quote_ident(v_table);
    END IF;
    IF EXISTS (SELECT 1 FROM shq.error_table_registry g
               WHERE g.archive_schema = v_schema AND g.archive_table = v_table) THEN
        RAISE EXCEPTION '%.% is the archive of a governed table, not an error table', quote_ident(v_schema), quote_ident(v_table);
    END IF;
    IF p_max_retries IS NOT NULL AND p_max_retries < 0 THEN
        RAISE EXCEPTION 'max_retries must be 0 or more, got %', p_max_retries;
    END IF;
    IF p_retention IS NOT NULL AND p_retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be a positive interval, got %', p_retention;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'created_at'
                   AND NOT attisdropped) THEN
        RAISE EXCEPTION 'table %.% has no created_at column, which the TTL jobs need', quote_ident(v_schema), quote_ident(v_table);
    END IF;
    FOREACH v_column IN ARRAY ARRAY[p_hub_column, p_code_column] LOOP
        IF v_column IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = v_column AND attnum > 0
            AND NOT attisdropped) THEN
            RAISE EXCEPTION 'table %.% has no column %', quote_ident(v_schema), quote_ident(v_table), quote_ident(v_column);
        END IF;
    END LOOP;
    SELECT * INTO v_old FROM shq.error_table_registry g WHERE g.table_schema = v_schema AND g.table_name = v_table;
    IF v_id IS NULL THEN
        v_id := v_old.id_column;
    END IF;
    IF v_id IS NULL THEN
        SELECT a.attname INTO v_id
        FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = p_table AND k.contype = 'p' AND cardinality(k.conkey) = 1;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'table %.% has no single-column primary key; pass p_id_column', quote_ident(v_schema), quote_ident(v_table);
        END IF;
    END IF;
    IF v_out IS NULL THEN
        v_out := v_old.outreach_column;
    END IF;
    IF v_out IS NULL AND v_old.table_name IS NULL AND EXISTS (
        SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'outreach_id' AND NOT attisdropped) THEN
        v_out := 'outreach_id';
    END IF;
    IF v_code IS NULL THEN
        v_code := v_old.code_column;
    END IF;
    IF v_code IS NULL AND v_old.table_name IS NULL AND EXISTS (
        SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'failure_code' AND NOT attisdropped) THEN
        v_code := 'failure_code';
    END IF;
    -- Within 63 bytes, and never the table itself nor another governed table.
    v_archive := coalesce(v_old.archive_table, shq.fn_governance_name(v_table, '_archive'));
    IF EXISTS (SELECT 1 FROM shq.error_table_registry g
               WHERE g.table_schema = v_schema AND g.table_name = v_archive)
       OR EXISTS (SELECT 1 FROM shq.error_table_registry g
                  WHERE g.archive_schema = v_schema AND g.archive_table = v_archive
                    AND (g.table_schema, g.table_name) <> (v_schema, v_table)) THEN
        RAISE EXCEPTION 'the archive name %.% of %.% is taken by another governed table; rename one of them',
            quote_ident(v_schema), quote_ident(v_archive), quote_ident(v_schema), quote_ident(v_table);
    END IF;

    INSERT INTO shq.error_table_registry AS g
        (table_schema, table_name, id_column, outreach_column, hub, max_retries, retention,
         archive_schema, archive_table, hub_column, code_column)
    VALUES (v_schema, v_table, v_id, v_out, p_hub, coalesce(p_max_retries, 3),
            coalesce(p_retention, interval '1 year'), v_schema, v_archive, p_hub_column, v_code)
    ON CONFLICT (table_schema, table_name) DO UPDATE
        SET max_retries = coalesce(p_max_retries, g.max_retries),
            retention = coalesce(p_retention, g.retention),
            hub = coalesce(p_hub, g.hub),
            id_column = EXCLUDED.id_column,
            outreach_column = EXCLUDED.outreach_column,
            hub_column = coalesce(p_hub_column, g.hub_column),
            code_column = EXCLUDED.code_column
    RETURNING * INTO v_row;

    PERFORM shq.fn_add_governance_columns(p_table, v_row.max_retries);
    IF p_max_retries IS NOT NULL THEN
        -- New rows get the new default; rows already there keep their own max_retries.
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN max_retries SET DEFAULT %s', v_schema, v_table, p_max_retries);
    END IF;
    PERFORM shq.fn_create_error_archive(p_table);
    PERFORM shq.fn_refresh_governance_views();
    RETURN format('%I.%I governed: archive %I.%I, max_retries %s, retention %s, hub %s',
                  v_schema, v_table, v_schema, v_archive, v_row.max_retries, v_row.retention,
                  CASE WHEN v_row.hub_column IS NULL THEN coalesce(v_row.hub, 'none (system-wide)')
                       ELSE format('per row (column %I, else %s)', v_row.hub_column,
                                   coalesce(v_row.hub, 'none: system-wide')) END);
END
$$;
