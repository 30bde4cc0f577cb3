-- 2026-02-02-error-ttl-archive-functions.sql  (migration 3 of 4)
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
--   * Every job is set-based and works in keyset batches (p_batch_size rows; an index serves
--     each predicate, so no batch rescans what an earlier one did). Each batch is one statement
--     that moves or updates rows it locked with FOR UPDATE SKIP LOCKED; a move is
--     DELETE ... RETURNING feeding INSERT in the same statement, so a row ends live or archived,
--     never both, never neither, and two runners never take the same row. The archive's
--     primary key is the original id: a double archive fails loudly.
--   * p_now (default now()) makes runs deterministic; p_max_batches (per table) lets a runner
--     call a job one batch per transaction (lint-canon sql jobs); NULL means "until done", which is what
--     the document's `SELECT * FROM shq.fn_run_error_governance_jobs();` does.
--   * Each job takes a per-job transaction advisory lock; a second runner gets status
--     'skipped'. Every run is logged in shq.governance_job_runs. The master runner runs the
--     three daily jobs each in its own subtransaction: one failing is logged 'failed' and
--     the others still run.
--   * The views are generated from the registry by shq.fn_refresh_governance_views() (called
--     here and by shq.fn_govern_error_table): no table list is written twice.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-archive-functions.sql "$DATABASE_URL"

SET client_min_messages = warning;

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

CREATE OR REPLACE FUNCTION shq.fn_job_lock(p_job text)
RETURNS boolean
LANGUAGE sql
AS $$
    SELECT pg_try_advisory_xact_lock(hashtext('lint-canon governance'), hashtext(p_job))
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

CREATE OR REPLACE FUNCTION shq.fn_id_type(p_table regclass, p_column name)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attname = p_column AND NOT a.attisdropped
$$;

