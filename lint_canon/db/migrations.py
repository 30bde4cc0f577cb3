"""The migration runner: a plan, a ledger with checksums, one transaction per file.

What the mature runners taught (Flyway, sqitch, golang-migrate, pgmigrate): the checksum is
taken with line ends normalised, so a CRLF checkout is not a change; the ledger row is written
inside the migration's own transaction, so a crash leaves no "dirty" state; concurrent runs
serialise on a session advisory lock taken by polling until a deadline, and the message says who
holds it; BEGIN/COMMIT inside a file are refused (the runner owns the transaction); a statement
that cannot run in a transaction lives alone in a file marked ``-- lint-canon: no-transaction``;
there are no down migrations: fix forward.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.db.connection import DatabaseError
from lint_canon.errors import CanonError
from lint_canon.project.sqltext import error_line
from lint_canon.project.sqltext import statements as sql_statements

PLAN_FILE = "plan.txt"
NO_TRANSACTION = "-- lint-canon: no-transaction"
LOCK_KEY = (0x6C696E74, 0x63616E6F)  # "lint", "cano": the migration lock, one per database

LEDGER_DDL = """
CREATE SCHEMA IF NOT EXISTS lint_canon;
CREATE TABLE IF NOT EXISTS lint_canon.migrations (
    file        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text NOT NULL DEFAULT current_user,
    duration_ms integer NOT NULL,
    baseline    boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS lint_canon.migration_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file        text NOT NULL,
    checksum    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('applied', 'failed', 'baseline')),
    error       text,
    at          timestamptz NOT NULL DEFAULT now(),
    by_user     text NOT NULL DEFAULT current_user
);
"""


class MigrationError(CanonError):
    """A migration that cannot be applied as it stands: a bad plan, a changed file, a failure."""


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # where it starts in its file


@dataclass(frozen=True)
class Migration:
    name: str
    path: Path
    checksum: str
    statements: tuple[Statement, ...]
    no_transaction: bool


def sql_folder() -> Path:
    """The packaged migrations, else the checkout's sql/."""
    packaged = Path(__file__).parent.parent / "_sql"
    return packaged if (packaged / PLAN_FILE).is_file() else Path(__file__).parent.parent.parent / "sql"


def reference_schema() -> Path:
    packaged = Path(__file__).parent.parent / "_sql" / "reference_schema.sql"
    if packaged.is_file():
        return packaged
    return Path(__file__).parent.parent.parent / "fixtures" / "reference_schema.sql"


