"""``lint-canon sql ...``: what each subcommand does, for the CLI to call."""

from __future__ import annotations

import getpass
import re
import shlex
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.db import jobs as job_runner
from lint_canon.db import migrations as mig
from lint_canon.db import server as embedded
from lint_canon.db.connection import DatabaseError, Target, connect, describe, resolve_target
from lint_canon.db.privileges import explained

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


def _plan(args: Any) -> mig.Plan:
    if args.dir:
        return mig.load_plan(Path(args.dir))
    return mig.load_plan(mig.sql_folder(), own=True)


@contextmanager
def _target(args: Any) -> Iterator[Target]:
    """The command's database; the project's embedded server runs while the command does."""
    target = resolve_target(args.database_url, args.embedded)
    if target is not None:
        yield target
        return
    where = embedded.layout()
    with embedded.project_server(where) as url:
        yield Target(url, f"embedded PostgreSQL in {display_path(where.pgdata)}")


@contextmanager
def _database(args: Any, purpose: str, lock: bool = False) -> Iterator[tuple[Target, Any, Any]]:
    """(target, connection, lock connection or None) of a command's database."""
    with _target(args) as target, _connections(target, args, purpose, lock) as (conn, lock_conn):
        yield target, conn, lock_conn


@contextmanager
def _connections(target: Target, args: Any, purpose: str, lock: bool) -> Iterator[tuple[Any, Any]]:
    """(connection, lock connection or None): the migration lock lives on a session of its
    own, which the migrations cannot reach."""
    with connect(target, args.lock_timeout, args.statement_timeout, purpose) as conn:
        if not lock:
            yield conn, None
            return
        with connect(target, args.lock_timeout, args.statement_timeout, f"{purpose} (lock)") as lock_conn:
            yield conn, lock_conn


def apply(args: Any) -> int:
    plan = _plan(args)
    with _database(args, "sql apply", lock=True) as (target, conn, lock_conn):
        _say(f"database: {target.shown}")
        first = (lambda: _reference_schema(conn)) if args.reference_schema else None
        mig.apply_all(
            conn,
            lock_conn,
            plan,
            args.lock_wait,
            args.dry_run,
            _say,
            args.out_of_order,
            args.to,
            first,
            after=lambda: pending_steps(conn, _say),
        )
    return EXIT_OK


def pending_steps(conn: Any, say: Callable[[str], None]) -> int:
    """Run what the governed tables still need outside a transaction (job indexes built
    CONCURRENTLY, checks validated: shq.fn_governance_pending_steps), one statement at a time,
    each in a transaction of its own. Returns how many ran."""
    import psycopg

    steps = governance_steps(conn)
    for table, name, statement in steps:
        started = time.perf_counter()
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            primary = exc.diag.message_primary if getattr(exc, "diag", None) else str(exc).splitlines()[0]
            left = _left_behind(conn, table, name) if statement.startswith("CREATE") else None
            outcome = (
                f"it left the INVALID index {name} behind (the next `sql apply` drops it and builds it again)"
                if left
                else "nothing else was changed"
            )
            raise DatabaseError(
                f"{table}: {statement.split(' IF ')[0].lower()} {name}: {primary}; {outcome}: run the command again "
                "when the table is less busy (or raise --lock-timeout), it goes on from there"
            ) from None
        say(f"{step_words(statement)[1]} {name} on {table} ({time.perf_counter() - started:.2f} s)")
    return len(steps)


def _left_behind(conn: Any, table: str, index: str) -> bool:
    """Whether a failed CREATE INDEX CONCURRENTLY left its index behind, INVALID."""
    import psycopg

    try:
        row = conn.execute(
            "SELECT NOT x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid"
            " WHERE x.indrelid = to_regclass(%s) AND c.relname = %s",
            (table, index),
        ).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def _reference_schema(conn: Any) -> None:
    import psycopg

    path = mig.reference_schema()
    try:
        conn.execute(path.read_text(encoding="utf-8"))
    except psycopg.Error as exc:
        raise DatabaseError(f"the reference schema ({path.name}): {exc.diag.message_primary or exc}") from None


STATES = ("applied", "pending", "modified", "missing", "dirty")


