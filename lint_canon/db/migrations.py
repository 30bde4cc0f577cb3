"""The migration runner: a plan, a ledger with checksums, one transaction per file.

What the mature runners taught (Flyway, sqitch, golang-migrate, pgmigrate): the checksum is
taken with line ends normalised, so a CRLF checkout is not a change; the ledger row is written
inside the migration's own transaction, so a crash leaves no "dirty" state; a statement that
cannot run in a transaction lives alone in a file marked ``-- lint-canon: no-transaction``, is
recorded as running before it starts and done after, so a crash in between shows ``dirty`` and
blocks ``apply`` until ``sql repair`` (Flyway's failed row and repair); concurrent runs serialise
on a session advisory lock held by a connection of its own, which the migrations cannot reach,
taken by polling until a deadline, and the message says who holds it; BEGIN/COMMIT inside a file
are refused (the runner owns the transaction); there are no down migrations: fix forward.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.db.connection import DatabaseError
from lint_canon.db.privileges import explained
from lint_canon.project.sqltext import error_line
from lint_canon.project.sqltext import statements as sql_statements
from lint_canon_guard.errors import CanonError
from lint_canon_guard.messages import printable

PLAN_FILE = "plan.txt"
DEFAULT_PROJECT = "default"  # a plan.txt without a %project= line
OWN_PROJECT = "lint-canon"  # the project of lint-canon's own plan (sql/plan.txt)
_PROJECT = re.compile(r"^%project=([A-Za-z0-9_.-]+)$")
NO_TRANSACTION = "-- lint-canon: no-transaction"
LOCK_KEY = (0x6C696E74, 0x63616E6F)  # "lint", "cano": the migration lock, one per database

LEDGER_DDL = """
-- CREATE SCHEMA IF NOT EXISTS asks for CREATE on the database even when the schema is there.
DO $schema$ BEGIN
    IF to_regnamespace('lint_canon') IS NULL THEN
        CREATE SCHEMA lint_canon;
    END IF;
END $schema$;
CREATE TABLE IF NOT EXISTS lint_canon.migrations (
    project     text NOT NULL DEFAULT 'lint-canon',
    file        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text NOT NULL DEFAULT current_user,
    duration_ms integer NOT NULL,
    baseline    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (project, file)
);
CREATE TABLE IF NOT EXISTS lint_canon.migration_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project     text NOT NULL DEFAULT 'lint-canon',
    file        text NOT NULL,
    checksum    text NOT NULL,
    status      text NOT NULL,
    error       text,
    at          timestamptz NOT NULL DEFAULT now(),
    by_user     text NOT NULL DEFAULT current_user
);
-- Added after the first release; a ledger of an older lint-canon gains them here (its rows
-- were lint-canon's own plan, the only one it had a name for).
ALTER TABLE lint_canon.migration_log ADD COLUMN IF NOT EXISTS project text NOT NULL DEFAULT 'lint-canon';
DO $ledger$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'lint_canon.migrations'::regclass
                   AND attname = 'project' AND NOT attisdropped) THEN
        ALTER TABLE lint_canon.migrations ADD COLUMN project text NOT NULL DEFAULT 'lint-canon';
        ALTER TABLE lint_canon.migrations DROP CONSTRAINT migrations_pkey;
        ALTER TABLE lint_canon.migrations ADD PRIMARY KEY (project, file);
    END IF;
END
$ledger$;
ALTER TABLE lint_canon.migrations
    ADD COLUMN IF NOT EXISTS installed_rank integer,
    ADD COLUMN IF NOT EXISTS plan_position integer,
    ADD COLUMN IF NOT EXISTS success boolean NOT NULL DEFAULT true;
ALTER TABLE lint_canon.migration_log
    ADD COLUMN IF NOT EXISTS note text,
    DROP CONSTRAINT IF EXISTS migration_log_status_check;
UPDATE lint_canon.migrations m SET installed_rank = r.rank
FROM (SELECT project, file, row_number() OVER (PARTITION BY project ORDER BY applied_at, file) AS rank
      FROM lint_canon.migrations) r
