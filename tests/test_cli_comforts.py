"""What `check` adds for a person at a terminal or an editor: the closing summary, colour,
--statistics, --show-source, the progress line and stdin. Terminals are real ptys; pipes must
get exactly what they got before."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, cli_env
from tests.test_cli import lint_canon

CLEARBIT = "src/app.py:2:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012\n"  # the project canon


def plain_env(**extra: str) -> dict[str, str]:
    env = cli_env()
    for name in ("NO_COLOR", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(extra)
    return env


def on_pty(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run lint-canon with stdout and stderr each on a terminal of its own: (code, stdout, stderr),
    with the terminal's \\r\\n read back as \\n."""
    out_master, out_slave = pty.openpty()
    err_master, err_slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "lint_canon", *args],
        cwd=cwd,
        env=env or plain_env(),
        stdin=subprocess.DEVNULL,
        stdout=out_slave,
        stderr=err_slave,
    )
    os.close(out_slave)
    os.close(err_slave)
    chunks: dict[int, list[bytes]] = {out_master: [], err_master: []}
    open_fds = [out_master, err_master]
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [], 60)
        assert ready, "lint-canon said nothing for 60 s"
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the other end is closed
                data = b""
            if data:
                chunks[fd].append(data)
            else:
                open_fds.remove(fd)
                os.close(fd)
    code = process.wait(timeout=60)

    def text(fd: int) -> str:
        return b"".join(chunks[fd]).decode().replace("\r\n", "\n")

    return code, text(out_master), text(err_master)


def test_summary_and_colour_on_a_terminal(project):
    root = project({"src/app.py": "import os\nimport clearbit\n"})
    code, out, err = on_pty("check", "--no-cache", cwd=root)
    assert code == 1
    assert out == (
        "\x1b[1msrc/app.py\x1b[0m:2:8: \x1b[31mCANON101\x1b[0m 'clearbit' is banned: Clearbit contract ended; "
        "use TOOL-012\n"
    )
    assert err == "Found 1 finding in 1 file\n"


def test_all_clean_on_a_terminal_and_nothing_on_a_pipe(project):
    root = project({"app.py": "import os\n"})
    assert on_pty("check", "--no-cache", cwd=root) == (0, "", "All clean\n")
    result = lint_canon("check", "--no-cache", cwd=root, env=plain_env())
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_pipe_gets_no_colour_and_no_summary(project):
    root = project({"src/app.py": "import os\nimport clearbit\n"})
    result = lint_canon("check", cwd=root, env=plain_env())
    assert (result.returncode, result.stdout, result.stderr) == (1, CLEARBIT, "")


def test_no_color_and_force_color(project):
    root = project({"src/app.py": "import os\nimport clearbit\n"})
    code, out, err = on_pty("check", "--no-cache", cwd=root, env=plain_env(NO_COLOR="1"))
    assert (code, out, err) == (1, CLEARBIT, "Found 1 finding in 1 file\n")
    forced = lint_canon("check", "--no-cache", cwd=root, env=plain_env(FORCE_COLOR="1"))
    assert forced.stdout.startswith("\x1b[1msrc/app.py\x1b[0m:2:8: \x1b[31mCANON101\x1b[0m")
    assert forced.stderr == ""  # the summary wants a terminal on stderr


def test_json_is_never_coloured(project):
    root = project({"app.py": "import clearbit\n"})
    code, out, _ = on_pty("check", "--no-cache", "--format", "json", cwd=root)
    assert code == 1 and "\x1b[" not in out and out.startswith("{")


def test_summary_counts_the_baseline(project):
    root = project({"a.py": "import clearbit\n", "b.py": "import os\n"})
    assert lint_canon("check", "--write-baseline", "base.json", cwd=root).returncode == 0
    (root / "b.py").write_text("import clearbit\nimport clearbit.enrichment\n")
    code, _, err = on_pty("check", "--baseline", "base.json", cwd=root)
    assert (code, err) == (1, "Found 2 findings in 1 file; 1 hidden by the baseline\n")


def test_run_cache_replays_summary_and_colour_only_where_they_belong(project):
    root = project({"src/app.py": "import os\nimport clearbit\n"})
    first = on_pty("check", cwd=root)
    assert first == on_pty("check", cwd=root)  # replayed on the terminal, summary included
    assert first[2] == "Found 1 finding in 1 file\n"
    for _ in range(2):  # recorded, then replayed: plain in a pipe, whatever the terminal's record holds
        result = lint_canon("check", cwd=root, env=plain_env())
        assert (result.returncode, result.stdout, result.stderr) == (1, CLEARBIT, "")
    assert on_pty("check", cwd=root) == first


def test_statistics_on_the_sample(tmp_path):
    root = tmp_path / "outreach_repo"
    shutil.copytree(REPO / "fixtures" / "outreach_repo", root)
    result = lint_canon("check", "--statistics", cwd=root, env=plain_env())
    assert result.returncode == 1
    assert result.stdout == (
        "3  CANON101  banned-import\n"
        "2  CANON102  banned-requirement\n"
        "1  CANON201  unregistered-vendor-call\n"
        "1  CANON202  banned-vendor-call\n"
        "1  CANON203  unregistered-api-key\n"
        "1  CANON301  missing-guard\n"
        "1  CANON302  guard-unknown-tool\n"
        "1  CANON303  guard-out-of-scope\n"
        "1  CANON304  guard-wrong-interaction\n"
        "1  CANON305  guard-tool-mismatch\n"
        "1  CANON402  done-criteria-drift\n"
        "1  CANON403  done-checker-undocumented\n"
    )
    clean = lint_canon("check", "--statistics", "--select", "CANON9", cwd=root, env=plain_env())
    assert (clean.returncode, clean.stdout) == (0, "")


