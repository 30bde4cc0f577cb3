"""The wheels: rule pages inside lint-canon's, the console script and the flake8 entry point
declared; lint-canon-guard's alone in a service, writing nothing into lint_canon's folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_env


def test_wheel_ships_rule_pages_and_entry_points(tmp_path):
    _wheel(REPO, tmp_path)
    [wheel] = tmp_path.glob("lint_canon-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        declared = archive.read(entry_points).decode()
        archive.extractall(tmp_path / "site")
    assert "lint_canon/_rules/CANON101.md" in names
    assert "lint_canon/_rules/CANON102.md" in names
    assert "lint_canon/_sql/plan.txt" in names
    assert "lint_canon/_sql/2026-02-02-promotion-gate-functions.sql" in names
    assert "lint_canon/_sql/reference_schema.sql" in names
    assert "lint_canon/guard.py" in names  # the guard under lint-canon's name, from this wheel alone
    assert "lint-canon = lint_canon.frontends.cli:main" in declared
    assert "[flake8.extension]\nCAN = lint_canon.frontends.flake8_plugin:CanonPlugin" in declared

    # Installed from the wheel (no checkout beside it), `lint-canon rule` reads the packaged page.
    site = tmp_path / "site"
    env = cli_env()
    env["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lint_canon.output.docs import rules_folder, rule_doc; print(rules_folder()); print(rule_doc('CANON102').splitlines()[0]);"
            " from lint_canon.db.migrations import sql_folder, reference_schema; print(sql_folder()); print(reference_schema())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    folder, first, migrations, schema = result.stdout.splitlines()[:4]
    assert folder == str(site / "lint_canon" / "_rules")
    assert first == "# CANON102 banned-requirement"
    assert migrations == str(site / "lint_canon" / "_sql")
    assert schema == str(site / "lint_canon" / "_sql" / "reference_schema.sql")


def _wheel(source, folder) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        env=cli_env(),
        timeout=300,
    )


def _venv(folder) -> str:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    return str(folder / "bin" / "python")


def _pip(python: str, *args: str) -> None:
    result = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr


GUARD_APP = """
import importlib.util, sys
from lint_canon_guard import InteractionType, ToolCanonViolationError, enforce_tool_canon, PostgresSink
absent = [m for m in ("libcst", "pglast", "flake8", "pip_requirements_parser", "lint_canon")
          if importlib.util.find_spec(m) is None]
print("absent:", ",".join(absent))

@enforce_tool_canon("TOOL-001", "HUB-PEOPLE", InteractionType.READ, sinks=[])
def call(gate_state=None):
    return "called"

try:
    call()
except ToolCanonViolationError as exc:
    print("refused:", exc.violation.code)