WHERE m.project = r.project AND m.file = r.file AND m.installed_rank IS NULL;
"""

# What a log row says; checked by the runner, not by a constraint, so an older runner's ledger
# and a newer one's can share a database.
LOG_STATUSES = ("applied", "failed", "baseline", "running", "repaired", "checksum-accepted", "normalised")


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
    position: int  # 1-based place in the plan
    shown: str  # how messages name it: as the user would type it


@dataclass(frozen=True)
class Plan:
    """A plan.txt read: its project (the ledger keeps each project's files apart, so lint-canon's
    migrations and a team's own share a database) and its migrations, in order."""

    project: str
    migrations: tuple[Migration, ...]


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


def split_statements(shown: str, text: str) -> tuple[Statement, ...]:
    """The file's statements with their lines, parsed by PostgreSQL's own parser (pglast)."""
    from pglast.parser import ParseError

    out = []
    try:
        for stmt, chunk, line in sql_statements(text):
            if type(stmt).__name__ == "TransactionStmt":
                raise MigrationError(
                    f"{shown}:{line}: transaction control ({chunk.strip().split()[0].upper()}) inside a "
                    "migration; the runner runs each file in its own transaction: remove it"
                )
            out.append(Statement(chunk.strip(), line))
    except ParseError as exc:
        message = excerpt(str(exc.args[0] if exc.args else exc), 200)
        raise MigrationError(f"{shown}:{error_line(exc, text)}: cannot parse: {message}") from None
    return tuple(out)


MAX_PLAN_SIZE = 1024 * 1024  # a plan is a list of file names; more than this is not one
_EXCERPT = 60


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """A short, escaped piece of a line for a message: its first ``limit`` characters as one
    printable line (control characters escaped), "..." when there was more, so no line of a file
    can flood or forge output."""
    return printable(text[:limit]) + ("..." if len(text) > limit else "")


def plan_entry(line: str) -> str:
    """What a plan line names: the text before a comment. ``#`` starts a comment at the start of
    the line or after a space or tab, as in a shell, so ``a#b.sql`` is a file name."""
    match = re.search(r"(?:^|[ \t])#", line)
    return (line[: match.start()] if match else line).strip()


def normal_name(entry: str) -> str | None:
    """The one spelling of a plan entry: a relative POSIX path with no ``.``, ``..`` or doubled
    slashes; None for a path that is absolute or leaves the plan's folder. The ledger keys on it,
    so ``credit.sql``, ``./credit.sql`` and ``sub/../credit.sql`` are one migration."""
    if entry.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", entry):
        return None
    name = posixpath.normpath(entry)
    if name == ".." or name.startswith("../"):
        return None
    return name


def _plan_file(folder: Path, plan: Path, number: int, entry: str) -> tuple[str, Path]:
    """The normal name of the entry at line ``number`` and its file, checked to be a regular file
    of the plan's folder (links resolved, and kept inside); nothing outside the folder is read."""
    where = f"{display_path(plan)}:{number}"
    name = normal_name(entry)
    if name is None:
        raise MigrationError(
            f"{where}: {excerpt(entry)}: not a file of the plan's folder; list files by their path relative to "
            f"{display_path(folder)}, without .. or a leading /"
        )
    path = folder / name
    try:
        real = path.resolve(strict=True)
        inside = real.is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):  # missing, a broken link, a loop of links
        raise MigrationError(f"{where}: {excerpt(entry)} does not exist in {display_path(folder)}") from None
    if not inside:
        raise MigrationError(
            f"{where}: {excerpt(entry)} is a link out of the plan's folder; a migration is a file of "
            f"{display_path(folder)}: copy it there"
        )
    if real.is_dir():
        raise MigrationError(
            f"{where}: {excerpt(entry)} is a folder; list the migrations it holds, one .sql file a line"
        )
    if not real.is_file():
        raise MigrationError(f"{where}: {excerpt(entry)} is not a regular file; a migration is a .sql file")
    return name, real