def status(args: Any) -> int:
    plan = _plan(args)
    with _database(args, "sql status") as (target, conn, _):
        rows = mig.states(plan, mig.ledger(conn, plan.project))
        steps = governance_steps(conn)
    _say(f"database: {target.shown}")
    for row in rows:
        when = f"  {row.applied_at:%Y-%m-%d %H:%M:%S %Z}" if row.applied_at else ""
        _say(f"{row.state:<9} {row.name}{when}")
    counts = {state: sum(1 for r in rows if r.state == state) for state in STATES}
    _say(", ".join(f"{n} {state}" for state, n in counts.items() if n) or "no migrations")
    if counts["dirty"]:
        _say("a dirty file started outside a transaction and did not finish: check it, then `lint-canon sql repair`")
    for table, name, statement in steps:
        _say(f"step      {step_words(statement)[0]} {name} on {table}")
    if steps:
        _say(
            f"{len(steps)} governance steps pending (they run outside a transaction, after the migrations): "
            "run `lint-canon sql apply` to finish them"
        )
    return EXIT_OK if counts["applied"] == len(rows) and not steps else EXIT_PROBLEM


# A governance step's first words: (what status calls it while pending, what apply says once done).
# A partitioned table's job index is made ON ONLY the parent (a catalog entry), each partition's
# built CONCURRENTLY and attached to it.
STEP_WORDS = {
    "CREATE INDEX CONCURRENTLY": ("index to build", "built index"),
    "CREATE INDEX": ("partitioned index to create", "created partitioned index"),
    "DROP INDEX": ("invalid index to drop and build again", "dropped invalid index"),
    "ALTER TABLE": ("check to validate", "validated"),
    "ALTER INDEX": ("partition's index to attach", "attached index"),
}


def step_words(statement: str) -> tuple[str, str]:
    """The words of STEP_WORDS for a statement: those of its longest matching start."""
    words = " ".join(statement.split()[:3])
    key = max((k for k in STEP_WORDS if words == k or words.startswith(k + " ")), key=len)
    return STEP_WORDS[key]


def governance_steps(conn: Any) -> list[tuple[str, str, str]]:
    """(table, object, statement) of every step the governed tables still need (missing or
    INVALID job indexes, checks not yet validated); none on a database without lint-canon's."""
    if not conn.execute("SELECT to_regprocedure('shq.fn_governance_pending_steps()') IS NOT NULL").fetchone()[0]:
        return []  # a plan of a team's own, on a database without lint-canon's migrations
    return [
        tuple(row)
        for row in conn.execute("SELECT error_table, object_name, statement FROM shq.fn_governance_pending_steps()")
    ]


def baseline(args: Any) -> int:
    plan = _plan(args)
    with _database(args, "sql baseline", lock=True) as (_, conn, lock_conn):
        done = mig.baseline(conn, lock_conn, plan, args.to, args.lock_wait)
    _say(
        f"baseline: recorded {len(done)} migrations as applied without running them"
        + (f": {', '.join(done)}" if done else "")
    )
    return EXIT_OK


def repair(args: Any) -> int:
    plan = _plan(args)
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        who = "an unnamed user"
    with _database(args, "sql repair", lock=True) as (target, conn, lock_conn):
        _say(f"database: {target.shown}")
        done = mig.repair(conn, lock_conn, plan, args.accept_checksum or [], args.lock_wait, who)
    for line in done or ["nothing to repair: no dirty file, no checksum to accept"]:
        _say(line)
    return EXIT_OK


def server(args: Any) -> int:
    where = embedded.layout()
    if args.action == "start":
        url = embedded.keep_running(where)
        _, line = embedded.describe_state(where)
        _say(line)
        _say(f"connect with: psql '{describe(url)}'   (stop it with `lint-canon sql server stop`)")
        return EXIT_OK
    if args.action == "stop":
        _say(embedded.stop_kept(where))
        return EXIT_OK
    running, line = embedded.describe_state(where)
    _say(line)
    return EXIT_OK if running else EXIT_PROBLEM


def _now(args: Any) -> datetime:
    if args.now:
        try:
            moment = datetime.fromisoformat(args.now)
        except ValueError:
            raise DatabaseError(f"--now {args.now!r}: not an ISO 8601 time such as 2026-03-01T12:00:00+00:00") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


MAX_BATCH_SIZE = 1_000_000
MAX_RETRIES = 1000


def _check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise DatabaseError(f"--batch-size {batch_size}: give 1 to {MAX_BATCH_SIZE:,} rows per batch")


def run_jobs(args: Any) -> int:
    _check_batch_size(args.batch_size)
    now = _now(args)
    with _database(args, f"sql jobs {args.schedule}") as (target, conn, _):
        if not _has_jobs(conn):
            raise DatabaseError(
                f"no governance jobs in {target.shown}: lint-canon's migrations are not applied there; run "
                "`lint-canon sql apply` first"
            )
        if not args.force:
            _check_clock(conn, args.schedule, now, given=bool(args.now))
        return _jobs(conn, args.schedule, now, args.batch_size, quiet_header=False, shown=target.shown)


