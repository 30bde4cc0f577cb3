"""The embedded PostgreSQL of ``lint-canon sql``: started for a command and stopped after it,
``sql server start|stop|status``, two first uses at once, cancelled runs, and nothing left in
the temporary folder. Real servers, real processes, run as a user runs them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lint_canon.db.migrations import load_plan, sql_folder
from tests.conftest import cli_env, wait_for
from tests.test_sql_runner import write_plan

EMBEDDED = "embedded PostgreSQL in .lint_canon/pgdata"
PLANNED = len(load_plan(sql_folder(), own=True).migrations)  # lint-canon's own plan


@pytest.fixture
def home(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A project folder, and an environment with no database URL, no runtime folder and a
    temporary folder of the test's own, short as /tmp is (to see what is left in it)."""
    project = tmp_path / "p"
    project.mkdir()
    temp = Path(tempfile.mkdtemp(prefix="lc-"))
    env = cli_env()
    for name in ("DATABASE_URL", "XDG_RUNTIME_DIR", "CI"):
        env.pop(name, None)
    env["TMPDIR"] = str(temp)
    yield project, env
    for pid in processes_naming(str(temp)) + processes_naming(str(project)):
        os.kill(pid, signal.SIGQUIT)  # a server a failed test left running: immediate shutdown
    shutil.rmtree(temp, ignore_errors=True)


