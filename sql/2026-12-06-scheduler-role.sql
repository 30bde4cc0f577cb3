-- 2026-12-06-scheduler-role.sql  (migration 7)
--
-- Purpose: a least-privilege scheduler. Until now the role that runs the governance jobs
-- needed the rights of the tables' owner on every error table and archive, and EXECUTE on the
-- generic job executors (shq.fn_run_chunked_job, shq.fn_run_keyset_job), which run whatever
-- SQL text they are given. Here the job functions run with their owner's rights, so a
-- scheduler role needs only (README, "A scheduler role"):
--     GRANT USAGE ON SCHEMA shq TO scheduler;
--     GRANT EXECUTE ON FUNCTION shq.fn_archive_expired_errors(timestamptz, integer, integer),
--         shq.fn_auto_park_exhausted_retries(timestamptz, integer, integer),
--         shq.fn_escalate_stale_parked_errors(timestamptz, integer, integer),
--         shq.fn_cleanup_expired_archives(timestamptz, integer, integer),
--         shq.fn_run_error_governance_jobs(timestamptz, integer),
--         shq.fn_log_job_run(text, text, timestamptz, integer, bigint, text, text, timestamptz)
--         TO scheduler;
--     GRANT SELECT ON shq.governance_job_runs TO scheduler;
--
-- Decisions:
--   * SECURITY DEFINER on the four jobs, the master runner and the run log, with
--     search_path = pg_catalog, shq, pg_temp pinned (shq is the owner's schema; pg_temp last, so
--     no temporary object can stand in for one of ours). The generic executors stay SECURITY
--     INVOKER and not executable by PUBLIC: called from a job they run as the owner, called by
--     anyone else they are refused.
--   * The job functions are no longer executable by PUBLIC: whoever ran them with the owner's
--     rights now could archive or delete rows at any p_now. The owner keeps EXECUTE; grant it
--     to the scheduler role as above.
--   * A later migration that replaces one of these functions (CREATE OR REPLACE resets its
--     SECURITY and SET clauses) must restate them; the test suite runs both schedules as a role
--     with only the grants above, so a regression fails there.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after migrations 1-6): psql -v ON_ERROR_STOP=1 -f sql/2026-12-06-scheduler-role.sql "$DATABASE_URL"

SET client_min_messages = warning;

ALTER FUNCTION shq.fn_archive_expired_errors(timestamptz, integer, integer)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;
ALTER FUNCTION shq.fn_auto_park_exhausted_retries(timestamptz, integer, integer)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;
ALTER FUNCTION shq.fn_escalate_stale_parked_errors(timestamptz, integer, integer)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;
ALTER FUNCTION shq.fn_cleanup_expired_archives(timestamptz, integer, integer)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;
ALTER FUNCTION shq.fn_run_error_governance_jobs(timestamptz, integer)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;
ALTER FUNCTION shq.fn_log_job_run(text, text, timestamptz, integer, bigint, text, text, timestamptz)
    SECURITY DEFINER SET search_path = pg_catalog, shq, pg_temp;

REVOKE EXECUTE ON FUNCTION shq.fn_archive_expired_errors(timestamptz, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shq.fn_auto_park_exhausted_retries(timestamptz, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shq.fn_escalate_stale_parked_errors(timestamptz, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shq.fn_cleanup_expired_archives(timestamptz, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shq.fn_run_error_governance_jobs(timestamptz, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION shq.fn_log_job_run(text, text, timestamptz, integer, bigint, text, text, timestamptz)
    FROM PUBLIC;