FUTURE_MARGIN = 60  # seconds --now may run ahead of the database's clock (hosts' clocks differ)
PAST_MARGIN = 300  # seconds --now may lag behind it, or behind the schedule's last run


def _check_clock(conn: Any, schedule: str, now: datetime, given: bool) -> None:
    """Refuse a time the jobs must not run as, both ways. Later than the database's clock: rows
    archived, parked or deleted before their time. Earlier (only an explicit --now can be): the
    archives and runs are dated then, so the next ordinary run takes them as long expired (the
    weekly cleanup deletes what was just archived, parked rows jump escalation levels), and a
    time before the schedule's last run winds its clock back."""
    clock = conn.execute("SELECT now()").fetchone()[0]
    if (now - clock).total_seconds() > FUTURE_MARGIN:
        raise DatabaseError(
            f"--now {now.isoformat()}: later than the database's clock ({clock.isoformat()}); the "
            f"{schedule} jobs would archive, park or delete rows before their time: pass --force if "
            "that is intended"
        )
    if not given:
        return
    if (clock - now).total_seconds() > PAST_MARGIN:
        raise DatabaseError(
            f"--now {now.isoformat()}: earlier than the database's clock ({clock.isoformat()}); the {schedule} jobs "
            "would date their archives and runs then, and the next ordinary run would take them as long expired "
            "(deleting fresh archives, escalating parked rows): pass --force if that is intended"
        )
    last = conn.execute(
        "SELECT max(as_of) FROM shq.governance_job_runs WHERE job_name = ANY(%s) AND status <> 'skipped'",
        (list(job_runner.SCHEDULES[schedule]),),
    ).fetchone()
    if last and last[0] is not None and (last[0] - now).total_seconds() > PAST_MARGIN:
        raise DatabaseError(
            f"--now {now.isoformat()}: earlier than the {schedule} schedule's last run ({last[0].isoformat()}); "
            "its jobs would run with the clock wound back: pass --force if that is intended"
        )


def _has_jobs(conn: Any) -> bool:
    """Whether the database has lint-canon's governance jobs: the master runner, created after
    the jobs and their helpers (migration 3's runner file)."""
    return bool(
        conn.execute(
            "SELECT to_regprocedure('shq.fn_run_error_governance_jobs(timestamptz, integer)') IS NOT NULL"
        ).fetchone()[0]
    )


def _jobs(conn: Any, schedule: str, now: datetime, batch_size: int, quiet_header: bool, shown: str) -> int:
    _check_batch_size(batch_size)
    live = _live()
    started = time.perf_counter()

    def newline(line: str) -> None:
        sys.stdout.write("\n")

    results = job_runner.run_schedule(conn, schedule, now, batch_size, newline, live)
    failed = [r for r in results if r.status == "failed"]
    if live is None:
        parts = "; ".join(job_runner.describe(r) for r in results)
        skipped = all(r.status == "skipped" for r in results)
        verdict = "FAILED" if failed else "skipped" if skipped else "ok"
        _say(f"jobs {schedule}: {verdict} in {time.perf_counter() - started:.2f} s: {parts}")
    elif failed:
        _say(f"jobs {schedule}: FAILED")
    return EXIT_PROBLEM if failed else EXIT_OK


def govern(args: Any) -> int:
    import psycopg

    if args.max_retries is not None and not 0 <= args.max_retries <= MAX_RETRIES:
        raise DatabaseError(f"--max-retries {args.max_retries}: give 0 to {MAX_RETRIES}")
    with _database(args, "sql govern") as (_, conn, _lock):
        try:
            # PostgreSQL reads the name as SQL does: quotes keep case and spaces, the rest folds.
            parts = conn.execute("SELECT parse_ident(%s)", (args.table,)).fetchone()[0]
        except psycopg.Error:
            parts = None
        if not parts or len(parts) != 2:
            raise DatabaseError(
                f'govern {args.table}: name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors")'
            )
        retention = None
        if args.retention is not None:
            try:
                retention = conn.execute(
                    "SELECT %s::interval, %s::interval > interval '0'", (args.retention, args.retention)
                ).fetchone()
            except psycopg.Error:
                retention = None
            if retention is None or not retention[1]:
                raise DatabaseError(f"--retention {args.retention!r}: give a positive interval such as '90 days'")
        try:
            regclass = conn.execute(
                "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text))", (parts[0], parts[1])
            ).fetchone()[0]
            if regclass is None:
                raise DatabaseError(f"govern {args.table}: no such table")
            if args.hub is not None:
                _check_hub(conn, args.table, args.hub)
            message = conn.execute(
                "SELECT shq.fn_govern_error_table(%s::regclass, %s, %s::interval, %s, p_id_column => %s::name)",
                (regclass, args.max_retries, args.retention, args.hub, args.id_column),
            ).fetchone()[0]
        except psycopg.Error as exc:
            primary = explained(exc, conn, getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc))
            if isinstance(exc, psycopg.errors.UndefinedFunction):
                primary = "shq.fn_govern_error_table is missing: run `lint-canon sql apply` first"
            raise DatabaseError(f"govern {args.table}: {primary}") from None
        _say(message)
        pending_steps(conn, _say)
    return EXIT_OK


