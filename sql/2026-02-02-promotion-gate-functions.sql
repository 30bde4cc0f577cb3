-- 2026-02-02-promotion-gate-functions.sql  (migration 4 of 5)
--
-- Purpose: the hubs, the DONE definitions and checkers, blocking-error checkers, promotion
-- functions, the three tiers and the readiness views of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md
-- section 1.4 and 5.
--
-- Decisions (the criteria, blocking errors, hub order and tiers are also in
-- fixtures/DONE_STATE_DEFINITIONS.md, which lint-canon compares with the DONE definitions below):
--   * DONE criteria, per hub, exactly as the document's table says; a hub row that is missing
--     is not done. For People the rows are the slots: an outreach id with no slot row is not
--     DONE, even with min_slots 0.
--   * One definition per hub, so that the readiness view and the checkers cannot disagree:
--     shq.fn_<hub>_done_state() returns, for every outreach id the hub has a row for (at most
--     one: a primary key or a GROUP BY, so the view's joins never multiply rows), whether it is
--     DONE, and the hub's figures the view shows. The view LEFT JOINs it (no row: not DONE);
--     shq.fn_check_<hub>_done(outreach_id) probes it with EXISTS (... AND done).
--     They are LANGUAGE sql STABLE functions returning a table because PostgreSQL inlines those
--     in FROM and pushes the outreach id down into them: the probe is an index lookup and the
--     view stays set-based (hash or merge joins). A scalar function whose body has a subquery
--     is never inlined and would run once per outreach id. They are PARALLEL SAFE because the
--     planner reads that label before inlining: unlabelled, they would keep the view from the
--     parallel plans it had when the criteria were written in it.
--     DONE is a column rather than a filter (a function listing only the DONE ids) because
--     the view also shows the confidence score and the slot counts of ids that are not DONE:
--     with a filter it read company_target twice and grouped company_slot twice, 13 % slower
--     at 250,000 outreach ids (the summary 30 %); as a column each hub table is read once, as
--     before.
--     Rejected: a second copy of each criterion in the view, with lint-canon comparing both
--     copies with the document. Copies agree on the predicates lint-canon normalises, not
--     necessarily on what surrounds them (coalesce, NULL, a missing row), and every change
--     would still be made twice.
--     lint-canon's CANON402 follows a checker into the function it selects from when that
--     function is in the same file (its done column and its WHERE are the criteria): the
--     document is compared with the one definition.
--   * The hubs are rows of shq.hubs (id, display name, order, DONE checker); fn_hub_done,
--     fn_get_promotion_blockers and fn_can_promote_to_hub read it, and
--     shq.hub_promotion_prerequisites references it. A further hub needs its row, its checker
--     (a function of (uuid) returning boolean, and a row in the DONE document), and its
--     prerequisite rows; no function is edited. The readiness view and the tiers stay those of
--     the document's five hubs: a hub there is a column, and changing them is a migration.
--   * Blocking errors: errors whose disposition is RETRY or PARKED (or not yet backfilled, NULL)
--     block promotion; IGNORE, RESOLVED and ARCHIVED do not (document section 7). An error
--     table's hub comes from shq.error_table_registry; public.shq_error_log has no hub and its
--     errors block the all-hub tiers (2 and 3) only. A table whose registry row names a
--     hub_column (shq.guard_violations) blocks, row by row, the hub each row names. Everything
--     here reads hubs through shq.vw_blocking_errors_by_outreach (or the registry, in
--     fn_has_blocking_errors), so no function knows which kind of table it reads.
--   * The failure codes of the blocking errors (tables with a registry code_column: the guard's
--     V-codes) are shown: in fn_get_promotion_blockers' detail (", codes V-SCOPE-001") and in
--     vw_promotion_readiness.blocking_failure_codes (sorted, distinct, over all tables; '{}'
--     when none), unioned by the aggregate shq.failure_codes_union. Columns are appended at
--     the end, as CREATE OR REPLACE VIEW requires.
--   * Hub order (shq.hub_promotion_prerequisites): Company Target first; DOL and Blog after
--     Company Target; People after Company Target and DOL; BIT after all four. Promotion to a
--     hub needs every prerequisite hub DONE and free of blocking errors.
--   * Tier 1 marketing ready: Company Target DONE, confidence_score >= 0.800, no blocking
--     Company Target errors.
--     Tier 2 enrichment complete: all five hubs DONE and no blocking errors in any table.
--     Tier 3 campaign ready: Tier 2 and at least min_slots filled slots whose e-mail is verified.
--     min_slots (3) and the Tier 1 confidence (0.800) live in shq.promotion_settings.
--   * The views are set-based (joins and grouped subqueries, no per-row function calls); the
--     functions answer for one outreach id.
--   * The hub's checker is called by name with format('%I.%I'), never by concatenated text.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after migrations 1-3): psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-promotion-gate-functions.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

CREATE TABLE IF NOT EXISTS shq.promotion_settings (
    id                   boolean PRIMARY KEY DEFAULT true CHECK (id),
    min_slots            integer NOT NULL DEFAULT 3 CHECK (min_slots >= 0),
    tier1_min_confidence numeric(4, 3) NOT NULL DEFAULT 0.800
);
INSERT INTO shq.promotion_settings (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS shq.hubs (
    hub_id         text PRIMARY KEY,
    display_name   text NOT NULL,
    sort_order     integer NOT NULL UNIQUE,
    -- Names, not a regprocedure: pg_upgrade refuses tables holding regprocedure values.
    checker_schema name NOT NULL DEFAULT 'shq',
    checker_name   name NOT NULL
);
COMMENT ON TABLE shq.hubs IS
    'The hubs. checker_schema.checker_name(outreach_id uuid) returns whether the hub is DONE.';
INSERT INTO shq.hubs (hub_id, display_name, sort_order, checker_name) VALUES
    ('HUB-COMPANY-TARGET', 'Company Target', 1, 'fn_check_company_target_done'),
    ('HUB-DOL', 'DOL', 2, 'fn_check_dol_done'),
    ('HUB-PEOPLE', 'People', 3, 'fn_check_people_done'),
    ('HUB-BLOG', 'Blog', 4, 'fn_check_blog_done'),
    ('HUB-BIT', 'BIT', 5, 'fn_check_bit_done')
ON CONFLICT (hub_id) DO NOTHING;

CREATE TABLE IF NOT EXISTS shq.hub_promotion_prerequisites (
    target_hub   text NOT NULL REFERENCES shq.hubs (hub_id),
    required_hub text NOT NULL REFERENCES shq.hubs (hub_id),
    PRIMARY KEY (target_hub, required_hub)
);
INSERT INTO shq.hub_promotion_prerequisites (target_hub, required_hub) VALUES
    ('HUB-DOL', 'HUB-COMPANY-TARGET'),
    ('HUB-BLOG', 'HUB-COMPANY-TARGET'),
    ('HUB-PEOPLE', 'HUB-COMPANY-TARGET'),
    ('HUB-PEOPLE', 'HUB-DOL'),
    ('HUB-BIT', 'HUB-COMPANY-TARGET'),
    ('HUB-BIT', 'HUB-DOL'),
    ('HUB-BIT', 'HUB-PEOPLE'),
    ('HUB-BIT', 'HUB-BLOG')
ON CONFLICT DO NOTHING;

-- DONE definitions: one per hub ------------------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_company_target_done_state()
RETURNS TABLE (outreach_id uuid, done boolean, confidence_score numeric)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT ct.outreach_id,
           ct.execution_status = 'ready'
               AND ct.email_method IS NOT NULL
               AND ct.confidence_score IS NOT NULL
               AND ct.imo_completed_at IS NOT NULL,
           ct.confidence_score
    FROM outreach.company_target ct
$$;

CREATE OR REPLACE FUNCTION shq.fn_dol_done_state()
RETURNS TABLE (outreach_id uuid, done boolean)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT d.outreach_id,
           d.ein IS NOT NULL
               AND d.filing_present = TRUE
    FROM outreach.dol d
$$;

CREATE OR REPLACE FUNCTION shq.fn_people_done_state(p_min_slots integer DEFAULT NULL)
RETURNS TABLE (outreach_id uuid, done boolean, filled_slots bigint, verified_slots bigint)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT s.outreach_id,
           count(*) FILTER (WHERE s.is_filled) >= coalesce(p_min_slots, (SELECT min_slots FROM shq.promotion_settings)),
           count(*) FILTER (WHERE s.is_filled),
           count(*) FILTER (WHERE s.is_filled AND s.email_verified)
    FROM people.company_slot s
    GROUP BY s.outreach_id
$$;

CREATE OR REPLACE FUNCTION shq.fn_blog_done_state()
RETURNS TABLE (outreach_id uuid, done boolean)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT b.outreach_id, true FROM outreach.blog b
$$;

CREATE OR REPLACE FUNCTION shq.fn_bit_done_state()
RETURNS TABLE (outreach_id uuid, done boolean)
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT b.outreach_id,
           b.score IS NOT NULL
               AND b.signal_count > 0
    FROM outreach.bit_scores b
$$;

-- DONE-state checkers: one outreach id ----------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_check_company_target_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_company_target_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_dol_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_people_done(p_outreach_id uuid, p_min_slots integer DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_people_done_state(p_min_slots) s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_blog_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_bit_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM shq.fn_bit_done_state() s WHERE s.outreach_id = p_outreach_id AND s.done)
$$;

-- Blocking-error checkers --------------------------------------------------------------------

-- Whether a governed table holds blocking errors of an outreach id; with p_hub, only those that
-- count for that hub: the table's hub, or each row's own when the registry names a hub_column.
DROP FUNCTION IF EXISTS shq.fn_has_blocking_errors(regclass, uuid);
CREATE OR REPLACE FUNCTION shq.fn_has_blocking_errors(p_table regclass, p_outreach_id uuid, p_hub text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    r     shq.error_table_registry;
    v_hub text := '';
    v_hit boolean;
BEGIN
    SELECT g.* INTO r
    FROM shq.error_table_registry g
    JOIN pg_class c ON c.relname = g.table_name
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = g.table_schema
    WHERE c.oid = p_table;
    IF NOT FOUND OR r.outreach_column IS NULL THEN
        RETURN false;
    END IF;
    IF p_hub IS NOT NULL THEN
        IF r.hub_column IS NULL THEN
            IF r.hub IS DISTINCT FROM p_hub THEN
                RETURN false;  -- the whole table counts for another hub (or none)
            END IF;
        ELSE
            v_hub := format(' AND coalesce(%I::text, %L) = $2', r.hub_column, r.hub);
        END IF;
    END IF;
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I = $1 AND (disposition IS NULL OR disposition IN (%L, %L))%s)',
        r.table_schema, r.table_name, r.outreach_column, 'RETRY', 'PARKED', v_hub)
        INTO v_hit USING p_outreach_id, p_hub;
    RETURN v_hit;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_has_blocking_dol_errors(p_outreach_id uuid)
RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT shq.fn_has_blocking_errors('outreach.dol_errors'::regclass, p_outreach_id) $$;

CREATE OR REPLACE FUNCTION shq.fn_has_blocking_company_target_errors(p_outreach_id uuid)
RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT shq.fn_has_blocking_errors('outreach.company_target_errors'::regclass, p_outreach_id) $$;

CREATE OR REPLACE FUNCTION shq.fn_has_blocking_people_errors(p_outreach_id uuid)
RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT shq.fn_has_blocking_errors('people.people_errors'::regclass, p_outreach_id) $$;

-- Readiness, set-based -----------------------------------------------------------------------

-- The failure codes of an outreach id's blocking errors over all tables: the union, sorted, of
-- the blocking view's failure_codes (NULL ones, from tables without a code column, skipped).
CREATE OR REPLACE FUNCTION shq.fn_failure_codes_union(p_left text[], p_right text[])
RETURNS text[]
LANGUAGE sql
IMMUTABLE
STRICT
PARALLEL SAFE
AS $$
    SELECT array(SELECT DISTINCT c FROM unnest(p_left || p_right) c ORDER BY c)
$$;

CREATE OR REPLACE AGGREGATE shq.failure_codes_union(text[]) (
    SFUNC = shq.fn_failure_codes_union,
    STYPE = text[],
    COMBINEFUNC = shq.fn_failure_codes_union,
    PARALLEL = SAFE
);

CREATE OR REPLACE VIEW shq.vw_promotion_readiness AS
WITH settings AS (
    SELECT min_slots, tier1_min_confidence FROM shq.promotion_settings
), blocking AS (
    SELECT outreach_id,
           sum(blocking_errors) AS blocking_errors,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-COMPANY-TARGET') AS company_target_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-DOL') AS dol_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-PEOPLE') AS people_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-BLOG') AS blog_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-BIT') AS bit_blocking,
           shq.failure_codes_union(failure_codes) AS blocking_failure_codes
    FROM shq.vw_blocking_errors_by_outreach
    GROUP BY outreach_id
), done AS (
    SELECT o.outreach_id,
           coalesce(ct.done, false) AS company_target_done,
           coalesce(d.done, false) AS dol_done,
           coalesce(pe.done, false) AS people_done,
           coalesce(b.done, false) AS blog_done,
           coalesce(bs.done, false) AS bit_done,
           -- A function's result drops the column's typmod; the view keeps company_target's type.
           ct.confidence_score::numeric(4, 3) AS confidence_score,
           coalesce(pe.filled_slots, 0) AS filled_slots,
           coalesce(pe.verified_slots, 0) AS verified_slots,
           coalesce(bl.blocking_errors, 0) AS blocking_errors,
           coalesce(bl.company_target_blocking, 0) AS company_target_blocking,
           coalesce(bl.dol_blocking, 0) AS dol_blocking,
           coalesce(bl.people_blocking, 0) AS people_blocking,
           coalesce(bl.blog_blocking, 0) AS blog_blocking,
           coalesce(bl.bit_blocking, 0) AS bit_blocking,
           coalesce(bl.blocking_failure_codes, '{}') AS blocking_failure_codes,
           st.min_slots,
           st.tier1_min_confidence
    FROM outreach.outreach o
    CROSS JOIN settings st
    LEFT JOIN shq.fn_company_target_done_state() ct ON ct.outreach_id = o.outreach_id
    LEFT JOIN shq.fn_dol_done_state() d ON d.outreach_id = o.outreach_id
    LEFT JOIN shq.fn_people_done_state() pe ON pe.outreach_id = o.outreach_id
    LEFT JOIN shq.fn_blog_done_state() b ON b.outreach_id = o.outreach_id
    LEFT JOIN shq.fn_bit_done_state() bs ON bs.outreach_id = o.outreach_id
    LEFT JOIN blocking bl ON bl.outreach_id = o.outreach_id
), tiers AS (
    SELECT done.*,
           company_target_done AND coalesce(confidence_score >= tier1_min_confidence, false)
               AND company_target_blocking = 0 AS tier1_marketing_ready,
           company_target_done AND dol_done AND people_done AND blog_done AND bit_done
               AND blocking_errors = 0 AS tier2_enrichment_complete
    FROM done
)
SELECT outreach_id,
       company_target_done, dol_done, people_done, blog_done, bit_done,
       confidence_score, filled_slots, verified_slots, blocking_errors,
       company_target_blocking, dol_blocking, people_blocking, blog_blocking, bit_blocking,
       tier1_marketing_ready,
       tier2_enrichment_complete,
       tier2_enrichment_complete AND verified_slots >= min_slots AS tier3_campaign_ready,
       CASE WHEN tier2_enrichment_complete AND verified_slots >= min_slots THEN 3
            WHEN tier2_enrichment_complete THEN 2
            WHEN tier1_marketing_ready THEN 1
            ELSE 0 END AS highest_tier,
       blocking_failure_codes
