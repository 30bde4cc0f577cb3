"""The governance jobs, driven batch by batch: each call of a job function does one batch per
table in its own transaction (autocommit), and the job keeps its place for this run's p_now, so
no transaction holds row locks for more than one batch."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def run_job(
    conn: Any, job: str, now: datetime, batch_size: int, progress: Callable[[JobResult], None] | None = None
) -> JobResult:
    import psycopg

    result = JobResult(job)
    started = time.perf_counter()
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
            if progress is not None:
                progress(result)
            if not any(r[3] for r in rows):
                break
    except psycopg.Error as exc:
        result.status = "failed"
        result.error = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc).splitlines()[0]
    result.seconds = time.perf_counter() - started
    return result


def run_schedule(
    conn: Any,
    schedule: str,
    now: datetime,
    batch_size: int,
    say: Callable[[str], None],
    live: Callable[[str], None] | None,
) -> list[JobResult]:
    """Run the jobs of ``schedule``; ``live`` (on a terminal) gets a progress line per batch."""
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


def describe(r: JobResult) -> str:
    if r.status == "skipped":
        return f"{r.job}: skipped, another runner holds it"
    if r.status == "failed":
        return f"{r.job}: FAILED after {r.rows:,} rows: {r.error}"
    return f"{r.job}: {r.rows:,} rows in {r.seconds:.2f} s ({r.rate:,.0f} rows/s)"
