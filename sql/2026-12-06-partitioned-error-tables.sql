-- 2026-12-06-partitioned-error-tables.sql  (migration 8)
--
-- Purpose:
--   1. A partitioned error table is governed as one table, through its parent. Until now its
--      parent was refused ("govern each partition instead") and a partition could not be
--      governed either (PostgreSQL adds columns to a partition only through its parent, and a
--      partitioned table's primary key always holds the partition key, so it is never one column).
--   2. shq.fn_ungovern_error_table(): a table leaves governance (its registry row, its job
--      positions), also one that was dropped or renamed, on which every daily run failed.
--   3. Rows a BEFORE DELETE / BEFORE UPDATE trigger keeps from moving (it returns NULL) are
--      counted and reported by the job (shq.governance_job_runs.rows_kept and its message),
--      instead of being skipped without a word.
--
-- Decisions:
--   * The parent is governed. ALTER TABLE on the parent adds the governance columns, their
--     defaults and the NOT VALID escalation_level check to every partition, and to every
--     partition made later (CREATE TABLE ... PARTITION OF inherits them; ATTACH PARTITION
--     requires the columns and checks the constraint). A partition is refused with a message
--     naming the table to govern. The archive is an ordinary table (CREATE TABLE ... LIKE the
--     parent). Retention stays per row (the TTL tier of each row): partitions mix tiers, so
--     dropping whole partitions is not what the document's rules say and is not done here.
--   * The id column: p_id_column (`sql govern --id-column`), else the registered one, else the
--     single-column primary key, else a single-column unique NOT NULL index (a HASH-partitioned
--     table keyed on its id has one); otherwise the message asks for --id-column. A range-
--     partitioned table keyed on (id, created_at) names its id: it must identify a row in
--     practice (an identity or a sequence); the archive's primary key is that id, so a reused
--     one is parked ARCHIVE_ID_TAKEN as on any table.
--   * The job indexes: CREATE INDEX CONCURRENTLY does not run on a partitioned table. So
--     shq.fn_governance_pending_steps() lists, for a partitioned table, CREATE INDEX ... ON ONLY
--     the parent (a catalog entry, INVALID until every partition has its index), then for each
--     partition CREATE INDEX CONCURRENTLY on it and ALTER INDEX parent_index ATTACH PARTITION
--     (sub-partitioned partitions likewise, level by level; a foreign partition has no index).
--     Once every partition's index is attached the parent's index is valid, and PostgreSQL
--     gives each partition made later its own copy (CREATE TABLE ... PARTITION OF builds it;
--     ATTACH PARTITION adopts a matching index or builds one): nothing is left pending. A
--     partition made while the parent's index is still being built is listed by the steps.
--     `lint-canon sql apply` / `sql govern` run the steps, psql with \gexec.
--   * The jobs through the parent. Park and escalate are keyset batches over the id, which a
--     partitioned table serves as any table (a merge of each partition's partial index); their
--     UPDATE re-checks the predicate, so it is served by those partial indexes too. Archive and
--     cleanup walk physical chunks of blocks, and a block number means something only within
--     one partition: they walk each leaf partition in turn, in the order of its name, and a
--     runner that calls them batch by batch resumes at (block, partition). The move deletes
--     from the partition itself: row triggers fire (a parent's row triggers are its
--     partitions'), statement triggers of the parent do not.
--   * Rows kept by a trigger. Park and escalate lock their candidates (FOR UPDATE), so a
--     candidate not updated was kept by a BEFORE UPDATE trigger: counted exactly. Archive and
--     cleanup count, in the same statement, the chunk's due rows against the rows moved, on a
--     table that has a BEFORE DELETE row trigger only (no cost elsewhere); a row another session
--     changed between the snapshot and the delete counts too, which is rare. The batches move
--     past kept rows (the keyset's last id, the chunk's blocks): a run never spins on them, and
--     the next run counts them again. The count is governance_job_runs.rows_kept, and the message
--     says "N rows kept by a trigger on TABLE"; `lint-canon sql jobs` adds it to its summary.
--   * Ungovern keeps the data: the table's governance columns, job indexes and archive stay
--     (dropping them is a person's decision); its registry row and job positions go, and the
--     monitoring views are made again without it. A registered table or archive that no longer
--     exists is left out of the views (it used to make every govern and ungovern fail).
--   * Everything here replaces functions of 2026-02-02-error-governance-columns.sql,
--     2026-02-02-error-ttl-executors.sql, 2026-02-02-error-ttl-jobs.sql,
--     2026-02-02-error-governance-views.sql and 2026-02-02-error-governance-govern-table.sql
--     with CREATE OR REPLACE, same signatures and
--     result types (a re-run of an older file puts its version back until this one runs again:
--     run them in the plan's order). The job functions restate the SECURITY DEFINER and pinned
--     search_path of 2026-12-06-scheduler-role.sql; the run log's new column is readable by a
--     scheduler role through its existing GRANT SELECT. shq.fn_check_not_partitioned is dropped: no
--     job calls it, and its advice (govern each partition) is no longer true.
--   * Every identifier in dynamic SQL is quoted with format('%I').
--
-- Safe to re-run; a second run changes nothing.
-- Run alone (after the files before it in sql/plan.txt): psql -v ON_ERROR_STOP=1 -f sql/2026-12-06-partitioned-error-tables.sql "$DATABASE_URL"

SET client_min_messages = warning;
SELECT set_config('lock_timeout', '5s', false) WHERE current_setting('lock_timeout') IN ('0', '0ms');

ALTER TABLE shq.governance_job_runs ADD COLUMN IF NOT EXISTS rows_kept bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN shq.governance_job_runs.rows_kept IS
    'rows the job would have moved or changed that a BEFORE DELETE / UPDATE trigger kept (it returned NULL)';

-- The schema-qualified, quoted name of a relation.
CREATE OR REPLACE FUNCTION shq.fn_qualified(p_relation regclass)
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT format('%I.%I', n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_relation
$$;

-- The job indexes of one registered error table: (suffix of the name, key and predicate).
CREATE OR REPLACE FUNCTION shq.fn_governance_index_specs(r shq.error_table_registry)
RETURNS TABLE (suffix text, spec text)
LANGUAGE sql
STABLE
AS $$
    -- Auto-park and escalation: partial indexes listing exactly the rows those jobs touch.
    SELECT '_gov_park_idx',
           format('(%I) WHERE (disposition IS NULL OR disposition = %L) AND retry_count >= max_retries',
                  r.id_column, 'RETRY')
    UNION ALL
    SELECT '_gov_escalate_idx', format('(%I) WHERE disposition = %L AND escalation_level < 3', r.id_column, 'PARKED')
    UNION ALL
    -- Promotion blockers: unresolved errors by outreach id.
    SELECT '_gov_blocking_idx',
           format('(%I) WHERE disposition IS NULL OR disposition IN (%L, %L)', r.outreach_column, 'RETRY', 'PARKED')
    WHERE r.outreach_column IS NOT NULL
$$;

-- Migration 1's function, now read from the specs above: (name, definition without CONCURRENTLY).
CREATE OR REPLACE FUNCTION shq.fn_governance_indexes(r shq.error_table_registry)
RETURNS TABLE (index_name name, definition text)
LANGUAGE sql
STABLE
AS $$
    SELECT shq.fn_governance_name(r.table_name, s.suffix), format('ON %I.%I %s', r.table_schema, r.table_name, s.spec)
    FROM shq.fn_governance_index_specs(r) s
$$;

-- The steps that give each partition of p_table (partitioned) its index of one kind, attached to
-- p_index (p_table's index of that kind, named p_index_name; NULL while a step before these
-- still has to create it): the index a partition has attached already will do; else ours, by
-- name, built CONCURRENTLY (a leaf) or ON ONLY (a sub-partitioned partition, whose own
-- partitions follow), then attached.
CREATE OR REPLACE FUNCTION shq.fn_partition_index_steps(
    p_table regclass, p_index regclass, p_index_name text, p_suffix text, p_spec text)
RETURNS TABLE (error_table text, object_name name, statement text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    c        record;
    v_have   regclass;
    v_valid  boolean;
    v_name   name;
    v_index  text;
BEGIN
    FOR c IN
        SELECT k.oid::regclass AS rel, k.relkind, k.relname, n.nspname, format('%I.%I', n.nspname, k.relname) AS qualified
        FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid JOIN pg_namespace n ON n.oid = k.relnamespace
        WHERE i.inhparent = p_table AND k.relkind IN ('r', 'p')  -- a foreign partition has no index
        ORDER BY format('%I.%I', n.nspname, k.relname) COLLATE "C"
    LOOP
        v_have := NULL;
        v_valid := NULL;
        IF p_index IS NOT NULL THEN
            SELECT x.indexrelid::regclass, x.indisvalid INTO v_have, v_valid
            FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
            WHERE i.inhparent = p_index AND x.indrelid = c.rel;
        END IF;
        IF v_have IS NOT NULL THEN
            IF NOT v_valid AND c.relkind = 'p' THEN  -- attached, its own partitions not all yet
                RETURN QUERY SELECT * FROM shq.fn_partition_index_steps(c.rel, v_have, shq.fn_qualified(v_have),
                                                                       p_suffix, p_spec);
            END IF;
            CONTINUE;
        END IF;
        v_name := shq.fn_governance_name(c.relname, p_suffix);
        v_index := format('%I.%I', c.nspname, v_name);
        SELECT x.indisvalid INTO v_valid FROM pg_index x WHERE x.indexrelid = to_regclass(v_index) AND x.indrelid = c.rel;
        error_table := c.qualified;
        object_name := v_name;
        IF c.relkind = 'r' THEN
            IF NOT v_valid THEN  -- INVALID: a concurrent build that failed
                statement := format('DROP INDEX CONCURRENTLY IF EXISTS %s', v_index);
                RETURN NEXT;
            END IF;
            IF v_valid IS NOT TRUE THEN
                statement := format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I ON %s %s', v_name, c.qualified, p_spec);
                RETURN NEXT;
            END IF;
        ELSE
            IF v_valid IS NULL THEN
                statement := format('CREATE INDEX IF NOT EXISTS %I ON ONLY %s %s', v_name, c.qualified, p_spec);
                RETURN NEXT;
            END IF;
            RETURN QUERY SELECT * FROM shq.fn_partition_index_steps(c.rel, to_regclass(v_index), v_index, p_suffix, p_spec);
        END IF;
        error_table := shq.fn_qualified(p_table);
        object_name := v_name;
        statement := format('ALTER INDEX %s ATTACH PARTITION %s', p_index_name, v_index);
        RETURN NEXT;
    END LOOP;
END
$$;

-- What is left to do on the governed tables that must not run in a migration's transaction,
-- as statements to run one by one, each in a transaction of its own (autocommit): build the job
-- indexes CONCURRENTLY (an INVALID one, from a concurrent build that failed, is dropped and
-- built again; on a partitioned table: ON ONLY the parent, then each partition's, attached),
-- then validate the NOT VALID checks. Empty once everything is done.
CREATE OR REPLACE FUNCTION shq.fn_governance_pending_steps()
RETURNS TABLE (error_table text, object_name name, statement text)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    r       shq.error_table_registry;
    i       record;
    v_rel   regclass;
    v_kind  "char";
    v_index text;
    v_valid boolean;
    v_check name;
BEGIN
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_rel := to_regclass(format('%I.%I', r.table_schema, r.table_name));
        CONTINUE WHEN v_rel IS NULL;
        SELECT c.relkind INTO v_kind FROM pg_class c WHERE c.oid = v_rel;
        FOR i IN SELECT s.suffix, s.spec, shq.fn_governance_name(r.table_name, s.suffix) AS index_name
                 FROM shq.fn_governance_index_specs(r) s ORDER BY 3 LOOP
            error_table := format('%I.%I', r.table_schema, r.table_name);
            object_name := i.index_name;
            v_index := format('%I.%I', r.table_schema, i.index_name);
            v_valid := NULL;
            SELECT x.indisvalid INTO v_valid FROM pg_index x WHERE x.indexrelid = to_regclass(v_index);
            IF v_valid THEN
                CONTINUE;
            END IF;
            IF v_kind = 'p' THEN
                -- INVALID here is the ON ONLY index waiting for its partitions', not a failed build.
                IF v_valid IS NULL THEN
                    statement := format('CREATE INDEX IF NOT EXISTS %I ON ONLY %s %s', i.index_name, error_table, i.spec);
                    RETURN NEXT;
                END IF;
                RETURN QUERY SELECT * FROM shq.fn_partition_index_steps(v_rel, to_regclass(v_index), v_index,
                                                                       i.suffix, i.spec);
                CONTINUE;
            END IF;
            IF v_valid IS NOT NULL THEN  -- INVALID: a concurrent build that failed
                statement := format('DROP INDEX CONCURRENTLY IF EXISTS %s', v_index);
                RETURN NEXT;
            END IF;
            statement := format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I ON %s %s', i.index_name, error_table, i.spec);
            RETURN NEXT;
        END LOOP;
        error_table := format('%I.%I', r.table_schema, r.table_name);
        v_check := shq.fn_governance_name(r.table_name, '_escalation_level_check');
        IF EXISTS (SELECT 1 FROM pg_constraint k
                   WHERE k.conrelid = v_rel AND k.conname = v_check AND NOT k.convalidated) THEN
            object_name := v_check;
            statement := format('ALTER TABLE %s VALIDATE CONSTRAINT %I', error_table, v_check);
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;

-- The physical tables a chunked job walks for p_table: the table itself (part NULL), or each
-- leaf partition of a partitioned one (part: its quoted name, the order they are walked in).
CREATE OR REPLACE FUNCTION shq.fn_physical_tables(p_table regclass)
RETURNS TABLE (relid regclass, part text, relkind "char")
LANGUAGE sql
STABLE
AS $$
    SELECT c.oid::regclass, NULL::text, c.relkind FROM pg_class c WHERE c.oid = p_table AND c.relkind <> 'p'
    UNION ALL
    SELECT t.relid, shq.fn_qualified(t.relid), c.relkind
    FROM pg_partition_tree(p_table) t JOIN pg_class c ON c.oid = t.relid
    WHERE t.isleaf AND (SELECT k.relkind FROM pg_class k WHERE k.oid = p_table) = 'p'
$$;

-- Whether a BEFORE row trigger for p_event ('DELETE' or 'UPDATE') may fire on p_table: one
-- that returns NULL keeps the row where it is.
CREATE OR REPLACE FUNCTION shq.fn_has_before_row_trigger(p_table regclass, p_event text)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_trigger g
        WHERE g.tgrelid = p_table AND NOT g.tgisinternal AND g.tgenabled <> 'D'
          AND g.tgtype & 1 = 1     -- FOR EACH ROW
          AND g.tgtype & 2 = 2     -- BEFORE
          AND g.tgtype & CASE p_event WHEN 'DELETE' THEN 8 WHEN 'UPDATE' THEN 16 ELSE 0 END <> 0)
$$;

-- A table's run of a job in the run log, with the rows a trigger kept (and a message saying so).
CREATE OR REPLACE FUNCTION shq.fn_log_table_run(
    p_job text, p_table text, p_now timestamptz, p_batch_size integer, p_rows bigint, p_kept bigint,
    p_status text, p_message text, p_started timestamptz)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO shq.governance_job_runs
        (job_name, error_table, as_of, batch_size, rows_affected, rows_kept, status, message, started_at)
    VALUES (p_job, p_table, p_now, p_batch_size, p_rows, p_kept, p_status,
            coalesce(p_message, CASE WHEN p_kept > 0 THEN format('%s %s kept by a trigger on %s', p_kept,
                                                                 CASE WHEN p_kept = 1 THEN 'row' ELSE 'rows' END,
                                                                 p_table) END),
            p_started)
$$;
REVOKE ALL ON FUNCTION shq.fn_log_table_run(text, text, timestamptz, integer, bigint, bigint, text, text, timestamptz)
    FROM PUBLIC;

-- A job over physical chunks of each table: `p_statement` moves or deletes the rows of the
-- blocks [$1, $2) it should, with $3 = p_now and $4 = the table's retention, and returns how
-- many, and how many due rows a BEFORE DELETE trigger kept. Every block is read once (a TID
-- range scan), so the cost is one pass over the table whatever the physical order of the rows;
-- each chunk holds about p_batch_size rows, which bounds the row locks of a batch. A
-- partitioned table is walked partition by partition (a block number is a partition's own).
CREATE OR REPLACE FUNCTION shq.fn_run_chunked_job(
    p_job         text,
    p_target      text,      -- 'live' (the error tables) or 'archive' (their archives)
    p_statement   text,      -- format() template: %1$s the table, %2$s the archive (either one a
                             -- partition when partitioned), %3$s copy columns, %4$I the id,
                             -- %5$s the columns a row put back parked keeps, %6$s true when
                             -- the walked table has a BEFORE DELETE row trigger (count the kept)
    p_now         timestamptz,
    p_batch_size  integer,
    p_max_batches integer,
    p_on_conflict text DEFAULT NULL)  -- the chunk's statement again, for when p_statement hits a
                                      -- unique violation (run in its place; NULL: fail)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_table   text;      -- what the job reports: the governed table, or its archive
    v_live    text;
    v_archive text;
    v_part    record;    -- the physical table walked: v_table itself, or one of its partitions
    v_walked  text;
    v_copy    text;
    v_back    text;
    v_stmt    text;
    v_careful text;
    v_blocks  bigint;
    v_step    bigint;
    v_block   bigint;
    v_pos     text;
    v_from    text;      -- the partition of the position (NULL: the table itself)
    v_done    boolean;
    v_more    boolean;
    v_rows    bigint;
    v_kept    bigint;
    v_total   bigint;
    v_kept_total bigint;
    v_batches integer;
    v_status  text;
    v_message text;
BEGIN
    IF NOT shq.fn_job_begin(p_job, p_now, p_batch_size, v_started) THEN
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text, true;
        RETURN;
    END IF;
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_live := format('%I.%I', r.table_schema, r.table_name);
        v_archive := format('%I.%I', r.archive_schema, r.archive_table);
        v_table := CASE p_target WHEN 'live' THEN v_live ELSE v_archive END;
        v_block := 0;
        v_from := NULL;
        v_more := false;
        v_total := 0;
        v_kept_total := 0;
        v_batches := 0;
        IF p_max_batches IS NOT NULL THEN
            SELECT p.resume_at, p.finished INTO v_pos, v_done FROM shq.fn_job_position(p_job, v_table, p_now) p;
            IF v_done THEN
                RETURN QUERY SELECT v_table, 0::bigint, 0, 'ok'::text, false;
                CONTINUE;
            END IF;
            -- 'block' for a table, 'block partition' for a partitioned one
            v_block := coalesce(substring(v_pos FROM '^[0-9]+')::bigint, 0);
            v_from := substring(v_pos FROM '^[0-9]+ (.*)$');
        END IF;
        v_status := 'ok';
        v_message := NULL;
        -- Each table in a subtransaction of its own: one that fails is reported, the others run.
        BEGIN
            v_copy := shq.fn_copy_columns(v_live::regclass);
            v_back := shq.fn_park_back_columns(v_live::regclass);
            FOR v_part IN
                SELECT t.relid, t.part, t.relkind FROM shq.fn_physical_tables(v_table::regclass) t
                WHERE v_from IS NULL OR t.part COLLATE "C" >= v_from
                ORDER BY t.part COLLATE "C"
            LOOP
                IF v_part.part IS DISTINCT FROM v_from THEN
                    v_block := 0;  -- a partition after the one the position was in
                END IF;
                v_from := v_part.part;
                v_walked := coalesce(v_part.part, v_table);
                IF v_part.relkind <> 'r' THEN
                    RAISE EXCEPTION '% is a partition of % that has no blocks of its own (a foreign table); '
                        'the job walks each partition''s blocks', v_walked, v_table;
                END IF;
                v_stmt := format(p_statement,
                                 CASE p_target WHEN 'live' THEN v_walked ELSE v_live END,
                                 CASE p_target WHEN 'live' THEN v_archive ELSE v_walked END,
                                 v_copy, r.id_column, v_back,
                                 shq.fn_has_before_row_trigger(v_part.relid, 'DELETE')::text);
                v_careful := CASE WHEN p_on_conflict IS NOT NULL THEN
                    format(p_on_conflict,
                           CASE p_target WHEN 'live' THEN v_walked ELSE v_live END,
                           CASE p_target WHEN 'live' THEN v_archive ELSE v_walked END,
                           v_copy, r.id_column, v_back,
                           shq.fn_has_before_row_trigger(v_part.relid, 'DELETE')::text) END;
                SELECT c.blocks, c.step INTO v_blocks, v_step FROM shq.fn_chunk_blocks(v_part.relid, p_batch_size) c;
                WHILE v_block < v_blocks LOOP
                    IF p_max_batches IS NOT NULL AND v_batches >= p_max_batches THEN
                        v_more := true;
                        EXIT;
                    END IF;
                    IF v_careful IS NULL THEN
                        EXECUTE v_stmt INTO v_rows, v_kept
                            USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now,
                                  r.retention;
                    ELSE
                        -- The plain statement is the fast path; a unique violation (rare) rolls this
                        -- chunk back and runs the careful statement instead.
                        BEGIN
                            EXECUTE v_stmt INTO v_rows, v_kept
                                USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now,
                                      r.retention;
                        EXCEPTION WHEN unique_violation THEN
                            EXECUTE v_careful INTO v_rows, v_kept
                                USING format('(%s,0)', v_block)::tid, format('(%s,0)', v_block + v_step)::tid, p_now,
                                      r.retention;
                        END;
                    END IF;
                    v_block := v_block + v_step;
                    v_total := v_total + v_rows;
                    v_kept_total := v_kept_total + greatest(v_kept, 0);
                    IF v_rows > 0 THEN
                        v_batches := v_batches + 1;
                    END IF;
                END LOOP;
                EXIT WHEN v_more;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            v_status := 'failed';
            v_message := SQLERRM;
            v_total := 0;
            v_kept_total := 0;
            v_batches := 0;
            v_more := false;
        END;
        IF p_max_batches IS NOT NULL THEN
            -- A failed table is done for this run (p_now): the next call does not retry it.
            PERFORM shq.fn_save_job_position(p_job, v_table, p_now,
                                             CASE WHEN v_from IS NULL THEN v_block::text ELSE v_block || ' ' || v_from END,
                                             NOT v_more);
        END IF;
        PERFORM shq.fn_log_table_run(p_job, v_table, p_now, p_batch_size, v_total, v_kept_total, v_status, v_message,
                                     v_started);
        RETURN QUERY SELECT v_table, v_total, v_batches, v_status, v_more;
    END LOOP;
END
$$;

-- A job over the rows a partial index lists (few, in the steady state), in keyset batches of
-- p_batch_size ids: `p_statement` gets $1 = the last id done (NULL at first, cast with %2$s),
-- $2 = p_batch_size, $3 = p_now, and returns (rows looked at and locked, rows changed, last id).
-- A locked row the statement did not change was kept by a BEFORE UPDATE trigger; the next
-- batch starts after the last id looked at, kept or not. A partitioned table is read through
-- its parent.
CREATE OR REPLACE FUNCTION shq.fn_run_keyset_job(
    p_job         text,
    p_statement   text,      -- format() template: %1$I the id column, %2$s the table, %3$s the keyset condition
    p_now         timestamptz,
    p_batch_size  integer,
    p_max_batches integer)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    r         shq.error_table_registry;
    v_started timestamptz := clock_timestamp();
    v_table   text;
    v_first   text;
    v_next    text;
    v_last_id text;
    v_done    boolean;
    v_seen    bigint;
    v_rows    bigint;
    v_total   bigint;
    v_kept    bigint;
    v_batches integer;
    v_status  text;
    v_message text;
BEGIN
    IF NOT shq.fn_job_begin(p_job, p_now, p_batch_size, v_started) THEN
        RETURN QUERY SELECT NULL::text, 0::bigint, 0, 'skipped'::text, true;
        RETURN;
    END IF;
    FOR r IN SELECT * FROM shq.error_table_registry ORDER BY table_schema, table_name LOOP
        v_table := format('%I.%I', r.table_schema, r.table_name);
        v_total := 0;
        v_kept := 0;
        v_batches := 0;
        v_last_id := NULL;
        v_seen := p_batch_size;
        IF p_max_batches IS NOT NULL THEN
            SELECT p.resume_at, p.finished INTO v_last_id, v_done FROM shq.fn_job_position(p_job, v_table, p_now) p;
            IF v_done THEN
                RETURN QUERY SELECT v_table, 0::bigint, 0, 'ok'::text, false;
                CONTINUE;
            END IF;
        END IF;
        v_status := 'ok';
        v_message := NULL;
        -- Each table in a subtransaction of its own: one that fails is reported, the others run.
        BEGIN
            v_first := format(p_statement, r.id_column, v_table, 'AND $1::text IS NULL');
            v_next := format(p_statement, r.id_column, v_table,
                             format('AND %I > $1::%s', r.id_column, shq.fn_id_type(v_table::regclass, r.id_column)));
            LOOP
                EXIT WHEN p_max_batches IS NOT NULL AND v_batches >= p_max_batches;
                EXECUTE CASE WHEN v_last_id IS NULL THEN v_first ELSE v_next END
                    INTO v_seen, v_rows, v_last_id
                    USING v_last_id, p_batch_size, p_now;
                v_total := v_total + v_rows;
                v_kept := v_kept + greatest(v_seen - v_rows, 0);
                IF v_seen > 0 THEN
                    v_batches := v_batches + 1;
                END IF;
                EXIT WHEN v_seen < p_batch_size;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            v_status := 'failed';
            v_message := SQLERRM;
            v_total := 0;
            v_kept := 0;
            v_batches := 0;
        END;
        IF p_max_batches IS NOT NULL THEN
            PERFORM shq.fn_save_job_position(p_job, v_table, p_now, v_last_id,
                                             v_status = 'failed' OR v_seen < p_batch_size);
        END IF;
        PERFORM shq.fn_log_table_run(p_job, v_table, p_now, p_batch_size, v_total, v_kept, v_status, v_message,
                                     v_started);
        RETURN QUERY SELECT v_table, v_total, v_batches, v_status, v_status = 'ok' AND v_seen >= p_batch_size;
    END LOOP;
END
$$;

-- They run the SQL text they are given: for the job functions below, not for anyone.
REVOKE ALL ON FUNCTION shq.fn_run_chunked_job(text, text, text, timestamptz, integer, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION shq.fn_run_keyset_job(text, text, timestamptz, integer, integer) FROM PUBLIC;

-- Replaced by the executors' own walk of each partition.
DROP FUNCTION IF EXISTS shq.fn_check_not_partitioned(text);

CREATE OR REPLACE FUNCTION shq.fn_archive_expired_errors(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, shq, pg_temp
AS $$
    -- The move (moved, archived) is written once; the fast statement ends it plainly, the
    -- careful one (run only on a unique violation) with ON CONFLICT and the rows put back. Both
    -- end with the due rows of the chunk a BEFORE DELETE trigger kept (counted where one is).
    SELECT j.*
    FROM (SELECT $f$t.ctid >= $1 AND t.ctid < $2
              AND (t.disposition = 'ARCHIVED'
                   OR (t.ttl_tier <> 'INFINITE' AND t.disposition IS DISTINCT FROM 'PARKED'
                       AND t.created_at < $3 - shq.fn_get_ttl_interval(t.ttl_tier)))$f$ AS due) d
    CROSS JOIN LATERAL (SELECT $f$
        WITH moved AS (
            DELETE FROM %1$s t
            WHERE $f$ || d.due || $f$
            RETURNING t.*
        ), archived AS (
            INSERT INTO %2$s (%3$s, disposition, archived_at, archived_by, archive_reason,
                              final_disposition, retention_expires_at)
            SELECT %3$s, 'ARCHIVED', $3, 'shq.fn_archive_expired_errors',
                   (CASE WHEN disposition = 'ARCHIVED' THEN 'MANUAL'
                         WHEN disposition = 'RESOLVED' THEN 'RESOLVED'
                         ELSE 'TTL_EXPIRED' END)::shq.archive_reason,
                   disposition, $3 + $4
            FROM moved$f$ AS move,
        $f$
        SELECT (SELECT count(*) FROM archived),
               CASE WHEN %6$s THEN (SELECT count(*) FROM %1$s t WHERE $f$ || d.due || $f$)
                                   - (SELECT count(*) FROM moved)
                    ELSE 0 END
        $f$ AS counts) m
    CROSS JOIN LATERAL shq.fn_run_chunked_job('archive_expired_errors', 'live',
        m.move || $f$
            RETURNING 1
        )$f$ || m.counts, p_now, p_batch_size, p_max_batches,
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
        )$f$ || m.counts) j
$$;

CREATE OR REPLACE FUNCTION shq.fn_cleanup_expired_archives(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, shq, pg_temp
AS $$
    SELECT * FROM shq.fn_run_chunked_job('cleanup_expired_archives', 'archive', $f$
        WITH deleted AS (
            DELETE FROM %2$s
            WHERE ctid >= $1 AND ctid < $2 AND retention_expires_at < $3
            RETURNING 1
        )
        SELECT count(*),
               CASE WHEN %6$s THEN (SELECT count(*) FROM %2$s
                                    WHERE ctid >= $1 AND ctid < $2 AND retention_expires_at < $3) - count(*)
                    ELSE 0 END
        FROM deleted
        $f$, p_now, p_batch_size, p_max_batches)
$$;

CREATE OR REPLACE FUNCTION shq.fn_auto_park_exhausted_retries(
    p_now         timestamptz DEFAULT now(),
    p_batch_size  integer DEFAULT 10000,
    p_max_batches integer DEFAULT NULL)
RETURNS TABLE (error_table text, rows_affected bigint, batches integer, status text, more boolean)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, shq, pg_temp
AS $$
    -- The UPDATE repeats the predicate: the partial index serves it (on a partitioned table too).
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
            FROM victims v
            WHERE t.%1$I = v.vid AND (t.disposition IS NULL OR t.disposition = 'RETRY') AND t.retry_count >= t.max_retries
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
SECURITY DEFINER
SET search_path = pg_catalog, shq, pg_temp
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
            FROM victims v
            WHERE t.%1$I = v.vid AND t.disposition = 'PARKED' AND t.escalation_level < 3
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM victims), (SELECT count(*) FROM escalated),
               (SELECT vid::text FROM victims ORDER BY vid DESC LIMIT 1)
        $f$, p_now, p_batch_size, p_max_batches)
$$;

-- Migration 3's views, from the registry, leaving out a registered table or archive that no
-- longer exists (dropped, renamed): it would make every govern and ungovern fail.
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

-- Puts a further error table under governance: registry row, columns, archive, views. Run again
-- on a governed table, it changes only what its arguments name (NULL: keep). A partitioned
-- table is governed through its parent (its partitions with it); a partition is refused. The
-- job indexes and the check's validation are left to shq.fn_governance_pending_steps() (they
-- must run outside a transaction); `lint-canon sql govern` runs them. p_id_column names the
-- column that identifies a row (else the registered one, the single-column primary key, or a
-- single-column unique NOT NULL index); p_hub_column a column holding each row's hub (a row's
-- NULL falls back to p_hub); p_code_column the column of each row's failure code, shown with
-- its blocking errors (first registration: failure_code when the table has one).
CREATE OR REPLACE FUNCTION shq.fn_govern_error_table(
    p_table           regclass,
    p_max_retries     integer DEFAULT NULL,
    p_retention       interval DEFAULT NULL,
    p_hub             text DEFAULT NULL,
    p_id_column       name DEFAULT NULL,
    p_outreach_column name DEFAULT NULL,
    p_hub_column      name DEFAULT NULL,
    p_code_column     name DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema  name;
    v_table   name;
    v_kind    "char";
    v_part_of boolean;
    v_id      name := p_id_column;
    v_out     name := p_outreach_column;
    v_code    name := p_code_column;
    v_column  name;
    v_archive name;
    v_old     shq.error_table_registry;
    v_row     shq.error_table_registry;
BEGIN
    IF current_setting('lock_timeout') IN ('0', '0ms') THEN
        PERFORM set_config('lock_timeout', '5s', true);  -- wait briefly for a busy table, then give up
    END IF;
    SELECT n.nspname, c.relname, c.relkind, c.relispartition INTO v_schema, v_table, v_kind, v_part_of
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_table;
    IF v_kind IS NULL OR v_kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', p_table;
    END IF;
    IF v_part_of THEN
        RAISE EXCEPTION '%.% is a partition of %: govern %, and its partitions are governed with it',
            quote_ident(v_schema), quote_ident(v_table), shq.fn_qualified(pg_partition_root(p_table)),
            shq.fn_qualified(pg_partition_root(p_table));
    END IF;
    IF EXISTS (SELECT 1 FROM shq.error_table_registry g
               WHERE g.archive_schema = v_schema AND g.archive_table = v_table) THEN
        RAISE EXCEPTION '%.% is the archive of a governed table, not an error table', quote_ident(v_schema), quote_ident(v_table);
    END IF;
    IF p_max_retries IS NOT NULL AND p_max_retries < 0 THEN
        RAISE EXCEPTION 'max_retries must be 0 or more, got %', p_max_retries;
    END IF;
    IF p_retention IS NOT NULL AND p_retention <= interval '0' THEN
        RAISE EXCEPTION 'retention must be a positive interval, got %', p_retention;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'created_at'
                   AND NOT attisdropped) THEN
        RAISE EXCEPTION 'table %.% has no created_at column, which the TTL jobs need', quote_ident(v_schema), quote_ident(v_table);
    END IF;
    FOREACH v_column IN ARRAY ARRAY[p_id_column, p_outreach_column, p_hub_column, p_code_column] LOOP
        IF v_column IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = v_column AND attnum > 0
            AND NOT attisdropped) THEN
            RAISE EXCEPTION 'table %.% has no column %', quote_ident(v_schema), quote_ident(v_table), quote_ident(v_column);
        END IF;
    END LOOP;
    SELECT * INTO v_old FROM shq.error_table_registry g WHERE g.table_schema = v_schema AND g.table_name = v_table;
    IF v_id IS NULL THEN
        v_id := v_old.id_column;
    END IF;
    IF v_id IS NULL THEN
        -- The single-column primary key, else a single-column unique index on a NOT NULL column
        -- (a partitioned table's keys hold its partition key: one keyed on its id has one).
        SELECT a.attname INTO v_id
        FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        WHERE x.indrelid = p_table AND x.indisunique AND x.indnkeyatts = 1 AND x.indkey[0] > 0
          AND x.indpred IS NULL AND x.indisvalid AND a.attnotnull
        ORDER BY x.indisprimary DESC, a.attnum
        LIMIT 1;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'table %.% has no single-column primary key or unique column to identify a row; '
                'name one with --id-column (p_id_column in SQL)', quote_ident(v_schema), quote_ident(v_table);
        END IF;
    END IF;
    IF v_out IS NULL THEN
        v_out := v_old.outreach_column;
    END IF;
    IF v_out IS NULL AND v_old.table_name IS NULL AND EXISTS (
        SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'outreach_id' AND NOT attisdropped) THEN
        v_out := 'outreach_id';
    END IF;
    IF v_code IS NULL THEN
        v_code := v_old.code_column;
    END IF;
    IF v_code IS NULL AND v_old.table_name IS NULL AND EXISTS (
        SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'failure_code' AND NOT attisdropped) THEN
        v_code := 'failure_code';
    END IF;
    -- Within 63 bytes, and never the table itself nor another governed table.
    v_archive := coalesce(v_old.archive_table, shq.fn_governance_name(v_table, '_archive'));
    IF EXISTS (SELECT 1 FROM shq.error_table_registry g
               WHERE g.table_schema = v_schema AND g.table_name = v_archive)
       OR EXISTS (SELECT 1 FROM shq.error_table_registry g
                  WHERE g.archive_schema = v_schema AND g.archive_table = v_archive
                    AND (g.table_schema, g.table_name) <> (v_schema, v_table)) THEN
        RAISE EXCEPTION 'the archive name %.% of %.% is taken by another governed table; rename one of them',
            quote_ident(v_schema), quote_ident(v_archive), quote_ident(v_schema), quote_ident(v_table);
    END IF;

    INSERT INTO shq.error_table_registry AS g
        (table_schema, table_name, id_column, outreach_column, hub, max_retries, retention,
         archive_schema, archive_table, hub_column, code_column)
    VALUES (v_schema, v_table, v_id, v_out, p_hub, coalesce(p_max_retries, 3),
            coalesce(p_retention, interval '1 year'), v_schema, v_archive, p_hub_column, v_code)
    ON CONFLICT (table_schema, table_name) DO UPDATE
        SET max_retries = coalesce(p_max_retries, g.max_retries),
            retention = coalesce(p_retention, g.retention),
            hub = coalesce(p_hub, g.hub),
            id_column = EXCLUDED.id_column,
            outreach_column = EXCLUDED.outreach_column,
            hub_column = coalesce(p_hub_column, g.hub_column),
            code_column = EXCLUDED.code_column
    RETURNING * INTO v_row;

    -- On a partitioned table, ALTER TABLE reaches every partition (and those made later).
    PERFORM shq.fn_add_governance_columns(p_table, v_row.max_retries);
    IF p_max_retries IS NOT NULL THEN
        -- New rows get the new default; rows already there keep their own max_retries.
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN max_retries SET DEFAULT %s', v_schema, v_table, p_max_retries);
    END IF;
    PERFORM shq.fn_create_error_archive(p_table);
    PERFORM shq.fn_refresh_governance_views();
    RETURN format('%I.%I governed: archive %I.%I, max_retries %s, retention %s, hub %s',
                  v_schema, v_table, v_schema, v_archive, v_row.max_retries, v_row.retention,
                  CASE WHEN v_row.hub_column IS NULL THEN coalesce(v_row.hub, 'none (system-wide)')
                       ELSE format('per row (column %I, else %s)', v_row.hub_column,
                                   coalesce(v_row.hub, 'none: system-wide')) END)
           || CASE WHEN v_kind = 'p' THEN format(', %s partitions', (SELECT count(*) FROM pg_partition_tree(p_table) t
                                                                    WHERE t.isleaf))
                   ELSE '' END;
END
$$;

-- Takes a table out of governance: its registry row and the jobs' positions go, and the views
-- are made again without it. Its data stays: the governance columns, the job indexes and the
-- archive (a person drops them). p_table is a name as in SQL ('billing."Invoice Errors"'), so
-- a table that was dropped or renamed can be named too.
CREATE OR REPLACE FUNCTION shq.fn_ungovern_error_table(p_table text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_parts   text[];
    v_row     shq.error_table_registry;
    v_owner   shq.error_table_registry;
    v_table   text;
    v_archive text;
    v_live    boolean;
    v_kept    boolean;
BEGIN
    BEGIN
        v_parts := parse_ident(p_table);
    EXCEPTION WHEN invalid_parameter_value THEN
        v_parts := NULL;
    END;
    IF cardinality(v_parts) IS DISTINCT FROM 2 THEN
        RAISE EXCEPTION 'name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors"), not %', p_table;
    END IF;
    v_table := format('%I.%I', v_parts[1], v_parts[2]);
    DELETE FROM shq.error_table_registry g
    WHERE g.table_schema = v_parts[1] AND g.table_name = v_parts[2]
    RETURNING * INTO v_row;
    IF v_row.table_name IS NULL THEN
        SELECT * INTO v_owner FROM shq.error_table_registry g
        WHERE g.archive_schema = v_parts[1] AND g.archive_table = v_parts[2];
        IF v_owner.table_name IS NOT NULL THEN
            RAISE EXCEPTION '% is not governed: it is the archive of %.%; ungovern that table', v_table,
                quote_ident(v_owner.table_schema), quote_ident(v_owner.table_name);
        END IF;
        RAISE EXCEPTION '% is not governed (shq.error_table_registry has no row for it)', v_table;
    END IF;
    v_archive := format('%I.%I', v_row.archive_schema, v_row.archive_table);
    DELETE FROM shq.governance_job_progress g WHERE g.error_table IN (v_table, v_archive);
    PERFORM shq.fn_refresh_governance_views();
    v_live := to_regclass(v_table) IS NOT NULL;
    v_kept := to_regclass(v_archive) IS NOT NULL;
    RETURN v_table || ' ungoverned: ' || CASE
        WHEN v_live AND v_kept THEN format(
            'the jobs no longer touch it and its rows block no promotion; its governance columns, job indexes '
            'and archive %s are kept (drop them by hand once they are not needed)', v_archive)
        WHEN v_live THEN
            'the jobs no longer touch it and its rows block no promotion; its governance columns and job indexes '
            'are kept (drop them by hand once they are not needed); its archive ' || v_archive || ' is gone'
        WHEN v_kept THEN format(
            'no table has that name now (dropped or renamed), so the jobs no longer look for it; its archive %s is '
            'kept (drop it by hand once it is not needed)', v_archive)
        ELSE format('no table has that name now (dropped or renamed), nor its archive %s; the jobs no longer look '
                    'for them', v_archive)
        END;
END
$$;

SELECT shq.fn_refresh_governance_views();