def load_plan(folder: Path, own: bool = False) -> Plan:
    """``folder``/plan.txt with its migrations, read and checked. A ``%project=NAME`` line (as in
    sqitch's plan) names the project; without one it is "default". ``own``: lint-canon's packaged
    migrations, which messages name by file name alone (not a site-packages path). Each entry is
    a file of the folder, named in its normal form (``normal_name``); two entries naming one file
    are refused."""
    plan = folder / PLAN_FILE
    try:
        with open(plan, "rb") as handle:
            data = handle.read(MAX_PLAN_SIZE + 1)
    except OSError:
        raise MigrationError(
            f"{display_path(plan)}: no plan file; list the migrations there, one file name a line"
        ) from None
    if len(data) > MAX_PLAN_SIZE:
        raise MigrationError(
            f"{display_path(plan)}: larger than {MAX_PLAN_SIZE:,} bytes; a plan lists file names, one a line"
        )
    try:
        lines = data.decode("utf-8-sig").splitlines()  # a BOM an editor left is no name
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{display_path(plan)}: not UTF-8 ({exc.reason})") from None
    migrations: list[Migration] = []
    seen: dict[str, int] = {}
    files: dict[Path, int] = {}
    project = None
    for number, raw_line in enumerate(lines, 1):
        entry = plan_entry(raw_line)
        if not entry:
            continue
        if entry.startswith("%"):
            match = _PROJECT.match(entry)
            if match is None or project is not None or migrations:
                raise MigrationError(
                    f"{display_path(plan)}:{number}: {excerpt(entry)}: the one pragma is %project=NAME (letters, "
                    "digits, _ . -), once, before the first file"
                )
            project = match[1]
            continue
        name, real = _plan_file(folder, plan, number, entry)
        first = seen.get(name, files.get(real))
        if first is not None:
            also = "" if name == entry else f" ({name})"
            raise MigrationError(
                f"{display_path(plan)}:{number}: {excerpt(entry)}{also} names the file of line {first}: "
                "a migration is listed once"
            )
        seen[name] = files[real] = number
        path = folder / name
        shown = name if own else display_path(path)
        try:
            data = real.read_bytes()
            text = data.decode("utf-8")
        except OSError as exc:
            raise MigrationError(f"{shown}: cannot read it ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise MigrationError(f"{shown}: not UTF-8 ({exc.reason})") from None
        if "\0" in text:
            line = text.count("\n", 0, text.index("\0")) + 1
            raise MigrationError(
                f"{shown}:{line}: a NUL byte; PostgreSQL reads no further than it, so the statements "
                "after it would be recorded as applied without running: remove it"
            )
        statements = split_statements(shown, text)
        no_transaction = any(line.strip().lower() == NO_TRANSACTION for line in text.splitlines()[:40])
        if no_transaction and len(statements) != 1:
            raise MigrationError(
                f"{shown}:1: a no-transaction migration must hold exactly one statement, it holds {len(statements)}"
            )
        migrations.append(Migration(name, path, checksum(data), statements, no_transaction, len(migrations) + 1, shown))
    return Plan(project or DEFAULT_PROJECT, tuple(migrations))


def project_name(folder: Path) -> tuple[str, Path]:
    """(a project name for a new plan in ``folder``, the folder it is named after): the
    repository's (the nearest folder holding ``.git``), else the working folder's when
    ``folder`` is in it, else ``folder``'s own; made what ``%project=`` accepts (lower-case
    ASCII letters, digits, ``_ . -``). Never lint-canon's own project, whose ledger rows a
    team's would mix with."""
    import os
    import unicodedata

    where = folder.resolve()
    cwd = Path(os.getcwd()).resolve()
    named = next(
        (up for up in (where, *where.parents) if (up / ".git").exists()),
        cwd if where.is_relative_to(cwd) else where,
    )
    ascii_name = unicodedata.normalize("NFKD", named.name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9_.-]+", "-", ascii_name.lower()).strip("-._") or DEFAULT_PROJECT
    return (f"{name}-sql" if name == OWN_PROJECT else name), named


def new_plan(folder: Path, project: str) -> Path:
    """Write ``folder``/plan.txt naming ``project``, with no migrations yet; a plan.txt there
    already (or a link of that name) is kept and refused."""
    plan = folder / PLAN_FILE
    text = (
        "# The migrations of this folder (`lint-canon sql apply --dir`), one file a line, in the order they\n"
        "# run; `lint-canon sql new NAME` appends here. The project name keeps their ledger rows apart\n"
        "# from those of other plans in the same database.\n"
        f"%project={project}\n"
    )
    try:
        with open(plan, "x", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise MigrationError(f"{display_path(plan)}: cannot create it ({exc.strerror})") from None
    return plan


# --- the ledger ----------------------------------------------------------------------------


def ensure_ledger(conn: Any, project: str) -> None:
    """The ledger's tables, up to date, with every file of ``project`` named in its normal form:
    a ledger written when ``./credit.sql`` and ``credit.sql`` were two migrations keeps one row
    of the two (the first applied), and the log says what was renamed or merged."""
    conn.execute(LEDGER_DDL)
    rows = conn.execute(
        "SELECT file, checksum FROM lint_canon.migrations WHERE project = %s ORDER BY installed_rank, applied_at",
        (project,),
    ).fetchall()
    kept = {file for file, _ in rows}
    for file, sum_ in rows:
        name = normal_name(file)
        if name is None or name == file:
            continue
        with conn.transaction():
            if name in kept:
                conn.execute("DELETE FROM lint_canon.migrations WHERE project = %s AND file = %s", (project, file))
                note = f"the row of {file} removed: it names {name}, applied before it"
            else:
                conn.execute(
                    "UPDATE lint_canon.migrations SET file = %s WHERE project = %s AND file = %s", (name, project, file)
                )
                kept.add(name)
                note = f"renamed from {file}, its spelling in an older plan"
            kept.discard(file)
            _log(conn, project, Migration(name, Path(name), sum_, (), False, 0, name), "normalised", note=note)


@dataclass(frozen=True)
class LedgerRow:
    checksum: str
    applied_at: Any
    applied_by: str
    baseline: bool
    success: bool  # false: a no-transaction file that started and did not finish (dirty)
    installed_rank: int | None


def ledger(conn: Any, project: str) -> dict[str, LedgerRow]:
    """file -> its ledger row, for the plan of ``project``; empty when the ledger does not exist
    yet. A ledger of an older runner (not yet brought up to date by an apply) is read too."""
    exists = conn.execute("SELECT to_regclass('lint_canon.migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return {}
    columns = {
        name
        for (name,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'lint_canon.migrations'::regclass AND NOT attisdropped"
        )
    }
    success = "success, installed_rank" if "success" in columns else "true, NULL::integer"
    where = "project = %s" if "project" in columns else "%s = 'lint-canon'"
    rows = conn.execute(
        f"SELECT file, checksum, applied_at, applied_by, baseline, {success} FROM lint_canon.migrations WHERE {where}",
        (project,),
    ).fetchall()
    out: dict[str, LedgerRow] = {}
    for file, *rest in sorted(rows, key=lambda row: (row[6] is None, row[6] or 0, row[2])):
        out.setdefault(normal_name(file) or file, LedgerRow(*rest))  # an older plan's spelling, read as today's
    return out


@dataclass(frozen=True)
class FileState:
    name: str
    state: str  # applied | pending | modified | missing | dirty
    applied_at: Any = None


def states(plan: Plan, applied: dict[str, LedgerRow]) -> list[FileState]:
    migrations = plan.migrations
    out = []
    for m in migrations:
        row = applied.get(m.name)
        if row is None:
            out.append(FileState(m.name, "pending"))
        elif not row.success:
            out.append(FileState(m.name, "dirty", row.applied_at))
        elif row.checksum != m.checksum:
            out.append(FileState(m.name, "modified", row.applied_at))
        else:
            out.append(FileState(m.name, "applied", row.applied_at))
    planned = {m.name for m in migrations}
    out += [
        FileState(name, "dirty" if not row.success else "missing", row.applied_at)
        for name, row in sorted(applied.items())
        if name not in planned
    ]
    return out


# --- the lock ------------------------------------------------------------------------------


def acquire_lock(lock_conn: Any, wait_seconds: float) -> None:
    """Poll pg_try_advisory_lock until the deadline; then say who holds the lock. ``lock_conn``
    is a connection of its own: a migration's ``pg_advisory_unlock_all()`` cannot release it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if lock_conn.execute("SELECT pg_try_advisory_lock(%s, %s)", LOCK_KEY).fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    holder = lock_conn.execute(
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


def release_lock(lock_conn: Any) -> None:
    import psycopg

    try:
        lock_conn.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY)
    except psycopg.Error:
        pass  # the session is gone, and its lock with it


def still_locked(lock_conn: Any) -> None:
    """Stop before the next file if the lock's session is gone (terminated by someone)."""
    import psycopg

    try:
        lock_conn.execute("SELECT 1")
    except psycopg.Error:
        raise DatabaseError(
            "the session holding the migration lock was closed by the server (terminated?); stopped before "
            "the next file so two runners cannot interleave: run apply again"
        ) from None


# --- applying ------------------------------------------------------------------------------


def _error_line(statement: Statement, exc: Any) -> int:
    position = getattr(getattr(exc, "diag", None), "statement_position", None)
    if position:
        try:
            return statement.line + statement.text[: int(position) - 1].count("\n")
        except ValueError:
            pass
    return statement.line


RUNNER_SETTINGS = ("lock_timeout", "statement_timeout", "search_path")


def runner_settings(conn: Any) -> dict[str, str]:
    """The session's settings every migration starts from (the runner's timeouts, the path)."""
    return {name: conn.execute("SELECT current_setting(%s)", (name,)).fetchone()[0] for name in RUNNER_SETTINGS}


def restore_session(conn: Any, settings: dict[str, str]) -> None:
    """End what a file changed for the session: a plain ``SET`` (or ``SET ROLE``) outlives its
    transaction, so a ``SET lock_timeout = 0`` would leave the next file's ``ALTER TABLE`` queued
    without limit. Every setting goes back to the session's default and the runner's own are set
    again; ``SET LOCAL`` is how a file changes its own."""
    conn.execute("RESET ALL")
    conn.execute("RESET ROLE")
    for name, value in settings.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))


def apply_migration(conn: Any, project: str, migration: Migration) -> float:
    """Run one migration and record it; on failure roll back, log it, raise MigrationError.

    A no-transaction file is recorded as running (success false) before its statement and done
    after it: a crash in between, or a failure, leaves it ``dirty`` for ``sql repair``."""
    import psycopg

    started = time.perf_counter()
    current: Statement | None = None
    try:
        if migration.no_transaction:
            _record_running(conn, project, migration)
            current = migration.statements[0]
            conn.execute(current.text)
            _record_done(conn, project, migration, started)
        else:
            with conn.transaction():
                for statement in migration.statements:
                    current = statement
                    conn.execute(statement.text)
                _record(conn, project, migration, started)
    except psycopg.Error as exc:
        line = _error_line(current, exc) if current is not None else 1
        message = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc).splitlines()[0]
        message = explained(exc, conn, message)
        _log(conn, project, migration, "failed", f"line {line}: {message}")
        hint = getattr(getattr(exc, "diag", None), "message_hint", None)
        if message.startswith("error tables missing"):
            # A first run on a database without the hub tables the migrations govern.
            hint = (
                "the migrations govern the hub tables, which this database does not have: on a new database "
                "run `lint-canon sql apply --reference-schema` to create them first, else create those tables"
            )
        outcome = (
            "no transaction: what it did is not rolled back, and the file is marked dirty; check the database, "
            "then run `lint-canon sql repair`"
            if migration.no_transaction and current is not None
            else "rolled back; nothing of this file was applied"
        )
        raise MigrationError(
            f"{migration.shown}:{line}: {message} ({outcome})" + (f"; {hint}" if hint else "")
        ) from None
    return time.perf_counter() - started


