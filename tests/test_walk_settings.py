"""What a run walks and reports, as a platform team sets it for many services: .gitignore
respected (and ``respect_gitignore: false``), ``per_file_ignores`` in the canon and
``per-file-ignores`` in ``[tool.lint-canon]``, ``--extend-select`` / ``--extend-ignore``; and a
draft canon that lists no hubs says what to fill in, in ``check`` and in ``--diff``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

CANON = 'version: 1\nbanned:\n  - reason: "gone"\n    modules: [clearbit, pickle.loads]\n'


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, "check", *args)


BANNED = "import clearbit\n"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository (a .git folder is what git and lint-canon look for) with ignore files."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    return write_tree(
        tmp_path,
        {
            "canon.yaml": CANON,
            ".gitignore": "generated/\n*_pb2.py\n!keep_pb2.py\n",
            ".git/info/exclude": "scratch.py\n",
            "src/app.py": BANNED,
            "src/api_pb2.py": BANNED,
            "src/keep_pb2.py": BANNED,
            "src/scratch.py": BANNED,
            "generated/client.py": BANNED,
            "vendor/.gitignore": "*.py\n!ours.py\n",
            "vendor/theirs.py": BANNED,
            "vendor/ours.py": BANNED,
        },
    )


def test_what_git_ignores_is_not_walked(repository):
    result = lint(repository, "--no-cache", ".")
    assert result.stdout.splitlines() == [
        "src/app.py:1:8: CANON101 'clearbit' is banned: gone",
        "src/keep_pb2.py:1:8: CANON101 'clearbit' is banned: gone",  # re-included by !keep_pb2.py
        "vendor/ours.py:1:8: CANON101 'clearbit' is banned: gone",  # the nested .gitignore's !ours.py
    ]


def test_a_file_named_one_by_one_is_checked_even_if_ignored(repository):
    # As ruff: what pre-commit or an editor names is checked (a tracked file may match .gitignore).
    result = lint(repository, "--no-cache", "src/api_pb2.py", "generated/client.py")
    assert result.stdout.splitlines() == [
        "generated/client.py:1:8: CANON101 'clearbit' is banned: gone",
        "src/api_pb2.py:1:8: CANON101 'clearbit' is banned: gone",
    ]


def test_respect_gitignore_false_walks_everything(repository):
    (repository / "canon.yaml").write_text(CANON + "respect_gitignore: false\n")
    result = lint(repository, "--no-cache", ".")
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "generated/client.py",
        "src/api_pb2.py",
        "src/app.py",
        "src/keep_pb2.py",
        "src/scratch.py",
        "vendor/ours.py",
        "vendor/theirs.py",
    ]


def test_outside_a_repository_nothing_is_ignored(tmp_path):
    write_tree(tmp_path, {"canon.yaml": CANON, ".gitignore": "*.py\n", "app.py": BANNED})
    assert lint(tmp_path, "--no-cache", ".").stdout == "app.py:1:8: CANON101 'clearbit' is banned: gone\n"


def test_an_edited_gitignore_reaches_a_replayed_run(repository):
    first = lint(repository, ".")
    assert len(first.stdout.splitlines()) == 3
    assert lint(repository, ".").stdout == first.stdout  # replayed
    (repository / ".gitignore").write_text("generated/\n*_pb2.py\n!keep_pb2.py\nsrc/app.py\n")
    assert len(lint(repository, ".").stdout.splitlines()) == 2


# --- per-file ignores ---------------------------------------------------------------------


def test_per_file_ignores_in_the_canon_and_in_pyproject(tmp_path):
    write_tree(
        tmp_path,
        {
            "canon.yaml": CANON + "per_file_ignores:\n  tests/**: [CANON101]\n",
            "pyproject.toml": '[tool.lint-canon]\nper-file-ignores = {"scripts/*.py" = ["CANON1"]}\n',
            "app.py": BANNED,
            "tests/test_app.py": BANNED + "import os\nK = os.environ['ACME_API_KEY']\n",
            "scripts/once.py": BANNED,
        },
    )
    result = lint(tmp_path, "--no-cache", ".")
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "app.py:1:8: CANON101 'clearbit' is banned: gone",
        # tests/**: CANON101 not reported there, the other codes are; scripts/*.py: no CANON1xx
        "tests/test_app.py:3:5: CANON203 secret 'ACME_API_KEY' is read from the environment but no tool owns "
        "it; register the tool that uses it with api_key_env",
    ]


def test_a_per_file_ignore_naming_no_code_is_an_error(tmp_path):
    write_tree(tmp_path, {"canon.yaml": CANON + "per_file_ignores:\n  tests/**: [CANON9999]\n", "app.py": BANNED})
    result = lint(tmp_path, "--no-cache", ".")
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: canon.yaml: per_file_ignores.tests/**: ")
    write_tree(tmp_path, {"canon.yaml": CANON + "per_file_ignores:\n  tests/**: [canon101]\n"})
    result = lint(tmp_path, "--no-cache", ".")
    assert (result.returncode, result.stderr) == (
        2,
        "lint-canon: canon.yaml:6: per_file_ignores.tests/**[0]: 'canon101' is not a rule code or prefix such as "
        "CANON2\n",
    )


# --- --extend-select / --extend-ignore ----------------------------------------------------


def test_extend_select_and_extend_ignore_add_to_the_projects_selection(tmp_path):
    write_tree(
        tmp_path,
        {
            "canon.yaml": CANON,
            "pyproject.toml": '[tool.lint-canon]\nselect = ["CANON2"]\n',
            "app.py": BANNED + "import os\nKEY = os.environ['ACME_API_KEY']\n",
        },
    )
    assert lint(tmp_path, "--no-cache", ".").stdout.splitlines() == [
        "app.py:3:7: CANON203 secret 'ACME_API_KEY' is read from the environment but no tool owns it; register "
        "the tool that uses it with api_key_env",
    ]
    # The project's select stays; --extend-select adds CANON101 to it (where --select would replace it).
    assert [
        line.split(" ")[1]
        for line in lint(tmp_path, "--no-cache", "--extend-select", "CANON101", ".").stdout.splitlines()
    ] == [
        "CANON101",
        "CANON203",
    ]
    assert lint(tmp_path, "--no-cache", "--extend-ignore", "CANON203", ".").stdout == ""
    refused = lint(tmp_path, "--no-cache", "--extend-select", "CANON7", ".")
    assert refused.returncode == 2 and refused.stderr.startswith("lint-canon: --extend-select: ")


# --- a draft canon ------------------------------------------------------------------------


def test_a_draft_with_no_hubs_says_what_to_fill_in_and_diff_says_why_nothing_is_fixed(tmp_path):
    write_tree(
        tmp_path,
        {
            "canon.yaml": "version: 1\nhubs: []\ntools:\n  - id: TOOL-001\n    vendor: hunter\n    hubs: []\n"
            "    interactions: []\n    hosts: [api.hunter.io]\n",
            "app.py": 'import requests\n\n\ndef f():\n    return requests.get("https://api.hunter.io/v2/x", timeout=3)\n',
        },
    )
    note = (
        "lint-canon: canon.yaml: lists no hubs; fill in 'hubs' and each tool's hubs and interactions (its "
        "'review:' comments say what): a guard names one of each\n"
    )
    checked = lint(tmp_path, "--no-cache", ".")
    assert (checked.returncode, checked.stderr) == (1, note)
    diff = lint(tmp_path, "--no-cache", "--diff", ".")
    assert (diff.returncode, diff.stdout) == (0, "")
    assert diff.stderr == note + (
        "lint-canon: app.py:5:12: CANON301 not fixed: the canon lists no hubs and no interactions for TOOL-001; "
        "fill in its hubs and interactions in canon.yaml, then fix again\n"
        "lint-canon: would fix 0 findings in 0 files\n"
    )


def test_a_folder_named_on_the_command_line_is_walked_even_if_git_ignores_it(repository):
    result = lint(repository, "--no-cache", "generated")
    assert result.stdout == "generated/client.py:1:8: CANON101 'clearbit' is banned: gone\n"


def test_an_allow_list_gitignore_keeps_the_python_files_of_every_folder(tmp_path):
    # `*`, `!*/`, `!*.py`: ignore everything but folders and Python files (git checks pkg/b.py).
    (tmp_path / ".git").mkdir()
    write_tree(
        tmp_path,
        {
            "canon.yaml": CANON,
            ".gitignore": "*\n!*/\n!*.py\n!canon.yaml\n",
            "a.py": BANNED,
            "pkg/b.py": BANNED,
            "pkg/sub/c.py": BANNED,
        },
    )
    assert [line.split(":")[0] for line in lint(tmp_path, "--no-cache", ".").stdout.splitlines()] == [
        "a.py",
        "pkg/b.py",
        "pkg/sub/c.py",
    ]