"""


def test_the_guard_installs_from_its_wheel_without_the_linter(tmp_path):
    wheels = tmp_path / "wheels"
    _wheel(REPO / "guard", wheels)
    [guard] = wheels.glob("lint_canon_guard-*.whl")
    with zipfile.ZipFile(guard) as archive:
        names = set(archive.namelist())
    assert not [name for name in names if name.startswith("lint_canon/")]  # lint_canon's folder is lint-canon's
    assert "lint_canon_guard/canon.schema.json" in names  # for editors (python -m lint_canon_guard.schema)
    python = _venv(tmp_path / "app")
    _pip(python, str(guard))
    (tmp_path / "canon.yaml").write_text(
        "version: 1\nhubs: [HUB-PEOPLE, HUB-DOL]\ntools:\n  - id: TOOL-001\n    vendor: acme\n    hubs: [HUB-DOL]\n"
    )
    (tmp_path / "app.py").write_text(GUARD_APP)
    result = subprocess.run([python, "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "absent: libcst,pglast,flake8,pip_requirements_parser,lint_canon",
        "refused: V-SCOPE-001",
    ]
    installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    packages = {line.split("==")[0].lower() for line in installed.stdout.split()} - {"pip", "setuptools"}
    assert packages == {"lint-canon-guard", "pyyaml"}  # what the venv seeds aside


def test_lint_canon_installs_from_wheels_and_flake8_finds_its_plugin_when_both_are_there(tmp_path):
    wheels = tmp_path / "wheels"
    _wheel(REPO / "guard", wheels)
    _wheel(REPO, wheels)
    python = _venv(tmp_path / "env")
    _pip(python, "--find-links", str(wheels), "lint-canon")
    assert importlib_missing(python, "flake8")  # an optional dependency now
    (tmp_path / "canon.yaml").write_text('version: 1\nbanned:\n  - reason: "contract ended"\n    modules: [clearbit]\n')
    (tmp_path / "m.py").write_text("import clearbit\n")
    lint = [str(tmp_path / "env" / "bin" / "lint-canon"), "check", "m.py", "--no-cache"]
    checked = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (checked.returncode, checked.stdout) == (1, "m.py:1:8: CANON101 'clearbit' is banned: contract ended\n")
    guard = subprocess.run(
        [
            python,
            "-c",
            "import lint_canon.guard, lint_canon_guard, lint_canon_guard.guard as g;"
            " print(lint_canon.guard.enforce_tool_canon is lint_canon_guard.enforce_tool_canon is g.enforce_tool_canon)",
        ],
        capture_output=True,
        text=True,
    )
    assert guard.stdout == "True\n"
    _pip(python, "flake8")
    flake8 = [str(tmp_path / "env" / "bin" / "flake8"), "--select", "CAN", "m.py"]
    found = subprocess.run(flake8, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert found.stdout == "m.py:1:8: CANON101 'clearbit' is banned: contract ended\n", found.stderr


def importlib_missing(python: str, module: str) -> bool:
    check = f"import importlib.util; print(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([python, "-c", check], capture_output=True, text=True).stdout == "True\n"


def test_one_version_for_both_distributions_and_a_licence_that_matches():
    import tomllib

    from lint_canon import __version__
    from lint_canon_guard import __version__ as guard_version

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["tool"]["hatch"]["version"]["path"] == "guard/lint_canon_guard/__init__.py"
    assert __version__ == guard_version
    licence = project["project"]["license"]
    assert licence == tomllib.loads((REPO / "guard" / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    for text in ((REPO / "LICENSE").read_text(), (REPO / "guard" / "LICENSE").read_text()):
        assert text.startswith("MIT License\n")


# --- every install a user would try, into a fresh virtual environment ------------------------

CANON = 'version: 1\nbanned:\n  - reason: "contract ended"\n    modules: [clearbit]\n'


def _source_repository(folder: Path) -> Path:
    """This working tree's files (tracked, and new ones not ignored) as a git repository of one
    commit: what a clone of the commit about to be made holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split(b"\0")):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            target = folder / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=folder, check=True)
    subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=folder, check=True)
    return folder


def _installed(python: str) -> set[str]:
    listed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    return {line.split("==")[0].split(" @ ")[0].lower() for line in listed.stdout.split()}


