-- 2026-11-28-guard-violations.sql  (migration 5 of 5)
--
-- Purpose: the Tool Canon Guard's violations (ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 7)
-- as governed errors: the table shq.guard_violations, put under governance like the five error
-- tables of the document (registry row, governance columns, archive, views, jobs), and
-- shq.fn_record_guard_violations(jsonb), which the guard's PostgreSQL sink calls with a batch.
--
-- Decisions:
--   * One table for every hub: a violation's hub is the hub the refused call was for, so the
--     table is registered with a per-row hub (registry hub_column = 'hub', no table-wide hub)
--     and its code column failure_code (the V-code). A PARK or RETRY violation for outreach X
--     at hub H then blocks promotion to H and to every hub and tier that needs H, through the
--     same view as every other error table (vw_blocking_errors_by_outreach), and its V-code
--     shows there (failure_codes), in fn_get_promotion_blockers' detail and in
--     vw_promotion_readiness.blocking_failure_codes. Nothing in migrations 3 and 4 names it.
--   * Dispositions (section 7): PARK -> a live row PARKED (parked_at = occurred_at, parked_by
--     'lint_canon.guard', park_reason = the V-code); RETRY -> a live row RETRY; ARCHIVE -> a row
--     written straight to shq.guard_violations_archive (archive_reason ARCHIVE_DISPOSITION, a
--     value added here; final_disposition ARCHIVED; archived_at = occurred_at; retention from
--     the registry), never live, so it blocks nothing; IGNORE -> not stored (the sink's log
--     has it). The function returns the rows it stored, live and archived.
--   * created_at is the violation's occurred_at: the TTL jobs age a row from when it happened.
--     An archived row takes its id from the live table's identity sequence, so that no live
--     row can later be archived onto it.
--   * A batch is checked whole before anything is written: a record that is not an object,
--     lacks a field, has one the contract does not know, or a malformed value (an unknown
--     disposition, a code that is not V-..., a time without its zone, an outreach id that is not
--     a UUID) refuses the whole batch with SQLSTATE 22023 and a message naming the record and
--     the field (also in the error's COLUMN field); nothing is dropped silently. Values are
--     quoted in the message only for the short fields, never the message text.
--   * Set-based: one pass finds the first problem, one statement writes the live rows and the
--     archived ones. The time check is a pattern with range checks rather than a cast in an
--     exception block, so a batch costs no subtransaction per row.
--   * SECURITY DEFINER with search_path pg_catalog, pg_temp (every name below is qualified): the
--     application needs no right on the tables. Not executable by PUBLIC; an application role
--     needs only  GRANT USAGE ON SCHEMA shq TO app;
--                 GRANT EXECUTE ON FUNCTION shq.fn_record_guard_violations(jsonb) TO app;
--     A reviewer who resolves violations needs SELECT and UPDATE (disposition) on the table.
--   * The review: a person sets the row's disposition to RESOLVED (IGNORE also unblocks);
--     the daily TTL job archives it later with reason RESOLVED, as for every governed table.
--   * ALTER TYPE ... ADD VALUE runs inside the runner's transaction (PostgreSQL 12+); the value
--     is only used by the function's body, at call time, after this file has committed.
--   * The job indexes come from shq.fn_governance_pending_steps(), like every governed table's
--     (`lint-canon sql apply` runs them after this file; with psql see the last line of the
--     README's list).
--   * lock_timeout: 5s unless the session set one (the runner sets --lock-timeout).
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after migrations 1-4): psql -v ON_ERROR_STOP=1 -f sql/2026-11-28-guard-violations.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

ALTER TYPE shq.archive_reason ADD VALUE IF NOT EXISTS 'ARCHIVE_DISPOSITION';

CREATE TABLE IF NOT EXISTS shq.guard_violations (
    violation_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outreach_id   uuid,                 -- NULL: the call named no outreach id; blocks nothing
    hub           text NOT NULL,        -- the hub the refused call was for
    tool_id       text NOT NULL,
    interaction   text NOT NULL,        -- READ, WRITE, ENRICH, VALIDATE, or what the caller gave
    failure_code  text NOT NULL,        -- the V-code
    severity      text NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    function_name text,                 -- the guarded function's qualified name
    error_message text NOT NULL,
    created_at    timestamptz NOT NULL  -- when the violation occurred
);

COMMENT ON TABLE shq.guard_violations IS
    'Tool Canon Guard violations (PARK, RETRY), governed like the other error tables; written by shq.fn_record_guard_violations().';

SELECT shq.fn_govern_error_table('shq.guard_violations', p_hub_column => 'hub', p_code_column => 'failure_code');

-- True when p_text is an ISO 8601 time with its zone that timestamptz takes (2026-03-01T12:00:00Z,
-- 2026-03-01T12:00:00.123456+00:00, +0530, -08): the pattern, then the ranges, so that a cast of
-- a text it accepts cannot fail (the CASE keeps make_date from a month it would refuse).
CREATE OR REPLACE FUNCTION shq.fn_is_iso_timestamptz(p_text text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
STRICT
PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN m IS NULL THEN false
        WHEN m[1]::integer < 1 OR m[2]::integer NOT BETWEEN 1 AND 12 THEN false
        ELSE m[3]::integer BETWEEN 1 AND extract(day FROM make_date(m[1]::integer, m[2]::integer, 1)
                                                          + interval '1 month - 1 day')::integer
             AND m[4]::integer <= 23 AND m[5]::integer <= 59 AND coalesce(m[6]::integer, 0) <= 59
             -- the zone's offset: PostgreSQL takes up to 15:59:59
             AND coalesce(m[7]::integer, 0) <= 15 AND coalesce(m[8]::integer, 0) <= 59
             AND coalesce(m[9]::integer, 0) <= 59
    END
    FROM regexp_match(p_text, '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2})'
                              '(?::([0-9]{2})(?:\.[0-9]+)?)?'
                              '(?:[Zz]|[+-]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2}))?)?)$') AS m
$$;

-- The first problem of one guard violation record (no row when it is well formed): the field
-- (NULL when the record is not an object) and what is wrong with it, in the fields' order.
CREATE OR REPLACE FUNCTION shq.fn_guard_violation_problem(p_record jsonb)
RETURNS TABLE (field text, problem text)
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    WITH fields (pos, name, nullable) AS (
        VALUES (1, 'code', false), (2, 'severity', false), (3, 'disposition', false), (4, 'tool_id', false),
               (5, 'hub_id', false), (6, 'interaction', false), (7, 'function', true),
               (8, 'outreach_id', true), (9, 'occurred_at', false), (10, 'message', false)
    ), rec AS (
        SELECT CASE WHEN jsonb_typeof(p_record) = 'object' THEN p_record END AS r
    ), problems (pos, field, problem) AS (
        SELECT 0, NULL::text, format('is a JSON %s, not an object', coalesce(jsonb_typeof(p_record), 'NULL'))
        FROM rec WHERE r IS NULL
        UNION ALL
        SELECT 0, k, format('is not a field of a guard violation record (%s)',
                            (SELECT string_agg(name, ', ' ORDER BY pos) FROM fields))
        FROM rec, jsonb_object_keys(coalesce(r, '{}')) k
        WHERE k NOT IN (SELECT name FROM fields)
        UNION ALL
        SELECT f.pos, f.name,
               CASE
                   WHEN NOT (x.r ? f.name) THEN 'is missing'
                   WHEN jsonb_typeof(x.r -> f.name) = 'null' AND f.nullable THEN NULL
                   WHEN jsonb_typeof(x.r -> f.name) <> 'string' THEN
                       format('must be a string%s, got %s', CASE WHEN f.nullable THEN ' or null' ELSE '' END,
                              jsonb_typeof(x.r -> f.name))
                   ELSE (SELECT CASE
                       WHEN f.name = 'code' AND v !~ '^V-[A-Z]+-[0-9]{3}$' THEN
                           format('must be a violation code such as V-SCOPE-001, got %s', left(to_json(v)::text, 60))
                       WHEN f.name = 'severity' AND v NOT IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW') THEN
                           format('must be CRITICAL, HIGH, MEDIUM or LOW, got %s', left(to_json(v)::text, 60))
                       WHEN f.name = 'disposition' AND v NOT IN ('PARK', 'RETRY', 'ARCHIVE', 'IGNORE') THEN
                           format('is an unknown disposition %s: give PARK, RETRY, ARCHIVE or IGNORE',
                                  left(to_json(v)::text, 60))
                       WHEN f.name IN ('tool_id', 'hub_id', 'interaction', 'function') AND btrim(v) = '' THEN
                           'must not be empty'
                       WHEN f.name = 'outreach_id'
                            AND v !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
                           format('must be a UUID (8-4-4-4-12 hex digits) or null, got %s', left(to_json(v)::text, 60))
                       WHEN f.name = 'occurred_at' AND NOT shq.fn_is_iso_timestamptz(v) THEN
                           format('must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got %s',
                                  left(to_json(v)::text, 60))
                   END FROM (SELECT x.r ->> f.name AS v) s)
               END
        FROM rec x, fields f
        WHERE x.r IS NOT NULL
    )
    SELECT p.field, p.problem FROM problems p WHERE p.problem IS NOT NULL ORDER BY p.pos, p.field LIMIT 1
$$;

-- Writes a batch of guard violation records (a JSON array of objects with code, severity,
-- disposition, tool_id, hub_id, interaction, function, outreach_id, occurred_at, message) and
-- returns how many rows it stored, live and archived. A malformed record refuses the batch.
CREATE OR REPLACE FUNCTION shq.fn_record_guard_violations(p_records jsonb)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_record    bigint;
    v_field     text;
    v_problem   text;
    v_stored    integer;
    v_retention interval;
    v_retries   integer;
    v_sequence  regclass;
BEGIN
    IF p_records IS NULL OR jsonb_typeof(p_records) <> 'array' THEN
        RAISE EXCEPTION 'guard violation records must be a JSON array of objects, got %',
            coalesce(jsonb_typeof(p_records), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT e.n, p.field, p.problem INTO v_record, v_field, v_problem
    FROM jsonb_array_elements(p_records) WITH ORDINALITY AS e (r, n)
    CROSS JOIN LATERAL shq.fn_guard_violation_problem(e.r) p
    ORDER BY e.n
    LIMIT 1;
    IF v_record IS NOT NULL THEN
        IF v_field IS NULL THEN
            RAISE EXCEPTION 'guard violation record % of %: %', v_record, jsonb_array_length(p_records), v_problem
                USING ERRCODE = 'invalid_parameter_value', HINT = 'the whole batch was refused: nothing of it was stored';
        END IF;
        RAISE EXCEPTION 'guard violation record % of %: field "%" %', v_record, jsonb_array_length(p_records),
            v_field, v_problem
            USING ERRCODE = 'invalid_parameter_value', COLUMN = v_field,
                  HINT = 'the whole batch was refused: nothing of it was stored';
    END IF;

    SELECT g.retention, g.max_retries INTO v_retention, v_retries
    FROM shq.error_table_registry g
    WHERE g.table_schema = 'shq' AND g.table_name = 'guard_violations';
    v_sequence := pg_get_serial_sequence('shq.guard_violations', 'violation_id')::regclass;

    WITH records AS (
        SELECT e.n, e.r ->> 'code' AS code, e.r ->> 'severity' AS severity, e.r ->> 'disposition' AS disposition,
               e.r ->> 'tool_id' AS tool_id, e.r ->> 'hub_id' AS hub, e.r ->> 'interaction' AS interaction,
               e.r ->> 'function' AS function_name, (e.r ->> 'outreach_id')::uuid AS outreach_id,
               (e.r ->> 'occurred_at')::timestamptz AS occurred_at, e.r ->> 'message' AS message
        FROM jsonb_array_elements(p_records) WITH ORDINALITY AS e (r, n)
    ), live AS (
        INSERT INTO shq.guard_violations
            (outreach_id, hub, tool_id, interaction, failure_code, severity, function_name, error_message,
             created_at, disposition, parked_at, parked_by, park_reason)
        SELECT outreach_id, hub, tool_id, interaction, code, severity, function_name, message, occurred_at,
               CASE disposition WHEN 'PARK' THEN 'PARKED' ELSE 'RETRY' END::shq.error_disposition,
               CASE WHEN disposition = 'PARK' THEN occurred_at END,
               CASE WHEN disposition = 'PARK' THEN 'lint_canon.guard' END,
               CASE WHEN disposition = 'PARK' THEN code END
        FROM records
        WHERE disposition IN ('PARK', 'RETRY')
        ORDER BY n
        RETURNING 1
    ), archived AS (
        INSERT INTO shq.guard_violations_archive
            (violation_id, outreach_id, hub, tool_id, interaction, failure_code, severity, function_name,
             error_message, created_at, disposition, retry_count, max_retries, escalation_level, ttl_tier,
             retry_exhausted, archived_at, archived_by, archive_reason, final_disposition, retention_expires_at)
        SELECT nextval(v_sequence), outreach_id, hub, tool_id, interaction, code, severity, function_name,
               message, occurred_at, 'ARCHIVED', 0, v_retries, 0, 'MEDIUM',
               false, occurred_at, 'lint_canon.guard', 'ARCHIVE_DISPOSITION', 'ARCHIVED', occurred_at + v_retention
        FROM records
        WHERE disposition = 'ARCHIVE'
        ORDER BY n
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM live) + (SELECT count(*) FROM archived) INTO v_stored;
    RETURN v_stored;
END
$$;

REVOKE ALL ON FUNCTION shq.fn_record_guard_violations(jsonb) FROM PUBLIC;
