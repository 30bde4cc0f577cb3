-- 2026-12-06-report-role-views.sql  (migration 9)
--
-- Purpose: a report role with only SELECT in shq. `lint-canon sql report`
-- (lint_canon/db/report.py) read every governed table and archive directly, in the hubs'
-- own schemas (outreach, people, company, public), and the readiness summary, whose DONE
-- functions read the hub tables with the reader's rights: its role needed SELECT on all of
-- them, and a grant for every table governed later. Here the report's figures come from shq,
-- so a role needs only (the module's docstring lists them; README, "The state at a glance"):
--     GRANT USAGE ON SCHEMA shq TO reporter;
--     GRANT SELECT ON shq.error_table_registry, shq.hubs, shq.governance_job_runs,
--         shq.guard_violations, shq.guard_violations_archive, shq.vw_error_status_groups,
--         shq.vw_blocking_errors_by_outreach, shq.vw_promotion_tier_counts TO reporter;
--
-- Decisions:
--   * shq.vw_error_status_groups, generated from the registry by
--     shq.fn_refresh_governance_views() with the two monitoring views (and so made again by
--     fn_govern_error_table and fn_ungovern_error_table): each live table and archive grouped
--     by hub, the UTC day its rows were parked and the day they were escalated, with the five
--     disjoint status counts of lint_canon/db/report.py (live, retry, parked, escalated,
--     archived) and the rows of the group. One view, not three (tables, hubs, days), so the
--     report still reads each table once. A view runs with its owner's rights: its reader needs
--     SELECT on the view only. A registered table or archive that no longer exists is left out,
--     as in the other two views.
--   * fn_refresh_governance_views() is replaced with CREATE OR REPLACE (same signature, still
--     SECURITY INVOKER): the text of vw_error_governance_summary and
--     vw_blocking_errors_by_outreach it makes is that of 2026-12-06-partitioned-error-tables.sql,
--     byte for byte; only the third view is added. A re-run of an older file puts its version
--     back until this one runs again: run them in the plan's order.
--   * The tiers: shq.fn_promotion_tier_counts(), SECURITY DEFINER with
--     search_path = pg_catalog, pg_temp pinned, returns vw_promotion_readiness_summary's rows
--     (tier, label, outreach_count), and shq.vw_promotion_tier_counts selects them. A view over
--     the summary alone would not do: the DONE functions (shq.fn_<hub>_done_state()) are
--     inlined by the planner, after the rewriter has marked the view's tables to be checked as
--     the view's owner, so the hub tables they read are checked as the reader.
--     Rejected: SECURITY DEFINER (or any SET clause) on the DONE functions themselves.
--     PostgreSQL never inlines such a function: the readiness view would materialise every hub
--     table in full, and each checker shq.fn_check_<hub>_done(outreach_id), which relies on the
--     outreach id being pushed into the inlined function, would read its whole hub table per
--     call (2026-02-02-promotion-gate-functions.sql chose inlining for exactly that). Inside one
--     definer function the DONE functions stay as they are and are still inlined, now checked as
--     the owner; the plan is the view's own (RETURN QUERY may run it in parallel).
--     Security: the function takes no argument and returns four counts (outreach ids by
--     highest tier), nothing a row holds; its search path is pinned with pg_temp last and every
--     name in it is qualified, so no object of the caller can stand in for one of ours. It keeps
--     the default EXECUTE for PUBLIC, because a function in a view is called with the reader's
--     rights (the reader needs EXECUTE, and a report role has SELECT only): any role with USAGE on
--     shq can read those four counts, and nothing else, through it. A database whose default
--     privileges revoke EXECUTE from PUBLIC grants it to the report role
--     (GRANT EXECUTE ON FUNCTION shq.fn_promotion_tier_counts() TO reporter).
--   * Every identifier in dynamic SQL is quoted with format('%I'), every name shown with %L.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-12-06-report-role-views.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

-- The two monitoring views of 2026-12-06-partitioned-error-tables.sql, unchanged, and
-- vw_error_status_groups: the rows of each live table and archive by hub, parked day and
-- escalated day, counted in the report's five disjoint statuses.
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
    v_groups  text[] := ARRAY[]::text[];
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
        IF to_regclass(format('%I.%I', r.table_schema, r.table_name)) IS NOT NULL THEN
            v_summary := v_summary || format(
                $f$SELECT %1$L::text AS error_table, %2$s AS hub, 'live'::text AS location,
                       coalesce(disposition::text, 'UNSET') AS disposition, ttl_tier::text AS ttl_tier,
                       count(*)::bigint AS error_count,
                       count(*) FILTER (WHERE retry_exhausted)::bigint AS retry_exhausted,
                       max(escalation_level)::integer AS max_escalation_level,
                       min(created_at) AS oldest_created_at, max(created_at) AS newest_created_at
                FROM %3$I.%4$I GROUP BY disposition, ttl_tier%5$s$f$,
                v_name, v_hub, r.table_schema, r.table_name, v_by_hub);
            v_groups := v_groups || format(
                $f$SELECT %1$L::text AS error_table, %2$s AS hub,
                       (parked_at AT TIME ZONE 'UTC')::date AS parked_day,
                       (escalated_at AT TIME ZONE 'UTC')::date AS escalated_day,
                       count(*) FILTER (WHERE disposition IS NOT NULL AND disposition NOT IN ('RETRY', 'PARKED')) AS live,
                       count(*) FILTER (WHERE disposition IS NULL OR disposition = 'RETRY') AS retry,
                       count(*) FILTER (WHERE disposition = 'PARKED' AND NOT escalation_level > 0) AS parked,
                       count(*) FILTER (WHERE disposition = 'PARKED' AND escalation_level > 0) AS escalated,
                       0::bigint AS archived, count(*) AS error_rows
                FROM %3$I.%4$I GROUP BY 2, 3, 4$f$,
                v_name, v_hub, r.table_schema, r.table_name);
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
        END IF;
        IF to_regclass(format('%I.%I', r.archive_schema, r.archive_table)) IS NOT NULL THEN
            v_summary := v_summary || format(
                $f$SELECT %1$L::text, %2$s, 'archive'::text,
                       coalesce(final_disposition::text, 'UNSET'), ttl_tier::text,
                       count(*)::bigint, count(*) FILTER (WHERE retry_exhausted)::bigint,
                       max(escalation_level)::integer, min(created_at), max(created_at)
                FROM %3$I.%4$I GROUP BY final_disposition, ttl_tier%5$s$f$,
                v_name, v_hub, r.archive_schema, r.archive_table, v_by_hub);
            v_groups := v_groups || format(
                $f$SELECT %1$L::text, %2$s, (parked_at AT TIME ZONE 'UTC')::date,
                       (escalated_at AT TIME ZONE 'UTC')::date,
                       0::bigint, 0::bigint, 0::bigint, 0::bigint, count(*), count(*)
                FROM %3$I.%4$I GROUP BY 2, 3, 4$f$,
                v_name, v_hub, r.archive_schema, r.archive_table);
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
    IF cardinality(v_groups) = 0 THEN
        v_groups := ARRAY[$f$SELECT NULL::text AS error_table, NULL::text AS hub, NULL::date AS parked_day,
            NULL::date AS escalated_day, 0::bigint AS live, 0::bigint AS retry, 0::bigint AS parked,
            0::bigint AS escalated, 0::bigint AS archived, 0::bigint AS error_rows
            WHERE false$f$];
    END IF;
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_error_governance_summary AS '
        || array_to_string(v_summary, E'\nUNION ALL\n');
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_blocking_errors_by_outreach AS '
        || array_to_string(v_block, E'\nUNION ALL\n');
    EXECUTE 'CREATE OR REPLACE VIEW shq.vw_error_status_groups AS '
        || array_to_string(v_groups, E'\nUNION ALL\n');
END
$$;

SELECT shq.fn_refresh_governance_views();

-- The readiness summary read with the owner's rights: the DONE functions it inlines read the
-- hub tables as the owner (see Decisions).
CREATE OR REPLACE FUNCTION shq.fn_promotion_tier_counts()
RETURNS TABLE (tier integer, label text, outreach_count bigint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY SELECT s.tier, s.label, s.outreach_count FROM shq.vw_promotion_readiness_summary s;
END
$$;

CREATE OR REPLACE VIEW shq.vw_promotion_tier_counts AS
SELECT t.tier, t.label, t.outreach_count FROM shq.fn_promotion_tier_counts() t;
