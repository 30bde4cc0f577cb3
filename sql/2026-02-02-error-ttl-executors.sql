-- 2026-02-02-error-ttl-executors.sql  (migration 3, part 3 of 7)
--
-- Purpose: the two generic executors every governance job runs through, for every table of the
-- registry: shq.fn_run_chunked_job() (archive and cleanup, in physical chunks of each table)
-- and shq.fn_run_keyset_job() (park and escalate, in keyset batches over a partial index).
--
-- Decisions:
--   * Every job is set-based and batched; no batch locks more than about p_batch_size rows.
--     Archive and cleanup walk each table in physical chunks (a TID range scan of about
--     p_batch_size rows' worth of blocks per batch): every block is read once, so a run costs
--     one pass over the table, like a single statement, and grows linearly, whatever the order
--     of the rows on disk. (Keyset batches over a TTL index revisit every heap page in every
--     batch when rows are not stored in created_at order: measured 2.5x a single statement at
--     a million rows.) Park and escalate touch few rows: keyset batches over partial indexes
--     that list exactly their candidates.
--   * p_now (default now()) makes runs deterministic. p_max_batches (per table) lets a runner
--     call a job one batch per transaction (lint-canon sql jobs): the job keeps its place in
--     shq.governance_job_progress for that p_now and the next call goes on from there; the
--     result's `more` says whether a table has work left. NULL means "until done".
--   * Each table runs in its own subtransaction: a failing table is logged 'failed' with its
--     message and the others still run; for that p_now it is done (not retried batch by batch).
--   * fn_run_chunked_job's p_on_conflict: the plain statement is the fast path; a unique
--     violation (rare) rolls the chunk back and runs the careful statement in its place.
--   * The executors run SQL text they are given: not executable by PUBLIC. The job functions
--     (2026-02-02-error-ttl-jobs.sql) are what a scheduler calls. An older signature of
--     fn_run_chunked_job (without p_on_conflict) is dropped first: two would make a call ambiguous.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-executors.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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

-- They run the SQL text they are given: for the job functions, not for anyone.
REVOKE ALL ON FUNCTION shq.fn_run_chunked_job(text, text, text, timestamptz, integer, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION shq.fn_run_keyset_job(text, text, timestamptz, integer, integer) FROM PUBLIC;
