"""``lint-canon sql ...``: what each subcommand does, for the CLI to call."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.db import jobs as job_runner
from lint_canon.db import migrations as mig
from lint_canon.db.connection import DatabaseError, Target, connect, embedded_server, resolve_target

EXIT_OK, EXIT_PROBLEM, EXIT_ERROR = 0, 1, 2


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _live() -> Callable[[str], None] | None:
    if not sys.stdout.isatty():
        return None

    def show(line: str) -> None:
        sys.stdout.write("\r\033[K" + line)
        sys.stdout.flush()

    return show


def _folder(args: Any) -> Path:
    return Path(args.dir) if args.dir else mig.sql_folder()


def _open(args: Any, purpose: str) -> tuple[Target, Any]:
    target = resolve_target(args.database_url, args.embedded)
    conn = connect(target, args.lock_timeout, args.statement_timeout, purpose)
    return target, conn


def apply(args: Any) -> int:
    migrations = mig.load_plan(_folder(args))
    target, conn = _open(args, "sql apply")
    with conn:
        _say(f"database: {target.shown}")
        if args.reference_schema and not args.dry_run:
            _reference_schema(conn)
        mig.apply_all(conn, migrations, args.lock_wait, args.dry_run, _say, args.out_of_order, args.to)
    return EXIT_OK


def _reference_schema(conn: Any) -> None:
    import psycopg

    path = mig.reference_schema()
    try:
        conn.execute(path.read_text(encoding="utf-8"))
    except psycopg.Error as exc:
        raise DatabaseError(f"{display_path(path)}: {exc.diag.message_primary or exc}") from None


def status(args: Any) -> int:
    migrations = mig.load_plan(_folder(args))
    target, conn = _open(args, "sql status")
    with conn:
        rows = mig.states(migrations, mig.ledger(conn))
    _say(f"database: {target.shown}")
    for row in rows:
        when = f"  {row.applied_at:%Y-%m-%d %H:%M:%S %Z}" if row.applied_at else ""
        _say(f"{row.state:<9} {row.name}{when}")
    counts = {
        state: sum(1 for r in rows if r.state == state) for state in ("applied", "pending", "modified", "missing")
    }
    _say(", ".join(f"{n} {state}" for state, n in counts.items() if n) or "no migrations")
    return EXIT_PROBLEM if counts["pending"] or counts["modified"] or counts["missing"] else EXIT_OK


def baseline(args: Any) -> int:
    migrations = mig.load_plan(_folder(args))
    _, conn = _open(args, "sql baseline")
    with conn:
        done = mig.baseline(conn, migrations, args.to, args.lock_wait)
    _say(
        f"baseline: recorded {len(done)} migrations as applied without running them"
        + (f": {', '.join(done)}" if done else "")
    )
    return EXIT_OK


def _now(args: Any) -> datetime:
    if args.now:
        try:
            moment = datetime.fromisoformat(args.now)
        except ValueError:
            raise DatabaseError(f"--now {args.now!r}: not an ISO 8601 time such as 2026-03-01T12:00:00+00:00") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def run_jobs(args: Any) -> int:
    target, conn = _open(args, f"sql jobs {args.schedule}")
    with conn:
        return _jobs(conn, args.schedule, _now(args), args.batch_size, quiet_header=False, shown=target.shown)


def _jobs(conn: Any, schedule: str, now: datetime, batch_size: int, quiet_header: bool, shown: str) -> int:
    if batch_size < 1:
        raise DatabaseError(f"--batch-size {batch_size}: must be at least 1")
    live = _live()
    started = time.perf_counter()
    results = job_runner.run_schedule(conn, schedule, now, batch_size, lambda line: sys.stdout.write("\n"), live)
    failed = [r for r in results if r.status == "failed"]
    if live is None:
        parts = "; ".join(job_runner.describe(r) for r in results)
        verdict = "FAILED" if failed else "ok"
        _say(f"jobs {schedule}: {verdict} in {time.perf_counter() - started:.2f} s: {parts}")
    elif failed:
        _say(f"jobs {schedule}: FAILED")
    return EXIT_PROBLEM if failed else EXIT_OK


def govern(args: Any) -> int:
    import psycopg

    if "." not in args.table:
        raise DatabaseError(f"{args.table}: name the table as SCHEMA.TABLE")
    _, conn = _open(args, "sql govern")
    with conn:
        try:
            schema, table = args.table.split(".", 1)
            regclass = conn.execute(
                "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text))", (schema, table)
            ).fetchone()[0]
            if regclass is None:
                raise DatabaseError(f"govern {args.table}: no such table")
            message = conn.execute(
                "SELECT shq.fn_govern_error_table(%s::regclass, %s, %s::interval, %s)",
                (regclass, args.max_retries, args.retention, args.hub),
            ).fetchone()[0]
        except psycopg.Error as exc:
            primary = exc.diag.message_primary if getattr(exc, "diag", None) else str(exc)
            if isinstance(exc, psycopg.errors.UndefinedFunction):
                primary = "shq.fn_govern_error_table is missing: run `lint-canon sql apply` first"
            raise DatabaseError(f"govern {args.table}: {primary}") from None
    _say(message)
    return EXIT_OK


def verify(args: Any) -> int:
    """Everything on a throwaway embedded server: reference schema, migrations, both schedules."""
    migrations = mig.load_plan(_folder(args))
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="lint-canon-verify-"))
    server = embedded_server(folder / "pgdata", throwaway=True)
    try:
        target = Target(server.get_uri(), "throwaway embedded PostgreSQL")
        conn = connect(target, args.lock_timeout, args.statement_timeout, "sql verify")
        with conn:
            _reference_schema(conn)
            mig.apply_all(conn, migrations, args.lock_wait, False, _say)
            second = mig.apply_all(conn, migrations, args.lock_wait, False, lambda line: None)
            if second:
                raise DatabaseError("verify: a second apply applied something again")
            now = _now(args)
            daily = _jobs(conn, "daily", now, args.batch_size, True, target.shown)
            weekly = _jobs(conn, "weekly", now, args.batch_size, True, target.shown)
    finally:
        server.cleanup()
    ok = daily == EXIT_OK and weekly == EXIT_OK
    _say(
        f"verify: {'ok' if ok else 'FAILED'}: {len(migrations)} migrations applied on a throwaway server, "
        f"jobs daily and weekly ran ({time.perf_counter() - started:.1f} s)"
    )
    return EXIT_OK if ok else EXIT_PROBLEM


_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_HEADER = """-- {file}  (migration {number} of {number})
--
-- Purpose: what this migration changes, and why (the document's section, the issue).
--
-- Decisions:
--   * what you chose, and what you did not (locks it takes on live tables, NOT VALID, ...).
--
-- Run alone: psql -v ON_ERROR_STOP=1 -f {file}
-- (`lint-canon sql apply` runs it in one transaction and records it in its ledger; for a
-- statement that cannot run in a transaction, put `-- lint-canon: no-transaction` in these first
-- lines and nothing else in the file.)

"""


def new(args: Any) -> int:
    """``sql new NAME``: a dated file with the house header, appended to plan.txt."""
    folder = Path(args.dir)
    plan = folder / mig.PLAN_FILE
    if not _NAME.match(args.name):
        raise mig.MigrationError(
            f"sql new {args.name!r}: a name is lower-case letters and digits in words joined by dashes (add-hub-index)"
        )
    if not plan.is_file():
        raise mig.MigrationError(f"{display_path(plan)}: no plan file; --dir names the folder that has the plan.txt")
    file = f"{datetime.now(UTC):%Y-%m-%d}-{args.name}.sql"
    path = folder / file
    migrations = mig.load_plan(folder)  # the plan must be sound before it grows
    if path.exists() or any(m.name == file for m in migrations):
        raise mig.MigrationError(f"{display_path(path)}: exists already; pick another name")
    path.write_text(_HEADER.format(file=file, number=len(migrations) + 1), encoding="utf-8")
    text = plan.read_text(encoding="utf-8-sig")
    with plan.open("a", encoding="utf-8") as out:
        out.write(("" if not text or text.endswith("\n") else "\n") + file + "\n")
    _say(f"created {display_path(path)}; appended to {display_path(plan)}")
    return EXIT_OK
