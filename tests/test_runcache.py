"""The run record: a check run with nothing changed repeats the last output without checking;
anything the run read that changes (a file, a folder's entries, the canon, a requirements
include, the DONE doc, the arguments, the version) makes it check again."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import lint_canon.engine.cache
import lint_canon.engine.checker
import lint_canon.engine.runcache
from lint_canon.frontends.cli import main
from tests.conftest import CANON, REPO

FILES = {
    "app.py": "import clearbit\n",
    "pkg/ok.py": "import os\n",
    "requirements.txt": "-r base.txt\nrequests\n",
    "base.txt": "clearbit\n",
}


@pytest.fixture
def tree(project):
    return project(FILES)


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def records(root: Path) -> list[Path]:
    return sorted((root / ".lint_canon_cache").glob("run-*.json"))


@pytest.fixture
def no_checking(monkeypatch):
    """Makes a run that checks anything fail: what passes was answered from the record."""

    def refuse(*args, **kwargs):
        raise AssertionError("the run was checked, not replayed")

    def forbid() -> None:
        monkeypatch.setattr(lint_canon.engine.runner, "check_run", refuse)

    return forbid


def test_an_unchanged_run_is_replayed_with_its_output_and_exit_code(tree, capsys, no_checking):
    code, out = run(capsys)
    assert code == 1
    assert "app.py:1:8: CANON101" in out
    assert "base.txt:1:1: CANON102" in out
    assert len(records(tree)) == 1
    no_checking()
    assert run(capsys) == (1, out)


def test_exit_zero_and_output_file_are_replayed(tree, capsys, no_checking):
    args = ("--exit-zero", "-o", "report.txt")
    assert run(capsys, *args) == (0, "")
    first = (tree / "report.txt").read_text()
    assert "app.py:1:8: CANON101" in first
    assert records(tree) == []  # creating report.txt changed the folder the run had listed
    run(capsys, *args)
    assert len(records(tree)) == 1
    no_checking()
    (tree / "report.txt").write_text("stale")
    assert run(capsys, *args) == (0, "")
    assert (tree / "report.txt").read_text() == first


def change_and_expect_a_new_check(tree, capsys, monkeypatch, change, expected: str | None) -> None:
    before = run(capsys)
    calls = []
    original = lint_canon.engine.runner.check_run

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(lint_canon.engine.runner, "check_run", counting)
    # Unchanged, the run is replayed: else a check after the change would prove nothing.
    assert (run(capsys), calls) == (before, [])
    change()
    _, out = run(capsys)
    assert calls == [1]
    if expected is not None:
        assert expected in out
    _, again = run(capsys)
    assert calls == [1], "the new run was recorded and replayed"
    assert again == out


def test_an_edited_file_is_checked_again(tree, capsys, monkeypatch):
    change_and_expect_a_new_check(
        tree, capsys, monkeypatch, lambda: (tree / "pkg" / "ok.py").write_text("import clearbit\n"), "pkg/ok.py:1:8"
    )


def test_a_same_size_edit_is_seen_by_its_mtime(tree, capsys, monkeypatch):
    def edit() -> None:
        target = tree / "pkg" / "ok.py"
        before = target.stat()
        target.write_text("import re\n")  # as long as "import os\n"
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns + 1000))

    change_and_expect_a_new_check(tree, capsys, monkeypatch, edit, None)


def test_a_new_file_in_a_folder_is_checked(tree, capsys, monkeypatch):
    change_and_expect_a_new_check(
        tree, capsys, monkeypatch, lambda: (tree / "pkg" / "new.py").write_text("import clearbit\n"), "pkg/new.py:1:8"
    )


def test_a_deleted_file_is_noticed(tree, capsys, monkeypatch):
    change_and_expect_a_new_check(tree, capsys, monkeypatch, lambda: (tree / "app.py").unlink(), None)
    _, out = run(capsys)
    assert "app.py" not in out


def test_an_edited_requirements_include_is_noticed(tree, capsys, monkeypatch):
    change_and_expect_a_new_check(
        tree, capsys, monkeypatch, lambda: (tree / "base.txt").write_text("flask\n\nclearbit-sdk\n"), "base.txt:3:1"
    )


def test_a_missing_include_that_appears_is_noticed(tree, capsys, monkeypatch):
    (tree / "requirements.txt").write_text("-r extra.txt\n")
    change_and_expect_a_new_check(
        tree, capsys, monkeypatch, lambda: (tree / "extra.txt").write_text("clearbit\n"), "extra.txt:1:1"
    )


def test_an_edited_canon_is_noticed(tree, capsys, monkeypatch):
    change_and_expect_a_new_check(
        tree,
        capsys,
        monkeypatch,
        lambda: (tree / "canon.yaml").write_text(CANON.replace("modules: [clearbit]", "modules: [clearbit, os]")),
        "pkg/ok.py:1:8",
    )


def test_a_nearer_canon_is_noticed(tree, capsys, monkeypatch):
    monkeypatch.chdir(tree / "pkg")
    nearer = CANON.replace("modules: [clearbit]", "modules: [os]")
    change_and_expect_a_new_check(
        tree, capsys, monkeypatch, lambda: (tree / "pkg" / "canon.yaml").write_text(nearer), "ok.py:1:8: CANON101 'os'"
    )


def test_other_arguments_and_another_version_are_other_runs(tree, capsys, monkeypatch):
    run(capsys)
    assert len(records(tree)) == 1
    code, out = run(capsys, "--select", "CANON102")
    assert "CANON101" not in out and "CANON102" in out
    assert len(records(tree)) == 2
    monkeypatch.setattr(lint_canon.engine.runcache, "__version__", "99.0.0")
    run(capsys)
    assert len(records(tree)) == 3


def test_github_format_and_no_cache_leave_no_record(tree, capsys):
    run(capsys, "--format", "github")
    run(capsys, "--no-cache")
    assert records(tree) == []


def test_a_corrupt_record_is_ignored(tree, capsys):
    _, out = run(capsys)
    for record in records(tree):
        record.write_bytes(b"not json data")
    assert run(capsys) == (1, out)


@pytest.fixture
def sample(tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(REPO / "fixtures" / "outreach_repo", root)
    monkeypatch.chdir(root)
    return root


def test_the_done_doc_and_its_sql_folder_are_watched(sample, capsys, monkeypatch):
    def new_checker() -> None:
        (sample / "sql" / "more.sql").write_text(
            "CREATE FUNCTION shq.fn_check_widget_done(p_id uuid) RETURNS boolean\nLANGUAGE sql AS $$ SELECT true $$;\n"
        )

    change_and_expect_a_new_check(sample, capsys, monkeypatch, new_checker, "sql/more.sql:1:1: CANON403")
    doc = sample / "DONE_STATE_DEFINITIONS.md"
    change_and_expect_a_new_check(sample, capsys, monkeypatch, lambda: doc.write_text(doc.read_text() + "\n"), None)


def test_old_records_and_file_caches_are_pruned(tree, capsys, monkeypatch):
    monkeypatch.setattr(lint_canon.engine.runcache, "KEEP_RECORDS", 2)
    monkeypatch.setattr(lint_canon.engine.cache, "KEEP_FILE_CACHES", 2)
    for select in ("CANON101", "CANON102", "CANON1"):
        run(capsys, "--select", select)
    assert len(records(tree)) == 2
    assert len(list((tree / ".lint_canon_cache").glob("findings-*.json"))) == 2
    # The newest survive: the last run is still replayed.
    assert run(capsys, "--select", "CANON1")[1].count("CANON10") == 2


def test_edited_lint_canon_code_is_another_version(tmp_path, monkeypatch):
    # An editable install being worked on: its caches must not answer for its old code.
    package = tmp_path / "lint_canon"
    (package / "rules").mkdir(parents=True)
    (package / "engine.py").write_text("")
    monkeypatch.setattr(lint_canon.engine.runcache, "_PACKAGE", str(package))
    first = lint_canon.engine.runcache.code_stamp()
    assert lint_canon.engine.runcache.code_stamp() == first
    rule = package / "rules" / "banned_import.py"
    rule.write_text("")
    second = lint_canon.engine.runcache.code_stamp()
    assert second != first
    os.utime(rule, ns=(rule.stat().st_atime_ns, rule.stat().st_mtime_ns + 10**9))
    assert lint_canon.engine.runcache.code_stamp() not in (first, second)


def test_a_changed_mode_is_noticed(tree, capsys, monkeypatch):
    # chmod changes only the ctime: a file that could not be read may be readable now.
    target = tree / "pkg" / "ok.py"
    change_and_expect_a_new_check(tree, capsys, monkeypatch, lambda: target.chmod(0o600), None)


def test_an_edited_baseline_is_noticed(tree, capsys, monkeypatch):
    baseline = tree / ".lint_canon_cache" / "baseline.json"  # in a folder the run does not list
    assert main(["check", "--write-baseline", str(baseline)]) == 0
    capsys.readouterr()
    assert run(capsys, "--baseline", str(baseline)) == (0, "")
    assert run(capsys, "--baseline", str(baseline)) == (0, "")
    everything = baseline.read_text()
    (tree / "app.py").unlink()
    assert main(["check", "--write-baseline", str(baseline)]) == 0  # the baseline without app.py
    (tree / "app.py").write_text("import clearbit\n")
    capsys.readouterr()
    code, out = run(capsys, "--baseline", str(baseline))
    assert code == 1 and "app.py:1:8: CANON101" in out
    baseline.write_text(everything)
    assert run(capsys, "--baseline", str(baseline)) == (0, "")


def test_another_version_of_a_library_that_shapes_findings_answers_from_no_cache(tree, capsys, monkeypatch):
    """A run record and a per-file cache written with one libcst (pglast, ...) answer nothing
    once another version is installed: the run checks again and writes both anew."""
    code, out = run(capsys)
    assert code == 1 and len(records(tree)) == 1
    file_caches = sorted(p.name for p in (tree / ".lint_canon_cache").glob("findings-*.json"))
    installed = tree.parent / "site"
    (installed / "libcst-0.0.1.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(installed), *sys.path])
    monkeypatch.setattr(lint_canon.engine.runcache, "_dependencies", None)
    assert "libcst=0.0.1" in lint_canon.engine.runcache.dependency_stamp()
    assert run(capsys) == (1, out)
    assert len(records(tree)) == 2
    assert sorted(p.name for p in (tree / ".lint_canon_cache").glob("findings-*.json")) != file_caches


def test_a_replay_imports_no_canon_loader_no_yaml_and_no_engine(tree):
    """What makes a replay as fast as it is: the interpreter, the CLI and the record's module.
    Neither the canon's loader (nor yaml under it), the runner, the checker nor libcst."""
    import subprocess

    from tests.conftest import cli_env

    code = (
        "import sys\n"
        "from lint_canon.frontends.cli import main\n"
        "status = main(['check'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'libcst') or m in "
        "('lint_canon_guard.config', 'lint_canon.engine.runner', 'lint_canon.engine.checker')), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=tree, env=cli_env(), capture_output=True, text=True)
    assert first.returncode == 1 and "app.py:1:8: CANON101" in first.stdout
    assert "lint_canon.engine.runner" in first.stderr  # the first run checks
    again = subprocess.run([sys.executable, "-c", code], cwd=tree, env=cli_env(), capture_output=True, text=True)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert again.stderr == "[]\n"
