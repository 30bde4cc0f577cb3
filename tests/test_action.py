"""The composite GitHub action: its inputs, and steps that call lint-canon as the README says."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def test_composite_action():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "config", "python-version", "report", "sarif", "fail-on-findings"}
    steps = action["runs"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install --quiet "${{ github.action_path }}"' in runs
    assert "args=(check --format github)" in runs
    assert "args=(report --output ci_enforcement_report.json)" in runs
    assert "args=(check --format sarif --output lint-canon.sarif --exit-zero)" in runs
    uses = [step.get("uses", "") for step in steps]
    assert "actions/upload-artifact@v4" in uses
    assert "github/codeql-action/upload-sarif@v3" in uses
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)
    # The report and SARIF steps still run when the check step failed on findings.
    assert all("always()" in step["if"] for step in steps if step.get("name") in ("Report", "SARIF"))
