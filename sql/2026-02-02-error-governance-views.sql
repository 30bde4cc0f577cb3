-- 2026-02-02-error-governance-views.sql  (migration 3, part 6 of 7)
--
-- Purpose: the monitoring views of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 5,
-- shq.vw_error_governance_summary and shq.vw_blocking_errors_by_outreach, and
-- shq.fn_refresh_governance_views(), which makes them from the registry (called at the end of
-- this file).
--
-- Decisions:
--   * The views are generated from the registry by shq.fn_refresh_governance_views() (called
--     here and by shq.fn_govern_error_table): no table list is written twice. A table with a
--     per-row hub (registry hub_column) is grouped by each row's hub, so a row blocks its own
--     hub; vw_blocking_errors_by_outreach ends with failure_codes, the distinct codes of the
--     blocking rows of a table with a code_column (NULL for the others).
--   * The generated SQL quotes every identifier with format('%I') and every name it shows
--     with %L. With no governed table, each view is an empty SELECT of the same columns.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-error-governance-views.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

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

SELECT shq.fn_refresh_governance_views();
