"""The sample repository of the README's first command gives exactly these findings."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, cli_env

SAMPLE = REPO / "fixtures" / "outreach_repo"


def test_sample_findings():
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "."], cwd=SAMPLE, env=cli_env(), capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "outreach/company_target/legacy_clearbit.py:5:8: CANON101 'clearbit.enrichment' (under 'clearbit') is banned: "
        "Clearbit contract ended; use TOOL-012",
        "outreach/company_target/legacy_clearbit.py:9:14: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012",
        "outreach/people/slots.py:13:5: CANON101 'subprocess.Popen' is banned: spawn processes through ops/shell.py only",
        "pyproject.toml:12:6: CANON102 banned package 'clearbit': Clearbit contract ended; use TOOL-012",
        "requirements/base.txt:2:1: CANON102 banned package 'Clearbit' (clearbit): Clearbit contract ended; use TOOL-012",
    ]
