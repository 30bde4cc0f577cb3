-- 2026-02-02-error-governance-runner.sql  (migration 3, part 5 of 7)
--
-- Purpose: the daily master runner of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 4.1,
-- shq.fn_run_error_governance_jobs(): archive, then park, then escalate (the jobs of
-- 2026-02-02-error-ttl-jobs.sql). The weekly cleanup is called on its own.
--
-- Decisions:
--   * The whole daily schedule under one lock (shq.fn_job_lock, for the runner's transaction):
--     another runner's overlap would park rows it has not archived yet. A second runner logs
--     each job 'skipped' and changes nothing.
--   * The three jobs each in its own subtransaction: a failing job is logged 'failed' with its
--     message and the others still run.
--   * A job is called by its name quoted with format('%I'), never by concatenated text.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-governance-runner.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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
