"""CANON102: banned packages in requirements files and pyproject.toml, at the naming line."""

from __future__ import annotations

import pytest

from tests.conftest import brief, run_check


@pytest.mark.parametrize(
    ("line_text", "col"),
    [
        ("clearbit", 1),
        ("clearbit==0.1.7", 1),
        ("Clearbit_SDK[async]>=1.0", 1),
        ("clearbit.sdk ; python_version >= '3.10'", 1),
        ("clearbit==0.1.7 --hash=sha256:" + "ab" * 32, 1),
        ("clearbit @ git+https://github.com/example/clearbit.git@v1", 1),
        ("-e git+https://github.com/example/clearbit-py.git#egg=clearbit", 55),
        ("https://files.example.com/packages/clearbit-0.1.7.tar.gz", 36),
        ("https://files.example.com/packages/clearbit_sdk-1.0-py3-none-any.whl", 36),
    ],
)
def test_requirement_line_forms(project, line_text, col):
    root = project({"requirements.txt": f"requests==2.32.3\n{line_text}\nurllib3\n"})
    assert brief(run_check(root)) == [("requirements.txt", 2, col, "CANON102")]


def test_not_banned_lookalikes(project):
    root = project({"requirements.txt": "clearbit-helpers==1\nnot-clearbit\n# clearbit\n./local/clearbit_tools\n"})
    assert run_check(root) == []


def test_nested_includes_report_in_the_included_file(project):
    root = project(
        {
            "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\nrequests\n",
            "requirements/base.txt": "pyyaml\n-r ../requirements-legacy.txt\n",
            "requirements-legacy.txt": "six\nClearbit==0.1\n",
            "constraints.txt": "clearbit<1\n",
        }
    )
    assert brief(run_check(root, "requirements.txt")) == [
        ("constraints.txt", 1, 1, "CANON102"),
        ("requirements-legacy.txt", 2, 1, "CANON102"),
    ]
    # Checking the whole tree finds each once, though several files include them.
    assert brief(run_check(root)) == [
        ("constraints.txt", 1, 1, "CANON102"),
        ("requirements-legacy.txt", 2, 1, "CANON102"),
    ]


def test_include_cycle_terminates(project):
    root = project(
        {"requirements.txt": "-r requirements-dev.txt\nclearbit\n", "requirements-dev.txt": "-r requirements.txt\n"}
    )
    assert brief(run_check(root)) == [("requirements.txt", 2, 1, "CANON102")]


def test_missing_include_is_reported_and_the_rest_checked(project):
    root = project({"requirements.txt": "requests\n-r missing.txt\nclearbit\n"})
    findings = run_check(root)
    assert brief(findings) == [("requirements.txt", 2, 1, "CANON902"), ("requirements.txt", 3, 1, "CANON102")]
    assert findings[0].message == "included file 'missing.txt' does not exist"


def test_noqa_in_requirements(project):
    root = project({"requirements.txt": "clearbit==1  # noqa: CANON102\nclearbit-sdk  # noqa\n"})
    assert run_check(root) == []


PYPROJECT = """\
[build-system]
requires = ["hatchling", "clearbit-sdk"]

[project]
name = "demo"
version = "1"
dependencies = [
    "requests>=2",
    "Clearbit>=0.1",
]

[project.optional-dependencies]
legacy = ["clearbit.sdk[async]>=1; python_version >= '3.10'"]
fast = ["orjson"]

[dependency-groups]
dev = ["pytest", {include-group = "lint"}, "clearbit"]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.11"
clearbit = "^0.1"

[tool.poetry.dev-dependencies]
Clearbit_SDK = { version = "^1.0", optional = true }

[tool.poetry.group.extra.dependencies]
"clearbit-sdk" = "*"
"""


def test_pyproject_every_table(project):
    root = project({"pyproject.toml": PYPROJECT})
    assert brief(run_check(root)) == [
        ("pyproject.toml", 2, 27, "CANON102"),
        ("pyproject.toml", 9, 6, "CANON102"),
        ("pyproject.toml", 13, 12, "CANON102"),
        ("pyproject.toml", 17, 45, "CANON102"),
        ("pyproject.toml", 22, 1, "CANON102"),
        ("pyproject.toml", 25, 1, "CANON102"),
        ("pyproject.toml", 28, 2, "CANON102"),
    ]


def test_pyproject_message_names_both_spellings(project):
    root = project({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["Clearbit_SDK"]\n'})
    [finding] = run_check(root)
    assert finding.message == "banned package 'Clearbit_SDK' (clearbit-sdk): Clearbit contract ended; use TOOL-012"


def test_invalid_pyproject_is_a_syntax_finding(project):
    root = project({"pyproject.toml": '[project]\nname = "x"\ndependencies = [\n'})
    findings = run_check(root)
    assert brief(findings) == [("pyproject.toml", 3, 1, "CANON901")]
    assert findings[0].message.startswith("invalid TOML:")


def test_files_that_are_not_dependency_files_are_ignored(project):
    root = project({"notes.txt": "clearbit\n", "docs/requirements-notes.md": "clearbit\n"})
    assert run_check(root) == []