def _check_hub(conn: Any, table: str, hub: str) -> None:
    """Refuse a hub that shq.hubs does not hold (fn_govern_error_table would record it, and the
    table's errors would block no hub's promotion), naming the known ones and the closest."""
    import difflib

    if not conn.execute("SELECT to_regclass('shq.hubs') IS NOT NULL").fetchone()[0]:
        return  # no hubs table: neither is there fn_govern_error_table, which says what to do
    known = [row[0] for row in conn.execute("SELECT hub_id FROM shq.hubs ORDER BY sort_order, hub_id")]
    if hub in known:
        return
    by_upper = {name.upper(): name for name in known}
    close = difflib.get_close_matches(hub.upper(), list(by_upper), n=1)
    meant = f" did you mean '{by_upper[close[0]]}'?" if close else ""
    listed = f"shq.hubs holds {', '.join(known)}" if known else "shq.hubs holds no hub: add the hubs there first"
    raise DatabaseError(f"govern {table}: unknown hub '{mig.excerpt(hub)}' (nothing was changed);{meant} {listed}")


def ungovern(args: Any) -> int:
    """``sql ungovern TABLE``: the table leaves governance (shq.fn_ungovern_error_table), also one
    that was dropped or renamed; its columns, indexes and archive are kept."""
    import psycopg

    with _database(args, "sql ungovern") as (_, conn, _lock):
        try:
            message = conn.execute("SELECT shq.fn_ungovern_error_table(%s)", (args.table,)).fetchone()[0]
        except psycopg.Error as exc:
            primary = explained(exc, conn, getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc))
            if isinstance(exc, psycopg.errors.UndefinedFunction):
                primary = "shq.fn_ungovern_error_table is missing: run `lint-canon sql apply` first"
            raise DatabaseError(f"ungovern {args.table}: {primary}") from None
    _say(message)
    return EXIT_OK


def report(args: Any) -> int:
    """``sql report``: the governance state (``db/report.py``), read only, in a read-only
    transaction: a summary, or one self-contained HTML page (``db/report_page.py``)."""
    import datetime

    import psycopg

    from lint_canon.db.report import governance_state
    from lint_canon.db.report_page import render_html, render_text

    with _database(args, "sql report") as (target, conn, _):
        try:
            with conn.transaction():
                # One snapshot for every figure, and nothing written.
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                state = governance_state(conn)
        except psycopg.Error as exc:
            primary = explained(exc, conn, getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc))
            if isinstance(exc, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction)):
                primary += ": run `lint-canon sql apply` first"
            raise DatabaseError(f"report: {primary}") from None
        shown = target.shown
        # The page names the database, not where its server is (a page travels: a CI artefact).
        database = f"database {conn.info.dbname}"
    if args.format == "html":
        rendered = render_html(state, database, datetime.datetime.now(datetime.UTC))
    else:
        rendered = render_text(state, shown)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(rendered)
        except OSError as exc:
            raise DatabaseError(f"report: {args.output}: cannot write it: {exc.strerror or exc}") from None
        _say(f"wrote {args.output}")
    else:
        sys.stdout.write(rendered)
    return EXIT_OK


