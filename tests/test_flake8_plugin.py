"""The real flake8 with our plugin: same findings as the CLI, its select and noqa conventions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env

SOURCES = {
    "app/enrich.py": "import importlib\nimport clearbit.enrichment as e\nmod = importlib.import_module('clearbit')\n",
    "app/shell.py": "import subprocess as sp\n\n\ndef run():\n    return sp.Popen(['ls'])\n",
    "app/quiet.py": "import clearbit  # noqa: CANON101\nimport clearbit.x  # noqa\n",
    "app/clean.py": "import subprocess\nsubprocess.run(['ls'])\n",
    "ops/shell.py": "from subprocess import Popen\n",
}


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def lint_canon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", *args], cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=120
    )


def test_flake8_reports_what_the_cli_reports(project):
    root = project(SOURCES)
    ours = lint_canon("check", "app", "ops", cwd=root)
    theirs = flake8("--select", "CANON", "app", "ops", cwd=root)
    assert theirs.returncode == 1, theirs.stderr
    assert sorted(theirs.stdout.splitlines()) == sorted(ours.stdout.splitlines())
    assert sorted(theirs.stdout.splitlines()) == [
        "app/enrich.py:2:8: CANON101 'clearbit.enrichment' (under 'clearbit') is banned: Clearbit contract ended; use TOOL-012",
        "app/enrich.py:3:7: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012",
        "app/shell.py:5:12: CANON101 'subprocess.Popen' is banned: spawn processes through ops/shell.py only",
    ]


def test_select_from_a_config_file_and_parallel_jobs(project):
    root = project({**SOURCES, ".flake8": "[flake8]\nselect = CANON\n"})
    result = flake8("-j", "2", ".", cwd=root)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 3


def test_select_narrower_code_and_disable_noqa(project):
    root = project(SOURCES)
    assert flake8("--select", "CANON102", "app", cwd=root).stdout == ""
    result = flake8("--select", "CANON101", "--disable-noqa", "app/quiet.py", cwd=root)
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        "app/quiet.py:1:8",
        "app/quiet.py:2:8",
    ]


def test_bad_canon_under_flake8_is_one_readable_line(project):
    root = project({"app.py": "import clearbit\n"}, canon="version: 1\nhub: [A]\n")
    result = flake8("--select", "CANON", "app.py", cwd=root)
    assert result.returncode != 0
    assert "canon.yaml:2: hub: unknown key; did you mean 'hubs'?" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_canon_config_option(project):
    root = project({"app.py": "import clearbit\n", "empty.yaml": "version: 1\n"})
    assert flake8("--select", "CANON", "--canon-config", "empty.yaml", "app.py", cwd=root).stdout == ""


def test_no_canon_means_no_findings_and_no_error(tmp_path):
    # lint-canon installed in an environment must not break flake8 in projects without a canon.
    (tmp_path / "app.py").write_text("import clearbit\n")
    result = flake8("--select", "CANON,E9", "-j", "2", "app.py", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_bad_canon_with_parallel_workers_does_not_hang(project):
    # flake8 pickles a plugin's exception from its workers; an unpicklable one hung the run.
    files = {f"m{i}.py": "import clearbit\n" for i in range(40)}
    root = project(files, canon="version: 1\nhub: [A]\n")
    result = flake8("--select", "CANON", "-j", "2", ".", cwd=root)
    assert result.returncode != 0
    assert "canon.yaml:2: hub: unknown key; did you mean 'hubs'?" in result.stdout + result.stderr


NOQA_SPELLINGS = {
    "bare.py": "import clearbit  # noqa\n",
    "upper.py": "import clearbit  # NOQA\n",
    "tight.py": "import clearbit  # noqa:CANON101\n",
    "lower_code.py": "import clearbit  # noqa: canon101\n",  # flake8 compares codes as written
    "mixed.py": "import clearbit  # NoQa: CANON101\n",
    "several.py": "import clearbit  # noqa:CANON101,E501\n",
    "prefix.py": "import clearbit  # noqa: CANON1\n",
    "spaced.py": "import clearbit  # noqa : CANON101\n",
    "no_space.py": "import clearbit  #noqa\n",
    "other_code.py": "import clearbit  # noqa: CANON102\n",
    "trailing_text.py": "import clearbit  # noqa:CANON101 because\n",
    "file_wide.py": "# flake8: noqa\nimport clearbit\n",
    "file_wide_codes.py": "# flake8: noqa: CANON102\nimport clearbit\n",  # flake8 skips the file all the same
    "file_wide_upper.py": "# FLAKE8: NOQA\nimport clearbit\n",
    "file_wide_indented.py": "import clearbit\n    # flake8=noqa\n",
    "file_wide_after_code.py": "import clearbit  # flake8: noqa\n",  # not at a line's start: no file-wide skip
    "not_python.py": "import clearbit\ndef broken(:\n",  # CPython refuses it: CANON901 / flake8 E999, no CANON1
}


def test_the_cli_and_flake8_agree_on_every_noqa_spelling(project):
    root = project({f"spell/{name}": text for name, text in NOQA_SPELLINGS.items()})
    ours = lint_canon("check", "--select", "CANON1", "spell", cwd=root)
    theirs = flake8("--select", "CANON1", "spell", cwd=root)
    reported = sorted({line.split(":", 1)[0] for line in theirs.stdout.splitlines()})
    assert reported == [
        "spell/file_wide_after_code.py",
        "spell/lower_code.py",
        "spell/no_space.py",
        "spell/other_code.py",
    ]
    assert sorted(line.split(":", 1)[0] for line in ours.stdout.splitlines()) == reported
    assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())


REJECTED = {
    "call.py": "import clearbit\ndef broken(:\n",
    "paren.py": "import clearbit\nx = (1,\n",
    "indent.py": "import clearbit\n  y = 1\n",
    "string.py": 'import clearbit\nx = "abc\n',
    "tabs.py": "import clearbit\nif True:\n\tx = 1\n        y = 2\n",
    "unpack.py": "import clearbit\nf(**x, *y)\n",
}


def test_a_file_cpython_rejects_is_reported_at_the_same_line_by_both(project):
    # flake8 runs no plugin on a file that does not parse and reports its own E999 instead: the
    # CLI's CANON901 names the same line and message, and neither reports the banned import.
    root = project({f"bad/{name}": text for name, text in REJECTED.items()})
    ours = lint_canon("check", "bad", cwd=root)
    theirs = flake8("--select", "CANON,E999", "bad", cwd=root)

    def places(stdout: str, code: str) -> list[tuple[str, str, str]]:
        rows = [line.split(":", 3) for line in stdout.splitlines()]
        assert all(rest.startswith(f" {code} ") for *_, rest in rows), stdout
        return sorted((path, line, rest.split(": ", 1)[1]) for path, line, _, rest in rows)

    assert ours.returncode == 1 and theirs.returncode == 1
    assert places(ours.stdout, "CANON901") == places(theirs.stdout, "E999")
    assert len(ours.stdout.splitlines()) == len(REJECTED)
