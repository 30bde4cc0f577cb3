-- 2026-12-06-guard-violation-bounds.sql  (migration 6)
--
-- Purpose: bounds on what shq.fn_record_guard_violations() stores. Migration 5 took any hub, any
-- time and a message of any size: a typo'd hub id made a row that blocked nothing (no hub
-- needs it), a clock gone wrong made a violation that never ages (year 9999) or was archived
-- at once (year 1), and one huge message could fill the table.
--
-- Decisions:
--   * hub_id must be a hub of shq.hubs: a record naming another refuses the batch (SQLSTATE
--     22023, the message lists the hubs), as every malformed record does; add the hub to
--     shq.hubs, or fix the canon the guard runs with.
--   * occurred_at must lie between 2000-01-01 and an hour past the database's clock (hosts'
--     clocks differ by seconds, not hours); the check moves fn_guard_violation_problem from
--     IMMUTABLE to STABLE (it reads now() and shq.hubs).
--   * tool_id, hub_id and interaction are at most 200 characters, function 500: longer is a
--     malformed record. The message is cut at 4,000 characters and says so at its end
--     ("[cut: the first 4000 of N characters kept]"): the violation is still stored.
--   * Both functions are replaced whole (CREATE OR REPLACE), migration 5 is not edited; the
--     recording function keeps SECURITY DEFINER, its search_path and its grants (REVOKE from
--     PUBLIC is repeated: a replaced function keeps its ACL, this only restates it).
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after migrations 1-5): psql -v ON_ERROR_STOP=1 -f sql/2026-12-06-guard-violation-bounds.sql "$DATABASE_URL"

SET client_min_messages = warning;

-- The first problem of one guard violation record (no row when it is well formed): the field
-- (NULL when the record is not an object) and what is wrong with it, in the fields' order.
CREATE OR REPLACE FUNCTION shq.fn_guard_violation_problem(p_record jsonb)
RETURNS TABLE (field text, problem text)
LANGUAGE sql
STABLE
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
                       WHEN f.name IN ('tool_id', 'hub_id', 'interaction') AND length(v) > 200 THEN
                           format('is %s characters long; at most 200', length(v))
                       WHEN f.name = 'function' AND length(v) > 500 THEN
                           format('is %s characters long; at most 500', length(v))
                       WHEN f.name = 'hub_id' AND NOT EXISTS (SELECT 1 FROM shq.hubs h WHERE h.hub_id = v) THEN
                           format('is not a hub of shq.hubs (%s), got %s',
                                  (SELECT string_agg(h.hub_id, ', ' ORDER BY h.sort_order) FROM shq.hubs h),
                                  left(to_json(v)::text, 60))
                       WHEN f.name = 'outreach_id'
                            AND v !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
                           format('must be a UUID (8-4-4-4-12 hex digits) or null, got %s', left(to_json(v)::text, 60))
                       WHEN f.name = 'occurred_at' AND NOT shq.fn_is_iso_timestamptz(v) THEN
                           format('must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got %s',
                                  left(to_json(v)::text, 60))
                       WHEN f.name = 'occurred_at' AND v::timestamptz > now() + interval '1 hour' THEN
                           format('is more than an hour later than the database''s clock (%s), got %s',
                                  to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                  left(to_json(v)::text, 60))
                       WHEN f.name = 'occurred_at' AND v::timestamptz < timestamptz '2000-01-01 00:00:00+00' THEN
                           format('is before 2000-01-01, got %s', left(to_json(v)::text, 60))
                   END FROM (SELECT x.r ->> f.name AS v) s)
               END
        FROM rec x, fields f
        WHERE x.r IS NOT NULL
    )
    SELECT p.field, p.problem FROM problems p WHERE p.problem IS NOT NULL ORDER BY p.pos, p.field LIMIT 1
$$;

-- Writes a batch of guard violation records (see migration 5); a malformed record refuses the
-- batch, a message past 4,000 characters is cut and says so.
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
               (e.r ->> 'occurred_at')::timestamptz AS occurred_at,
               CASE WHEN length(e.r ->> 'message') > 4000
                    THEN left(e.r ->> 'message', 4000)
                         || format(' [cut: the first 4000 of %s characters kept]', length(e.r ->> 'message'))
                    ELSE e.r ->> 'message' END AS message
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
