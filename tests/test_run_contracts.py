"""The run's contracts at its edges (issue 23, point 5): usage errors in one line, options and
canon entries that mean nothing refused with what to do, the hint toward ``lint-canon init``."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from lint_canon.frontends.cli import main
from lint_canon_guard.schema import canon_schema


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's exits
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("check", "--select", ""),
            "lint-canon check: argument --select: give one or more rule codes or prefixes, such as CANON3 or "
            "CANON101 (see lint-canon check --help)\n",
        ),
        (
            ("check", "--ignore", " , "),
            "lint-canon check: argument --ignore: give one or more rule codes or prefixes, such as CANON3 or "
            "CANON101 (see lint-canon check --help)\n",
        ),
        (("check", "--bogus"), "lint-canon: unrecognized arguments: --bogus (see lint-canon --help)\n"),
        (("sql",), "lint-canon sql: the following arguments are required: ACTION (see lint-canon sql --help)\n"),
    ],
)
def test_usage_errors_are_one_line(project, capsys, args, error):
    project({"a.py": "print(1)\n"})
    assert run(capsys, *args) == (2, "", error)


def test_no_canon_points_at_init(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("print(1)\n")
    assert run(capsys, "check", "a.py") == (
        2,
        "",
        "lint-canon: a.py: no canon.yaml here or in any parent folder; create one with `lint-canon init` or pass "
        "--config FILE\n",
    )


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            "guard:\n  decorators: []\n",
            "canon.yaml:4: guard.decorators: expected a list of at least 1 qualified name, got an empty list",
        ),
        ('exclude: [""]\n', "canon.yaml:3: exclude[0]: expected a non-empty string, got an empty one"),
    ],
)
def test_canon_entries_that_mean_nothing_are_refused(project, capsys, entry, error):
    canon = "version: 1\nhubs: [HUB-A]\n" + entry
    project({"a.py": "print(1)\n"}, canon=canon)
    assert run(capsys, "check", "a.py") == (2, "", f"lint-canon: {error}\n")
    # the JSON schema editors validate with says the same
    problems = list(jsonschema.Draft202012Validator(canon_schema()).iter_errors(yaml.safe_load(canon)))
    assert len(problems) == 1


def test_init_force_replaces_only_a_regular_file_and_keeps_its_mode(project, capsys, tmp_path_factory):
    import os
    import stat

    root = project({"app.py": "import requests\n"}, canon=None)
    (root / "canon.yaml").write_text("version: 1\nhubs: [HUB-A]\n")  # an old canon
    (root / "canon.yaml").chmod(0o640)
    assert run(capsys, "init", "--force")[0] == 0
    assert stat.S_IMODE((root / "canon.yaml").stat().st_mode) == 0o640
    assert "version: 1" in (root / "canon.yaml").read_text()

    elsewhere = tmp_path_factory.mktemp("elsewhere") / "kept.yaml"
    elsewhere.write_text("kept\n")
    (root / "linked.yaml").symlink_to(elsewhere)
    os.mkfifo(root / "fifo.yaml")
    for name, kind in (("linked.yaml", "a symbolic link"), ("fifo.yaml", "not a regular file")):
        code, out, err = run(capsys, "init", "--output", name, "--force")
        assert (code, out, err) == (2, "", f"lint-canon: {name}: is {kind}; give --output a regular file's path\n")
    assert elsewhere.read_text() == "kept\n"
    assert (root / "linked.yaml").is_symlink()
    assert stat.S_ISFIFO((root / "fifo.yaml").stat().st_mode)


def test_the_cache_key_holds_the_guard_distribution():
    from pathlib import Path

    import lint_canon_guard
    from lint_canon.engine import runcache

    assert runcache._guard_package() == str(Path(lint_canon_guard.__file__).parent)
    assert f"lint_canon_guard={lint_canon_guard.__version__}" in runcache.dependency_stamp()


def test_a_cache_that_cannot_be_written_leaves_nothing_behind(project):
    import resource
    import signal
    import subprocess
    import sys

    from tests.conftest import cli_env

    root = project({"app.py": "import clearbit\n"})

    def limited() -> None:  # any write past 64 bytes fails (EFBIG): the cache files cannot be written
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    code = "from lint_canon.frontends.cli import main; raise SystemExit(main(['check', 'app.py']))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=cli_env(), capture_output=True, text=True, preexec_fn=limited
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("app.py:1:8: CANON101")
    left = [path.name for path in root.rglob("*") if path.name.startswith(".tmp")]
    assert left == []


def test_a_line_break_in_a_url_or_a_file_name_cannot_split_a_finding(project, capsys):
    canon = 'version: 1\nhubs: [HUB-A]\nbanned:\n  - reason: "no"\n    hosts: ["*.evil"]\n'
    root = project(
        {
            "hosts.py": 'import requests\n\nrequests.get("https://api.x.com\\n.evil/")\n',  # no host holds a line break
            "na\nme.py": 'import requests\n\nrequests.get("https://api.x.evil/")\n',
        },
        canon=canon,
    )
    assert (root / "na\nme.py").exists()
    assert run(capsys, "check", "--no-cache") == (
        1,
        "na\\nme.py:3:1: CANON202 request to banned host 'api.x.evil': no\n",
        "",
    )


def test_a_file_name_that_is_not_utf8_is_valid_json(project, capsys):
    import json
    import os

    canon = 'version: 1\nhubs: [HUB-A]\nbanned:\n  - reason: "no"\n    modules: [clearbit]\n'
    root = project({}, canon=canon)
    with open(os.path.join(os.fsencode(root), b"bad\xff.py"), "wb") as handle:
        handle.write(b"import clearbit\n")
    code, out, _ = run(capsys, "check", "--no-cache", "--format", "json")
    assert code == 1
    out.encode("utf-8")  # raises on a lone surrogate written as is
    assert [finding["code"] for finding in json.loads(out)["findings"]] == ["CANON101"]


def test_a_baseline_nested_too_deeply_is_a_one_line_error(project, capsys):
    root = project({"a.py": "print(1)\n"}, canon="version: 1\nhubs: [HUB-A]\n")
    (root / "base.json").write_text("[" * 100_000 + "]" * 100_000)
    assert run(capsys, "check", "--no-cache", "--baseline", "base.json", "a.py") == (
        2,
        "",
        "lint-canon: base.json: not a lint-canon baseline: nested too deeply\n",
    )


def test_a_malformed_pyproject_that_is_checked_is_its_finding_and_the_run_goes_on(project, capsys):
    root = project(
        {"a.py": "import clearbit\n", "service/pyproject.toml": "[project\nname = 'x'\n"},
        canon='version: 1\nhubs: [HUB-A]\nbanned:\n  - reason: "no"\n    modules: [clearbit]\n',
    )
    assert run(capsys, "check", "--no-cache") == (
        1,
        "a.py:1:8: CANON101 'clearbit' is banned: no\n"
        "service/pyproject.toml:1:1: CANON901 invalid TOML: Expected ']' at the end of a table declaration\n",
        "",
    )
    # one that may hold the run's own settings ([tool.lint-canon]) stops it: they cannot be read
    (root / "pyproject.toml").write_text("[tool.lint-canon\nconfig = 'canon.yaml'\n")
    assert run(capsys, "check", "--no-cache") == (
        2,
        "",
        "lint-canon: pyproject.toml:1: invalid TOML: Expected ']' at the end of a table declaration\n",
    )


def test_the_files_a_canon_names_are_its_repositorys_own(project, capsys, tmp_path_factory):
    import os

    outside = tmp_path_factory.mktemp("outside")
    (outside / "secrets.md").write_text("| Function | Hub | DONE Criteria |\n|---|---|---|\n| `x` | y | z |\n")
    root = project({"a.py": "x = 1\n", "sql/checkers.sql": "SELECT 1;\n"}, canon=None)
    (root / ".git").mkdir()
    (root / "services").mkdir()
    os.symlink(outside / "secrets.md", root / "linked.md")
    os.mkfifo(root / "fifo.md")
    cases = [
        (f"doc: {outside / 'secrets.md'}", f"done_states.doc: {outside / 'secrets.md'} is outside"),
        ("doc: ../outside.md", "done_states.doc: ../outside.md is outside"),
        ("doc: linked.md", "done_states.doc: linked.md is outside"),  # a link out of it
        ("doc: fifo.md", "done_states.doc: fifo.md is not a regular file; name the file itself"),
    ]
    for entry, problem in cases:
        (root / "canon.yaml").write_text(f"version: 1\ndone_states:\n  {entry}\n  sql: [sql]\n")
        code, out, err = run(capsys, "check", "a.py")
        assert (code, out) == (2, ""), entry
        assert err.startswith(f"lint-canon: canon.yaml:3: {problem}"), err
    # a canon in a sub-project may name the repository's files above its folder
    (root / "services" / "canon.yaml").write_text("version: 1\ndone_states:\n  doc: ../DONE.md\n  sql: [../sql]\n")
    (root / "DONE.md").write_text("| Function | Hub | DONE Criteria |\n|---|---|---|\n")
    assert run(capsys, "check", "--config", "services/canon.yaml", "a.py") == (0, "", "")


def test_the_canon_a_pyproject_names_is_its_repositorys_own(project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "canon.yaml").write_text("version: 1\n")
    root = project({"a.py": "x = 1\n"}, canon=None)
    (root / ".git").mkdir()
    (root / "pyproject.toml").write_text(f'[tool.lint-canon]\nconfig = "{outside / "canon.yaml"}"\n')
    code, out, err = run(capsys, "check", "a.py")
    assert (code, out) == (2, "")
    assert err == (
        f"lint-canon: pyproject.toml:2: tool.lint-canon.config: {outside / 'canon.yaml'} is outside the repository "
        "(.); name a canon.yaml inside it\n"
    )


def test_a_canon_names_markdown_sql_and_models_only(project, capsys):
    root = project({"a.py": "x = 1\n", "notes.txt": "secret\n", "keys.pem": "secret\n"}, canon=None)
    (root / "canon.yaml").write_text("version: 1\ndone_states:\n  doc: notes.txt\n  sql: [keys.pem]\n")
    assert run(capsys, "check", "a.py") == (
        2,
        "",
        "lint-canon: canon.yaml:3: done_states.doc: notes.txt is not a .md or .markdown file\n"
        "lint-canon: canon.yaml:4: done_states.sql[0]: keys.pem is not a .sql file\n",
    )


def test_a_requirements_include_outside_the_repository_is_not_read(project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret-token-AAAA not a requirement ===\n")
    root = project({"sub/base.txt": "requests\n"}, canon="version: 1\nhubs: [HUB-A]\n")
    (root / ".git").mkdir()
    (root / "requirements.txt").write_text(f"-r sub/base.txt\n-r {outside}\n")
    code, out, err = run(capsys, "check", "--no-cache", "--show-source", "requirements.txt")
    assert (code, err) == (1, "")
    assert out == (
        f"requirements.txt:2:1: CANON902 included file '{outside}' is outside the repository; not read\n"
        f"-r {outside}\n^\n"
    )
    assert "secret-token" not in out


@pytest.mark.parametrize("command", ["check", "inventory"])
def test_a_path_longer_than_the_system_allows_is_a_one_line_error(project, capsys, command):
    project({"a.py": "print(1)\n"})
    deep = "a/" * 3000 + "x.py"
    assert run(capsys, command, deep) == (
        2,
        "",
        f"lint-canon: {deep}: path too long for the system (shorten it, or run from a folder nearer the file)\n",
    )
    long_name = "b" * 300 + ".json"
    code, out, err = run(capsys, "check", "--baseline", long_name, "a.py")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"lint-canon: {long_name}: cannot read the baseline: ")
