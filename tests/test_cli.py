"""The lint-canon command as a user runs it: output, formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env


def lint_canon(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_text_output_and_exit_1(project):
    root = project({"src/app.py": "import os\nimport clearbit\n", "requirements.txt": "Clearbit==0.1\n"})
    result = lint_canon("check", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "requirements.txt:1:1: CANON102 banned package 'Clearbit' (clearbit): Clearbit contract ended; use TOOL-012\n"
        "src/app.py:2:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012\n"
    )
    assert result.stderr == ""


def test_clean_tree_exits_0_silently(project):
    root = project({"app.py": "import os\n"})
    result = lint_canon("check", ".", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_paths_relative_to_the_working_folder(project):
    root = project({"src/app.py": "import clearbit\n"})
    result = lint_canon("check", "app.py", cwd=root / "src")
    assert result.stdout.startswith("app.py:1:8: CANON101")


def test_json_format(project):
    root = project({"app.py": "import clearbit\n"})
    result = lint_canon("check", "--format", "json", cwd=root)
    report = json.loads(result.stdout)
    assert report["version"] == 1
    assert report["findings"] == [
        {
            "path": "app.py",
            "line": 1,
            "col": 8,
            "end_line": 1,
            "end_col": 16,
            "code": "CANON101",
            "name": "banned-import",
            "message": "'clearbit' is banned: Clearbit contract ended; use TOOL-012",
            "violation": "V-TOOL-002",
            "severity": "CRITICAL",
            "fix": None,
        }
    ]
    assert report["summary"] == {
        "total": 1,
        "files": 1,
        "by_code": {"CANON101": 1},
        "by_severity": {"CRITICAL": 1},
    }


def test_github_format_escapes_and_writes_step_summary(project):
    canon = 'version: 1\nbanned:\n  - reason: "100% gone,\\nsee: TOOL-012"\n    modules: [clearbit]\n'
    root = project({"a,b.py": "import clearbit\n"}, canon=canon)
    env = cli_env()
    env["GITHUB_STEP_SUMMARY"] = str(root / "summary.md")
    result = lint_canon("check", "--format", "github", cwd=root, env=env)
    assert result.returncode == 1
    assert result.stdout == (
        "::error file=a%2Cb.py,line=1,col=8,endLine=1,endColumn=16,title=CANON101 banned-import::"
        "'clearbit' is banned: 100%25 gone,%0Asee: TOOL-012\n"
    )
    summary = (root / "summary.md").read_text()
    assert (
        "| CRITICAL | CANON101 banned-import | `a,b.py:1:8` | 'clearbit' is banned: 100% gone, see: TOOL-012 |"
        in summary
    )


def test_select_ignore_and_exit_zero(project):
    root = project({"app.py": "import clearbit\n", "requirements.txt": "clearbit\n"})
    assert lint_canon("check", "--select", "CANON102", cwd=root).stdout.count("CANON") == 1
    assert lint_canon("check", "--ignore", "CANON101,CANON102", cwd=root).returncode == 0
    result = lint_canon("check", "--exit-zero", cwd=root)
    assert result.returncode == 0 and result.stdout.count("\n") == 2


def test_output_file(project):
    root = project({"app.py": "import clearbit\n"})
    result = lint_canon("check", "--format", "json", "--output", "out.json", cwd=root)
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads((root / "out.json").read_text())["summary"]["total"] == 1


def test_bad_canon_is_one_line_exit_2(project):
    root = project(
        {"app.py": "import clearbit\n"}, canon="version: 1\ntools:\n  - id: T\n    vendor: v\n    hubs: [NOPE]\n"
    )
    result = lint_canon("check", cwd=root)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "lint-canon: canon.yaml:5: tools[0].hubs[0]: unknown hub 'NOPE'; add it to 'hubs' or use one of: (none)\n"
    )


def test_missing_path_and_missing_canon(tmp_path):
    result = lint_canon("check", "nowhere", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "lint-canon: nowhere: no such file or folder\n")
    (tmp_path / "a.py").write_text("import os\n")
    result = lint_canon("check", "a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: a.py: no canon.yaml here or in any parent folder")
    assert "Traceback" not in result.stderr


def test_config_option(project):
    root = project({"app.py": "import clearbit\n", "strict.yaml": "version: 1\n"})
    given = lint_canon("check", "--config", "strict.yaml", cwd=root)
    assert (given.returncode, given.stdout, given.stderr) == (0, "", "")  # strict.yaml bans nothing
    found = lint_canon("check", cwd=root)
    assert (found.returncode, found.stdout, found.stderr) == (
        1,
        "app.py:1:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012\n",
        "",
    )


def test_rule_prints_its_page(tmp_path):
    result = lint_canon("rule", "canon101", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("# CANON101 banned-import\n")
    assert "## Why is this bad?" in result.stdout


def test_rule_list_and_unknown_code(tmp_path):
    listing = lint_canon("rule", cwd=tmp_path).stdout
    assert listing.splitlines()[0].startswith("CANON101  banned-import")
    result = lint_canon("rule", "CANON999", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "lint-canon: unknown rule code 'CANON999'; 'lint-canon rule' lists the codes\n",
    )


def test_console_script_is_installed(project):
    root = project({"app.py": "import clearbit\n"})
    script = Path(sys.executable).parent / "lint-canon"
    result = subprocess.run([str(script), "check"], cwd=root, capture_output=True, text=True, env=cli_env())
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "app.py:1:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012\n",
        "",
    )