def checksum(data: bytes) -> str:
    """sha256 of the file with CRLF / CR line ends made LF."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).hexdigest()


def split_statements(path: Path, text: str) -> tuple[Statement, ...]:
    """The file's statements with their lines, parsed by PostgreSQL's own parser (pglast)."""
    from pglast.parser import ParseError

    out = []
    try:
        for stmt, chunk, line in sql_statements(text):
            if type(stmt).__name__ == "TransactionStmt":
                raise MigrationError(
                    f"{display_path(path)}:{line}: transaction control ({chunk.strip().split()[0].upper()}) inside a "
                    "migration; the runner runs each file in its own transaction: remove it"
                )
            out.append(Statement(chunk.strip(), line))
    except ParseError as exc:
        message = exc.args[0] if exc.args else exc
        raise MigrationError(f"{display_path(path)}:{error_line(exc, text)}: cannot parse: {message}") from None
    return tuple(out)


def load_plan(folder: Path) -> list[Migration]:
    """The migrations of ``folder``/plan.txt, in order, read and checked."""
    plan = folder / PLAN_FILE
    try:
        lines = plan.read_text(encoding="utf-8-sig").splitlines()  # a BOM an editor left is no name
    except OSError:
        raise MigrationError(
            f"{display_path(plan)}: no plan file; list the migrations there, one file name a line"
        ) from None
    migrations: list[Migration] = []
    seen: set[str] = set()
    for number, raw_line in enumerate(lines, 1):
        name = raw_line.split("#", 1)[0].strip()
        if not name:
            continue
        if name in seen:
            raise MigrationError(f"{display_path(plan)}:{number}: {name} is listed twice")
        seen.add(name)
        path = folder / name
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except OSError:
            raise MigrationError(
                f"{display_path(plan)}:{number}: {name} does not exist in {display_path(folder)}"
            ) from None
        except UnicodeDecodeError as exc:
            raise MigrationError(f"{display_path(path)}: not UTF-8 ({exc.reason})") from None
        if "\0" in text:
            line = text.count("\n", 0, text.index("\0")) + 1
            raise MigrationError(
                f"{display_path(path)}:{line}: a NUL byte; PostgreSQL reads no further than it, so the statements "
                "after it would be recorded as applied without running: remove it"
            )
        statements = split_statements(path, text)
        no_transaction = any(line.strip().lower() == NO_TRANSACTION for line in text.splitlines()[:40])
        if no_transaction and len(statements) != 1:
            raise MigrationError(
                f"{display_path(path)}:1: a no-transaction migration must hold exactly one statement, it holds {len(statements)}"
            )
        migrations.append(Migration(name, path, checksum(data), statements, no_transaction))
    return migrations


# --- the ledger ----------------------------------------------------------------------------


def ensure_ledger(conn: Any) -> None:
    conn.execute(LEDGER_DDL)


def ledger(conn: Any) -> dict[str, tuple[str, Any, bool]]:
    """file -> (checksum, applied_at, baseline); empty when the ledger does not exist yet."""
    exists = conn.execute("SELECT to_regclass('lint_canon.migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute("SELECT file, checksum, applied_at, baseline FROM lint_canon.migrations").fetchall()
    return {file: (digest, at, baseline) for file, digest, at, baseline in rows}


@dataclass(frozen=True)
class FileState:
    name: str
    state: str  # applied | pending | modified | missing
    applied_at: Any = None


def states(migrations: list[Migration], applied: dict[str, tuple[str, Any, bool]]) -> list[FileState]:
    out = []
    for m in migrations:
        if m.name not in applied:
            out.append(FileState(m.name, "pending"))
        elif applied[m.name][0] != m.checksum:
            out.append(FileState(m.name, "modified", applied[m.name][1]))
        else:
            out.append(FileState(m.name, "applied", applied[m.name][1]))
    planned = {m.name for m in migrations}
    out += [FileState(name, "missing", at) for name, (_, at, _) in sorted(applied.items()) if name not in planned]
    return out


# --- the lock ------------------------------------------------------------------------------


def acquire_lock(conn: Any, wait_seconds: float) -> None:
    """Poll pg_try_advisory_lock until the deadline; then say who holds the lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if conn.execute("SELECT pg_try_advisory_lock(%s, %s)", LOCK_KEY).fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    holder = conn.execute(
        "SELECT a.pid, a.application_name, a.usename, a.backend_start FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.classid = %s::oid AND l.objid = %s::oid AND l.granted LIMIT 1",
        (LOCK_KEY[0] & 0xFFFFFFFF, LOCK_KEY[1] & 0xFFFFFFFF),
    ).fetchone()
    who = (
        f"pid {holder[0]} ({holder[1] or 'no application name'}, user {holder[2]}, connected since "
        f"{holder[3]:%Y-%m-%d %H:%M:%S %Z})"
        if holder
        else "another session"
    )
    raise DatabaseError(
        f"the migration lock is held by {who}; waited {wait_seconds:g} s. Another apply is running: "
        "wait for it, or raise --lock-wait"
    )


def release_lock(conn: Any) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY)


# --- applying ------------------------------------------------------------------------------


def _error_line(statement: Statement, exc: Any) -> int:
    position = getattr(getattr(exc, "diag", None), "statement_position", None)
    if position:
        try:
            return statement.line + statement.text[: int(position) - 1].count("\n")
        except ValueError:
            pass
    return statement.line


def apply_migration(conn: Any, migration: Migration) -> float:
    """Run one migration and record it; on failure roll back, log it, raise MigrationError."""
    import psycopg

    started = time.perf_counter()
    current: Statement | None = None
    try:
        if migration.no_transaction:
            current = migration.statements[0]
            conn.execute(current.text)
            _record(conn, migration, started)
        else:
            with conn.transaction():
                for statement in migration.statements:
                    current = statement
                    conn.execute(statement.text)
                _record(conn, migration, started)
    except psycopg.Error as exc:
        line = _error_line(current, exc) if current is not None else 1
        message = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc).splitlines()[0]
        try:
            conn.execute(
                "INSERT INTO lint_canon.migration_log (file, checksum, status, error) VALUES (%s, %s, 'failed', %s)",
                (migration.name, migration.checksum, f"line {line}: {message}"),
            )
        except psycopg.Error:
            pass  # the log is a courtesy; the failure itself is what we report
        hint = getattr(getattr(exc, "diag", None), "message_hint", None)
        if message.startswith("error tables missing"):
            # A first run on a database without the hub tables the migrations govern.
            hint = (
                "the migrations govern the hub tables, which this database does not have: on a new database "
                "run `lint-canon sql apply --reference-schema` to create them first, else create those tables"
            )
        raise MigrationError(
            f"{display_path(migration.path)}:{line}: {message} (rolled back; nothing of this file was applied)"
            + (f"; {hint}" if hint else "")
        ) from None
    return time.perf_counter() - started


