"""Shared helpers: write a canon and some files into tmp_path, check them, read the findings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from lint_canon.engine.checker import Checker
from lint_canon.engine.suppressions import Selection
from lint_canon.output.findings import Finding
from lint_canon_guard.config import load_canon

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CANON = """\
version: 1
hubs: [HUB-COMPANY-TARGET, HUB-PEOPLE]
banned:
  - reason: "Clearbit contract ended; use TOOL-012"
    modules: [clearbit]
    packages: [clearbit, clearbit-sdk]
  - reason: "spawn processes through ops/shell.py only"
    modules: [subprocess.Popen]
    allow_in: ["ops/shell.py"]
"""


# The parts of the suite a maintainer can run alone (`-m "not slow"`: under a minute on 2 cores;
# `-m postgres`, `-m precommit`, `-m packaging`, each of which is slow too). Which tests are which is decided here, from the
# module and the fixtures a test uses, so no test can forget its marker; CI runs them all.
MARKERS = {
    "postgres": "needs a PostgreSQL server (the session's embedded one, or DATABASE_URL)",
    "precommit": "runs the real pre-commit",
    "packaging": "builds wheels and installs them into fresh virtual environments",
    "slow": "PostgreSQL, pre-commit and packaging tests, and modules taking 6 s or more together",
}
POSTGRES_MODULES = {"test_guard_postgres_sink", "test_embedded_postgres_contract"}  # and test_sql_*
PRECOMMIT_MODULES = {"test_pre_commit"}
PACKAGING_MODULES = {"test_packaging"}
# Measured with --junitxml on 2 cores: each of these takes 6 s or more together.
SLOW_MODULES = {
    "test_trustworthy_runs",
    "test_done_drift_hostile",
    "test_prefilter_differential",
    "test_deps_hostile",
    "test_cli_comforts",
    "test_libcst_contract",
    "test_fix_corpus",
    "test_walker",
    "test_pyproject_settings",
    "test_server",
    "test_walk_settings",
    "test_organisation",
    "test_pages",
    "test_inventory",
    "test_config_hostile",
    "test_init",
    "test_flake8_plugin",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        fixtures = set(getattr(item, "fixturenames", ()))
        parts = {
            "postgres": module.startswith("test_sql_") or module in POSTGRES_MODULES or "pg_databases" in fixtures,
            "precommit": module in PRECOMMIT_MODULES,
            "packaging": module in PACKAGING_MODULES,
        }
        for name, applies in parts.items():
            if applies:
                item.add_marker(getattr(pytest.mark, name))
        if module in SLOW_MODULES or any(parts.values()):
            item.add_marker(pytest.mark.slow)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write files (name -> text) and a canon into tmp_path, which becomes the working folder."""
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str | bytes] | None = None, canon: str = CANON) -> Path:
        if canon is not None:
            (tmp_path / "canon.yaml").write_text(dedent(canon))
        for name, body in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, bytes):
                target.write_bytes(body)
            else:
                target.write_text(dedent(body))
        return tmp_path

    return write


def check_paths(
    checker: Checker,
    paths: Iterable[Path],
    jobs: int = 1,
    cache_dir: Path | None = None,
    timeout: float | None = None,
) -> list[Finding]:
    """Every finding under ``paths`` against ``checker``'s canon and selection, sorted: the
    runner's run, as the CLI makes it with --config (``cache_dir``: with the per-file cache)."""
    from lint_canon.engine.isolation import DEFAULT_TIMEOUT
    from lint_canon.engine.runner import check_run

    return check_run(
        list(paths),
        checker.selection,
        canon=checker.canon,
        jobs=jobs,
        use_cache=cache_dir is not None,
        cache_dir=cache_dir,
        timeout=timeout or DEFAULT_TIMEOUT,
        use_prefilter=checker.use_prefilter,
    ).findings


def run_check(root: Path, *paths: str, select: tuple[str, ...] = ("CANON",), jobs: int = 1) -> list[Finding]:
    checker = Checker(load_canon(root / "canon.yaml"), Selection(select))
    return check_paths(checker, [Path(p) for p in (paths or ("."))], jobs=jobs)


def brief(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    """(path, line, col, code) of each finding: what a test usually asserts."""
    return [(f.path, f.line, f.col, f.code) for f in findings]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m lint_canon ARGS`` in ``cwd``, as a user runs it; its output as text."""
    command = [sys.executable, "-m", "lint_canon", *args]
    return subprocess.run(command, cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=120)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (a path below ``root`` -> its text) as they are, folders made."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def wait_for(condition, seconds: float = 60.0, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.02)


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    """A folder of this test session alone, removed at its end: not one of pytest's numbered
    folders, which another session running at the same time may clean up, and with a random
    name that no other session's path contains (embedded-postgres stops any server whose data
    path contains a new server's path)."""
    folder = Path(tempfile.mkdtemp(prefix="lint-canon-tests-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_databases(session_dir: Path):
    """One server per session (DATABASE_URL, or embedded) and the migrated template."""
    from tests.pg import Databases, start_server

    workdir = session_dir / "postgres"
    workdir.mkdir()
    url, server = start_server(workdir)
    databases = Databases(url)
    yield databases
    if server is None:
        databases.drop_all()  # a server of DATABASE_URL keeps nothing of ours
    else:
        server.cleanup()  # the embedded server's data folder goes, with every database in it


@pytest.fixture
def db_url(pg_databases) -> str:
    """A fresh database with the reference schema and the four migrations applied."""
    return pg_databases.create()


@pytest.fixture
def empty_db(pg_databases) -> str:
    """A fresh database with nothing applied."""
    return pg_databases.create(migrated=False)


@pytest.fixture
def db(db_url):
    """An autocommit connection to a fresh migrated database."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


def unprivileged(command: list[str], tmp_path: Path) -> tuple[list[str], Path]:
    """``command`` and a folder to run it in where file modes are obeyed: as it is, in
    ``tmp_path``, for a user; as nobody, in a fresh folder nobody can reach, for root (who lists
    and reads everything). Skips the test where Python cannot run as another user. The caller
    removes a folder other than ``tmp_path``."""
    if os.geteuid() != 0:
        return command, tmp_path
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    probe = subprocess.run([*command[:4], sys.executable, "-c", "import lint_canon"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this machine's Python cannot run as another user")
    root = Path(tempfile.mkdtemp())
    os.chmod(root, 0o777)
    return command, root