FROM tiers;

-- Counted by tier before the labels are joined: grouping on the tier alone is a hash of four
-- groups (in parallel when the planner wants), where grouping the joined rows on (tier, label)
-- sorted every outreach id.
CREATE OR REPLACE VIEW shq.vw_promotion_readiness_summary AS
SELECT t.tier, t.label, coalesce(c.outreach_count, 0) AS outreach_count
FROM (VALUES (3, 'TIER_3_CAMPAIGN_READY'), (2, 'TIER_2_ENRICHMENT_COMPLETE'),
             (1, 'TIER_1_MARKETING_READY'), (0, 'NOT_READY')) AS t (tier, label)
LEFT JOIN (SELECT highest_tier, count(*) AS outreach_count
           FROM shq.vw_promotion_readiness
           GROUP BY highest_tier) AS c ON c.highest_tier = t.tier
ORDER BY t.tier DESC;

-- Promotion functions (one outreach id) ------------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_hub_done(p_outreach_id uuid, p_hub text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    h      shq.hubs;
    v_done boolean;
BEGIN
    SELECT * INTO h FROM shq.hubs WHERE hub_id = p_hub;
    IF NOT FOUND THEN
        RETURN NULL;  -- not a hub: neither DONE nor not DONE
    END IF;
    EXECUTE format('SELECT %I.%I($1)', h.checker_schema, h.checker_name) INTO v_done USING p_outreach_id;
    RETURN v_done;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_get_promotion_blockers(p_outreach_id uuid)
RETURNS TABLE (blocker text, hub text, detail text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    v_hub text;
BEGIN
    FOR v_hub IN SELECT h.hub_id FROM shq.hubs h ORDER BY h.sort_order LOOP
        IF NOT shq.fn_hub_done(p_outreach_id, v_hub) THEN
            RETURN QUERY SELECT 'HUB_NOT_DONE'::text, v_hub, format('%s is not DONE', v_hub);
        END IF;
    END LOOP;
    RETURN QUERY
        SELECT 'BLOCKING_ERRORS'::text, b.hub,
               format('%s: %s blocking error(s), %s parked, escalation level %s',
                      b.error_table, b.blocking_errors, b.parked_errors, b.max_escalation_level)
                   || coalesce(', codes ' || array_to_string(b.failure_codes, ', '), '')
        FROM shq.vw_blocking_errors_by_outreach b
        WHERE b.outreach_id = p_outreach_id
        ORDER BY b.error_table, b.hub;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_can_promote_to_hub(p_outreach_id uuid, p_target_hub text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM shq.hubs h WHERE h.hub_id = p_target_hub) THEN
        RAISE EXCEPTION 'unknown hub %', p_target_hub;
    END IF;
    RETURN NOT EXISTS (
        SELECT 1 FROM shq.hub_promotion_prerequisites p
        WHERE p.target_hub = p_target_hub
          AND (NOT shq.fn_hub_done(p_outreach_id, p.required_hub)
               OR EXISTS (SELECT 1 FROM shq.vw_blocking_errors_by_outreach b
                          WHERE b.outreach_id = p_outreach_id AND b.hub = p.required_hub)));
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_is_tier1_marketing_ready(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT shq.fn_check_company_target_done(p_outreach_id)
       AND EXISTS (SELECT 1 FROM outreach.company_target ct, shq.promotion_settings s
                   WHERE ct.outreach_id = p_outreach_id AND ct.confidence_score >= s.tier1_min_confidence)
       AND NOT EXISTS (SELECT 1 FROM shq.vw_blocking_errors_by_outreach b
                       WHERE b.outreach_id = p_outreach_id AND b.hub = 'HUB-COMPANY-TARGET')
$$;

CREATE OR REPLACE FUNCTION shq.fn_is_tier2_enrichment_complete(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT shq.fn_check_company_target_done(p_outreach_id)
       AND shq.fn_check_dol_done(p_outreach_id)
       AND shq.fn_check_people_done(p_outreach_id)
       AND shq.fn_check_blog_done(p_outreach_id)
       AND shq.fn_check_bit_done(p_outreach_id)
       AND NOT EXISTS (SELECT 1 FROM shq.vw_blocking_errors_by_outreach b WHERE b.outreach_id = p_outreach_id)
$$;

CREATE OR REPLACE FUNCTION shq.fn_is_tier3_campaign_ready(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT shq.fn_is_tier2_enrichment_complete(p_outreach_id)
       AND (SELECT count(*) FROM people.company_slot s
            WHERE s.outreach_id = p_outreach_id AND s.is_filled AND s.email_verified)
           >= (SELECT min_slots FROM shq.promotion_settings)
$$;