def verify(args: Any) -> int:
    """Everything on a throwaway database: the reference schema, the migrations (twice: the
    second applies nothing), both schedules. A throwaway embedded server, or a scratch database
    on the server of --database-url, created and dropped."""
    plan = _plan(args)
    started = time.perf_counter()
    if args.database_url:
        place = _scratch_database(args)
        where = "in a scratch database (dropped)"
    else:
        place = _throwaway_server()
        where = "on a throwaway server"
    with place as target, _connections(target, args, "sql verify", lock=True) as (conn, lock_conn):
        _reference_schema(conn)
        mig.apply_all(conn, lock_conn, plan, args.lock_wait, False, _say, after=lambda: pending_steps(conn, _say))
        if mig.apply_all(conn, lock_conn, plan, args.lock_wait, False, lambda line: None):
            raise DatabaseError("verify: a second apply applied something again")
        now = _now(args)
        has_jobs = _has_jobs(conn)
        daily = _jobs(conn, "daily", now, args.batch_size, True, target.shown) if has_jobs else EXIT_OK
        weekly = _jobs(conn, "weekly", now, args.batch_size, True, target.shown) if has_jobs else EXIT_OK
    ok = daily == EXIT_OK and weekly == EXIT_OK
    jobs = "jobs daily and weekly ran" if has_jobs else "no governance jobs to run (the plan has none of lint-canon's)"
    _say(
        f"verify: {'ok' if ok else 'FAILED'}: {len(plan.migrations)} migrations applied {where}, "
        f"{jobs} ({time.perf_counter() - started:.1f} s)"
    )
    return EXIT_OK if ok else EXIT_PROBLEM


@contextmanager
def _throwaway_server() -> Iterator[Target]:
    with embedded.throwaway_server() as url:
        yield Target(url, "throwaway embedded PostgreSQL")


@contextmanager
def _scratch_database(args: Any) -> Iterator[Target]:
    """A new database on the server of --database-url, dropped at the end, cancelled or not."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    base = Target(args.database_url, describe(args.database_url, "--database-url"))
    name = f"lint_canon_verify_{uuid.uuid4().hex[:10]}"
    with connect(base, args.lock_timeout, args.statement_timeout, "sql verify") as admin:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            primary = exc.diag.message_primary if getattr(exc, "diag", None) else type(exc).__name__
            raise DatabaseError(
                f"verify --database-url: cannot create a scratch database on {base.shown}: {primary}; grant this "
                "user CREATEDB, or run verify without --database-url (a throwaway embedded server)"
            ) from None
    try:
        yield Target(make_conninfo(args.database_url, dbname=name), f"scratch database {name} on {base.shown}")
    finally:
        with connect(base, args.lock_timeout, args.statement_timeout, "sql verify (drop)") as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


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


MAX_NEW_NAME = 100


def new(args: Any) -> int:
    """``sql new NAME``: a dated file with the house header, appended to plan.txt; a folder
    without a plan.txt gets one, naming a project after the repository (``mig.project_name``)."""
    folder = Path(args.dir)
    plan = folder / mig.PLAN_FILE
    if not _NAME.match(args.name):
        raise mig.MigrationError(
            f"sql new {mig.excerpt(args.name)!r}: a name is lower-case letters and digits in words joined by dashes "
            "(add-hub-index)"
        )
    if len(args.name) > MAX_NEW_NAME:
        raise mig.MigrationError(
            f"sql new {mig.excerpt(args.name)}: {len(args.name)} characters; a name is at most {MAX_NEW_NAME} (the "
            "file name must fit the file system's 255 bytes and stay readable in a plan)"
        )
    if folder.exists() and not folder.is_dir():
        raise mig.MigrationError(f"{display_path(folder)}: not a folder; --dir names the migrations folder")
    if not folder.is_dir():
        raise mig.MigrationError(
            f"{display_path(folder)}: no such folder; --dir names the migrations folder: create it (mkdir "
            f"{shlex.quote(display_path(folder))}) or name another"
        )
    file = f"{datetime.now(UTC):%Y-%m-%d}-{args.name}.sql"
    path = folder / file
    if not plan.exists() and not plan.is_symlink():
        if path.exists():
            raise mig.MigrationError(f"{display_path(path)}: exists already; pick another name")
        project, named = mig.project_name(folder)
        others = sorted(p.name for p in folder.glob("*.sql"))
        mig.new_plan(folder, project)
        note = (
            f"; it lists only the new migration: list the folder's {len(others)} other .sql "
            f"file{'' if len(others) == 1 else 's'} above it, in the order they run"
            if others
            else ""
        )
        _say(
            f"created {display_path(plan)} for project {project} (named after the folder {named.name}: edit its "
            f"%project= line before the first `sql apply` to name it otherwise){note}"
        )
    migrations = mig.load_plan(folder).migrations  # the plan must be sound before it grows
    if path.exists() or any(m.name == file for m in migrations):
        raise mig.MigrationError(f"{display_path(path)}: exists already; pick another name")
    path.write_text(_HEADER.format(file=file, number=len(migrations) + 1), encoding="utf-8")
    text = plan.read_text(encoding="utf-8-sig")
    with plan.open("a", encoding="utf-8") as out:
        out.write(("" if not text or text.endswith("\n") else "\n") + file + "\n")
    _say(f"created {display_path(path)}; appended to {display_path(plan)}")
    return EXIT_OK
