"""Partitioned error tables governed through their parent (issue 24, point 7), run as a user runs
them: `sql govern` builds each partition's job index and attaches it, the daily and weekly jobs
archive, park, escalate and clean up across the partitions, and a partition made later inherits
the columns and gets its index."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg

from tests.test_sql_runner import PLAN, sql

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
ROWS = 200_000
TIERS = ["SHORT", "MEDIUM", "LONG", "INFINITE"]
TTL_DAYS = {"SHORT": 7, "MEDIUM": 30, "LONG": 90}
DISPOSITIONS = {0: "PARKED", 1: "RESOLVED", 2: "ARCHIVED", 3: None}  # id % 10; the rest RETRY

# 200,000 rows over January to June 2026, then their governance columns (the same formulas as
# `row` below): a TTL tier, a retry count, a disposition, and for parked rows a parking age.
FILL = """
INSERT INTO {table} (id, outreach_id, failure_code, created_at)
SELECT g, gen_random_uuid(), CASE WHEN g % 997 = 5 THEN 'KEEP' ELSE 'X' END,
       timestamptz '2026-01-01 00:00+00' + ((g * 7919) % 181) * interval '1 day'
FROM generate_series(1, {rows}) g
"""
SET_GOVERNANCE = """
UPDATE {table} SET
    ttl_tier = (ARRAY['SHORT', 'MEDIUM', 'LONG', 'INFINITE'])[id % 4 + 1]::shq.ttl_tier,
    retry_count = id % 7,
    disposition = (CASE id % 10 WHEN 0 THEN 'PARKED' WHEN 1 THEN 'RESOLVED' WHEN 2 THEN 'ARCHIVED'
                   WHEN 3 THEN NULL ELSE 'RETRY' END)::shq.error_disposition,
    parked_at = CASE WHEN id % 10 = 0 THEN timestamptz '2026-07-01 12:00+00' - ((id / 10) % 9) * interval '1 day' END
