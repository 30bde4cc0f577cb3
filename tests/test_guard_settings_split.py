"""``[tool.lint-canon]`` is the linter's: a mistake in it stops ``lint-canon check`` with its line,
and never a guarded call. The guard reads ``config`` alone (lint_canon_guard.locate) and finds
the canon the linter finds wherever the table is right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lint_canon.canon.search import find_canon_file
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.guard import InteractionType, ToolCanonViolationError, enforce_tool_canon
from tests.conftest import cli_env

CANON = """\
version: 1
hubs: [HUB-A, HUB-B]
tools:
  - id: TOOL-1
    vendor: acme
    hubs: [HUB-A]
    interactions: [READ]
"""
NAMES = 'config = "policy/canon.yaml"\n'  # not the folder's canon.yaml: the guard must read it


def service(root: Path, pyproject: str) -> Path:
    (root / "policy").mkdir()
    (root / "policy" / "canon.yaml").write_text(CANON)
    (root / "app.py").write_text("import os\n")
    (root / "pyproject.toml").write_text(pyproject)
    return root


def lint(root: Path) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache"],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def in_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder of a service whose guard finds its canon itself."""
    monkeypatch.delenv("LINT_CANON_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("pyproject", "reported"),
    [
        pytest.param(
            f'[tool.lint-canon]\n{NAMES}exclud = ["x"]\n',
            "pyproject.toml:3: tool.lint-canon.exclud: unknown key; known keys: config, exclude, ignore, per-file-ignores, select",
            id="misspelt-key",
        ),
        pytest.param(
            f'[project]\nname = "svc"\n\n[tool.lint-canon]\n{NAMES}select = "CANON1"\n',
            'pyproject.toml:6: tool.lint-canon.select: expected a list of code prefixes such as ["CANON1"], '
            "got a string",
            id="value-of-the-wrong-type",
        ),
        pytest.param(
            f'[tool.lint-canon]\n{NAMES}exclud = ["x"]\nselect = [CANON1]\n',
            "pyproject.toml:4: invalid TOML: Invalid value",
            id="misspelt-key-and-invalid-toml",
        ),
        pytest.param(
            f'[tool.lint-canon]\n{NAMES}exclude = ["legacy/**"\n',
            "pyproject.toml:3: invalid TOML: Unclosed array",
            id="invalid-toml-after-config",
        ),
    ],
)
def test_a_broken_linter_setting_never_reaches_a_guarded_call(in_service, pyproject, reported):
    root = service(in_service, pyproject)

    @enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.READ, sinks=[])
    def allowed() -> str:
        return "called"

    @enforce_tool_canon("TOOL-1", "HUB-B", InteractionType.READ, sinks=[])
    def out_of_scope() -> str:
        return "called"

    # The guard loads the canon the table names, and enforces it: the first call of a service.
    assert allowed() == "called"
    with pytest.raises(ToolCanonViolationError) as refused:
        out_of_scope()
    assert refused.value.violation is not None and refused.value.violation.code == "V-SCOPE-001"
    # The linter, on the same project, reports the mistake exactly as it always has.
    assert lint(root) == (2, "", f"lint-canon: {reported}\n")


LAYOUTS = {
    "canon-yaml": {"canon.yaml": CANON},
    "named-wins-over-canon-yaml": {
        "canon.yaml": CANON,
        "policy/tools.yaml": CANON,
        "pyproject.toml": '[tool.lint-canon]\nconfig = "policy/tools.yaml"\n',
    },
    "no-table": {"canon.yaml": CANON, "pyproject.toml": '[project]\nname = "svc"\n'},
    "settings-only": {"canon.yaml": CANON, "pyproject.toml": '[tool.lint-canon]\nignore = ["CANON102"]\n'},
    "inline-table": {
        "policy/tools.yaml": CANON,
        "pyproject.toml": '[tool]\nlint-canon = {config = "policy/tools.yaml"}\n',
    },
    "quoted-names": {
        "policy/tools.yaml": CANON,
        "pyproject.toml": "[tool.\"lint-canon\"]\n'config' = 'policy/tools.yaml'\n",
    },
    "from-a-parent": {"canon.yaml": CANON, "svc/pyproject.toml": '[project]\nname = "svc"\n', "svc/app.py": ""},
    "a-parents-table": {
        "policy/tools.yaml": CANON,
        "pyproject.toml": '[tool.lint-canon]\nconfig = "policy/tools.yaml"\n',
        "svc/app.py": "",
    },
    "none": {"svc/app.py": ""},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_guard_finds_the_canon_the_linter_finds(tmp_path, layout):
    from lint_canon_guard.locate import find_canon

    (tmp_path / ".git").mkdir()  # the repository: the linter's bound for `config`, and above it nothing
    for name, text in LAYOUTS[layout].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    start = tmp_path / "svc" if (tmp_path / "svc").is_dir() else tmp_path
    found = find_canon_file(start)
    assert find_canon(start) == found
    if layout == "none":
        assert found is None or not found.is_relative_to(tmp_path)
    else:
        assert found is not None and found.read_text() == CANON


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        pytest.param(
            "[tool.lint-canon]\nconfig = 3\n",
            "pyproject.toml: tool.lint-canon.config: expected the path of a canon.yaml",
            id="not-a-path",
        ),
        pytest.param(
            '[tool.lint-canon]\nexclud = ["x"]\nconfig = "policy/canon.yaml\n',
            'pyproject.toml:3: tool.lint-canon.config: not TOML; write it as config = "path/to/canon.yaml" '
            "(lint-canon check says what is wrong)",
            id="its-own-line-broken",
        ),
    ],
)
def test_a_config_the_guard_cannot_read_is_a_config_error(in_service, pyproject, message):
    # `config` is the guard's key too: guessing another canon would enforce the wrong rules.
    from lint_canon_guard.locate import find_canon

    service(in_service, pyproject)
    (in_service / "canon.yaml").write_text(CANON)
    with pytest.raises(ConfigError) as info:
        find_canon(in_service)
    assert str(info.value) == message
