"""Where the guard's violations go: Python logging (the default), PostgreSQL, or any callable.

A sink is a callable taking one ``ViolationRecord``. The guard calls every sink for every
violation it finds and then refuses the call exactly as it would without them: a sink that
raises is reported once on the ``lint_canon.guard`` logger and otherwise ignored.

``PostgresSink`` never makes the caller wait for the database: ``__call__`` only puts the record
on a bounded queue (a microsecond or two); a background thread writes batches with one call of
``shq.fn_record_guard_violations(jsonb)``. While the database is down it retries with
exponential backoff, keeping what it could not write; when the queue is full, new records are
dropped and counted, and the log says how many. At interpreter exit it flushes what is queued
(for up to ``exit_timeout`` seconds).
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import threading
import time
from datetime import datetime
from typing import Any, NamedTuple

LOGGER = logging.getLogger("lint_canon.guard")


class ViolationRecord(NamedTuple):
    """One violation as the sinks see it (a named tuple: cheap to make on the caller's path).
    Never holds a secret: the message names an API key's variable, never its value, and
    gate_state's values are not copied."""

    code: str
    severity: str
    disposition: str
    tool_id: str
    hub_id: str
    interaction: str
    message: str
    function: str | None
    outreach_id: str | None
    occurred_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """The record as ``shq.fn_record_guard_violations`` and the log take it (JSON-ready)."""
        record = self._asdict()
        record["occurred_at"] = self.occurred_at.isoformat()
        return record


class LoggingSink:
    """One log record per violation on ``logger`` (default ``lint_canon.guard``), at WARNING;
    the whole record is in the log record's ``violation`` attribute for structured handlers."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.WARNING) -> None:
        self.logger = logger or LOGGER
        self.level = level

    def __call__(self, record: ViolationRecord) -> None:
        where = f" in {record.function}" if record.function else ""
        outreach = f" for outreach {record.outreach_id}" if record.outreach_id else ""
        self.logger.log(
            self.level,
            "%s [%s, %s] %s%s%s",
            record.code,
            record.severity,
            record.disposition,
            record.message,
            where,
            outreach,
            extra={"violation": record.as_dict()},
        )


def deliver(sinks: tuple[Any, ...], records: list[ViolationRecord]) -> None:
    """Every record to every sink; a sink's failure never reaches the caller."""
    for sink in sinks:
        for record in records:
            try:
                sink(record)
            except Exception as exc:  # noqa: BLE001 - whatever a sink does, the call is refused as before
                _report_sink_failure(sink, exc)


_FAILED_SINKS: set[int] = set()


def _report_sink_failure(sink: Any, exc: Exception) -> None:
    if id(sink) in _FAILED_SINKS:
        return
    _FAILED_SINKS.add(id(sink))
    LOGGER.error("guard sink %r failed (%s: %s); its later failures are not logged", sink, type(exc).__name__, exc)


class PostgresSink:
    """Writes violations to PostgreSQL from a background thread, in batches.

    ``url``: a libpq URL or conninfo (its password never appears in a log line). The database
    needs lint-canon's migrations (``shq.fn_record_guard_violations``); the role needs EXECUTE on
    that function.
    """

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 0.2,
        max_backoff: float = 30.0,
        exit_timeout: float = 5.0,
        logger: logging.Logger | None = None,
    ) -> None:
        if queue_size < 1 or batch_size < 1:
            raise ValueError("queue_size and batch_size must be at least 1")
        from lint_canon_guard.urls import describe

        # Read now: a URL libpq cannot read is refused here (DatabaseError, not quoting it),
        # rather than failing in the thread with a message that might quote its password.
        self.shown = describe(url)
        self.url = url
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_backoff = max_backoff
        self.exit_timeout = exit_timeout
        self.logger = logger or LOGGER
        self.written = 0
        self.dropped = 0  # the queue was full
        self.rejected = 0  # the database refused the batch itself (not a connection problem)
        self._queue: queue.Queue[ViolationRecord] = queue.Queue(maxsize=queue_size)
        self._count_lock = threading.Lock()
        self._reported_drops = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lint-canon guard sink", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def __call__(self, record: ViolationRecord) -> None:
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            with self._count_lock:
                self.dropped += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued is written (or given up on); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline or not self._thread.is_alive():
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float | None = None) -> None:
        """Flush, then stop the thread, within ``exit_timeout`` seconds in all (one deadline for
        both: an unreachable database costs the interpreter's exit that long at most); says what
        was lost."""
        if self._stop.is_set():
            return
        deadline = time.monotonic() + (self.exit_timeout if timeout is None else timeout)
        self.flush(max(0.0, deadline - time.monotonic()))
        self._stop.set()
        self._thread.join(max(0.0, deadline - time.monotonic()))
        lost = self._queue.unfinished_tasks  # queued, and the batch the thread could not write
        self._report_drops()
        if lost:
            self.logger.error("%d guard violation records were not written to %s before exit", lost, self.shown)
        atexit.unregister(self.close)

    # --- the background thread ------------------------------------------------------------

    def _message(self, exc: BaseException) -> str:
        """The first line of a database error, with the URL's password taken out (libpq may
        quote a URL it cannot read)."""
        from lint_canon_guard.urls import without_secret

        return without_secret(_first_line(exc), self.url)

    def _report_drops(self) -> None:
        with self._count_lock:
            new = self.dropped - self._reported_drops
            self._reported_drops = self.dropped
        if new:
            self.logger.warning(
                "dropped %d guard violation records: the queue (%d) was full while %s could not take them",
                new,
                self._queue.maxsize,
                self.shown,
            )

    def _batch(self) -> list[ViolationRecord]:
        try:
            first = self._queue.get(timeout=self.flush_interval)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _done(self, batch: list[ViolationRecord]) -> None:
        for _ in batch:
            self._queue.task_done()

    def _run(self) -> None:
        import psycopg

        conn = None
        batch: list[ViolationRecord] = []
        backoff = 0.5
        down_since: float | None = None
        while True:
            if not batch:
                if self._stop.is_set() and self._queue.empty():
                    break
                batch = self._batch()
                if not batch:
                    self._report_drops()
                    continue
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(
                        self.url, autocommit=True, application_name="lint-canon guard sink", connect_timeout=5
                    )
                payload = json.dumps([record.as_dict() for record in batch])
                conn.execute("SELECT shq.fn_record_guard_violations(%s::jsonb)", (payload,))
            except psycopg.OperationalError as exc:  # the database is down or unreachable: keep the batch
                if conn is not None:
                    conn.close()
                conn = None
                if down_since is None:
                    down_since = time.monotonic()
                    self.logger.warning(
                        "cannot write guard violations to %s (%s); retrying with backoff, %d records waiting",
                        self.shown,
                        self._message(exc),
                        len(batch) + self._queue.qsize(),
                    )
                self._report_drops()
                if self._stop.wait(backoff):
                    break  # closing: a database that is down is not waited for again
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except psycopg.Error as exc:  # the batch itself is refused: retrying cannot help
                with self._count_lock:
                    self.rejected += len(batch)
                self.logger.error(
                    "%s refused %d guard violation records: %s", self.shown, len(batch), self._message(exc)
                )
                self._done(batch)
                batch = []
                continue
            self.written += len(batch)
            self._done(batch)
            batch = []
            backoff = 0.5
            if down_since is not None:
                self.logger.warning("writing guard violations to %s again", self.shown)
                down_since = None
            self._report_drops()
        if conn is not None:
            conn.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