def _record(conn: Any, migration: Migration, started: float) -> None:
    duration = int((time.perf_counter() - started) * 1000)
    conn.execute(
        "INSERT INTO lint_canon.migrations (file, checksum, duration_ms) VALUES (%s, %s, %s)",
        (migration.name, migration.checksum, duration),
    )
    conn.execute(
        "INSERT INTO lint_canon.migration_log (file, checksum, status) VALUES (%s, %s, 'applied')",
        (migration.name, migration.checksum),
    )


def validate(migrations: list[Migration], applied: dict[str, tuple[str, Any, bool]], out_of_order: bool) -> None:
    """Flyway's validate, before anything runs: no applied file changed, none gone from the plan,
    and (unless ``out_of_order``) no pending file placed before an applied one."""
    check_unchanged(migrations, applied)
    planned = {m.name for m in migrations}
    gone = sorted(name for name in applied if name not in planned)
    if gone:
        raise MigrationError(
            f"{gone[0]} is applied (in the ledger) but no longer in {PLAN_FILE}; an applied migration stays in "
            "the plan: restore it there (and its file), then fix forward with a new file"
        )
    if not out_of_order:
        last_applied = max((i for i, m in enumerate(migrations) if m.name in applied), default=0)
        for m in migrations[:last_applied]:
            if m.name not in applied:
                later = migrations[last_applied].name
                raise MigrationError(
                    f"{display_path(m.path)}: pending, but placed before {later}, which is applied; it would run out "
                    f"of order: move it to the end of {PLAN_FILE}, or pass --out-of-order if that is intended"
                )


def check_unchanged(migrations: list[Migration], applied: dict[str, tuple[str, Any, bool]]) -> None:
    for m in migrations:
        if m.name in applied and applied[m.name][0] != m.checksum:
            raise MigrationError(
                f"{display_path(m.path)}: changed after it was applied (ledger sha256 {applied[m.name][0][:12]}, file "
                f"{m.checksum[:12]}); an applied migration is never edited: restore it and fix forward with a new file"
            )


def apply_all(
    conn: Any,
    migrations: list[Migration],
    lock_wait: float,
    dry_run: bool,
    say: Callable[[str], None],
    out_of_order: bool = False,
    upto: str | None = None,
) -> int:
    """Apply what is pending, in order (up to and including ``upto``), after ``validate``.
    Returns how many files were applied."""
    wanted = migrations
    if upto is not None:
        names = [m.name for m in migrations]
        if upto not in names:
            raise MigrationError(f"--to {upto}: not in {PLAN_FILE}; name one of its files")
        wanted = migrations[: names.index(upto) + 1]
    if dry_run:
        applied = ledger(conn)
        validate(migrations, applied, out_of_order)
        pending = [m for m in wanted if m.name not in applied]
        for m in pending:
            marker = ", no transaction" if m.no_transaction else ""
            say(
                f"would apply {display_path(m.path)} ({len(m.statements)} statements{marker}, sha256 {m.checksum[:12]})"
            )
        if not pending:
            say(f"nothing to apply: {len(migrations)} migrations up to date")
        return 0
    acquire_lock(conn, lock_wait)
    try:
        ensure_ledger(conn)
        applied = ledger(conn)
        validate(migrations, applied, out_of_order)
        count = 0
        for m in wanted:
            if m.name in applied:
                continue
            seconds = apply_migration(conn, m)
            say(f"applied {display_path(m.path)} ({seconds:.2f} s)")
            count += 1
        if count == 0:
            say(f"nothing to apply: {len(migrations)} migrations up to date")
        return count
    finally:
        release_lock(conn)


def baseline(conn: Any, migrations: list[Migration], upto: str | None, lock_wait: float) -> list[str]:
    """Record migrations as applied without running them (a database whose schema is there)."""
    names = [m.name for m in migrations]
    if upto is not None and upto not in names:
        raise MigrationError(f"--to {upto}: not in the plan ({', '.join(names)})")
    acquire_lock(conn, lock_wait)
    try:
        ensure_ledger(conn)
        applied = ledger(conn)
        done = []
        with conn.transaction():
            for m in migrations:
                if m.name not in applied:
                    conn.execute(
                        "INSERT INTO lint_canon.migrations (file, checksum, duration_ms, baseline) VALUES (%s, %s, 0, true)",
                        (m.name, m.checksum),
                    )
                    conn.execute(
                        "INSERT INTO lint_canon.migration_log (file, checksum, status) VALUES (%s, %s, 'baseline')",
                        (m.name, m.checksum),
                    )
                    done.append(m.name)
                if m.name == upto:
                    break
        return done
    finally:
        release_lock(conn)