def sql(*args: str, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", "sql", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def popen(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lint_canon", "sql", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def postmaster(pgdata: Path) -> int | None:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie waiting for its parent is not running
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def processes_naming(text: str) -> list[int]:
    """The running processes whose command line contains ``text`` (a postmaster names its data
    folder in its -D)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return [pid for pid in found if alive(pid)]


def wait_for_query(url: str, start: str, database: str = "%") -> None:
    """Until a session of the server of ``url`` runs a query starting with ``start`` (in a
    database named like ``database``); the server may still be starting."""

    def running() -> bool:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as watch:
                return (
                    watch.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE starts_with(query, %s) AND datname LIKE %s",
                        (start, database),
                    ).fetchone()[0]
                    == 1
                )
        except psycopg.OperationalError:
            return False

    wait_for(running, what=f"the query {start!r}")


def test_the_server_runs_for_the_command_only_and_leaves_nothing_behind(home):
    project, env = home
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    applied = sql("apply", "--reference-schema", cwd=project, env=env)
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines()[0] == f"database: {EMBEDDED}"
    assert applied.stderr == ""  # no XDG_RUNTIME_DIR warning, no log of the embedded package
    pgdata = project / ".lint_canon" / "pgdata"
    assert (pgdata / "PG_VERSION").is_file()
    assert postmaster(pgdata) is None  # stopped when the command ended
    assert os.listdir(env["TMPDIR"]) == []
    assert (project / ".lint_canon" / ".gitignore").read_text().splitlines()[-1] == "*"
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    staged = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout
    assert staged == ""  # `git add -A` stages none of the server's files

    status = sql("status", cwd=project, env=env)  # the data survived the stop
    assert status.returncode == 0 and status.stdout.splitlines()[-1] == f"{PLANNED} applied"
    state = sql("server", "status", cwd=project, env=env)
    assert (state.returncode, state.stdout) == (1, "stopped: the embedded PostgreSQL in .lint_canon/pgdata\n")


def test_server_start_keeps_it_running_until_server_stop(home):
    project, env = home
    never = sql("server", "status", cwd=project, env=env)
    assert never.returncode == 1
    assert never.stdout == (
        "no embedded PostgreSQL in .lint_canon/pgdata yet (the first `lint-canon sql` command creates it)\n"
    )
    started = sql("server", "start", cwd=project, env=env)
    assert started.returncode == 0, started.stderr
    pgdata = project / ".lint_canon" / "pgdata"
    pid = postmaster(pgdata)
    assert pid is not None
    first, second = started.stdout.splitlines()
    assert (
        first
        == f"running: the embedded PostgreSQL in .lint_canon/pgdata (pid {pid}, kept running by `sql server start`)"
    )
    assert second.startswith("connect with: psql 'postgresql://postgres@/postgres?host=")
    url = second.split("'")[1]
    try:
        assert sql("status", cwd=project, env=env).returncode == 1  # a command in between
        assert postmaster(pgdata) == pid  # did not stop it
        with psycopg.connect(url) as conn:  # the URL printed works as given
            assert conn.execute("SELECT 1").fetchone() == (1,)
        state = sql("server", "status", cwd=project, env=env)
        assert state.returncode == 0 and state.stdout.startswith("running: ")
    finally:
        stopped = sql("server", "stop", cwd=project, env=env)
    assert (stopped.returncode, stopped.stdout) == (0, "stopped the embedded PostgreSQL in .lint_canon/pgdata\n")
    wait_for(lambda: not alive(pid), 30, "the postmaster to exit")
    again = sql("server", "stop", cwd=project, env=env)
    assert again.stdout == "the embedded PostgreSQL in .lint_canon/pgdata is not running\n"
    assert os.listdir(env["TMPDIR"]) == []


def test_a_project_too_deep_for_a_socket_path_works_and_leaves_nothing_behind(home):
    project, env = home
    deep = project / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    started = sql("server", "start", cwd=deep, env=env)
    assert started.returncode == 0, started.stderr
    socket_folder = started.stdout.splitlines()[1].split("host=")[1].split("'")[0]
    assert socket_folder.startswith(env["TMPDIR"] + "/lint-canon-")  # a short folder, for the socket only
    status = sql("status", cwd=deep, env=env)
    assert status.returncode == 1 and status.stdout.splitlines()[-1] == f"{PLANNED} pending"
    assert sql("server", "stop", cwd=deep, env=env).returncode == 0
    assert os.listdir(env["TMPDIR"]) == []


def test_two_first_uses_at_once_both_work(home):
    project, env = home
    runs = [popen("apply", "--reference-schema", cwd=project, env=env) for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    applied = [line for out, _ in outputs for line in out.splitlines() if line.startswith("applied ")]
    assert len(applied) == PLANNED  # each migration once, by whichever runner came first
    assert sum(out.count("nothing to apply") for out, _ in outputs) == 2
    assert postmaster(project / ".lint_canon" / "pgdata") is None  # the last one out stopped it
    assert os.listdir(env["TMPDIR"]) == []


def test_a_killed_command_does_not_keep_the_server_running(home):
    project, env = home
    write_plan(project / "slow", {"001.sql": "SELECT pg_sleep(60);\n"})
    pgdata = project / ".lint_canon" / "pgdata"
    killed = popen("apply", "--dir", "slow", cwd=project, env=env)
    url = f"postgresql://postgres@/postgres?host={pgdata}"
    wait_for_query(url, "SELECT pg_sleep(60)")
    killed.kill()  # SIGKILL: no clean-up of its own runs
    killed.communicate(timeout=30)
    pid = postmaster(pgdata)
    assert pid is not None  # nobody stopped it yet
    after = sql("server", "status", cwd=project, env=env)
    assert after.stdout.startswith("running: ") and "in use by a running command" in after.stdout
    status = sql("status", "--dir", "slow", cwd=project, env=env)  # the next command is the last one out
    assert status.returncode == 1, status.stderr
    wait_for(lambda: not alive(pid), 30, "the postmaster to exit")


def test_a_half_created_data_folder_names_the_fix(home):
    project, env = home
    (project / ".lint_canon" / "pgdata").mkdir(parents=True)
    (project / ".lint_canon" / "pgdata" / "base").mkdir()
    result = sql("status", cwd=project, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "lint-canon: cannot start the embedded PostgreSQL: .lint_canon/pgdata is half created (a first start was "
        "interrupted); remove .lint_canon/pgdata and run the command again\n",
    )


def test_verify_cancelled_by_sigterm_stops_its_server(home):
    project, env = home
    write_plan(project / "slow", {"001.sql": "SELECT pg_sleep(60);\n"})
    verify = popen("verify", "--dir", "slow", cwd=project, env=env)
    temp = Path(env["TMPDIR"])
    pidfiles = lambda: list(temp.glob("lint-canon-verify-*/pgdata/postmaster.pid"))  # noqa: E731

    def ready() -> bool:
        for pidfile in pidfiles():
            try:
                if "ready" in pidfile.read_text():
                    return True
            except FileNotFoundError:
                continue  # removed between the glob and the read: the server is (re)starting
        return False

    wait_for(ready, what="the throwaway server")
    pgdata = pidfiles()[0].parent
    pid = postmaster(pgdata)
    url = f"postgresql://postgres@/postgres?host={pgdata}"
    wait_for_query(url, "SELECT pg_sleep(60)")
    started = time.monotonic()
    verify.send_signal(signal.SIGTERM)  # what a CI cancel sends
    out, err = verify.communicate(timeout=60)
    assert time.monotonic() - started < 30  # not the 60 s of the migration
    assert (verify.returncode, err) == (143, "lint-canon: cancelled (SIGTERM); what the command started was stopped\n")
    wait_for(lambda: not alive(pid), 30, "the throwaway postmaster to exit")
    assert os.listdir(temp) == []
    assert not (project / ".lint_canon").exists()


def scratch_databases(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [
            name for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'lint_canon_verify_%'")
        ]


def test_verify_with_a_database_url_uses_a_scratch_database_and_drops_it(pg_databases, home):
    project, env = home
    url = pg_databases.url
    before = scratch_databases(url)
    result = sql("verify", "--database-url", url, cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        f"verify: ok: {PLANNED} migrations applied in a scratch database (dropped), jobs daily and weekly ran ("
    )
    assert scratch_databases(url) == before
    assert not (project / ".lint_canon").exists()  # no embedded server was started

    write_plan(project / "slow", {"001.sql": "SELECT pg_sleep(60);\n"})
    verify = popen("verify", "--dir", "slow", "--database-url", url, cwd=project, env=env)
    wait_for_query(url, "SELECT pg_sleep(60)", database="lint_canon_verify_%")
    verify.send_signal(signal.SIGTERM)
    _, err = verify.communicate(timeout=60)
    assert (verify.returncode, err) == (143, "lint-canon: cancelled (SIGTERM); what the command started was stopped\n")
    assert scratch_databases(url) == before  # dropped on the way out


def test_verify_refuses_a_database_url_where_it_cannot_create_a_database(pg_databases, home):
    from tests.pg import with_dbname

    project, env = home
    role = f"lc_nocreatedb_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_databases.url, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
        try:
            url = with_dbname(pg_databases.url, "postgres") + f" user={role}"
            result = sql("verify", "--database-url", url, cwd=project, env=env)
        finally:
            admin.execute(f'DROP ROLE "{role}"')
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: verify --database-url: cannot create a scratch database on ")
    assert result.stderr.rstrip().endswith(
        ": permission denied to create database; grant this user CREATEDB, or run verify without --database-url "
        "(a throwaway embedded server)"
    )


# --- a postmaster.pid that names a stranger, a truncated one, and the servers of killed verify runs --------


@pytest.fixture
def stranger() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not PostgreSQL, such as a reused pid names after a reboot."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def run_once(project: Path, env: dict[str, str]) -> list[str]:
    """Start the project's server and stop it: the data folder exists, and the lines of the
    postmaster.pid it had, for a test to write back with another pid."""
    started = sql("server", "start", cwd=project, env=env)
    assert started.returncode == 0, started.stderr
    lines = (project / ".lint_canon" / "pgdata" / "postmaster.pid").read_text().splitlines()
    assert sql("server", "stop", cwd=project, env=env).returncode == 0
    return lines


def timed_sql(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A command that must finish well before the 60 s a stop waits for a postmaster."""
    started = time.monotonic()
    result = sql(*args, cwd=cwd, env=env, timeout=30)
    assert time.monotonic() - started < 15, args
    return result


def test_a_stale_pid_file_naming_a_live_process_is_reported_and_the_process_never_signalled(home, stranger):
    project, env = home
    lines = run_once(project, env)
    pidfile = project / ".lint_canon" / "pgdata" / "postmaster.pid"
    pidfile.write_text("\n".join([str(stranger.pid), *lines[1:]]) + "\n")
    stale = f"stale postmaster.pid (pid {stranger.pid} is not a PostgreSQL server of .lint_canon/pgdata)"

    state = timed_sql("server", "status", cwd=project, env=env)
    assert (state.returncode, state.stdout, state.stderr) == (
        1,
        f"stopped: the embedded PostgreSQL in .lint_canon/pgdata; {stale}: the next command removes it\n",
        "",
    )
    stopped = timed_sql("server", "stop", cwd=project, env=env)
    assert (stopped.returncode, stopped.stdout, stopped.stderr) == (
        0,
        f"{stale}: removed it; the embedded PostgreSQL in .lint_canon/pgdata is not running\n",
        "",
    )
    assert alive(stranger.pid)
    assert not pidfile.exists()


def test_a_command_starts_the_server_past_the_pid_files_of_a_killed_postmaster_whose_pid_was_reused(home, stranger):
    project, env = home
    pgdata = project / ".lint_canon" / "pgdata"
    assert sql("server", "start", cwd=project, env=env).returncode == 0
    killed = postmaster(pgdata)
    os.kill(killed, signal.SIGKILL)  # a crash: postmaster.pid and the socket's lock file stay
    wait_for(lambda: not alive(killed), 30, "the postmaster to die")
    for left in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):  # its pid is now the stranger's
        lines = left.read_text().splitlines()
        left.write_text("\n".join([str(stranger.pid), *lines[1:]]) + "\n")

    status = timed_sql("status", cwd=project, env=env)
    assert (status.returncode, status.stdout.splitlines()[-1], status.stderr) == (1, f"{PLANNED} pending", "")
    pid = postmaster(pgdata)  # kept running, as `sql server start` asked before the crash
    assert pid is not None and pid != stranger.pid
    stopped = timed_sql("server", "stop", cwd=project, env=env)
    assert stopped.stdout == "stopped the embedded PostgreSQL in .lint_canon/pgdata\n"
    wait_for(lambda: not alive(pid), 30, "the postmaster to exit")
    assert alive(stranger.pid)