def _log(
    conn: Any, project: str, migration: Migration, status: str, error: str | None = None, note: str | None = None
) -> None:
    import psycopg

    assert status in LOG_STATUSES
    try:
        conn.execute(
            "INSERT INTO lint_canon.migration_log (project, file, checksum, status, error, note)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (project, migration.name, migration.checksum, status, error, note),
        )
    except psycopg.Error:
        if status != "failed":
            raise
        # the log of a failure is a courtesy; the failure itself is what we report


_INSERT = (
    "INSERT INTO lint_canon.migrations"
    " (project, file, checksum, duration_ms, baseline, success, plan_position, installed_rank)"
    " SELECT %s, %s, %s, %s, %s, %s, %s, coalesce(max(installed_rank), 0) + 1"
    " FROM lint_canon.migrations WHERE project = %s"
)


def _insert(conn: Any, project: str, m: Migration, duration: int, baseline: bool, success: bool) -> None:
    conn.execute(_INSERT, (project, m.name, m.checksum, duration, baseline, success, m.position, project))


def _record(conn: Any, project: str, migration: Migration, started: float) -> None:
    _insert(conn, project, migration, int((time.perf_counter() - started) * 1000), False, True)
    _log(conn, project, migration, "applied")


def _record_running(conn: Any, project: str, migration: Migration) -> None:
    with conn.transaction():
        _insert(conn, project, migration, 0, False, False)
        _log(conn, project, migration, "running")