def _lints(env: Path, cwd: Path) -> None:
    """The installed lint-canon finds a ban, and its guard is lint-canon-guard's."""
    (cwd / "canon.yaml").write_text(CANON)
    (cwd / "m.py").write_text("import clearbit\n")
    lint = [str(env / "bin" / "lint-canon"), "check", "m.py", "--no-cache"]
    checked = subprocess.run(lint, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert (checked.returncode, checked.stdout) == (1, "m.py:1:8: CANON101 'clearbit' is banned: contract ended\n")
    same = "import lint_canon.guard, lint_canon_guard; print(lint_canon.guard.enforce_tool_canon is lint_canon_guard.enforce_tool_canon)"
    guard = subprocess.run([str(env / "bin" / "python"), "-c", same], cwd=cwd, capture_output=True, text=True)
    assert guard.stdout == "True\n", guard.stderr


@pytest.mark.parametrize("how", ["path", "git"])
def test_pip_install_of_the_repository_gives_lint_canon_with_its_guard(tmp_path, how):
    source = _source_repository(tmp_path / "lint-canon")
    python = _venv(tmp_path / "env")
    _pip(python, str(source) if how == "path" else f"git+{source.as_uri()}")
    assert {"lint-canon", "lint-canon-guard"} <= _installed(python)
    _lints(tmp_path / "env", tmp_path)


@pytest.mark.parametrize("how", ["path", "git"])
def test_pip_install_of_the_guard_folder_gives_the_guard_alone(tmp_path, how):
    source = _source_repository(tmp_path / "lint-canon")
    python = _venv(tmp_path / "app")
    _pip(python, str(source / "guard") if how == "path" else f"git+{source.as_uri()}#subdirectory=guard")
    assert _installed(python) - {"pip", "setuptools"} == {"lint-canon-guard", "pyyaml"}
    (tmp_path / "canon.yaml").write_text(
        "version: 1\nhubs: [HUB-PEOPLE, HUB-DOL]\ntools:\n  - id: TOOL-001\n    vendor: acme\n    hubs: [HUB-DOL]\n"
    )
    (tmp_path / "app.py").write_text(GUARD_APP)
    result = subprocess.run([python, "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines() == [
        "absent: libcst,pglast,flake8,pip_requirements_parser,lint_canon",
        "refused: V-SCOPE-001",
    ], result.stderr


def test_a_release_builds_both_sdists_and_their_wheels_which_pass_twine_and_install(tmp_path):
    """scripts/build_release.sh, as .github/workflows/release.yml runs it: sdists with
    LINT_CANON_RELEASE=1, then wheels from the sdists, twine check --strict; lint-canon's pins
    the guard of its own version (an index holds both)."""
    from lint_canon_guard import __version__

    source = _source_repository(tmp_path / "lint-canon")
    dist = tmp_path / "dist"
    script = ["bash", str(source / "scripts" / "build_release.sh"), str(dist)]
    built = subprocess.run(
        script, env={**cli_env(), "PYTHON": sys.executable}, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stdout.count("PASSED") == 4  # twine check --strict, each file
    names = sorted(path.name for path in dist.iterdir())
    assert names == [
        f"lint_canon-{__version__}-py3-none-any.whl",
        f"lint_canon-{__version__}.tar.gz",
        f"lint_canon_guard-{__version__}-py3-none-any.whl",
        f"lint_canon_guard-{__version__}.tar.gz",
    ]
    with tarfile.open(dist / f"lint_canon-{__version__}.tar.gz") as sdist:
        member = sdist.extractfile(f"lint_canon-{__version__}/PKG-INFO")
        assert member is not None
        info = member.read().decode()
    with zipfile.ZipFile(dist / f"lint_canon-{__version__}-py3-none-any.whl") as wheel:
        metadata = wheel.read(f"lint_canon-{__version__}.dist-info/METADATA").decode()
        names = wheel.namelist()
    for text in (info, metadata):
        assert f"Requires-Dist: lint-canon-guard=={__version__}\n" in text
        requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
        assert not [line for line in requires if "@" in line]  # PyPI refuses a direct reference
    assert "lint_canon/py.typed" in names
    assert f"lint_canon-{__version__}.dist-info/licenses/LICENSE" in names
    with zipfile.ZipFile(dist / f"lint_canon_guard-{__version__}-py3-none-any.whl") as wheel:
        assert "lint_canon_guard/py.typed" in wheel.namelist()
    python = _venv(tmp_path / "env")
    _pip(python, "--find-links", str(dist), f"lint-canon=={__version__}")
    _lints(tmp_path / "env", tmp_path)


def test_the_release_workflow_builds_with_the_script_tests_and_then_publishes_by_trusted_publishing():
    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert "bash scripts/build_release.sh dist" in [step.get("run") for step in jobs["build"]["steps"]]
    assert jobs["test-suite"]["steps"][-1] == {"run": "bash .ci/run"}
    assert jobs["test-wheels"]["needs"] == "build"
    publish = jobs["publish"]
    assert publish["needs"] == ["test-wheels", "test-suite"]
    assert publish["permissions"] == {"id-token": "write"}  # only this job may publish
    assert publish["environment"] == "pypi"
    [upload] = [step for step in publish["steps"] if "pypi-publish" in step.get("uses", "")]
    assert "with" not in upload  # no token or password: trusted publishing
    # Every action pinned by a full commit, as action.yml pins its own.
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses and all(len(use.split("@")[1]) == 40 for use in uses)


def test_the_changelog_follows_keep_a_changelog():
    """Headings of Keep a Changelog 1.1.0 only: [Unreleased] first, then released versions
    newest first, each dated; change types only below them; a link for each version."""
    import re

    from lint_canon_guard import __version__

    text = (REPO / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## (.*)$", text, re.M)
    assert versions[0] == "[Unreleased]"
    released = [re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}", v) for v in versions[1:]]
    assert all(released), versions
    numbers = [tuple(map(int, m[1].split("."))) for m in released if m]
    assert numbers == sorted(numbers, reverse=True)
    # The version in the code is released here, or the next release ([Unreleased] holds it).
    assert not numbers or tuple(map(int, __version__.split("."))) >= numbers[0]
    kinds = set(re.findall(r"^### (.*)$", text, re.M))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert re.search(r"^\[Unreleased\]: https://github\.com/lint-canon/lint-canon/", text, re.M)
    for m in released:
        assert m and re.search(rf"^\[{re.escape(m[1])}\]: https://", text, re.M)