CREATE OR REPLACE FUNCTION shq.fn_archive_expired_errors(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text)
LANGUAGE plpgsql
AS $$
DECLARE
    c_job     constant text := 'archive_expired_errors';
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_source  text;
    v_archive text;
    v_cols    text;
    v_idtype  text;
    v_move    text;
    v_first   text;
    v_next    text;
    v_tier    shq.ttl_tier;
    v_cutoff  timestamptz;
    v_last_c  timestamptz;
    v_last_id text;
    v_seen    bigint;
    v_moved   bigint;
    v_total   bigint;
    v_batches integer := 0;
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'batch size must be at least 1, got %', p_batch_size;
    END IF;
    IF NOT shq.fn_job_lock(c_job) THEN
        PERFORM shq.fn_log_job_run(c_job, NULL, p_now, p_batch_size, 0, 'skipped',
            'another runner holds this job', v_started);
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text;
        RETURN;
    END IF;

    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_source  := format('%I.%I', r.table_schema, r.table_name);
        v_archive := format('%I.%I', r.archive_schema, r.archive_table);
        v_cols    := shq.fn_copy_columns(v_source::regclass);
        v_idtype  := shq.fn_id_type(v_source::regclass, r.id_column);
        v_total   := 0;
        v_batches := 0;

        -- One batch: up to $5 victims in keyset order, moved in one statement. %5$s (the victim
        -- predicate), %6$s (the keyset order) and %7$s (the archive reason) are filled below.
        v_move := format($f$
            WITH victims AS (
                SELECT ctid AS vctid, %1$I AS vid, created_at AS vcreated FROM %2$s
                WHERE %5$s
                ORDER BY %6$s
                LIMIT $5
            ), moved AS (
                -- Found again by its tuple id; with the predicate re-checked, a row changed
                -- since it was read stays live for the next run.
                DELETE FROM %2$s t USING victims v WHERE t.ctid = v.vctid AND %5$s
                RETURNING t.*
            ), archived AS (
                INSERT INTO %3$s (%4$s, disposition, archived_at, archived_by, archive_reason,
                                  final_disposition, retention_expires_at)
                SELECT %4$s, 'ARCHIVED', $6, 'shq.fn_archive_expired_errors', %7$s,
                       disposition, $6 + $7
                FROM moved
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM victims),
                   (SELECT count(*) FROM archived),
                   (SELECT vcreated FROM victims ORDER BY vcreated DESC, vid DESC LIMIT 1),
                   (SELECT vid::text FROM victims ORDER BY vcreated DESC, vid DESC LIMIT 1)
            $f$, r.id_column, v_source, v_archive, v_cols, '%1$s', '%2$s', '%3$s');

        -- TTL: per tier, an index range scan on (ttl_tier, created_at, id).
        v_first := format(v_move,
            format('ttl_tier = $1 AND created_at < $2 AND disposition IS DISTINCT FROM %L', 'PARKED'),
            format('created_at, %I', r.id_column),
            format('(CASE WHEN disposition = %L THEN %L ELSE %L END)::shq.archive_reason',
                   'RESOLVED', 'RESOLVED', 'TTL_EXPIRED'));
        v_next := format(v_move,
            format('ttl_tier = $1 AND created_at < $2 AND disposition IS DISTINCT FROM %L
                    AND (created_at, %I) > ($3, $4::%s)', 'PARKED', r.id_column, v_idtype),
            format('created_at, %I', r.id_column),
            format('(CASE WHEN disposition = %L THEN %L ELSE %L END)::shq.archive_reason',
                   'RESOLVED', 'RESOLVED', 'TTL_EXPIRED'));
        FOREACH v_tier IN ARRAY ARRAY['SHORT', 'MEDIUM', 'LONG']::shq.ttl_tier[] LOOP
            v_cutoff := p_now - shq.fn_get_ttl_interval(v_tier);
            v_last_id := NULL;
            LOOP
                EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
                EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                    INTO v_seen, v_moved, v_last_c, v_last_id
                    USING v_tier, v_cutoff, v_last_c, v_last_id, p_batch_size, p_now, r.retention;
                v_total := v_total + v_moved;
                IF v_seen > 0 THEN
                    v_batches := v_batches + 1;
                END IF;
                EXIT WHEN v_seen < p_batch_size;
            END LOOP;
        END LOOP;

        -- Rows a person set to ARCHIVED: reason MANUAL, keyset on the id.
        v_first := format(v_move, format('disposition = %L AND $1 IS NULL AND $2 IS NULL', 'ARCHIVED'),
            format('%I', r.id_column), format('%L::shq.archive_reason', 'MANUAL'));
        v_next := format(v_move,
            format('disposition = %L AND $1 IS NULL AND $2 IS NULL AND $3 IS NULL AND %I > $4::%s',
                   'ARCHIVED', r.id_column, v_idtype),
            format('%I', r.id_column), format('%L::shq.archive_reason', 'MANUAL'));
        v_last_id := NULL;
        LOOP
            EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
            EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                INTO v_seen, v_moved, v_last_c, v_last_id
                USING NULL::shq.ttl_tier, NULL::timestamptz, NULL::timestamptz, v_last_id,
                      p_batch_size, p_now, r.retention;
            v_total := v_total + v_moved;
            IF v_seen > 0 THEN
                v_batches := v_batches + 1;
            END IF;
            EXIT WHEN v_seen < p_batch_size;
        END LOOP;

        PERFORM shq.fn_log_job_run(c_job, v_source, p_now, p_batch_size, v_total, 'ok', NULL, v_started);
        RETURN QUERY SELECT v_source, v_total, v_batches, 'ok'::text;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_auto_park_exhausted_retries(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text)
LANGUAGE plpgsql
AS $$
DECLARE
    c_job     constant text := 'auto_park_exhausted_retries';
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_source  text;
    v_stmt    text;
    v_first   text;
    v_next    text;
    v_last_id text;
    v_seen    bigint;
    v_done    bigint;
    v_total   bigint;
    v_batches integer := 0;
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'batch size must be at least 1, got %', p_batch_size;
    END IF;
    IF NOT shq.fn_job_lock(c_job) THEN
        PERFORM shq.fn_log_job_run(c_job, NULL, p_now, p_batch_size, 0, 'skipped',
            'another runner holds this job', v_started);
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text;
        RETURN;
    END IF;

    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_source := format('%I.%I', r.table_schema, r.table_name);
        v_total := 0;
        v_batches := 0;
        v_stmt := format($f$
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
            $f$, r.id_column, v_source, '%s');
        v_first := format(v_stmt, 'AND $1::text IS NULL');
        v_next := format(v_stmt, format('AND %I > $1::%s', r.id_column,
                                        shq.fn_id_type(v_source::regclass, r.id_column)));
        v_last_id := NULL;
        LOOP
            EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
            EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                INTO v_seen, v_done, v_last_id
                USING v_last_id, p_batch_size, p_now;
            v_total := v_total + v_done;
            IF v_seen > 0 THEN
                v_batches := v_batches + 1;
            END IF;
            EXIT WHEN v_seen < p_batch_size;
        END LOOP;
        PERFORM shq.fn_log_job_run(c_job, v_source, p_now, p_batch_size, v_total, 'ok', NULL, v_started);
        RETURN QUERY SELECT v_source, v_total, v_batches, 'ok'::text;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_escalate_stale_parked_errors(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text)
LANGUAGE plpgsql
AS $$
DECLARE
    c_job     constant text := 'escalate_stale_parked_errors';
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_source  text;
    v_stmt    text;
    v_first   text;
    v_next    text;
    v_last_id text;
    v_seen    bigint;
    v_done    bigint;
    v_total   bigint;
    v_batches integer := 0;
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'batch size must be at least 1, got %', p_batch_size;
    END IF;
    IF NOT shq.fn_job_lock(c_job) THEN
        PERFORM shq.fn_log_job_run(c_job, NULL, p_now, p_batch_size, 0, 'skipped',
            'another runner holds this job', v_started);
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text;
        RETURN;
    END IF;

    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_source := format('%I.%I', r.table_schema, r.table_name);
        v_total := 0;
        v_batches := 0;
        v_stmt := format($f$
            WITH victims AS (
                SELECT %1$I AS vid,
                       CASE WHEN parked_at <= $3 - interval '7 days'  THEN 3
                            WHEN parked_at <= $3 - interval '72 hours' THEN 2
                            WHEN parked_at <= $3 - interval '24 hours' THEN 1
                            ELSE 0 END AS level
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
            $f$, r.id_column, v_source, '%s');
        v_first := format(v_stmt, 'AND $1::text IS NULL');
        v_next := format(v_stmt, format('AND %I > $1::%s', r.id_column,
                                        shq.fn_id_type(v_source::regclass, r.id_column)));
        v_last_id := NULL;
        LOOP
            EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
            EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                INTO v_seen, v_done, v_last_id
                USING v_last_id, p_batch_size, p_now;
            v_total := v_total + v_done;
            IF v_seen > 0 THEN
                v_batches := v_batches + 1;
            END IF;
            EXIT WHEN v_seen < p_batch_size;
        END LOOP;
        PERFORM shq.fn_log_job_run(c_job, v_source, p_now, p_batch_size, v_total, 'ok', NULL, v_started);
        RETURN QUERY SELECT v_source, v_total, v_batches, 'ok'::text;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_cleanup_expired_archives(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text)
LANGUAGE plpgsql
AS $$
DECLARE
    c_job     constant text := 'cleanup_expired_archives';
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_archive text;
    v_stmt    text;
    v_first   text;
    v_next    text;
    v_last_r  timestamptz;
    v_last_id text;
    v_seen    bigint;
    v_done    bigint;
    v_total   bigint;
    v_batches integer := 0;
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'batch size must be at least 1, got %', p_batch_size;
    END IF;
    IF NOT shq.fn_job_lock(c_job) THEN
        PERFORM shq.fn_log_job_run(c_job, NULL, p_now, p_batch_size, 0, 'skipped',
            'another runner holds this job', v_started);
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text;
        RETURN;
    END IF;

    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_archive := format('%I.%I', r.archive_schema, r.archive_table);
        v_total := 0;
        v_batches := 0;
        v_stmt := format($f$
            WITH victims AS (
                SELECT %1$I AS vid, retention_expires_at AS vret FROM %2$s
                WHERE retention_expires_at < $3 %3$s
                ORDER BY retention_expires_at, %1$I
                LIMIT $4
                FOR UPDATE SKIP LOCKED
            ), deleted AS (
                DELETE FROM %2$s t USING victims v WHERE t.%1$I = v.vid
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM victims), (SELECT count(*) FROM deleted),
                   (SELECT vret FROM victims ORDER BY vret DESC, vid DESC LIMIT 1),
                   (SELECT vid::text FROM victims ORDER BY vret DESC, vid DESC LIMIT 1)
            $f$, r.id_column, v_archive, '%s');
        v_first := format(v_stmt, 'AND $1::timestamptz IS NULL AND $2::text IS NULL');
        v_next := format(v_stmt, format('AND (retention_expires_at, %I) > ($1, $2::%s)', r.id_column,
                                        shq.fn_id_type(v_archive::regclass, r.id_column)));
        v_last_r := NULL;
        v_last_id := NULL;
        LOOP
            EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
            EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                INTO v_seen, v_done, v_last_r, v_last_id
                USING v_last_r, v_last_id, p_now, p_batch_size;
            v_total := v_total + v_done;
            IF v_seen > 0 THEN
                v_batches := v_batches + 1;
            END IF;
            EXIT WHEN v_seen < p_batch_size;
        END LOOP;
        PERFORM shq.fn_log_job_run(c_job, v_archive, p_now, p_batch_size, v_total, 'ok', NULL, v_started);
        RETURN QUERY SELECT v_archive, v_total, v_batches, 'ok'::text;
    END LOOP;
END
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
    v_started timestamptz;
BEGIN
    FOREACH v_job IN ARRAY ARRAY['archive_expired_errors', 'auto_park_exhausted_retries',
                                 'escalate_stale_parked_errors'] LOOP
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

-- Regenerates the two monitoring views from the registry (quoted identifiers only).
CREATE OR REPLACE FUNCTION shq.fn_refresh_governance_views()
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_summary text[] := ARRAY[]::text[];
    v_block   text[] := ARRAY[]::text[];
    v_name    text;
BEGIN
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_name := format('%s.%s', r.table_schema, r.table_name);
        v_summary := v_summary || format(
            $f$SELECT %1$L::text AS error_table, %2$L::text AS hub, 'live'::text AS location,
                   coalesce(disposition::text, 'UNSET') AS disposition, ttl_tier::text AS ttl_tier,
                   count(*)::bigint AS error_count,
                   count(*) FILTER (WHERE retry_exhausted)::bigint AS retry_exhausted,
                   max(escalation_level)::integer AS max_escalation_level,
                   min(created_at) AS oldest_created_at, max(created_at) AS newest_created_at
            FROM %3$I.%4$I GROUP BY disposition, ttl_tier$f$,
            v_name, r.hub, r.table_schema, r.table_name);
        v_summary := v_summary || format(
            $f$SELECT %1$L::text, %2$L::text, 'archive'::text,
                   coalesce(final_disposition::text, 'UNSET'), ttl_tier::text,
                   count(*)::bigint, count(*) FILTER (WHERE retry_exhausted)::bigint,
                   max(escalation_level)::integer, min(created_at), max(created_at)
            FROM %3$I.%4$I GROUP BY final_disposition, ttl_tier$f$,
            v_name, r.hub, r.archive_schema, r.archive_table);
        IF r.outreach_column IS NOT NULL THEN
            v_block := v_block || format(
                $f$SELECT %3$I::uuid AS outreach_id, %1$L::text AS error_table, %2$L::text AS hub,
                       count(*)::bigint AS blocking_errors,
                       count(*) FILTER (WHERE disposition = 'PARKED')::bigint AS parked_errors,
                       count(*) FILTER (WHERE disposition IS DISTINCT FROM 'PARKED')::bigint AS retry_errors,
                       max(escalation_level)::integer AS max_escalation_level,
                       min(created_at) AS oldest_blocking_at
                FROM %4$I.%5$I
                WHERE (disposition IS NULL OR disposition IN ('RETRY', 'PARKED')) AND %3$I IS NOT NULL
                GROUP BY %3$I$f$,
                v_name, r.hub, r.outreach_column, r.table_schema, r.table_name);
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
            NULL::integer AS max_escalation_level, NULL::timestamptz AS oldest_blocking_at
            WHERE false$f$];
    END IF;
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_error_governance_summary AS '
        || array_to_string(v_summary, E'\nUNION ALL\n');
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_blocking_errors_by_outreach AS '
        || array_to_string(v_block, E'\nUNION ALL\n');
END
$$;

-- Puts a further error table under governance: registry row, columns, indexes, archive, views.
CREATE OR REPLACE FUNCTION shq.fn_govern_error_table(
    p_table           regclass,
    p_max_retries     integer DEFAULT 3,
    p_retention       interval DEFAULT interval '1 year',
    p_hub             text DEFAULT NULL,
    p_id_column       name DEFAULT NULL,
    p_outreach_column name DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema name;
    v_table  name;
    v_id     name := p_id_column;
    v_out    name := p_outreach_column;
BEGIN
    SELECT n.nspname, c.relname INTO v_schema, v_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_table AND c.relkind IN ('r', 'p');
    IF v_table IS NULL THEN
        RAISE EXCEPTION '% is not a table', p_table;
    END IF;
    IF p_max_retries IS NULL OR p_max_retries < 0 THEN
        RAISE EXCEPTION 'max_retries must be 0 or more, got %', p_max_retries;
    END IF;
    IF p_retention IS NULL OR p_retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be a positive interval, got %', p_retention;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'created_at'
                   AND NOT attisdropped) THEN
        RAISE EXCEPTION 'table %.% has no created_at column, which the TTL jobs need', v_schema, v_table;
    END IF;
    IF v_id IS NULL THEN
        SELECT a.attname INTO v_id
        FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = p_table AND k.contype = 'p' AND cardinality(k.conkey) = 1;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'table %.% has no single-column primary key; pass p_id_column', v_schema, v_table;
        END IF;
    END IF;
    IF v_out IS NULL AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table
                                 AND attname = 'outreach_id' AND NOT attisdropped) THEN
        v_out := 'outreach_id';
    END IF;

    INSERT INTO shq.error_table_registry AS g
        (table_schema, table_name, id_column, outreach_column, hub, max_retries, retention,
         archive_schema, archive_table)
    VALUES (v_schema, v_table, v_id, v_out, p_hub, p_max_retries, p_retention,
            v_schema, v_table || '_archive')
    ON CONFLICT (table_schema, table_name) DO UPDATE
        SET max_retries = EXCLUDED.max_retries, retention = EXCLUDED.retention,
            hub = coalesce(EXCLUDED.hub, g.hub);

    PERFORM shq.fn_add_governance_columns(p_table, p_max_retries);
    PERFORM shq.fn_create_error_archive(p_table);
    PERFORM shq.fn_refresh_governance_views();
    RETURN format('%I.%I governed: archive %I.%I, max_retries %s, retention %s',
                  v_schema, v_table, v_schema, v_table || '_archive', p_max_retries, p_retention);
END
$$;

SELECT shq.fn_refresh_governance_views();