def _record_done(conn: Any, project: str, migration: Migration, started: float) -> None:
    duration = int((time.perf_counter() - started) * 1000)
    with conn.transaction():
        conn.execute(
            "UPDATE lint_canon.migrations SET success = true, duration_ms = %s, applied_at = now()"
            " WHERE project = %s AND file = %s",
            (duration, project, migration.name),
        )
        _log(conn, project, migration, "applied")


def validate(plan: Plan, applied: dict[str, LedgerRow], out_of_order: bool) -> None:
    """Flyway's validate, before anything runs: nothing dirty, no applied file changed, none gone
    from the plan, and (unless ``out_of_order``) no pending file placed before an applied one."""
    migrations = plan.migrations
    shown = {m.name: m.shown for m in migrations}
    for name, row in sorted(applied.items()):
        if not row.success:
            raise MigrationError(
                f"{shown.get(name, name)}: dirty: started at {row.applied_at:%Y-%m-%d %H:%M:%S %Z} by {row.applied_by} "
                "outside a transaction and not finished (a crash, a kill or a failure), so it may be half done; check "
                "what it left (an INVALID index: DROP INDEX CONCURRENTLY it), then run `lint-canon sql repair` and "
                "apply again"
            )
    check_unchanged(migrations, applied)
    planned = {m.name for m in migrations}
    gone = sorted(name for name in applied if name not in planned)
    if gone:
        raise MigrationError(
            f"{gone[0]} is applied (in the ledger of project {plan.project}) but no longer in {PLAN_FILE}; an "
            "applied migration stays in the plan: restore it there (and its file), then fix forward with a new file"
        )
    if not out_of_order:
        last_applied = max((i for i, m in enumerate(migrations) if m.name in applied), default=0)
        for m in migrations[:last_applied]:
            if m.name not in applied:
                later = migrations[last_applied].name
                raise MigrationError(
                    f"{m.shown}: pending, but placed before {later}, which is applied; it would run out "
                    f"of order: move it to the end of {PLAN_FILE}, or pass --out-of-order if that is intended"
                )


