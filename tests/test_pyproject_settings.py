"""``select`` / ``ignore`` / ``exclude`` in ``[tool.lint-canon]``: applied, overridden by the
command line as ruff does, refused in one line when wrong, and part of every cache key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lint_canon.engine.suppressions import Selection, under_settings
from tests.conftest import cli_env

CANON = "version: 1\nbanned:\n  - reason: old\n    modules: [clearbit]\n    packages: [clearbit]\n"
FILES = {
    "canon.yaml": CANON,
    "app.py": "import clearbit\n",
    "legacy/old.py": "import clearbit\n",
    "requirements.txt": "clearbit==0.1\n",
}
APP = "app.py:1:8: CANON101 'clearbit' is banned: old"
OLD = "legacy/old.py:1:8: CANON101 'clearbit' is banned: old"
REQ = "requirements.txt:1:1: CANON102 banned package 'clearbit': old"


def tree(root: Path, pyproject: str | None, files: dict[str, str] = FILES) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    return root


def check(root: Path, *args: str) -> tuple[int, list[str], list[str]]:
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", *args],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout.splitlines(), result.stderr.splitlines()


def test_without_settings_everything_is_reported(tmp_path):
    assert check(tree(tmp_path, None), "--no-cache") == (1, [APP, OLD, REQ], [])


@pytest.mark.parametrize(
    ("pyproject", "args", "out"),
    [
        pytest.param('[tool.lint-canon]\nignore = ["CANON102"]\n', (), [APP, OLD], id="ignore"),
        pytest.param('[tool.lint-canon]\nselect = ["canon102"]\n', (), [REQ], id="select"),
        pytest.param('[tool.lint-canon]\nexclude = ["legacy/**"]\n', (), [APP, REQ], id="exclude"),
        # The command line wins: --select starts afresh (their select and ignore are dropped) ...
        pytest.param(
            '[tool.lint-canon]\nselect = ["CANON102"]\n', ("--select", "CANON101"), [APP, OLD], id="cli-select"
        ),
        pytest.param(
            '[tool.lint-canon]\nignore = ["CANON1"]\n', ("--select", "CANON"), [APP, OLD, REQ], id="cli-select-all"
        ),
        # ... --ignore adds to theirs, and beats a longer prefix of theirs.
        pytest.param('[tool.lint-canon]\nignore = ["CANON102"]\n', ("--ignore", "CANON101"), [], id="cli-ignore-adds"),
        pytest.param('[tool.lint-canon]\nselect = ["CANON101"]\n', ("--ignore", "CANON1"), [], id="cli-ignore-wins"),
    ],
)
def test_settings_and_the_command_line(tmp_path, pyproject, args, out):
    assert check(tree(tmp_path, pyproject), "--no-cache", *args) == (1 if out else 0, out, [])


def test_exclude_is_added_to_the_canons(tmp_path):
    files = {**FILES, "canon.yaml": CANON + "exclude: [legacy]\n"}
    root = tree(tmp_path, '[tool.lint-canon]\nexclude = ["app.py"]\n', files)
    assert check(root, "--no-cache") == (1, [REQ], [])


def test_settings_of_the_pyproject_that_names_the_canon(tmp_path):
    files = {**FILES, "policy/canon.yaml": CANON}
    del files["canon.yaml"]
    pyproject = '[tool.lint-canon]\nconfig = "policy/canon.yaml"\nignore = ["CANON102"]\nexclude = ["legacy"]\n'
    # exclude is relative to the pyproject.toml's folder, not the canon's
    assert check(tree(tmp_path, pyproject, files), "--no-cache") == (1, [APP], [])


def test_config_option_takes_the_settings_beside_the_canon(tmp_path):
    root = tree(tmp_path, '[tool.lint-canon]\nignore = ["CANON102"]\n')
    assert check(root, "--no-cache", "--config", "canon.yaml") == (1, [APP, OLD], [])


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        pytest.param(
            '[tool.lint-canon]\nselect = ["CANON1"]\nselct = ["x"]\n',
            "pyproject.toml:3: tool.lint-canon.selct: unknown key; known keys: config, exclude, ignore, per-file-ignores, select",
            id="unknown-key",
        ),
        pytest.param(
            '[tool.lint-canon]\n\nselect = ["CANON999"]\n',
            "pyproject.toml:3: tool.lint-canon.select: unknown rule code 'CANON999'; did you mean CANON903?",
            id="unknown-code",
        ),
        pytest.param(
            '[tool.lint-canon]\nignore = ["CANON1", "XYZ123"]\n',
            "pyproject.toml:2: tool.lint-canon.ignore: unknown rule code 'XYZ123'; 'lint-canon rule' lists the codes",
            id="unknown-code-far-off",
        ),
        pytest.param(
            '[tool.lint-canon]\nignore = "CANON1"\n',
            'pyproject.toml:2: tool.lint-canon.ignore: expected a list of code prefixes such as ["CANON1"], '
            "got a string",
            id="codes-not-a-list",
        ),
        pytest.param(
            '[tool.lint-canon]\nselect = ["CANON-1"]\n',
            "pyproject.toml:2: tool.lint-canon.select: 'CANON-1' is not a code prefix; write CANON, CANON1 or CANON101",
            id="not-a-code",
        ),
        pytest.param(
            '[tool.lint-canon]\nexclude = ["build", 3]\n',
            'pyproject.toml:2: tool.lint-canon.exclude: expected a list of path globs such as ["build/**"], '
            "got a list holding a number",
            id="exclude-not-globs",
        ),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(tmp_path, pyproject, message):
    assert check(tree(tmp_path, pyproject), "--no-cache") == (2, [], [f"lint-canon: {message}"])


def test_settings_with_no_canon_to_apply_to(tmp_path):
    root = tree(tmp_path, None)
    (root / "legacy" / "pyproject.toml").write_text('[tool.lint-canon]\nignore = ["CANON101"]\n')
    assert check(root, "--no-cache") == (
        2,
        [],
        [
            "lint-canon: legacy/pyproject.toml:2: tool.lint-canon.ignore: no canon.yaml here for it to apply to; "
            'add config = "path/to/canon.yaml" to this table'
        ],
    )


def test_a_changed_pyproject_is_never_answered_from_the_caches(tmp_path):
    root = tree(tmp_path, '[tool.lint-canon]\nignore = ["CANON102"]\n')
    assert check(root) == (1, [APP, OLD], [])
    assert check(root) == (1, [APP, OLD], [])  # replayed from the run record
    (root / "pyproject.toml").write_text('[tool.lint-canon]\nignore = ["CANON101"]\n')
    assert check(root) == (1, [REQ], [])
    (root / "pyproject.toml").write_text('[tool.lint-canon]\nexclude = ["legacy"]\n')
    assert check(root) == (1, [APP, REQ], [])
    (root / "pyproject.toml").unlink()
    assert check(root) == (1, [APP, OLD, REQ], [])


def test_a_pyproject_appearing_beside_a_config_canon_is_seen(tmp_path):
    root = tree(tmp_path, None)
    assert check(root, "--config", "canon.yaml") == (1, [APP, OLD, REQ], [])
    (root / "pyproject.toml").write_text('[tool.lint-canon]\nselect = ["CANON102"]\n')
    assert check(root, "--config", "canon.yaml") == (1, [REQ], [])


@pytest.mark.parametrize(
    ("cli", "select", "ignore", "given", "expected"),
    [
        (Selection(), None, (), False, Selection()),
        (Selection(), ("CANON3",), ("CANON301",), False, Selection(("CANON3",), ("CANON301",))),
        (Selection(("CANON1",)), ("CANON3",), ("CANON301",), True, Selection(("CANON1",))),
        (Selection(("CANON",), ("CANON1",)), ("CANON101", "CANON2"), (), False, Selection(("CANON2",), ("CANON1",))),
    ],
)
def test_under_settings(cli, select, ignore, given, expected):
    assert under_settings(cli, select, ignore, given) == expected
