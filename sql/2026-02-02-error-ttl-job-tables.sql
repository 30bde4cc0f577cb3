-- 2026-02-02-error-ttl-job-tables.sql  (migration 3, part 1 of 7)
--
-- Purpose: the two tables of the governance jobs of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md
-- section 1.3 and 4: the job-run log shq.governance_job_runs, and shq.governance_job_progress,
-- where a job called one batch per transaction goes on from.
-- Migration 3 (the jobs, their master runner, the monitoring views and
-- shq.fn_govern_error_table) is seven files by concern, parts 1 to 7 in sql/plan.txt: these
-- tables, the helpers, the executors, the jobs, the runner, the views, govern. Each part uses
-- only what the files before it create.
--
-- Decisions:
--   * Every run is logged in shq.governance_job_runs: a row per job and table, with status
--     'ok', 'skipped' (another runner holds the schedule; no table) or 'failed' and its message
--     (a failing table, or a failing job in the master runner, no table).
--   * A runner that calls a job one batch per transaction (p_max_batches, `lint-canon sql jobs`)
--     keeps the job's place per table in shq.governance_job_progress, for that p_now: the next
--     block of a chunked job or the last id done of a keyset job, and whether it is finished.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-job-tables.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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

-- Where a runner that calls a job one batch per transaction (p_max_batches) goes on from.
CREATE TABLE IF NOT EXISTS shq.governance_job_progress (
    job_name    text NOT NULL,
    error_table text NOT NULL,
    as_of       timestamptz NOT NULL,
    resume_at   text,            -- next block (chunked jobs) or last id done (keyset jobs)
    finished    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_name, error_table)
);
