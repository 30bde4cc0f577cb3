"""The governance jobs, driven batch by batch: each call of a job function does one batch per
table in its own transaction (autocommit), and the job keeps its place for this run's p_now, so
no transaction holds row locks for more than one batch. The whole schedule runs under its
advisory lock, held on this session across those transactions: a second runner (the CLI or the
SQL master function) is skipped and changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lint_canon.db.privileges import explained

SCHEDULES = {
    "daily": ("archive_expired_errors", "auto_park_exhausted_retries", "escalate_stale_parked_errors"),
    "weekly": ("cleanup_expired_archives",),
}


@dataclass
class JobResult:
    job: str
    rows: int = 0
    seconds: float = 0.0
    status: str = "ok"  # ok | skipped | failed
    error: str = ""
    kept: dict[str, int] = field(default_factory=dict)  # table: rows a trigger kept from the job

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def run_job(
    conn: Any, job: str, now: datetime, batch_size: int, progress: Callable[[JobResult], None] | None = None
) -> JobResult:
    import psycopg

    result = JobResult(job)
    started = time.perf_counter()
    since = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    failed: dict[str, str] = {}
    try:
        while True:
            rows = conn.execute(
                f"SELECT error_table, rows_affected, status, more FROM shq.fn_{job}(%s, %s, 1)", (now, batch_size)
            ).fetchall()
            result.rows += sum(r[1] for r in rows)
            result.seconds = time.perf_counter() - started
            if any(r[2] == "skipped" for r in rows):
                result.status = "skipped"
                break
            for table, _, status, _ in rows:
                if status == "failed" and table not in failed:
                    failed[table] = _failure(conn, job, table, now)
            if progress is not None:
                progress(result)
            if not any(r[3] for r in rows):
                break
    except psycopg.Error as exc:
        result.status = "failed"
        primary = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc).splitlines()[0]
        result.error = explained(exc, conn, primary)
    if result.status == "ok":  # the job ran (some tables may have failed)
        result.kept = _kept(conn, job, now, since)
    if failed and result.status == "ok":
        # The other tables ran: the job is failed for the tables named, done for the rest.
        result.status = "failed"
        result.error = "; ".join(f"{table}: {message}" for table, message in failed.items())
    result.seconds = time.perf_counter() - started
    return result


def _failure(conn: Any, job: str, table: str, now: datetime) -> str:
    row = conn.execute(
        "SELECT message FROM shq.governance_job_runs WHERE job_name = %s AND error_table = %s AND as_of = %s"
        " AND status = 'failed' ORDER BY run_id DESC LIMIT 1",
        (job, table, now),
    ).fetchone()
    return row[0] if row and row[0] else "failed (see shq.governance_job_runs)"


def _kept(conn: Any, job: str, now: datetime, since: datetime) -> dict[str, int]:
    """The rows a BEFORE trigger kept from this run of the job, by table (the run log's rows_kept,
    which a run log older than lint-canon's 2026-12-06 migration lacks)."""
    import psycopg

    try:
        rows = conn.execute(
            "SELECT error_table, sum(rows_kept)::bigint FROM shq.governance_job_runs"
            " WHERE job_name = %s AND as_of = %s AND started_at >= %s AND rows_kept > 0"
            " GROUP BY error_table ORDER BY error_table",
            (job, now, since),
        ).fetchall()
    except psycopg.errors.UndefinedColumn:
        return {}
    return {table: int(kept) for table, kept in rows}


def run_schedule(
    conn: Any,
    schedule: str,
    now: datetime,
    batch_size: int,
    say: Callable[[str], None],
    live: Callable[[str], None] | None,
) -> list[JobResult]:
    """Run the jobs of ``schedule`` under its lock; ``live`` (on a terminal) gets a progress line
    per batch."""
    key = conn.execute("SELECT key1, key2 FROM shq.fn_schedule_lock_key(%s)", (schedule,)).fetchone()
    if not conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
        for job in SCHEDULES[schedule]:
            conn.execute(
                "SELECT shq.fn_log_job_run(%s, NULL, %s, %s, 0, 'skipped', %s, clock_timestamp())",
                (job, now, batch_size, f"another runner holds the {schedule} schedule"),
            )
        return [JobResult(job, status="skipped") for job in SCHEDULES[schedule]]
    try:
        results = []
        for job in SCHEDULES[schedule]:

            def progress(r: JobResult) -> None:
                if live is not None:
                    live(f"{r.job}: {r.rows:,} rows, {r.rate:,.0f} rows/s")

            result = run_job(conn, job, now, batch_size, progress)
            results.append(result)
            if live is not None:
                live(describe(result))
                say("")
        return results
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def describe(r: JobResult) -> str:
    if r.status == "skipped":
        return f"{r.job}: skipped, another runner holds the schedule"
    kept = "".join(
        f"; {rows:,} {'row' if rows == 1 else 'rows'} kept by a trigger on {table}" for table, rows in r.kept.items()
    )
    if r.status == "failed":
        return f"{r.job}: FAILED after {r.rows:,} rows: {r.error}{kept}"
    return f"{r.job}: {r.rows:,} rows in {r.seconds:.2f} s ({r.rate:,.0f} rows/s){kept}"
