-- 2026-02-02-promotion-gate-functions.sql  (migration 4 of 4)
--
-- Purpose: the DONE-state checkers, blocking-error checkers, promotion functions, the three
-- tiers and the readiness views of ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 1.4 and 5.
--
-- Decisions (also in fixtures/DONE_STATE_DEFINITIONS.md, which lint-canon compares with the
-- fn_check_*_done functions below):
--   * DONE criteria, per hub, exactly as the document's table says; a hub row that is missing
--     is not done.
--   * Blocking errors: errors whose disposition is RETRY or PARKED (or not yet backfilled, NULL)
--     block promotion; IGNORE, RESOLVED and ARCHIVED do not (document section 7). An error
--     table's hub comes from shq.error_table_registry; public.shq_error_log has no hub and its
--     errors block the all-hub tiers (2 and 3) only.
--   * Hub order (shq.hub_promotion_prerequisites): Company Target first; DOL and Blog after
--     Company Target; People after Company Target and DOL; BIT after all four. Promotion to a
--     hub needs every prerequisite hub DONE and free of blocking errors.
--   * Tier 1 marketing ready: Company Target DONE, confidence_score >= 0.800, no blocking
--     Company Target errors.
--     Tier 2 enrichment complete: all five hubs DONE and no blocking errors in any table.
--     Tier 3 campaign ready: Tier 2 and at least min_slots filled slots whose e-mail is verified.
--     min_slots (3) and the Tier 1 confidence (0.800) live in shq.promotion_settings.
--   * The views are set-based (joins and grouped subqueries, no per-row function calls); the
--     functions answer for one outreach id with the same predicates.
--
-- Safe to re-run; a second run changes nothing.
-- Run alone: psql -v ON_ERROR_STOP=1 -f sql/2026-02-02-promotion-gate-functions.sql "$DATABASE_URL"

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS shq.promotion_settings (
    id                   boolean PRIMARY KEY DEFAULT true CHECK (id),
    min_slots            integer NOT NULL DEFAULT 3 CHECK (min_slots >= 0),
    tier1_min_confidence numeric(4, 3) NOT NULL DEFAULT 0.800
);
INSERT INTO shq.promotion_settings (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS shq.hub_promotion_prerequisites (
    target_hub   text NOT NULL,
    required_hub text NOT NULL,
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

-- DONE-state checkers ------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_check_company_target_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM outreach.company_target ct
        WHERE ct.outreach_id = p_outreach_id
          AND ct.execution_status = 'ready'
          AND ct.email_method IS NOT NULL
          AND ct.confidence_score IS NOT NULL
          AND ct.imo_completed_at IS NOT NULL)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_dol_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM outreach.dol d
        WHERE d.outreach_id = p_outreach_id
          AND d.ein IS NOT NULL
          AND d.filing_present = TRUE)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_people_done(p_outreach_id uuid, p_min_slots integer DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT count(*) FILTER (WHERE s.is_filled) >= coalesce(p_min_slots, (SELECT min_slots FROM shq.promotion_settings))
    FROM people.company_slot s
    WHERE s.outreach_id = p_outreach_id
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_blog_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM outreach.blog b WHERE b.outreach_id = p_outreach_id)
$$;

CREATE OR REPLACE FUNCTION shq.fn_check_bit_done(p_outreach_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM outreach.bit_scores b
        WHERE b.outreach_id = p_outreach_id
          AND b.score IS NOT NULL
          AND b.signal_count > 0)
$$;

-- Blocking-error checkers --------------------------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_has_blocking_errors(p_table regclass, p_outreach_id uuid)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    r     shq.error_table_registry;
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
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I = $1 AND (disposition IS NULL OR disposition IN (%L, %L)))',
        r.table_schema, r.table_name, r.outreach_column, 'RETRY', 'PARKED')
        INTO v_hit USING p_outreach_id;
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