def test_show_source(project):
    root = project({"src/app.py": "def f():\n\tx = 1; import clearbit.enrichment\n"})
    result = lint_canon("check", "--show-source", cwd=root, env=plain_env())
    assert result.returncode == 1
    assert result.stdout == (
        "src/app.py:2:16: CANON101 'clearbit.enrichment' (under 'clearbit') is banned: Clearbit contract ended; "
        "use TOOL-012\n"
        "\tx = 1; import clearbit.enrichment\n"
        "\t              ^\n"
    )


def stdin_check(*args: str, source: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", *args],
        cwd=cwd,
        env=plain_env(),
        input=source,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_stdin_is_checked_as_the_named_file(project):
    canon = (
        "version: 1\nexclude: ['generated/**']\nbanned:\n"
        "  - reason: spawn processes through ops/shell.py only\n"
        "    modules: [subprocess.Popen]\n    allow_in: ['ops/shell.py']\n"
    )
    root = project({"ops/shell.py": "import os\n"}, canon=canon)
    source = "from subprocess import Popen\n"
    result = stdin_check("-", "--stdin-filename", "src/app.py", source=source, cwd=root)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("src/app.py:1:24: CANON101 'subprocess.Popen' is banned")
    # The canon's per-file rules (allow_in) and exclude apply to the name given; the file on
    # disk is not read.
    assert stdin_check("-", "--stdin-filename", "ops/shell.py", source=source, cwd=root).returncode == 0
    excluded = stdin_check("-", "--stdin-filename", "generated/x.py", source=source, cwd=root)
    assert (excluded.returncode, excluded.stdout, excluded.stderr) == (0, "", "")
    # Found from the name's folder, also where the file does not exist yet.
    nested = stdin_check("-", "--stdin-filename", "new/deeper/mod.py", source=source, cwd=root)
    assert nested.stdout.startswith("new/deeper/mod.py:1:24: CANON101")


def test_stdin_without_a_canon_and_with_json(tmp_path):
    result = stdin_check("-", "--stdin-filename", "app.py", source="import os\n", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: app.py: no canon.yaml here or in any parent folder")
    (tmp_path / "canon.yaml").write_text("version: 1\nbanned:\n  - reason: gone\n    modules: [clearbit]\n")
    out = stdin_check("-", "--stdin-filename", "app.py", "--format", "json", source="import clearbit\n", cwd=tmp_path)
    assert out.returncode == 1 and '"path": "app.py"' in out.stdout


def test_progress_line_on_a_terminal_for_a_slow_run(project):
    # The CLI end to end (what the line says and when is tests/test_terminal.py's): one large
    # file, whose parse outlasts the CLI's one-second delay on one worker (about 2 s on an idle
    # machine; the CLI has no setting for the delay, and half the file ends before it). The
    # piped run must be as long, or its empty stderr would prove nothing.
    root = project({"big.py": "import clearbit\n" + "clearbit.enrich(1, 2)\n" * 12000})
    code, out, err = on_pty("check", "--no-cache", "-j", "1", cwd=root)
    assert code == 1 and out.startswith("\x1b[1mbig.py\x1b[0m:1:8:")
    assert "\r\x1b[Klint-canon: checking… 1 file read, 1 s" in err
    assert err.endswith("\r\x1b[KFound 1 finding in 1 file\n")  # cleared before the summary
    piped = lint_canon("check", "--no-cache", "-j", "1", cwd=root, env=plain_env())
    assert piped.stderr == ""


def test_usage_errors(project):
    root = project({"app.py": "import os\n"})
    cases = {
        ("-",): "lint-canon: -: add --stdin-filename PATH, the file the source on stdin is checked as\n",
        ("app.py", "--stdin-filename", "x.py"): (
            "lint-canon: --stdin-filename: give '-' as the only PATH (the source is read from stdin)\n"
        ),
        ("-", "--stdin-filename", "x.py", "--fix"): "lint-canon: --fix and stdin: --fix works on files\n",
        ("-", "--stdin-filename", "requirements.txt"): (
            "lint-canon: --stdin-filename requirements.txt: only Python source is read from stdin\n"
        ),
        ("--statistics", "--format", "sarif"): (
            "lint-canon: --statistics and --format sarif: --statistics is for the text format\n"
        ),
        ("--show-source", "--format", "json"): (
            "lint-canon: --show-source and --format json: --show-source is for the text format\n"
        ),
        ("--statistics", "--show-source"): (
            "lint-canon: --statistics and --show-source: give one (--statistics prints no finding)\n"
        ),
        ("--statistics", "--diff"): "lint-canon: --statistics and --diff: --diff prints the diff, not findings\n",
    }
    for args, message in cases.items():
        result = lint_canon("check", *args, cwd=root, env=plain_env())
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message), args


def test_stdin_is_read_no_further_than_the_size_limit(tmp_path):
    # An endless stream on stdin ends the read at max_file_size: CANON902, not a run that never ends.
    (tmp_path / "canon.yaml").write_text(
        "version: 1\nmax_file_size: 64KB\nbanned:\n  - reason: gone\n    modules: [clearbit]\n"
    )
    endless = subprocess.Popen(
        [sys.executable, "-c", "import sys\nwhile True:\n    sys.stdout.write('#' * 65536)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lint_canon", "check", "-", "--stdin-filename", "app.py"],
            cwd=tmp_path,
            env=plain_env(),
            stdin=endless.stdout,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        endless.kill()
        endless.wait()
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == (
        "app.py:1:1: CANON902 too large (more than 64,000 bytes on stdin; the limit is 64,000: max_file_size in the canon)\n"
    )
