"""A run's answer depends only on the files and their canons, whatever the files hold: each file
against its own canon, hostile input beside a real finding that is still reported, caches that
cannot lie, sharp edges of the command line. Everything through the real CLI (and flake8)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BIN, cli_env, unprivileged


def lint_canon(*args: str, cwd: Path, timeout: float = 240, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        errors="backslashreplace",
    )


def flake8(*args: str, cwd: Path):
    return subprocess.run(
        [str(BIN / "flake8"), "--select", "CANON", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )


def ban(*modules: str, extra: str = "") -> str:
    listed = ", ".join(modules)
    return f'version: 1\n{extra}banned:\n  - reason: "not here"\n    modules: [{listed}]\n'


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            target.write_bytes(body)
        else:
            target.write_text(body)
    return root


def codes(stdout: str) -> list[str]:
    return [line.split(": ", 1)[0] + " " + line.split(": ", 1)[1].split(" ", 1)[0] for line in stdout.splitlines()]


# --- 1. the canon of each file ---------------------------------------------------------------


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "svc_a/canon.yaml": ban("clearbit"),
            "svc_a/app.py": "import clearbit\nimport requests\n",
            "svc_b/canon.yaml": ban("requests"),
            "svc_b/app.py": "import clearbit\nimport requests\n",
            "scripts/tool.py": "import clearbit\n",
        },
    )


@pytest.mark.parametrize("order", [("svc_a/app.py", "svc_b/app.py"), ("svc_b/app.py", "svc_a/app.py")])
def test_each_file_is_checked_against_its_own_canon_in_either_order(monorepo, order):
    result = lint_canon("check", "--no-cache", *order, cwd=monorepo)
    assert codes(result.stdout) == ["svc_a/app.py:1:8 CANON101", "svc_b/app.py:2:8 CANON101"]
    assert result.returncode == 1
    assert result.stderr == ""


def test_a_file_without_a_canon_is_skipped_with_one_note(monorepo):
    result = lint_canon("check", "--no-cache", ".", cwd=monorepo)
    assert codes(result.stdout) == ["svc_a/app.py:1:8 CANON101", "svc_b/app.py:2:8 CANON101"]
    assert result.stderr == "lint-canon: 1 file with no canon.yaml above it not checked (first: scripts/tool.py)\n"
    alone = lint_canon("check", "--no-cache", "scripts", cwd=monorepo)
    assert alone.returncode == 2
    assert "no canon.yaml here or in any parent folder" in alone.stderr
    forced = lint_canon("check", "--no-cache", "--config", "svc_b/canon.yaml", ".", cwd=monorepo)
    assert codes(forced.stdout) == ["svc_a/app.py:2:8 CANON101", "svc_b/app.py:2:8 CANON101"]


def test_a_baseline_written_at_the_root_matches_from_a_subfolder(monorepo):
    written = lint_canon("check", "--no-cache", "svc_a", "svc_b", "--write-baseline", "base.json", cwd=monorepo)
    assert written.returncode == 0
    entries = json.loads((monorepo / "base.json").read_text())["findings"]
    assert sorted(e["path"] for e in entries) == ["app.py", "app.py"]  # relative to each canon
    inside = lint_canon("check", "--no-cache", ".", "--baseline", "../base.json", cwd=monorepo / "svc_a")
    assert (inside.returncode, inside.stdout) == (0, "")
    (monorepo / "svc_a" / "app.py").write_text("import clearbit\nimport requests\nimport clearbit.x\n")
    again = lint_canon("check", "--no-cache", ".", "--baseline", "../base.json", cwd=monorepo / "svc_a")
    assert codes(again.stdout) == ["app.py:3:8 CANON101"]


def test_flake8_skips_what_the_cli_skips(tmp_path):
    root = write(
        tmp_path,
        {
            "canon.yaml": ban("clearbit", extra='exclude: ["./gen/**"]\n'),
            "app.py": "import clearbit\n",
            "gen/made.py": "import clearbit\n",
            "src/gen/kept.py": "import clearbit\n",
            "build/out.py": "import clearbit\n",
        },
    )
    cli = lint_canon("check", "--no-cache", ".", "gen/made.py", "build/out.py", cwd=root)
    assert codes(cli.stdout) == ["app.py:1:8 CANON101", "src/gen/kept.py:1:8 CANON101"]
    plugin = flake8("app.py", "gen/made.py", "src/gen/kept.py", "build/out.py", cwd=root)
    assert [line.split(": ")[0] for line in plugin.stdout.splitlines()] == ["app.py:1:8", "src/gen/kept.py:1:8"]


NOQA_FORMS = (
    "import clearbit  # noqa\n"
    "import clearbit.a  # NOQA:CANON101\n"
    "import clearbit.b  # noqa: CANON1\n"
    "import clearbit.c  # noqa: E501\n"
    "x = (1,  # noqa: CANON101\n"
    "     __import__('clearbit'))\n"
    'y = """text\n'
    '""" + __import__("clearbit")  # noqa\n'
    "# a form feed \x0c inside a comment\n"
    "import clearbit.d  # noqa: CANON101\n"
)