def check_unchanged(migrations: tuple[Migration, ...], applied: dict[str, LedgerRow]) -> None:
    for m in migrations:
        row = applied.get(m.name)
        if row is not None and row.checksum != m.checksum:
            raise MigrationError(
                f"{m.shown}: changed after it was applied (ledger sha256 {row.checksum[:12]}, file "
                f"{m.checksum[:12]}); an applied migration is never edited: restore it and fix forward with a new "
                f"file, or, once the change is reviewed, `lint-canon sql repair --accept-checksum {m.name}`"
            )


def _upto(migrations: tuple[Migration, ...], upto: str | None) -> tuple[Migration, ...]:
    if upto is None:
        return migrations
    names = [m.name for m in migrations]
    upto = normal_name(upto) or upto
    if upto not in names:
        raise MigrationError(f"--to {upto}: not in {PLAN_FILE}; name one of its files")
    return migrations[: names.index(upto) + 1]


def apply_all(
    conn: Any,
    lock_conn: Any,
    plan: Plan,
    lock_wait: float,
    dry_run: bool,
    say: Callable[[str], None],
    out_of_order: bool = False,
    upto: str | None = None,
    first: Callable[[], None] | None = None,
    after: Callable[[], object] | None = None,
) -> int:
    """Apply what is pending, in order (up to and including ``upto``), after ``validate``, under
    the migration lock held by ``lock_conn``; ``first`` (the reference schema) runs under the
    lock before anything else, ``after`` (the steps that must run outside a transaction) once
    the files are applied. Returns how many files were applied."""
    migrations = plan.migrations
    wanted = _upto(migrations, upto)
    if dry_run:
        applied = ledger(conn, plan.project)
        validate(plan, applied, out_of_order)
        pending = [m for m in wanted if m.name not in applied]
        for m in pending:
            marker = ", no transaction" if m.no_transaction else ""
            say(f"would apply {m.shown} ({len(m.statements)} statements{marker}, sha256 {m.checksum[:12]})")
        if not pending:
            say(f"nothing to apply: {len(migrations)} migrations up to date")
        return 0
    acquire_lock(lock_conn, lock_wait)
    try:
        if first is not None:
            first()
        ensure_ledger(conn, plan.project)
        applied = ledger(conn, plan.project)
        validate(plan, applied, out_of_order)
        count = 0
        settings = runner_settings(conn)
        for m in wanted:
            if m.name in applied:
                continue
            still_locked(lock_conn)
            seconds = apply_migration(conn, plan.project, m)
            restore_session(conn, settings)
            say(f"applied {m.shown} ({seconds:.2f} s)")
            count += 1
        if count == 0:
            say(f"nothing to apply: {len(migrations)} migrations up to date")
        if after is not None and wanted == migrations:
            still_locked(lock_conn)
            after()
        return count
    finally:
        release_lock(lock_conn)