def test_a_truncated_or_garbled_pid_file_is_stale_in_one_line(home, stranger):
    project, env = home
    lines = run_once(project, env)
    pidfile = project / ".lint_canon" / "pgdata" / "postmaster.pid"

    pidfile.write_text(f"{stranger.pid}\n{lines[1]}\n")  # two lines: the rest was lost
    state = timed_sql("server", "status", cwd=project, env=env)
    assert (state.returncode, state.stdout, state.stderr) == (
        1,
        "stopped: the embedded PostgreSQL in .lint_canon/pgdata; stale postmaster.pid (pid "
        f"{stranger.pid} is not a PostgreSQL server of .lint_canon/pgdata): the next command removes it\n",
        "",
    )
    status = timed_sql("status", cwd=project, env=env)
    assert (status.returncode, status.stdout.splitlines()[-1], status.stderr) == (1, f"{PLANNED} pending", "")
    assert postmaster(project / ".lint_canon" / "pgdata") is None  # started, and stopped at the end
    assert alive(stranger.pid)

    pidfile.write_text("garbage\n")
    stopped = timed_sql("server", "stop", cwd=project, env=env)
    assert (stopped.returncode, stopped.stdout, stopped.stderr) == (
        0,
        "stale postmaster.pid (no process id on its first line): removed it; the embedded PostgreSQL in "
        ".lint_canon/pgdata is not running\n",
        "",
    )
    assert not pidfile.exists()