def test_noqa_forms_behave_the_same_in_both_front_ends(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": NOQA_FORMS})
    cli = lint_canon("check", "--no-cache", ".", cwd=root)
    # flake8 reads a noqa over a whole multi-line string, not over a bracketed continuation.
    assert codes(cli.stdout) == ["app.py:4:8 CANON101", "app.py:6:6 CANON101"]
    plugin = flake8("app.py", cwd=root)
    assert [line.split(": ")[0] for line in plugin.stdout.splitlines()] == ["app.py:4:8", "app.py:6:6"]


# --- 2. nothing can crash, hang or exhaust a run ----------------------------------------------

HOSTILE = {
    "brackets.py": "import clearbit\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "operators.py": "import clearbit\nx = " + " + ".join(["a"] * 5000) + "\n",
    "attributes.py": "import clearbit\nx = a" + ".b" * 5000 + "\n",
    "strings.py": "import clearbit\nx = " + " ".join(['"s"'] * 3500) + "\n",
    "nots.py": "import clearbit\nx = " + "not " * 20000 + "a\n",  # libcst: gigabytes, then a crash
    "cookie.py": b"# -*- coding: klingon -*-\nimport clearbit\n",
    "nul.py": b"import clearbit\nx = 1\x00\n",
    "latin.py": b"# -*- coding: latin-1 -*-\nimport clearbit  # caf\xe9\n",
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_hostile_files_beside_a_real_finding(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "real.py": "import os\nimport clearbit\n", **HOSTILE})
    os.mkfifo(root / "fifo.py")
    os.symlink("/dev/zero", root / "zero.py")
    os.symlink("loop.py", root / "loop.py")
    os.mkdir(root / "pkg")
    os.symlink("..", root / "pkg" / "up")  # a folder loop
    (root / "big.py").write_text("import clearbit\n" + "#" * 2_000_000 + "\n")
    (root / "canon.yaml").write_text(ban("clearbit", extra="max_file_size: 1MB\n"))
    result = lint_canon("check", "--no-cache", "--timeout", "150", ".", cwd=root, timeout=600)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert codes(result.stdout) == [
        "attributes.py:1:8 CANON101",  # 5,000 attributes: analysed, not just survived
        "big.py:1:1 CANON902",
        "brackets.py:2:205 CANON901",  # CPython: too many nested parentheses
        "cookie.py:1:1 CANON902",
        "latin.py:2:8 CANON101",
        "loop.py:1:1 CANON902",
        "nots.py:1:1 CANON901",  # CPython: too complex
        "nul.py:2:1 CANON901",
        "operators.py:1:8 CANON101",  # 5,000 operators: analysed
        "real.py:2:8 CANON101",
        "strings.py:1:1 CANON903",  # 3,500 joined strings: over libcst's limit, said so
    ], result.stdout
    assert "too large (2,000,017 bytes; the limit is 1,000,000" in lines[1]
    assert "unknown encoding: klingon" in lines[3]
    assert "too complex for CPython's parser" in lines[6]
    assert "null bytes" in lines[7]
    assert "a limit of libcst's parser" in lines[10]
    assert sorted(result.stderr.splitlines()) == [
        "lint-canon: fifo.py: skipped: a FIFO",
        "lint-canon: zero.py: skipped: a character device",
    ]


def test_a_parser_that_crashes_or_hangs_costs_one_file(tmp_path):
    root = write(
        tmp_path,
        {
            "canon.yaml": ban("clearbit"),
            "real.py": "import clearbit\n",
            "slow.py": "import clearbit\nx = a" + "[0]" * 3000 + "\n",
        },
    )
    result = lint_canon("check", "--no-cache", "--timeout", "1", ".", cwd=root)
    assert codes(result.stdout) == ["real.py:1:8 CANON101", "slow.py:1:1 CANON903"]
    assert "analysis stopped after 1 s" in result.stdout
    # the rules run in one walk: none finished on slow.py, and the finding says whose are lost
    # (slow.py's banned import among them)
    slow = next(line for line in result.stdout.splitlines() if line.startswith("slow.py"))
    assert slow.endswith(  # the rules this canon applies (no hosts, no tools: no CANON202, CANON301)
        "; no findings of CANON101, CANON201, CANON203, CANON302, CANON303, CANON304, CANON305, CANON306 for it"
    )


def test_a_folder_that_cannot_be_listed_is_a_finding_and_is_seen_once_readable(tmp_path):
    command = [sys.executable, "-m", "lint_canon", "check", "."]
    command, root = unprivileged(command, tmp_path)  # root lists every folder: as nobody then
    try:
        write(root, {"canon.yaml": ban("clearbit"), "real.py": "import clearbit\n", "locked/x.py": "import clearbit\n"})
        for path in (root / "canon.yaml", root / "real.py", root / "locked" / "x.py"):
            os.chmod(path, 0o644)
        os.chmod(root / "locked", 0)
        result = subprocess.run(command, cwd=root, env=cli_env(), capture_output=True, text=True, timeout=120)
        assert codes(result.stdout) == ["locked:1:1 CANON902", "real.py:1:8 CANON101"], result.stderr
        assert "cannot list folder: Permission denied" in result.stdout
        again = subprocess.run(command, cwd=root, env=cli_env(), capture_output=True, text=True, timeout=120)
        assert again.stdout == result.stdout
        assert list((root / ".lint_canon_cache").glob("run-*.json"))  # answered from the run record
        os.chmod(root / "locked", 0o755)  # chmod changes the folder's ctime only
        seen = subprocess.run(command, cwd=root, env=cli_env(), capture_output=True, text=True, timeout=120)
        assert codes(seen.stdout) == ["locked/x.py:1:8 CANON101", "real.py:1:8 CANON101"]
    finally:
        os.chmod(root / "locked", 0o755)
        if root != tmp_path:
            shutil.rmtree(root)


# --- 3. no evasion by spelling ----------------------------------------------------------------


def test_spellings_do_not_evade_a_ban(tmp_path):
    root = write(
        tmp_path,
        {
            "canon.yaml": ban("clearbit", "subprocess.Popen"),
            "wide.py": "import ｃｌｅａｒｂｉｔ\n",
            "star.py": "from subprocess import *\n\nPopen(['ls'])\nrun(['ls'])\n",
            "lazy.py": "lazy import clearbit.x\nlazy from clearbit import y\n",
        },
    )
    result = lint_canon("check", "--no-cache", ".", cwd=root)
    assert codes(result.stdout) == [
        "lazy.py:1:13 CANON101",
        "lazy.py:2:11 CANON101",
        "star.py:3:1 CANON101",
        "wide.py:1:8 CANON101",
    ]


# --- 5. caches that cannot lie or be abused ---------------------------------------------------


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbot\n"})
    assert lint_canon("check", ".", cwd=root).stdout == ""
    before = (root / "app.py").stat()
    (root / "edited.py").write_text("import clearbit\n")
    os.utime(root / "edited.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(root / "edited.py", root / "app.py")  # rsync -a: same size and mtime, new inode
    assert codes(lint_canon("check", ".", cwd=root).stdout) == ["app.py:1:8 CANON101"]


def test_a_planted_cache_runs_nothing(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbit\n"})
    lint_canon("check", ".", cwd=root)
    planted = root / "planted"
    for cache in (root / ".lint_canon_cache").glob("*.json"):
        cache.write_bytes(b"cos\nsystem\n(S'touch " + str(planted).encode() + b"'\ntR.")
    result = lint_canon("check", ".", cwd=root)
    assert codes(result.stdout) == ["app.py:1:8 CANON101"]
    assert not planted.exists()


# --- 6. sharp edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--select", "CANON999"), "--select: unknown rule code 'CANON999'; did you mean CANON903?"),
        (("--ignore", "CANNON101"), "--ignore: unknown rule code 'CANNON101'; did you mean CANON101?"),
        (("--jobs", "0"), "0 workers: give 1 or more"),
        (("-o", "missing/dir/out.txt"), "missing/dir/out.txt: cannot write the report: No such file or directory"),
        (("--write-baseline", "missing/b.json"), "missing/b.json: cannot write the baseline"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbit\n"})
    result = lint_canon("check", "--no-cache", *args, cwd=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_step_summary_is_one_line(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbit\n"})
    env = {**cli_env(), "GITHUB_STEP_SUMMARY": str(root / "no" / "such" / "summary.md")}
    result = lint_canon("check", "--no-cache", "--format", "github", cwd=root, env=env)
    assert result.returncode == 2
    assert "cannot write the job summary (GITHUB_STEP_SUMMARY)" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_sql_without_its_extra_says_how_to_install_it(tmp_path):
    code = "import sys; sys.modules['psycopg'] = None; from lint_canon.frontends.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", code, "sql", "status"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == (
        "lint-canon: lint-canon sql needs the PostgreSQL driver of the [sql] extra: pip install 'lint-canon[sql]'\n"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_file_name_that_is_not_utf8_never_breaks_an_output_format(tmp_path, fmt):
    root = write(tmp_path, {"canon.yaml": ban("clearbit")})
    (root / os.fsdecode(b"caf\xe9.py")).write_text("import clearbit\n")
    result = lint_canon("check", "--no-cache", "--format", fmt, ".", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "caf" in result.stdout
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)


def test_a_canon_with_only_its_done_doc_below_it_is_checked(tmp_path):
    repo = Path(__file__).resolve().parent.parent / "fixtures" / "outreach_repo"
    root = write(
        tmp_path,
        {
            "canon.yaml": "version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n",
            "DONE_STATE_DEFINITIONS.md": (repo / "DONE_STATE_DEFINITIONS.md").read_text(),
            "sql/done_checkers.sql": (repo / "sql" / "done_checkers.sql").read_text(),
        },
    )
    result = lint_canon("check", "--no-cache", ".", cwd=root)
    assert codes(result.stdout) == ["DONE_STATE_DEFINITIONS.md:13:1 CANON402", "sql/done_checkers.sql:39:1 CANON403"]


# --- found in review ---------------------------------------------------------------------------


def test_a_timeout_is_not_cached(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "slow.py": "import clearbit\nx = a" + "[0]" * 3000 + "\n"})
    first = lint_canon("check", "--timeout", "0.5", ".", cwd=root)
    assert codes(first.stdout) == ["slow.py:1:1 CANON903"]
    patient = lint_canon("check", "--timeout", "120", ".", cwd=root)
    assert codes(patient.stdout) == ["slow.py:1:8 CANON101"]


def test_the_done_doc_is_checked_from_a_subfolder_named_with_dotdot(tmp_path):
    repo = Path(__file__).resolve().parent.parent / "fixtures" / "outreach_repo"
    root = write(
        tmp_path,
        {
            "canon.yaml": "version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n",
            "DONE_STATE_DEFINITIONS.md": (repo / "DONE_STATE_DEFINITIONS.md").read_text(),
            "sql/done_checkers.sql": (repo / "sql" / "done_checkers.sql").read_text(),
            "src/app.py": "x = 1\n",
        },
    )
    result = lint_canon("check", "--no-cache", "--select", "CANON4", "..", cwd=root / "src")
    assert codes(result.stdout) == [
        f"{root}/DONE_STATE_DEFINITIONS.md:13:1 CANON402",  # outside the working folder: shown whole
        f"{root}/sql/done_checkers.sql:39:1 CANON403",
    ]


@pytest.mark.parametrize("order", [("a/src", "b/link"), ("b/link", "a/src")])
def test_a_folder_reached_through_a_link_obeys_the_canon_where_it_is(tmp_path, order):
    root = write(
        tmp_path, {"a/canon.yaml": ban("clearbit"), "a/src/m.py": "import clearbit\n", "b/canon.yaml": "version: 1\n"}
    )
    os.symlink("../a/src", root / "b" / "link")
    result = lint_canon("check", "--no-cache", *order, cwd=root)
    assert [c.split(":", 1)[1] for c in codes(result.stdout)] == ["1:8 CANON101"]


def test_a_canon_named_by_pyproject_elsewhere_gives_the_same_answer_from_any_folder(tmp_path):
    root = write(
        tmp_path / "repo",
        {
            "pyproject.toml": '[tool.lint-canon]\nconfig = "tools/canon.yaml"\n',
            "tools/canon.yaml": ban("clearbit", extra='exclude: ["gen/**"]\n'),
            "gen/x.py": "import clearbit\n",
            "app.py": "import clearbit\n",
        },
    )
    inside = lint_canon("check", "--no-cache", ".", cwd=root)
    outside = lint_canon("check", "--no-cache", "repo", cwd=root.parent)
    assert codes(inside.stdout) == ["app.py:1:8 CANON101", "gen/x.py:1:8 CANON101"]  # exclude is relative to tools/
    assert codes(outside.stdout) == ["repo/app.py:1:8 CANON101", "repo/gen/x.py:1:8 CANON101"]


def test_a_venv_appearing_above_a_file_named_with_config_is_seen(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "src/m.py": "import clearbit\n"})
    assert codes(lint_canon("check", "--config", "canon.yaml", "src/m.py", cwd=root).stdout) == [
        "src/m.py:1:8 CANON101"
    ]
    (root / "src" / "pyvenv.cfg").write_text("home = /usr\n")
    again = lint_canon("check", "--config", "canon.yaml", "src/m.py", cwd=root)
    assert (again.returncode, again.stdout) == (0, "")


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads /proc (Linux)")
def test_workers_end_with_a_killed_run(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "slow.py": "import clearbit\nx = a" + "[0]" * 5000 + "\n"})
    run = subprocess.Popen(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache", "."],
        cwd=root,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    import time

    time.sleep(3)  # the worker is parsing now
    run.kill()
    run.wait()
    # The worker held no copy of the run's stdout, and ends on its own within a second or two.
    assert run.stdout.read() == b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = _processes_in(root)
        if not alive:
            break
        time.sleep(0.2)
    assert not alive


def _processes_in(folder: Path) -> list[int]:
    """The processes whose working folder is ``folder`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


BROKEN = (
    "import sys, lint_canon.engine.runner as runner\n"
    "def broken(*args, **kwargs):\n"
    "    raise KeyError('a bug of ours')\n"
    "runner.check_run = broken\n"
    "from lint_canon.frontends.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_an_internal_error_is_one_line_and_exit_2_and_debug_shows_the_traceback(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbit\n"})
    plain = subprocess.run(
        [sys.executable, "-c", BROKEN, "check", "--no-cache"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert plain.returncode == 2
    assert plain.stderr.startswith("lint-canon: internal error: KeyError: 'a bug of ours' (at <string>:3)")
    assert plain.stderr.endswith("run with --debug or LINT_CANON_DEBUG=1 for the traceback, and please report it\n")
    assert len(plain.stderr.splitlines()) == 1
    debug = subprocess.run(
        [sys.executable, "-c", BROKEN, "check", "--no-cache", "--debug"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback (most recent call last)" in debug.stderr
    env = {**os.environ, "LINT_CANON_DEBUG": "1"}
    by_env = subprocess.run(
        [sys.executable, "-c", BROKEN, "check", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert "Traceback (most recent call last)" in by_env.stderr


def test_an_unwritable_report_is_one_line(tmp_path):
    root = write(tmp_path, {"canon.yaml": ban("clearbit"), "app.py": "import clearbit\n"})
    result = lint_canon("report", "--no-cache", "-o", "missing/report.json", cwd=root)
    assert result.returncode == 2
    assert result.stderr == "lint-canon: missing/report.json: cannot write the report: No such file or directory\n"


RULE_BUG = (
    "import sys\n"
    "from lint_canon.rules.unregistered_api_key import UnregisteredApiKey\n"
    "def visit_Call(self, node):\n"
    "    raise AttributeError('a node this rule does not know')\n"
    "UnregisteredApiKey.visit_Call = visit_Call\n"
    "from lint_canon.frontends.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_a_rule_that_fails_on_a_file_costs_that_file_one_finding(tmp_path):
    root = write(
        tmp_path,
        {
            "canon.yaml": ban("clearbit"),
            "calls.py": "import os\nos.getenv('ACME_API_KEY')\n",
            "real.py": "import clearbit\n",
        },
    )
    result = subprocess.run(
        [sys.executable, "-c", RULE_BUG, "check", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == (
        "calls.py:1:1: CANON903 internal error in rule CANON203 (UnregisteredApiKey): "
        "AttributeError: a node this rule does not know\n"
        "real.py:1:8: CANON101 'clearbit' is banned: not here\n"
    )
