"""The hook of .pre-commit-hooks.yaml, run by the real pre-commit on a temporary repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, CANON, REPO, cli_env, dedent


@pytest.fixture(scope="session")
def pre_commit_home(session_dir: Path) -> Path:
    # One hook environment for the session: pre-commit builds it once and reuses it.
    home = session_dir / "pre-commit-home"
    home.mkdir()
    return home


def run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = cli_env()
    env["PRE_COMMIT_HOME"] = str(home)
    env.update(
        {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
    )
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def git_repo(tmp_path: Path, home: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "service"
    repo.mkdir()
    for name, body in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(body)
    run(["git", "init", "-q"], repo, home)
    run(["git", "add", "."], repo, home)
    return repo


def try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "pre-commit"), "try-repo", str(REPO), hook, "--all-files"], repo, home)


def test_python_hook_fails_on_a_violation_and_passes_once_fixed(tmp_path, pre_commit_home):
    repo = git_repo(
        tmp_path,
        pre_commit_home,
        {"canon.yaml": dedent(CANON), "enrich.py": "import clearbit\n", "requirements.txt": "clearbit\n"},
    )
    failed = try_repo(repo, "lint-canon", pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "enrich.py:1:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012" in failed.stdout
    assert "CANON102" not in failed.stdout  # requirements are the other hook's

    (repo / "enrich.py").write_text("import clearbit_helper\n")
    run(["git", "add", "."], repo, pre_commit_home)
    passed = try_repo(repo, "lint-canon", pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_file_names_that_look_like_options_are_files(tmp_path, pre_commit_home):
    # pre-commit hands the hook its file names after the entry's arguments; after `--` a file
    # named like an option is a file (it was `--fix`, rewriting the others)
    repo = git_repo(
        tmp_path,
        pre_commit_home,
        {"canon.yaml": dedent(CANON), "--fix.py": "import clearbit\n", "-h.py": "import clearbit\n"},
    )
    failed = try_repo(repo, "lint-canon", pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "--fix.py:1:8: CANON101 'clearbit' is banned" in failed.stdout
    assert "-h.py:1:8: CANON101 'clearbit' is banned" in failed.stdout


def test_requirements_hook(tmp_path, pre_commit_home):
    files = {
        "canon.yaml": dedent(CANON),
        "requirements.txt": "requests\nclearbit==0.1\n",
        "app.py": "import clearbit\n",
    }
    repo = git_repo(tmp_path, pre_commit_home, files)
    failed = try_repo(repo, "lint-canon-requirements", pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "requirements.txt:2:1: CANON102 banned package 'clearbit'" in failed.stdout
    assert "CANON101" not in failed.stdout
    (repo / "requirements.txt").write_text("requests\n")
    run(["git", "add", "."], repo, pre_commit_home)
    assert try_repo(repo, "lint-canon-requirements", pre_commit_home).returncode == 0


def test_done_drift_hook(tmp_path, pre_commit_home):
    from tests.test_done_drift import BIT, BLOG, CT, DOL, PEOPLE, USER_TABLE

    canon = "version: 1\ndone_states:\n  doc: DONE_STATE_DEFINITIONS.md\n  sql: [sql]\n"
    files = {
        "canon.yaml": canon,
        "DONE_STATE_DEFINITIONS.md": USER_TABLE,
        "sql/checkers.sql": "\n".join([CT, DOL, PEOPLE, BLOG, BIT.replace(" AND b.signal_count > 0", "")]),
        "app.py": "import os\n",
    }
    repo = git_repo(tmp_path, pre_commit_home, files)
    failed = try_repo(repo, "lint-canon-done-drift", pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "DONE_STATE_DEFINITIONS.md:9:1: CANON402 BIT: criterion 'signal_count > 0' is in the DONE doc" in failed.stdout
    )
    (repo / "sql" / "checkers.sql").write_text("\n".join([CT, DOL, PEOPLE, BLOG, BIT]))
    run(["git", "add", "."], repo, pre_commit_home)
    passed = try_repo(repo, "lint-canon-done-drift", pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_hook_manifest():
    import yaml

    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"lint-canon", "lint-canon-requirements", "lint-canon-done-drift"}
    assert all(hook["language"] == "python" and hook["entry"].startswith("lint-canon check") for hook in hooks.values())
    assert hooks["lint-canon-done-drift"]["pass_filenames"] is False
    assert os.access(BIN / "lint-canon", os.X_OK)
