"""The wheel: rule pages inside it, the console script and the flake8 entry point declared."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.conftest import REPO, cli_env


def test_wheel_ships_rule_pages_and_entry_points(tmp_path):
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
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        env=cli_env(),
        timeout=300,
    )
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