CREATE OR REPLACE VIEW shq.vw_promotion_readiness AS
WITH settings AS (
    SELECT min_slots, tier1_min_confidence FROM shq.promotion_settings
), slots AS (
    SELECT outreach_id,
           count(*) FILTER (WHERE is_filled) AS filled_slots,
           count(*) FILTER (WHERE is_filled AND email_verified) AS verified_slots
    FROM people.company_slot
    GROUP BY outreach_id
), blocking AS (
    SELECT outreach_id,
           sum(blocking_errors) AS blocking_errors,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-COMPANY-TARGET') AS company_target_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-DOL') AS dol_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-PEOPLE') AS people_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-BLOG') AS blog_blocking,
           sum(blocking_errors) FILTER (WHERE hub = 'HUB-BIT') AS bit_blocking
    FROM shq.vw_blocking_errors_by_outreach
    GROUP BY outreach_id
), done AS (
    SELECT o.outreach_id,
           coalesce(ct.execution_status = 'ready' AND ct.email_method IS NOT NULL
                    AND ct.confidence_score IS NOT NULL AND ct.imo_completed_at IS NOT NULL, false)
               AS company_target_done,
           coalesce(d.ein IS NOT NULL AND d.filing_present = TRUE, false) AS dol_done,
           coalesce(sl.filled_slots, 0) >= st.min_slots AS people_done,
           b.outreach_id IS NOT NULL AS blog_done,
           coalesce(bs.score IS NOT NULL AND bs.signal_count > 0, false) AS bit_done,
           ct.confidence_score,
           coalesce(sl.filled_slots, 0) AS filled_slots,
           coalesce(sl.verified_slots, 0) AS verified_slots,
           coalesce(bl.blocking_errors, 0) AS blocking_errors,
           coalesce(bl.company_target_blocking, 0) AS company_target_blocking,
           coalesce(bl.dol_blocking, 0) AS dol_blocking,
           coalesce(bl.people_blocking, 0) AS people_blocking,
           coalesce(bl.blog_blocking, 0) AS blog_blocking,
           coalesce(bl.bit_blocking, 0) AS bit_blocking,
           st.min_slots,
           st.tier1_min_confidence
    FROM outreach.outreach o
    CROSS JOIN settings st
    LEFT JOIN outreach.company_target ct ON ct.outreach_id = o.outreach_id
    LEFT JOIN outreach.dol d ON d.outreach_id = o.outreach_id
    LEFT JOIN slots sl ON sl.outreach_id = o.outreach_id
    LEFT JOIN outreach.blog b ON b.outreach_id = o.outreach_id
    LEFT JOIN outreach.bit_scores bs ON bs.outreach_id = o.outreach_id
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
            ELSE 0 END AS highest_tier
FROM tiers;

CREATE OR REPLACE VIEW shq.vw_promotion_readiness_summary AS
SELECT t.tier, t.label, count(r.outreach_id) AS outreach_count
FROM (VALUES (3, 'TIER_3_CAMPAIGN_READY'), (2, 'TIER_2_ENRICHMENT_COMPLETE'),
             (1, 'TIER_1_MARKETING_READY'), (0, 'NOT_READY')) AS t (tier, label)
LEFT JOIN shq.vw_promotion_readiness r ON r.highest_tier = t.tier
GROUP BY t.tier, t.label
ORDER BY t.tier DESC;

-- Promotion functions (one outreach id) ------------------------------------------------------

CREATE OR REPLACE FUNCTION shq.fn_hub_done(p_outreach_id uuid, p_hub text)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT CASE p_hub
        WHEN 'HUB-COMPANY-TARGET' THEN shq.fn_check_company_target_done(p_outreach_id)
        WHEN 'HUB-DOL' THEN shq.fn_check_dol_done(p_outreach_id)
        WHEN 'HUB-PEOPLE' THEN shq.fn_check_people_done(p_outreach_id)
        WHEN 'HUB-BLOG' THEN shq.fn_check_blog_done(p_outreach_id)
        WHEN 'HUB-BIT' THEN shq.fn_check_bit_done(p_outreach_id)
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
    FOREACH v_hub IN ARRAY ARRAY['HUB-COMPANY-TARGET', 'HUB-DOL', 'HUB-PEOPLE', 'HUB-BLOG', 'HUB-BIT'] LOOP
        IF NOT shq.fn_hub_done(p_outreach_id, v_hub) THEN
            RETURN QUERY SELECT 'HUB_NOT_DONE'::text, v_hub, format('%s is not DONE', v_hub);
        END IF;
    END LOOP;
    RETURN QUERY
        SELECT 'BLOCKING_ERRORS'::text, b.hub,
               format('%s: %s blocking error(s), %s parked, escalation level %s',
                      b.error_table, b.blocking_errors, b.parked_errors, b.max_escalation_level)
        FROM shq.vw_blocking_errors_by_outreach b
        WHERE b.outreach_id = p_outreach_id
        ORDER BY b.error_table;
END
$$;

CREATE OR REPLACE FUNCTION shq.fn_can_promote_to_hub(p_outreach_id uuid, p_target_hub text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF p_target_hub NOT IN ('HUB-COMPANY-TARGET', 'HUB-DOL', 'HUB-PEOPLE', 'HUB-BLOG', 'HUB-BIT') THEN
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
