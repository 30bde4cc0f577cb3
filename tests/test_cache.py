"""The cache and the workers change how fast findings come, never which: tested against a
serial run without cache, and invalidated by an edited file, an edited canon or a new version."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import lint_canon.engine.cache
import lint_canon.engine.runcache
from lint_canon.engine.checker import Checker
from lint_canon_guard.config import load_canon
from tests.conftest import CANON, brief, check_paths

FILES = {
    **{f"pkg{i % 5}/clean{i}.py": "import os\nprint(os.getcwd())\n" for i in range(150)},
    **{
        f"pkg{i % 5}/bad{i}.py": f"import subprocess as sp\n\n\ndef f{i}():\n    return sp.Popen(['ls'])\n"
        for i in range(60)
    },
    "app.py": "import clearbit\nimport clearbit.enrichment  # noqa: CANON101\n",
    "requirements.txt": "clearbit\n",
    "broken.py": "import clearbit\ndef f(:\n",
}


def check(root: Path, jobs: int = 1, cache: bool = False):
    checker = Checker(load_canon(root / "canon.yaml"))
    return check_paths(checker, [Path(".")], jobs=jobs, cache_dir=root / ".lint_canon_cache" if cache else None)


@pytest.fixture
def tree(project):
    return project(FILES)


def test_cache_and_workers_give_the_serial_findings(tree):
    serial = check(tree)
    assert len(serial) == 63
    assert check(tree, jobs=2) == serial
    assert check(tree, cache=True) == serial  # cold: fills the cache
    assert (tree / ".lint_canon_cache" / ".gitignore").read_text() == "# Created by lint-canon\n*\n"
    assert check(tree, cache=True) == serial  # warm
    assert check(tree, jobs=2, cache=True) == serial


def test_warm_run_does_not_parse(tree, monkeypatch):
    check(tree, cache=True)
    import lint_canon.engine.checker

    def refuse(*args, **kwargs):
        raise AssertionError("a cached file was checked again")

    monkeypatch.setattr(lint_canon.engine.checker.Checker, "check_source", refuse)
    assert len(check(tree, cache=True)) == 63


def test_an_edited_file_is_checked_again(tree):
    check(tree, cache=True)
    (tree / "pkg0" / "clean0.py").write_text("import clearbit\n")
    findings = check(tree, cache=True)
    assert ("pkg0/clean0.py", "CANON101") in {(f.path, f.code) for f in findings}
    # Same size, same mtime, other content: found again by its content when the stat differs.
    target = tree / "pkg1" / "clean1.py"
    before = target.stat()
    target.write_text("import clearbit\n" + "#" * (before.st_size - len("import clearbit\n") - 1) + "\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns + 1000))
    assert ("pkg1/clean1.py", "CANON101") in {(f.path, f.code) for f in check(tree, cache=True)}
    assert check(tree, cache=True) == check(tree)


def test_an_edited_canon_starts_a_new_cache(tree):
    first = check(tree, cache=True)
    (tree / "canon.yaml").write_text(CANON.replace("modules: [subprocess.Popen]", "modules: [subprocess.run]"))
    second = check(tree, cache=True)
    assert len(first) == 63  # 60 of them the Popen calls the new canon no longer bans
    assert brief(second) == [
        ("app.py", 1, 8, "CANON101"),
        ("broken.py", 2, 7, "CANON901"),
        ("requirements.txt", 1, 1, "CANON102"),
    ]
    assert second == check(tree)
    assert len(list((tree / ".lint_canon_cache").glob("findings-*.json"))) == 2


def test_a_new_version_starts_a_new_cache(tree, monkeypatch):
    check(tree, cache=True)
    monkeypatch.setattr(lint_canon.engine.runcache, "__version__", "99.0.0")
    check(tree, cache=True)
    assert len(list((tree / ".lint_canon_cache").glob("findings-*.json"))) == 2


def test_a_corrupt_cache_is_ignored(tree):
    serial = check(tree)
    check(tree, cache=True)
    for file in (tree / ".lint_canon_cache").glob("findings-*.json"):
        file.write_bytes(b"not json")
    assert check(tree, cache=True) == serial


def test_cli_cache_flags(tree):
    import subprocess
    import sys

    from tests.conftest import cli_env

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lint_canon", "check", *args],
            cwd=tree,
            env=cli_env(),
            capture_output=True,
            text=True,
        )

    uncached = run("--no-cache")
    lines = uncached.stdout.splitlines()
    assert (uncached.returncode, len(lines), uncached.stderr) == (1, 63, "")
    assert lines[0] == "app.py:1:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012"
    assert sum(": CANON101 'subprocess.Popen' is banned" in line for line in lines) == 60
    assert not (tree / ".lint_canon_cache").exists()
    cold = run()
    assert (tree / ".lint_canon_cache").is_dir()
    assert run().stdout == cold.stdout == uncached.stdout == run("--no-cache", "--jobs", "2").stdout


def test_a_cache_restored_into_a_fresh_clone_elsewhere_parses_only_what_changed(tree, tmp_path_factory, monkeypatch):
    # CI restores the cache folder into a new checkout: other paths, other mtimes and inodes.
    (tree / ".git").mkdir()
    before = check(tree, cache=True)
    clone = tmp_path_factory.mktemp("clone") / "repo"
    shutil.copytree(tree, clone, copy_function=shutil.copy)  # contents only: new stats
    (clone / "pkg1" / "bad1.py").write_text("import subprocess as sp\nsp.Popen(['ls'])\n")
    monkeypatch.chdir(clone)
    import lint_canon.engine.runner

    parsed: list[str] = []
    check_sources = lint_canon.engine.runner.check_sources

    def counting(checkers, sources, **options):  # the files the run had to read and check
        parsed.extend(Path(source.path).as_posix() for source in sources)
        return check_sources(checkers, sources, **options)

    monkeypatch.setattr(lint_canon.engine.runner, "check_sources", counting)
    after = check(clone, cache=True)
    assert parsed == ["pkg1/bad1.py"]  # the edited file; the others answered from the restored cache
    assert [f for f in after if f.path != "pkg1/bad1.py"] == [f for f in before if f.path != "pkg1/bad1.py"]
    assert [(f.line, f.code) for f in after if f.path == "pkg1/bad1.py"] == [(2, "CANON101")]
