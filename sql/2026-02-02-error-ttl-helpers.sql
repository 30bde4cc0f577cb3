-- 2026-02-02-error-ttl-helpers.sql  (migration 3, part 2 of 7)
--
-- Purpose: the small functions the governance jobs share: shq.fn_get_ttl_interval() (the TTL
-- tiers of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.3); the schedules' advisory lock
-- (fn_schedule_lock_key, fn_schedule_of, fn_job_lock); the run log's writer fn_log_job_run; the
-- column lists and id type a job's statement needs (fn_copy_columns, fn_park_back_columns,
-- fn_id_type); the start of every job (fn_job_begin); fn_check_not_partitioned; a job's place
-- (fn_job_position, fn_save_job_position); the size of a chunk (fn_chunk_blocks).
--
-- Decisions:
--   * TTL tiers: SHORT 7 days, MEDIUM 30 days, LONG 90 days, INFINITE never (from created_at).
--   * A schedule is one unit: the daily jobs (archive, then park, then escalate) share one
--     advisory lock, the weekly cleanup another (shq.fn_schedule_lock_key). The master runner
--     takes it for its transaction; `lint-canon sql jobs` holds it on its session for the whole
--     schedule, across its one-batch transactions; each job function takes it too (a lock its
--     own session holds is granted again). So a second runner, from the CLI or SQL, gets status
--     'skipped' and changes nothing, and any overlap of runners ends as one run ends. (A lock
--     per job let a second runner park TTL-expired rows while the first was still archiving.)
--   * A partitioned table (rows in its partitions, none in it) is reported failed by the jobs
--     (fn_check_not_partitioned), never "ok, 0 rows"; govern its partitions instead.
--   * A chunk holds about p_rows rows' worth of blocks, from the table's statistics (50 rows a
--     block when it has none yet).
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-helpers.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

CREATE OR REPLACE FUNCTION shq.fn_get_ttl_interval(p_tier shq.ttl_tier)
RETURNS interval
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE p_tier
        WHEN 'SHORT'  THEN interval '7 days'
        WHEN 'MEDIUM' THEN interval '30 days'
        WHEN 'LONG'   THEN interval '90 days'
        ELSE NULL  -- INFINITE: never expires
    END
$$;

-- The advisory lock of a schedule ('daily' or 'weekly'): one key for the CLI's session lock and
-- the functions' transaction locks, which conflict across sessions.
CREATE OR REPLACE FUNCTION shq.fn_schedule_lock_key(p_schedule text, OUT key1 integer, OUT key2 integer)
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT hashtext('lint-canon governance'), hashtext(p_schedule)
$$;

CREATE OR REPLACE FUNCTION shq.fn_schedule_of(p_job text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE WHEN p_job = 'cleanup_expired_archives' THEN 'weekly' ELSE 'daily' END
$$;

CREATE OR REPLACE FUNCTION shq.fn_job_lock(p_job text)
RETURNS boolean
LANGUAGE sql
AS $$
    SELECT pg_try_advisory_xact_lock(k.key1, k.key2) FROM shq.fn_schedule_lock_key(shq.fn_schedule_of(p_job)) k
$$;

CREATE OR REPLACE FUNCTION shq.fn_log_job_run(
    p_job text, p_table text, p_now timestamptz, p_batch_size integer, p_rows bigint,
    p_status text, p_message text, p_started timestamptz)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO shq.governance_job_runs
        (job_name, error_table, as_of, batch_size, rows_affected, status, message, started_at)
    VALUES (p_job, p_table, p_now, p_batch_size, p_rows, p_status, p_message, p_started)
$$;

-- The columns of an error table, quoted, in order, except those the archive job sets itself.
CREATE OR REPLACE FUNCTION shq.fn_copy_columns(p_table regclass)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum)
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attname NOT IN ('disposition', 'archived_at')
$$;

-- The columns of an error table, quoted, that an INSERT may set, except those the archive job
-- sets itself when it puts a row back parked (generated columns cannot be set).
CREATE OR REPLACE FUNCTION shq.fn_park_back_columns(p_table regclass)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum)
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      AND a.attname NOT IN ('disposition', 'parked_at', 'parked_by', 'park_reason', 'escalation_level',
                            'escalated_at', 'next_retry_at')
$$;

CREATE OR REPLACE FUNCTION shq.fn_id_type(p_table regclass, p_column name)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attname = p_column AND NOT a.attisdropped
$$;

-- The start of every job: a valid batch size and the schedule's lock; false (logged 'skipped')
-- when another runner holds the schedule.
CREATE OR REPLACE FUNCTION shq.fn_job_begin(p_job text, p_now timestamptz, p_batch_size integer, p_started timestamptz)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'batch size must be at least 1, got %', p_batch_size;
    END IF;
    IF shq.fn_job_lock(p_job) THEN
        RETURN true;
    END IF;
    PERFORM shq.fn_log_job_run(p_job, NULL, p_now, p_batch_size, 0, 'skipped',
        format('another runner holds the %s schedule', shq.fn_schedule_of(p_job)), p_started);
    RETURN false;
END
$$;

-- A partitioned table keeps no rows of its own: a job would report "ok, 0 rows" forever.
CREATE OR REPLACE FUNCTION shq.fn_check_not_partitioned(p_table text)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(p_table)) = 'p' THEN
        RAISE EXCEPTION '% is partitioned: its rows live in its partitions, which the jobs do not read; '
            'govern each partition as a table of its own', p_table;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_job_position(p_job text, p_table text, p_now timestamptz)
RETURNS TABLE (resume_at text, finished boolean)
LANGUAGE sql
STABLE
AS $$
    SELECT g.resume_at, g.finished FROM shq.governance_job_progress g
    WHERE g.job_name = p_job AND g.error_table = p_table AND g.as_of = p_now
$$;

CREATE OR REPLACE FUNCTION shq.fn_save_job_position(
    p_job text, p_table text, p_now timestamptz, p_position text, p_finished boolean)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO shq.governance_job_progress AS g (job_name, error_table, as_of, resume_at, finished)
    VALUES (p_job, p_table, p_now, p_position, p_finished)
    ON CONFLICT (job_name, error_table) DO UPDATE
        SET as_of = EXCLUDED.as_of, resume_at = EXCLUDED.resume_at, finished = EXCLUDED.finished
$$;

-- Blocks of a table and how many of them hold about p_rows rows (from the statistics).
CREATE OR REPLACE FUNCTION shq.fn_chunk_blocks(p_table regclass, p_rows integer)
RETURNS TABLE (blocks bigint, step bigint)
LANGUAGE sql
STABLE
AS $$
    SELECT pg_relation_size(p_table) / current_setting('block_size')::bigint,
           greatest(1, ceil(p_rows / CASE WHEN c.relpages > 0 AND c.reltuples > 0
                                          THEN c.reltuples / c.relpages ELSE 50 END))::bigint
    FROM pg_class c WHERE c.oid = p_table
$$;