def test_a_running_server_with_a_truncated_pid_file_says_how_to_stop_it(home):
    project, env = home
    pgdata = project / ".lint_canon" / "pgdata"
    assert sql("server", "start", cwd=project, env=env).returncode == 0
    pid = postmaster(pgdata)
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    (pgdata / "postmaster.pid").write_text("\n".join(lines[:2]) + "\n")

    status = timed_sql("status", cwd=project, env=env)
    assert (status.returncode, status.stdout, status.stderr) == (
        2,
        "",
        f"lint-canon: the embedded PostgreSQL in .lint_canon/pgdata (pid {pid}) is running, but its postmaster.pid "
        "is incomplete (2 of 8 lines): stop it with `lint-canon sql server stop`, then run the command again\n",
    )
    stopped = timed_sql("server", "stop", cwd=project, env=env)
    assert (stopped.returncode, stopped.stdout) == (0, "stopped the embedded PostgreSQL in .lint_canon/pgdata\n")
    wait_for(lambda: not alive(pid), 30, "the postmaster to exit")


def test_verify_stops_the_throwaway_server_of_a_killed_verify_and_removes_its_folder(home):
    project, env = home
    write_plan(project / "slow", {"001.sql": "SELECT pg_sleep(60);\n"})
    temp = Path(env["TMPDIR"])
    killed = popen("verify", "--dir", "slow", cwd=project, env=env)
    wait_for(lambda: list(temp.glob("lint-canon-verify-*/pgdata/postmaster.pid")), what="the throwaway server")
    pgdata = next(temp.glob("lint-canon-verify-*/pgdata"))
    wait_for_query(f"postgresql://postgres@/postgres?host={pgdata}", "SELECT pg_sleep(60)")
    orphan = postmaster(pgdata)
    killed.kill()  # SIGKILL: no clean-up of its own runs
    killed.communicate(timeout=30)
    assert orphan is not None and alive(orphan)

    verify = sql("verify", cwd=project, env=env)
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.splitlines()[-1].startswith(f"verify: ok: {PLANNED} migrations applied on a throwaway server")
    assert not alive(orphan)
    assert os.listdir(temp) == []


def test_verify_cancelled_while_its_server_starts_leaves_nothing_behind(home):
    project, env = home
    temp = Path(env["TMPDIR"])
    verify = popen("verify", cwd=project, env=env)
    wait_for(lambda: list(temp.glob("lint-canon-verify-*/pgdata")), what="the throwaway data folder")
    verify.send_signal(signal.SIGTERM)  # while initdb runs, or the server starts
    _, err = verify.communicate(timeout=60)
    assert (verify.returncode, err) == (143, "lint-canon: cancelled (SIGTERM); what the command started was stopped\n")
    wait_for(lambda: not processes_naming(str(temp)), 30, "the throwaway postmaster to exit")
    assert os.listdir(temp) == []