def baseline(conn: Any, lock_conn: Any, plan: Plan, upto: str | None, lock_wait: float) -> list[str]:
    """Record migrations as applied without running them (a database whose schema is there)."""
    wanted = _upto(plan.migrations, upto)
    acquire_lock(lock_conn, lock_wait)
    try:
        ensure_ledger(conn, plan.project)
        applied = ledger(conn, plan.project)
        done = []
        with conn.transaction():
            for m in wanted:
                if m.name not in applied:
                    _insert(conn, plan.project, m, 0, True, True)
                    _log(conn, plan.project, m, "baseline")
                    done.append(m.name)
        return done
    finally:
        release_lock(lock_conn)


def repair(conn: Any, lock_conn: Any, plan: Plan, accept: list[str], lock_wait: float, who: str) -> list[str]:
    """Flyway's repair: remove the ledger rows of dirty files (they run again on the next apply,
    once their leftovers are checked), and, for each file named in ``accept``, take its current
    checksum as reviewed. Each change is logged with the database user, ``who`` (the person at
    the keyboard) and the time. Returns what was done, one line each."""
    by_name = {m.name: m for m in plan.migrations}
    accept = [normal_name(name) or name for name in accept]
    for name in accept:
        if name not in by_name:
            raise MigrationError(f"--accept-checksum {name}: not in {PLAN_FILE}; name one of its files")
    acquire_lock(lock_conn, lock_wait)
    try:
        ensure_ledger(conn, plan.project)
        applied = ledger(conn, plan.project)
        for name in accept:
            row = applied.get(name)
            if row is None or not row.success:
                raise MigrationError(f"--accept-checksum {name}: not applied, so there is no checksum to accept")
            if row.checksum == by_name[name].checksum:
                raise MigrationError(f"--accept-checksum {name}: unchanged since it was applied; nothing to accept")
        done = []
        with conn.transaction():
            for name, row in sorted(applied.items()):
                if row.success:
                    continue
                conn.execute("DELETE FROM lint_canon.migrations WHERE project = %s AND file = %s", (plan.project, name))
                m = by_name.get(name) or Migration(name, Path(name), row.checksum, (), True, 0, name)
                _log(
                    conn,
                    plan.project,
                    m,
                    "repaired",
                    note=f"removed the dirty row (started {row.applied_at:%Y-%m-%d %H:%M:%S %Z}); by {who}",
                )
                done.append(f"removed the dirty row of {m.shown}: it runs again on the next apply")
            for name in accept:
                m = by_name[name]
                conn.execute(
                    "UPDATE lint_canon.migrations SET checksum = %s WHERE project = %s AND file = %s",
                    (m.checksum, plan.project, name),
                )
                _log(
                    conn,
                    plan.project,
                    m,
                    "checksum-accepted",
                    note=f"was {applied[name].checksum}; reviewed and accepted by {who}",
                )
                done.append(
                    f"accepted the changed checksum of {m.shown} ({applied[name].checksum[:12]} -> {m.checksum[:12]})"
                )
        return done
    finally:
        release_lock(lock_conn)
