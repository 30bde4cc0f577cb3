"""The hook of .pre-commit-hooks.yaml, run by the real pre-commit on a temporary repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, CANON, REPO, cli_env, dedent


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One hook environment for the session: pre-commit builds it once and reuses it.
    return tmp_path_factory.mktemp("pre-commit-home")


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


def test_try_repo_fails_on_a_violation_and_passes_once_fixed(tmp_path, pre_commit_home):
    repo = tmp_path / "service"
    repo.mkdir()
    (repo / "canon.yaml").write_text(dedent(CANON))
    (repo / "enrich.py").write_text("import clearbit\n")
    (repo / "requirements.txt").write_text("requests\nclearbit==0.1\n")
    run(["git", "init", "-q"], repo, pre_commit_home)
    run(["git", "add", "."], repo, pre_commit_home)

    pre_commit = str(BIN / "pre-commit")
    failed = run([pre_commit, "try-repo", str(REPO), "lint-canon", "--all-files"], repo, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "enrich.py:1:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012" in failed.stdout
    assert "requirements.txt:2:1: CANON102 banned package 'clearbit'" in failed.stdout

    (repo / "enrich.py").write_text("import clearbit_helper\n")
    (repo / "requirements.txt").write_text("requests\n")
    run(["git", "add", "."], repo, pre_commit_home)
    passed = run([pre_commit, "try-repo", str(REPO), "lint-canon", "--all-files"], repo, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_hook_manifest_names_the_console_script():
    import yaml

    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lint-canon"
    assert hook["entry"] == "lint-canon check"
    assert hook["language"] == "python"
    assert os.access(BIN / "lint-canon", os.X_OK)
