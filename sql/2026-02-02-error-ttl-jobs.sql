-- 2026-02-02-error-ttl-jobs.sql  (migration 3, part 4 of 7)
--
-- Purpose: the TTL / archive / park / escalate / cleanup jobs of
-- ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.3 and 4: shq.fn_archive_expired_errors(),
-- shq.fn_auto_park_exhausted_retries(), shq.fn_escalate_stale_parked_errors() (daily) and
-- shq.fn_cleanup_expired_archives() (weekly). Each is one statement, run for every governed
-- table by an executor of 2026-02-02-error-ttl-executors.sql.
--
-- Decisions:
--   * What archives: rows past their TTL (shq.fn_get_ttl_interval) unless PARKED (parked rows
--     wait for a person and escalate instead), with reason RESOLVED for RESOLVED rows and
--     TTL_EXPIRED for the others; rows set to disposition ARCHIVED by hand archive on the next
--     run, reason MANUAL.
--   * Park: RETRY rows (or not yet backfilled NULL ones) with retry_count >= max_retries become
--     PARKED, retry_exhausted, parked_by = the function, park_reason MAX_RETRIES_EXCEEDED.
--   * Escalation by age of parking: level 1 after 24 hours, 2 after 72 hours, 3 after 7 days.
--   * Cleanup deletes archive rows whose retention_expires_at has passed.
--   * A move is DELETE ... RETURNING feeding INSERT in one statement, so a row ends live or
--     archived, never both, never neither; a row another session changes meanwhile is
--     re-checked, not moved blindly. The archive's primary key is the original id; a row whose
--     id the archive already holds (a sequence reset, a restore) is not archived but PARKED with
--     park_reason ARCHIVE_ID_TAKEN, for a person to look at, and the rest of the table archives
--     as usual. Park and escalate lock their candidates FOR UPDATE SKIP LOCKED.
--   * p_now (default now()), p_batch_size and p_max_batches as the executors take them;
--     p_max_batches NULL means "until done", which is what the document's
--     `SELECT * FROM shq.fn_run_error_governance_jobs();` does.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-ttl-jobs.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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