"""


def row(g: int) -> tuple[datetime, str, str | None, int, int | None]:
    """(created_at, ttl_tier, disposition, retry_count, days parked) of generated row g."""
    disposition = DISPOSITIONS.get(g % 10, "RETRY")
    parked = (g // 10) % 9 if disposition == "PARKED" else None
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=(g * 7919) % 181), TIERS[g % 4], disposition, g % 7, parked


def level(days: int) -> int:
    return 3 if days >= 7 else 2 if days >= 3 else 1 if days >= 1 else 0


def expected(kept_by_trigger: bool = False) -> dict[str, object]:
    """What one daily run at NOW does to the generated rows (max_retries 3), computed here."""
    archived = parked = kept = 0
    levels: Counter[int] = Counter()
    for g in range(1, ROWS + 1):
        created, tier, disposition, retries, days = row(g)
        due = disposition == "ARCHIVED" or (
            tier != "INFINITE" and disposition != "PARKED" and created < NOW - timedelta(days=TTL_DAYS[tier])
        )
        if due and kept_by_trigger and g % 997 == 5:
            kept += 1  # a BEFORE DELETE trigger keeps it; it is parked below if it qualifies
        elif due:
            archived += 1
            continue
        if disposition in (None, "RETRY") and retries >= 3:
            parked += 1
        elif days is not None and level(days) > 0:
            levels[level(days)] += 1
    return {"archived": archived, "parked": parked, "kept": kept, "levels": dict(levels)}


def run_jobs(url: str, tmp_path, schedule: str, now: datetime) -> str:
    result = sql("jobs", schedule, "--now", now.isoformat(), "--force", "--database-url", url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def index_trees(conn: psycopg.Connection, table: str) -> list[tuple[str, int, bool]]:
    """(job index of the parent, indexes in its tree, all valid) for each job index of ``table``."""
    return conn.execute(
        "SELECT p.relname::text, count(*)::int, bool_and(x.indisvalid)"
        " FROM pg_index px JOIN pg_class p ON p.oid = px.indexrelid"
        " CROSS JOIN LATERAL pg_partition_tree(p.oid) t JOIN pg_index x ON x.indexrelid = t.relid"
        " WHERE px.indrelid = %s::regclass AND p.relname LIKE '%%\\_gov\\_%%'"
        " GROUP BY p.relname ORDER BY 1",
        (table,),
    ).fetchall()


def test_a_range_partitioned_table_is_governed_through_its_parent(db_url, tmp_path):
    assert sql("baseline", "--database-url", db_url, cwd=tmp_path).returncode == 0  # the ledger, for status
    months = range(1, 7)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.range_errors (id bigint NOT NULL, outreach_id uuid,"
            " failure_code text, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at))"
            " PARTITION BY RANGE (created_at)"
        )
        for m in months:
            conn.execute(
                f"CREATE TABLE billing.range_errors_2026_{m:02} PARTITION OF billing.range_errors"
                f" FOR VALUES FROM ('2026-{m:02}-01') TO ('2026-{m + 1:02}-01')"
            )
        conn.execute(FILL.format(table="billing.range_errors", rows=ROWS))

    # Its primary key holds the partition key: the id column has to be named.
    refused = sql("govern", "billing.range_errors", "--database-url", db_url, cwd=tmp_path)
    assert (refused.returncode, refused.stderr) == (
        2,
        "lint-canon: govern billing.range_errors: table billing.range_errors has no single-column primary key or "
        "unique column to identify a row; name one with --id-column (p_id_column in SQL)\n",
    )
    partition = sql("govern", "billing.range_errors_2026_01", "--database-url", db_url, cwd=tmp_path)
    assert (partition.returncode, partition.stderr) == (
        2,
        "lint-canon: govern billing.range_errors_2026_01: billing.range_errors_2026_01 is a partition of "
        "billing.range_errors: govern billing.range_errors, and its partitions are governed with it\n",
    )

    governed = sql(
        "govern",
        "billing.range_errors",
        "--id-column",
        "id",
        "--retention",
        "30 days",
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert governed.returncode == 0, governed.stderr
    steps = []
    for kind in ("blocking", "escalate", "park"):
        steps.append(f"created partitioned index range_errors_gov_{kind}_idx on billing.range_errors")
        for m in months:
            steps.append(f"built index range_errors_2026_{m:02}_gov_{kind}_idx on billing.range_errors_2026_{m:02}")
            steps.append(f"attached index range_errors_2026_{m:02}_gov_{kind}_idx on billing.range_errors")
    steps.append("validated range_errors_escalation_level_check on billing.range_errors")
    assert [line.split(" (0.")[0] for line in governed.stdout.splitlines()] == [
        "billing.range_errors governed: archive billing.range_errors_archive, max_retries 3, retention 30 days, "
        "hub none (system-wide), 6 partitions",
        *steps,
    ]
    status = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert (status.returncode, status.stdout.splitlines()[-1]) == (0, f"{len(PLAN)} applied")
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert index_trees(conn, "billing.range_errors") == [
            (f"range_errors_gov_{kind}_idx", 7, True) for kind in ("blocking", "escalate", "park")
        ]
        assert conn.execute(
            "SELECT bool_and(convalidated), count(*) FROM pg_constraint"
            " WHERE conname = 'range_errors_escalation_level_check'"
        ).fetchone() == (True, 7)
        conn.execute(SET_GOVERNANCE.format(table="billing.range_errors"))

    want = expected()
    daily = run_jobs(db_url, tmp_path, "daily", NOW)
    assert f"archive_expired_errors: {want['archived']:,} rows in " in daily
    assert f"auto_park_exhausted_retries: {want['parked']:,} rows in " in daily
    assert f"escalate_stale_parked_errors: {sum(want['levels'].values()):,} rows in " in daily
    assert "kept by a trigger" not in daily
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM billing.range_errors_archive").fetchone() == (want["archived"],)
        assert conn.execute("SELECT count(*) FROM billing.range_errors").fetchone() == (ROWS - want["archived"],)
        assert conn.execute(
            "SELECT count(*) FROM billing.range_errors WHERE parked_by = 'shq.fn_auto_park_exhausted_retries'"
        ).fetchone() == (want["parked"],)
        levels = conn.execute(
            "SELECT escalation_level, count(*) FROM billing.range_errors WHERE escalated_at = %s GROUP BY 1", (NOW,)
        ).fetchall()
        assert dict(levels) == want["levels"]

    # Nothing expires before its retention (30 days), then everything archived does.
    assert "cleanup_expired_archives: 0 rows in " in run_jobs(db_url, tmp_path, "weekly", NOW)
    weekly = run_jobs(db_url, tmp_path, "weekly", NOW + timedelta(days=31))
    assert f"cleanup_expired_archives: {want['archived']:,} rows in " in weekly
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM billing.range_errors_archive").fetchone() == (0,)

        # A partition made later inherits the columns (with their defaults) and gets each job
        # index from PostgreSQL itself: the parent's indexes are complete, nothing is pending.
        conn.execute(
            "CREATE TABLE billing.range_errors_2026_07 PARTITION OF billing.range_errors"
            " FOR VALUES FROM ('2026-07-01') TO ('2026-08-01');"
            " INSERT INTO billing.range_errors (id, failure_code, created_at, retry_count)"
            " VALUES (300001, 'X', '2026-07-01 06:00+00', 3)"
        )
        assert conn.execute(
            "SELECT disposition::text, max_retries, ttl_tier::text, escalation_level FROM billing.range_errors_2026_07"
        ).fetchall() == [("RETRY", 3, "MEDIUM", 0)]
        assert index_trees(conn, "billing.range_errors") == [
            (f"range_errors_gov_{kind}_idx", 8, True) for kind in ("blocking", "escalate", "park")
        ]
    status = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert (status.returncode, status.stdout.splitlines()[-1]) == (0, f"{len(PLAN)} applied")
    later = run_jobs(db_url, tmp_path, "daily", NOW + timedelta(hours=1))
    assert "auto_park_exhausted_retries: 1 rows in " in later


def test_a_hash_partitioned_table_keyed_on_its_id_needs_no_id_column(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.hash_errors (id bigint PRIMARY KEY, outreach_id uuid,"
            " failure_code text, created_at timestamptz NOT NULL) PARTITION BY HASH (id)"
        )
        for r in range(4):
            conn.execute(
                f"CREATE TABLE billing.hash_errors_{r} PARTITION OF billing.hash_errors"
                f" FOR VALUES WITH (MODULUS 4, REMAINDER {r})"
            )
        conn.execute(FILL.format(table="billing.hash_errors", rows=ROWS))
        # A row trigger of the parent is each partition's: it keeps the KEEP rows from the archive.
        conn.execute(
            "CREATE FUNCTION billing.keep() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN IF OLD.failure_code = 'KEEP' THEN RETURN NULL; END IF; RETURN OLD; END $$;"
            " CREATE TRIGGER keep BEFORE DELETE ON billing.hash_errors FOR EACH ROW EXECUTE FUNCTION billing.keep()"
        )

    governed = sql("govern", "billing.hash_errors", "--database-url", db_url, cwd=tmp_path)
    assert governed.returncode == 0, governed.stderr
    assert governed.stdout.splitlines()[0] == (
        "billing.hash_errors governed: archive billing.hash_errors_archive, max_retries 3, retention 1 year, "
        "hub none (system-wide), 4 partitions"
    )
    assert len(governed.stdout.splitlines()) == 1 + 3 * (1 + 2 * 4) + 1
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute(
            "SELECT id_column FROM shq.error_table_registry WHERE table_name = 'hash_errors'"
        ).fetchone() == ("id",)
        assert index_trees(conn, "billing.hash_errors") == [
            (f"hash_errors_gov_{kind}_idx", 5, True) for kind in ("blocking", "escalate", "park")
        ]
        conn.execute(SET_GOVERNANCE.format(table="billing.hash_errors"))

    want = expected(kept_by_trigger=True)
    daily = run_jobs(db_url, tmp_path, "daily", NOW)
    assert (
        f"archive_expired_errors: {want['archived']:,} rows in " in daily
        and f" rows/s); {want['kept']:,} rows kept by a trigger on billing.hash_errors; auto_park_exhausted_retries: "
        in daily
    )
    assert f"auto_park_exhausted_retries: {want['parked']:,} rows in " in daily
    assert f"escalate_stale_parked_errors: {sum(want['levels'].values()):,} rows in " in daily
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM billing.hash_errors_archive").fetchone() == (want["archived"],)
        assert conn.execute(
            "SELECT count(*) FROM billing.hash_errors_archive WHERE failure_code = 'KEEP'"
        ).fetchone() == (0,)
        # the run log, batch by batch (the CLI runs one batch per call)
        kept = conn.execute(
            "SELECT rows_kept, message FROM shq.governance_job_runs"
            " WHERE job_name = 'archive_expired_errors' AND error_table = 'billing.hash_errors' AND rows_kept > 0"
        ).fetchall()
        assert sum(n for n, _ in kept) == want["kept"]
        assert all(
            message == f"{n} {'row' if n == 1 else 'rows'} kept by a trigger on billing.hash_errors"
            for n, message in kept
        )
    weekly = run_jobs(db_url, tmp_path, "weekly", NOW + timedelta(days=366))
    assert f"cleanup_expired_archives: {want['archived']:,} rows in " in weekly


def test_a_partition_made_before_the_parents_index_is_listed_by_the_steps(db_url, tmp_path):
    assert sql("baseline", "--database-url", db_url, cwd=tmp_path).returncode == 0  # the ledger, for status
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.parted (id bigint NOT NULL,"
            " created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);"
            " CREATE TABLE billing.parted_2026_01 PARTITION OF billing.parted"
            " FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')"
        )
        # Governed from SQL: the columns now, the job indexes left to the steps.
        conn.execute("SELECT shq.fn_govern_error_table('billing.parted', p_id_column => 'id')")
        conn.execute(
            "CREATE TABLE billing.parted_2026_02 PARTITION OF billing.parted"
            " FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')"
        )
    status = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert status.returncode == 1
    steps = []
    for kind in ("escalate", "park"):
        steps.append(f"partitioned index to create parted_gov_{kind}_idx on billing.parted")
        for m in ("01", "02"):
            steps.append(f"index to build parted_2026_{m}_gov_{kind}_idx on billing.parted_2026_{m}")
            steps.append(f"partition's index to attach parted_2026_{m}_gov_{kind}_idx on billing.parted")
    steps.append("check to validate parted_escalation_level_check on billing.parted")
    assert [line.removeprefix("step      ") for line in status.stdout.splitlines() if line.startswith("step ")] == steps
    applied = sql("apply", "--database-url", db_url, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert [line.split(" (0.")[0] for line in applied.stdout.splitlines()[2:]] == [
        line.replace("partitioned index to create", "created partitioned index")
        .replace("index to build", "built index")
        .replace("partition's index to attach", "attached index")
        .replace("check to validate", "validated")
        for line in steps
    ]
    with psycopg.connect(db_url) as conn:
        assert index_trees(conn, "billing.parted") == [
            ("parted_gov_escalate_idx", 3, True),
            ("parted_gov_park_idx", 3, True),
        ]


def test_a_sub_partitioned_table_gets_its_indexes_level_by_level(db_url, tmp_path):
    assert sql("baseline", "--database-url", db_url, cwd=tmp_path).returncode == 0  # the ledger, for status
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.tree (id bigint NOT NULL, created_at timestamptz NOT NULL,"
            " PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);"
            " CREATE TABLE billing.tree_2026 PARTITION OF billing.tree FOR VALUES FROM ('2026-01-01')"
            " TO ('2027-01-01') PARTITION BY HASH (id);"
            " CREATE TABLE billing.tree_2026_a PARTITION OF billing.tree_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);"
            " CREATE TABLE billing.tree_2026_b PARTITION OF billing.tree_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);"
            " CREATE TABLE billing.tree_2027 PARTITION OF billing.tree FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')"
        )
    governed = sql("govern", "billing.tree", "--id-column", "id", "--database-url", db_url, cwd=tmp_path)
    assert governed.returncode == 0, governed.stderr
    assert [line.split(" (0.")[0] for line in governed.stdout.splitlines()[1:7]] == [
        "created partitioned index tree_gov_escalate_idx on billing.tree",
        "created partitioned index tree_2026_gov_escalate_idx on billing.tree_2026",
        "built index tree_2026_a_gov_escalate_idx on billing.tree_2026_a",
        "attached index tree_2026_a_gov_escalate_idx on billing.tree_2026",
        "built index tree_2026_b_gov_escalate_idx on billing.tree_2026_b",
        "attached index tree_2026_b_gov_escalate_idx on billing.tree_2026",
    ]
    assert sql("status", "--database-url", db_url, cwd=tmp_path).returncode == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        # the two levels: 1 + (1 + 2) + 1 indexes in each tree, all valid
        assert index_trees(conn, "billing.tree") == [("tree_gov_escalate_idx", 5, True), ("tree_gov_park_idx", 5, True)]
        conn.execute(
            "INSERT INTO billing.tree (id, created_at, ttl_tier) SELECT g, '2026-03-01', 'SHORT'"
            " FROM generate_series(1, 10) g"
        )
    assert "archive_expired_errors: 10 rows in " in run_jobs(db_url, tmp_path, "daily", NOW)
