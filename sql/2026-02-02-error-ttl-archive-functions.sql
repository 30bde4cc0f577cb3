-- 2026-02-02-error-ttl-archive-functions.sql  (migration 3 of 5)
--
-- Purpose: the TTL / archive / park / escalate / cleanup jobs of
-- ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.3 and 4, their master runner, the job-run log,
-- the monitoring views of section 5, and shq.fn_govern_error_table() that puts any further
-- error table under governance.
--
-- Decisions:
--   * TTL tiers: SHORT 7 days, MEDIUM 30 days, LONG 90 days, INFINITE never (from created_at).
--   * What archives: rows past their TTL unless PARKED (parked rows wait for a person and
--     escalate instead), with reason RESOLVED for RESOLVED rows and TTL_EXPIRED for the others;
--     rows set to disposition ARCHIVED by hand archive on the next run, reason MANUAL.
--   * Park: RETRY rows (or not yet backfilled NULL ones) with retry_count >= max_retries become
--     PARKED, retry_exhausted, parked_by = the function, park_reason MAX_RETRIES_EXCEEDED.
--   * Escalation by age of parking: level 1 after 24 hours, 2 after 72 hours, 3 after 7 days.
--   * Cleanup deletes archive rows whose retention_expires_at has passed.
--   * Every job is set-based and batched; no batch locks more than about p_batch_size rows.
--     Archive and cleanup walk each table in physical chunks (a TID range scan of about
--     p_batch_size rows' worth of blocks per batch): every block is read once, so a run costs
--     one pass over the table, like a single statement, and grows linearly, whatever the order
--     of the rows on disk. (Keyset batches over a TTL index revisit every heap page in every
--     batch when rows are not stored in created_at order: measured 2.5x a single statement at
--     a million rows.) A move is DELETE ... RETURNING feeding INSERT in one statement, so a
--     row ends live or archived, never both, never neither; a row another session changes
--     meanwhile is re-checked, not moved blindly. The archive's primary key is the original
--     id; a row whose id the archive already holds (a sequence reset, a restore) is not
--     archived but PARKED with park_reason ARCHIVE_ID_TAKEN, for a person to look at, and the
--     rest of the table archives as usual. Park and escalate touch few rows: keyset batches
--     over partial indexes that list exactly their candidates, locked FOR UPDATE SKIP LOCKED.
--   * p_now (default now()) makes runs deterministic. p_max_batches (per table) lets a runner
--     call a job one batch per transaction (lint-canon sql jobs): the job keeps its place in
--     shq.governance_job_progress for that p_now and the next call goes on from there; the
--     result's `more` says whether a table has work left. NULL means "until done", which is
--     what the document's `SELECT * FROM shq.fn_run_error_governance_jobs();` does.
--   * A schedule is one unit: the daily jobs (archive, then park, then escalate) share one
--     advisory lock, the weekly cleanup another (shq.fn_schedule_lock_key). The master runner
--     takes it for its transaction; `lint-canon sql jobs` holds it on its session for the whole
--     schedule, across its one-batch transactions; each job function takes it too (a lock its
--     own session holds is granted again). So a second runner, from the CLI or SQL, gets status
--     'skipped' and changes nothing, and any overlap of runners ends as one run ends. (A lock
--     per job let a second runner park TTL-expired rows while the first was still archiving.)
--   * Every run is logged in shq.governance_job_runs. The master runner runs the three daily
--     jobs each in its own subtransaction, and each job runs each table in its own: a failing
--     job or table is logged 'failed' with its message and the others still run. A
--     partitioned table (rows in its partitions, none in it) is reported failed, never "ok, 0
--     rows"; govern its partitions instead.
--   * The generic executors (fn_run_chunked_job, fn_run_keyset_job) run SQL text they are
--     given: not executable by PUBLIC. The job functions are what a scheduler calls.
--   * The views are generated from the registry by shq.fn_refresh_governance_views() (called
--     here and by shq.fn_govern_error_table): no table list is written twice. A table with a
--     per-row hub (registry hub_column) is grouped by each row's hub, so a row blocks its own
--     hub; vw_blocking_errors_by_outreach ends with failure_codes, the distinct codes of the
--     blocking rows of a table with a code_column (NULL for the others).
--
-- Safe to re-run; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-archive-functions.sql "$DATABASE_URL"

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

CREATE TABLE IF NOT EXISTS shq.governance_job_runs (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name      text NOT NULL,
    error_table   text,
    as_of         timestamptz NOT NULL,
    batch_size    integer,
    rows_affected bigint NOT NULL DEFAULT 0,
    status        text NOT NULL CHECK (status IN ('ok', 'skipped', 'failed')),
    message       text,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS governance_job_runs_job_idx ON shq.governance_job_runs (job_name, started_at);

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

-- Where a runner that calls a job one batch per transaction (p_max_batches) goes on from.
CREATE TABLE IF NOT EXISTS shq.governance_job_progress (
    job_name    text NOT NULL,
    error_table text NOT NULL,
    as_of       timestamptz NOT NULL,
    resume_at   text,            -- next block (chunked jobs) or last id done (keyset jobs)
    finished    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_name, error_table)
);

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

-- A job over physical chunks of each table: `p_statement` moves or deletes the rows of the
-- blocks [$1, $2) it should, with $3 = p_now and $4 = the table's retention, and returns how
-- many. Every block is read once (a TID range scan), so the cost is one pass over the table
-- whatever the physical order of the rows; each chunk holds about p_batch_size rows, which
-- bounds the row locks of a batch.
DROP FUNCTION IF EXISTS shq.fn_run_chunked_job(text, text, text, timestamptz, integer, integer);
CREATE OR REPLACE FUNCTION shq.fn_run_chunked_job(
    p_job         text,
    p_target      text,      -- 'live' (the error tables) or 'archive' (their archives)
    p_statement   text,      -- format() template: %1$s the table, %2$s the archive, %3$s copy columns,
                             -- %4$I the id, %5$s the columns a row put back parked keeps
    p_now         timestamptz,
    p_batch_size  integer,
    p_max_batches integer,
    p_on_conflict text DEFAULT NULL)  -- the chunk's statement again, for when p_statement hits a
                                      -- unique violation (run in its place; NULL: fail)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_table   text;
    v_live    text;
    v_stmt    text;
    v_blocks  bigint;
    v_step    bigint;
    v_block   bigint;
    v_pos     text;
    v_done    boolean;
    v_rows    bigint;
    v_total   bigint;
    v_batches integer;
    v_status  text;
    v_message text;
BEGIN
    IF NOT shq.fn_job_begin(p_job, p_now, p_batch_size, v_started) THEN
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text, true;
        RETURN;
    END IF;
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_live := format('%I.%I', r.table_schema, r.table_name);
        v_table := CASE p_target WHEN 'live' THEN v_live ELSE format('%I.%I', r.archive_schema, r.archive_table) END;
        v_block := 0;
        v_total := 0;
        v_batches := 0;
        v_pos := NULL;
        IF p_max_batches IS NOT NULL THEN
            SELECT p.resume_at, p.finished INTO v_pos, v_done FROM shq.fn_job_position(p_job, v_table, p_now) p;
            IF v_done THEN
                RETURN QUERY SELECT v_table, 0::bigint, 0, 'ok'::text, false;
                CONTINUE;
            END IF;
            v_block := coalesce(v_pos::bigint, 0);
        END IF;
        v_status := 'ok';
        v_message := NULL;
        -- Each table in a subtransaction of its own: one that fails is reported, the others run.
        BEGIN
            PERFORM shq.fn_check_not_partitioned(v_live);
            v_stmt := format(p_statement, v_live, format('%I.%I', r.archive_schema, r.archive_table),
                             shq.fn_copy_columns(v_live::regclass), r.id_column,
                             shq.fn_park_back_columns(v_live::regclass));
            SELECT c.blocks, c.step INTO v_blocks, v_step FROM shq.fn_chunk_blocks(v_table::regclass, p_batch_size) c;
            WHILE v_block < v_blocks LOOP
                EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
                IF p_on_conflict IS NULL THEN
                    EXECUTE v_stmt INTO v_rows
                        USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now, r.retention;
                ELSE
                    -- The plain statement is the fast path; a unique violation (rare) rolls this
                    -- chunk back and runs the careful statement instead.
                    BEGIN
                        EXECUTE v_stmt INTO v_rows
                            USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now,
                                  r.retention;
                    EXCEPTION WHEN unique_violation THEN
                        EXECUTE format(p_on_conflict, v_live, format('%I.%I', r.archive_schema, r.archive_table),
                                       shq.fn_copy_columns(v_live::regclass), r.id_column,
                                       shq.fn_park_back_columns(v_live::regclass)) INTO v_rows
                            USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now,
                                  r.retention;
                    END;
                END IF;
                v_block := v_block + v_step;
                v_total := v_total + v_rows;
                IF v_rows > 0 THEN
                    v_batches := v_batches + 1;
                END IF;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            v_status := 'failed';
            v_message := SQLERRM;
            v_total := 0;
            v_batches := 0;
        END;
        IF p_max_batches IS NOT NULL THEN
            -- A failed table is done for this run (p_now): the next call does not retry it.
            PERFORM shq.fn_save_job_position(p_job, v_table, p_now, v_block::text,
                                             v_status = 'failed' OR v_block >= v_blocks);
        END IF;
        PERFORM shq.fn_log_job_run(p_job, v_table, p_now, p_batch_size, v_total, v_status, v_message, v_started);
        RETURN QUERY SELECT v_table, v_total, v_batches, v_status, v_status = 'ok' AND v_block < v_blocks;
    END LOOP;
END
$$;

-- A job over the rows a partial index lists (few, in the steady state), in keyset batches of
-- p_batch_size ids: `p_statement` gets $1 = the last id done (NULL at first, cast with %2$s),
-- $2 = p_batch_size, $3 = p_now, and returns (rows looked at, rows changed, last id).
CREATE OR REPLACE FUNCTION shq.fn_run_keyset_job(
    p_job         text,
    p_statement   text,      -- format() template: %1$I the id column, %2$s the table, %3$s the keyset condition
    p_now         timestamptz,
    p_batch_size  integer,
    p_max_batches integer)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_table   text;
    v_first   text;
    v_next    text;
    v_last_id text;
    v_done    boolean;
    v_seen    bigint;
    v_rows    bigint;
    v_total   bigint;
    v_batches integer;
    v_status  text;
    v_message text;
BEGIN
    IF NOT shq.fn_job_begin(p_job, p_now, p_batch_size, v_started) THEN
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text, true;
        RETURN;
    END IF;
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_table := format('%I.%I', r.table_schema, r.table_name);
        v_total := 0;
        v_batches := 0;
        v_last_id := NULL;
        v_seen := p_batch_size;
        IF p_max_batches IS NOT NULL THEN
            SELECT p.resume_at, p.finished INTO v_last_id, v_done FROM shq.fn_job_position(p_job, v_table, p_now) p;
            IF v_done THEN
                RETURN QUERY SELECT v_table, 0::bigint, 0, 'ok'::text, false;
                CONTINUE;
            END IF;
        END IF;
        v_status := 'ok';
        v_message := NULL;
        -- Each table in a subtransaction of its own: one that fails is reported, the others run.
        BEGIN
            PERFORM shq.fn_check_not_partitioned(v_table);
            v_first := format(p_statement, r.id_column, v_table, 'AND $1::text IS NULL');
            v_next := format(p_statement, r.id_column, v_table,
                             format('AND %I > $1::%s', r.id_column, shq.fn_id_type(v_table::regclass, r.id_column)));
            LOOP
                EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
                EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                    INTO v_seen, v_rows, v_last_id
                    USING v_last_id, p_batch_size, p_now;
                v_total := v_total + v_rows;
                IF v_seen > 0 THEN
                    v_batches := v_batches + 1;
                END IF;
                EXIT WHEN v_seen < p_batch_size;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            v_status := 'failed';
            v_message := SQLERRM;
            v_total := 0;
            v_batches := 0;
        END;
        IF p_max_batches IS NOT NULL THEN
            PERFORM shq.fn_save_job_position(p_job, v_table, p_now, v_last_id,
                                             v_status = 'failed' OR v_seen < p_batch_size);
        END IF;
        PERFORM shq.fn_log_job_run(p_job, v_table, p_now, p_batch_size, v_total, v_status, v_message, v_started);
        RETURN QUERY SELECT v_table, v_total, v_batches, v_status, v_status = 'ok' AND v_seen >= p_batch_size;
    END LOOP;
END
$$;

-- They run the SQL text they are given: for the job functions below, not for anyone.
REVOKE ALL ON FUNCTION shq.fn_run_chunked_job(text, text, text, timestamptz, integer, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION shq.fn_run_keyset_job(text, text, timestamptz, integer, integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION shq.fn_archive_expired_errors(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
AS $$
    -- The move (moved, archived) is written once; the fast statement ends it plainly, the
    -- careful one (run only on a unique violation) with ON CONFLICT and the rows put back.
    SELECT j.*
    FROM (SELECT $f$
        WITH moved AS (
            DELETE FROM %1$s t
            WHERE t.ctid >= $1 AND t.ctid < $2
              AND (t.disposition = 'ARCHIVED'
                   OR (t.ttl_tier <> 'INFINITE' AND t.disposition IS DISTINCT FROM 'PARKED'
                       AND t.created_at < $3 - shq.fn_get_ttl_interval(t.ttl_tier)))
            RETURNING t.*
        ), archived AS (
            INSERT INTO %2$s (%3$s, disposition, archived_at, archived_by, archive_reason,
                              final_disposition, retention_expires_at)
            SELECT %3$s, 'ARCHIVED', $3, 'shq.fn_archive_expired_errors',
                   (CASE WHEN disposition = 'ARCHIVED' THEN 'MANUAL'
                         WHEN disposition = 'RESOLVED' THEN 'RESOLVED'
                         ELSE 'TTL_EXPIRED' END)::shq.archive_reason,
                   disposition, $3 + $4
            FROM moved$f$ AS move) m
    CROSS JOIN LATERAL shq.fn_run_chunked_job('archive_expired_errors', 'live',
        m.move || $f$
            RETURNING 1
        )
        SELECT count(*) FROM archived
        $f$, p_now, p_batch_size, p_max_batches,
        m.move || $f$
            ON CONFLICT (%4$I) DO NOTHING
            RETURNING %4$I
        ), kept AS (
            -- The archive holds a row with this id already (a reused id): the row goes back,
            -- parked for a person, and the rest of the chunk is archived.
            INSERT INTO %1$s
                (%5$s, disposition, parked_at, parked_by, park_reason, escalation_level, escalated_at, next_retry_at)
            OVERRIDING SYSTEM VALUE
            SELECT %5$s, 'PARKED', $3, 'shq.fn_archive_expired_errors', 'ARCHIVE_ID_TAKEN', 0, NULL, NULL
            FROM moved m
            WHERE NOT EXISTS (SELECT 1 FROM archived a WHERE a.%4$I = m.%4$I)
            RETURNING 1
        )
        SELECT count(*) FROM archived
        $f$) j
$$;

CREATE OR REPLACE FUNCTION shq.fn_cleanup_expired_archives(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
AS $$
    SELECT * FROM shq.fn_run_chunked_job('cleanup_expired_archives', 'archive', $f$
        WITH deleted AS (
            DELETE FROM %2$s
            WHERE ctid >= $1 AND ctid < $2 AND retention_expires_at < $3
            RETURNING 1
        )
        SELECT count(*) FROM deleted
        $f$, p_now, p_batch_size, p_max_batches)
$$;

CREATE OR REPLACE FUNCTION shq.fn_auto_park_exhausted_retries(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
AS $$
    SELECT * FROM shq.fn_run_keyset_job('auto_park_exhausted_retries', $f$
        WITH victims AS (
            SELECT %1$I AS vid FROM %2$s
            WHERE (disposition IS NULL OR disposition = 'RETRY') AND retry_count >= max_retries %3$s
            ORDER BY %1$I
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        ), parked AS (
            UPDATE %2$s t
            SET disposition = 'PARKED', retry_exhausted = true, parked_at = $3,
                parked_by = 'shq.fn_auto_park_exhausted_retries',
                park_reason = 'MAX_RETRIES_EXCEEDED', escalation_level = 0,
                escalated_at = NULL, next_retry_at = NULL
            FROM victims v WHERE t.%1$I = v.vid
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM victims), (SELECT count(*) FROM parked),
               (SELECT vid::text FROM victims ORDER BY vid DESC LIMIT 1)
        $f$, p_now, p_batch_size, p_max_batches)
$$;

CREATE OR REPLACE FUNCTION shq.fn_escalate_stale_parked_errors(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
AS $$
    SELECT * FROM shq.fn_run_keyset_job('escalate_stale_parked_errors', $f$
        WITH victims AS (
            SELECT %1$I AS vid,
                   CASE WHEN parked_at <= $3 - interval '7 days'  THEN 3
                        WHEN parked_at <= $3 - interval '72 hours' THEN 2
                        ELSE 1 END AS level
            FROM %2$s
            WHERE disposition = 'PARKED' AND escalation_level < 3
              AND (parked_at <= $3 - interval '7 days'
                   OR (parked_at <= $3 - interval '72 hours' AND escalation_level < 2)
                   OR (parked_at <= $3 - interval '24 hours' AND escalation_level < 1)) %3$s
            ORDER BY %1$I
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        ), escalated AS (
            UPDATE %2$s t SET escalation_level = v.level, escalated_at = $3
            FROM victims v WHERE t.%1$I = v.vid
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM victims), (SELECT count(*) FROM escalated),
               (SELECT vid::text FROM victims ORDER BY vid DESC LIMIT 1)
        $f$, p_now, p_batch_size, p_max_batches)
$$;

-- The daily master runner (document section 4.1): archive, park, escalate.
CREATE OR REPLACE FUNCTION shq.fn_run_error_governance_jobs(
    p_now        timestamptz DEFAULT now(),
    p_batch_size integer DEFAULT 10000)
RETURNS TABLE (job_name text, error_table text, rows_affected bigint, status text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_job     text;
    v_jobs    text[] := ARRAY['archive_expired_errors', 'auto_park_exhausted_retries', 'escalate_stale_parked_errors'];
    v_started timestamptz;
BEGIN
    -- The whole schedule under one lock: another runner's overlap would park rows it has not
    -- archived yet.
    IF NOT shq.fn_job_lock('archive_expired_errors') THEN
        FOREACH v_job IN ARRAY v_jobs LOOP
            PERFORM shq.fn_log_job_run(v_job, NULL, p_now, p_batch_size, 0, 'skipped',
                'another runner holds the daily schedule', clock_timestamp());
            RETURN QUERY SELECT v_job, NULL::text, 0::bigint, 'skipped'::text;
        END LOOP;
        RETURN;
    END IF;
    FOREACH v_job IN ARRAY v_jobs LOOP
        v_started := clock_timestamp();
        BEGIN
            RETURN QUERY EXECUTE format(
                'SELECT %L::text, j.error_table, j.rows_affected, j.status FROM shq.%I($1, $2) j',
                v_job, 'fn_' || v_job)
                USING p_now, p_batch_size;
        EXCEPTION WHEN OTHERS THEN
            PERFORM shq.fn_log_job_run(v_job, NULL, p_now, p_batch_size, 0, 'failed', SQLERRM, v_started);
            RETURN QUERY SELECT v_job, NULL::text, 0::bigint, 'failed'::text;
        END;
    END LOOP;
END
$$;

-- Regenerates the two monitoring views from the registry (quoted identifiers only). A table's
-- hub is its registry row's, or each row's own when the registry names a hub_column (a row
-- whose column is NULL falls back to the table's hub): then the views group by it, so that a
-- row counts for its own hub. failure_codes, the last column of the blocking view, lists the
-- distinct codes of an outreach id's blocking rows when the registry names a code_column, and
-- is NULL otherwise.
CREATE OR REPLACE FUNCTION shq.fn_refresh_governance_views()
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_summary text[] := ARRAY[]::text[];
    v_block   text[] := ARRAY[]::text[];
    v_name    text;
    v_hub     text;  -- the hub expression of a row
    v_by_hub  text;  -- what GROUP BY adds for it: nothing for a table-wide hub
    v_codes   text;
BEGIN
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_name := format('%s.%s', r.table_schema, r.table_name);
        IF r.hub_column IS NULL THEN
            v_hub := format('%L::text', r.hub);
            v_by_hub := '';
        ELSE
            v_hub := CASE WHEN r.hub IS NULL THEN format('%I::text', r.hub_column)
                          ELSE format('coalesce(%I::text, %L)', r.hub_column, r.hub) END;
            v_by_hub := ', ' || v_hub;
        END IF;
        v_codes := CASE WHEN r.code_column IS NULL THEN 'NULL::text[]'
                        ELSE format('array_agg(DISTINCT %1$I::text ORDER BY %1$I::text) FILTER (WHERE %1$I IS NOT NULL)',
                                    r.code_column) END;
        v_summary := v_summary || format(
            $f$SELECT %1$L::text AS error_table, %2$s AS hub, 'live'::text AS location,
                   coalesce(disposition::text, 'UNSET') AS disposition, ttl_tier::text AS ttl_tier,
                   count(*)::bigint AS error_count,
                   count(*) FILTER (WHERE retry_exhausted)::bigint AS retry_exhausted,
                   max(escalation_level)::integer AS max_escalation_level,
                   min(created_at) AS oldest_created_at, max(created_at) AS newest_created_at
            FROM %3$I.%4$I GROUP BY disposition, ttl_tier%5$s$f$,
            v_name, v_hub, r.table_schema, r.table_name, v_by_hub);
        v_summary := v_summary || format(
            $f$SELECT %1$L::text, %2$s, 'archive'::text,
                   coalesce(final_disposition::text, 'UNSET'), ttl_tier::text,
                   count(*)::bigint, count(*) FILTER (WHERE retry_exhausted)::bigint,
                   max(escalation_level)::integer, min(created_at), max(created_at)
            FROM %3$I.%4$I GROUP BY final_disposition, ttl_tier%5$s$f$,
            v_name, v_hub, r.archive_schema, r.archive_table, v_by_hub);
        IF r.outreach_column IS NOT NULL THEN
            v_block := v_block || format(
                $f$SELECT %3$I::uuid AS outreach_id, %1$L::text AS error_table, %2$s AS hub,
                       count(*)::bigint AS blocking_errors,
                       count(*) FILTER (WHERE disposition = 'PARKED')::bigint AS parked_errors,
                       count(*) FILTER (WHERE disposition IS DISTINCT FROM 'PARKED')::bigint AS retry_errors,
                       max(escalation_level)::integer AS max_escalation_level,
                       min(created_at) AS oldest_blocking_at,
                       %6$s AS failure_codes
                FROM %4$I.%5$I
                WHERE (disposition IS NULL OR disposition IN ('RETRY', 'PARKED')) AND %3$I IS NOT NULL
                GROUP BY %3$I%7$s$f$,
                v_name, v_hub, r.outreach_column, r.table_schema, r.table_name, v_codes, v_by_hub);
        END IF;
    END LOOP;
    IF cardinality(v_summary) = 0 THEN
        v_summary := ARRAY[$f$SELECT NULL::text AS error_table, NULL::text AS hub, NULL::text AS location,
            NULL::text AS disposition, NULL::text AS ttl_tier, 0::bigint AS error_count,
            0::bigint AS retry_exhausted, NULL::integer AS max_escalation_level,
            NULL::timestamptz AS oldest_created_at, NULL::timestamptz AS newest_created_at
            WHERE false$f$];
    END IF;
    IF cardinality(v_block) = 0 THEN
        v_block := ARRAY[$f$SELECT NULL::uuid AS outreach_id, NULL::text AS error_table, NULL::text AS hub,
            0::bigint AS blocking_errors, 0::bigint AS parked_errors, 0::bigint AS retry_errors,
            NULL::integer AS max_escalation_level, NULL::timestamptz AS oldest_blocking_at,
            NULL::text[] AS failure_codes
            WHERE false$f$];
    END IF;
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_error_governance_summary AS '
        || array_to_string(v_summary, E'\nUNION ALL\n');
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_blocking_errors_by_outreach AS '
        || array_to_string(v_block, E'\nUNION ALL\n');
END
$$;

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

SELECT shq.fn_refresh_governance_views();
