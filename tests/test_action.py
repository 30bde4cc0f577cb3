"""The composite GitHub action: its inputs, actions pinned by commit, and steps that call
lint-canon as the README says (their scripts run for real against a stand-in lint-canon)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*$")


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_composite_action():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "version",
        "args",
        "baseline",
        "working-directory",
        "paths",
        "config",
        "python-version",
        "report",
        "sarif",
        "fail-on-findings",
        "cache",
    }
    assert {
        name: ACTION["inputs"][name]["default"] for name in ("version", "args", "baseline", "working-directory")
    } == {
        "version": "",
        "args": "",
        "baseline": "",
        "working-directory": ".",
    }
    runs = "\n".join(s.get("run", "") for s in STEPS)
    assert "args=(check --format github)" in runs
    assert "args=(report --output ci_enforcement_report.json)" in runs
    assert "args=(check --format sarif --output lint-canon.sarif --exit-zero)" in runs
    assert all(s.get("shell") == "bash" for s in STEPS if "run" in s)
    # Inputs reach the scripts through the environment only: never spliced into a script.
    assert "${{" not in runs
    # The per-file cache is restored before the check (and saved by actions/cache after the job).
    names = [s.get("name") for s in STEPS]
    assert names.index("Restore the per-file cache") < names.index("Check (annotations)")
    assert step("Restore the per-file cache")["with"]["path"] == "**/.lint_canon_cache"
    assert step("Restore the per-file cache")["with"]["key"].startswith(
        "lint-canon-${{ steps.version.outputs.version }}-"
    )
    # The report and SARIF steps still run when the check step failed on findings.
    assert all("always()" in s["if"] for s in STEPS if s.get("name") in ("Report", "SARIF"))


def test_every_action_used_is_pinned_by_commit_with_its_tag_in_a_comment():
    text = (REPO / "action.yml").read_text()
    uses = re.findall(r"^\s*-?\s*uses: (.*)$", text, re.MULTILINE)
    assert [u.split("@")[0] for u in uses] == [
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
        "github/codeql-action/upload-sarif",
    ]
    assert all(PINNED.match(u) for u in uses), uses


def run_step(name: str, tmp_path: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Run a step's script with bash, ``lint-canon`` and ``python`` stand-ins that record their
    arguments: (each call's arguments, the step's outputs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("lint-canon", "python"):
        fake = bin_dir / tool
        fake.write_text(f'#!/bin/sh\nprintf "{tool}" >> "$CALLS"; printf " [%s]" "$@" >> "$CALLS"; echo >> "$CALLS"\n')
        fake.chmod(0o755)
    calls, output = tmp_path / "calls", tmp_path / "output"
    calls.write_text("")
    output.write_text("")
    full = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "CALLS": str(calls),
        "GITHUB_OUTPUT": str(output),
        **env,
    }
    subprocess.run(
        [shutil.which("bash") or "bash", "-e", "-c", step(name)["run"]], env=full, cwd=tmp_path, check=True, timeout=30
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return calls.read_text().splitlines(), outputs


def env_of(name: str, values: dict[str, str]) -> dict[str, str]:
    """The step's environment, each ``${{ ... }}`` replaced by ``values`` (keyed by the expression)."""
    out = {}
    for key, expression in step(name).get("env", {}).items():
        inner = expression.removeprefix("${{").removesuffix("}}").strip()
        out[key] = values.get(inner, "")
    return out


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps are bash")


@needs_bash
def test_install_from_the_action_checkout_or_a_version(tmp_path):
    calls, _ = run_step("Install lint-canon", tmp_path, {"VERSION": "", "ACTION_PATH": "/actions/lint-canon"})
    assert calls == ["python [-m] [pip] [install] [--quiet] [/actions/lint-canon]"]
    calls, _ = run_step("Install lint-canon", tmp_path, {"VERSION": "v0.2.0", "ACTION_PATH": "/actions/lint-canon"})
    assert calls == ["python [-m] [pip] [install] [--quiet] [lint-canon==0.2.0]"]


def locate(tmp_path: Path, **inputs: str) -> dict[str, str]:
    values = {f"inputs.{k.replace('_', '-')}": v for k, v in inputs.items()}
    _, outputs = run_step("Locate", tmp_path, env_of("Locate", values))
    return outputs


@needs_bash
def test_working_directory_prefixes_the_paths_config_and_baseline(tmp_path):
    assert locate(tmp_path, working_directory=".", paths=".", config="", baseline="") == {
        "paths": ".",
        "config": "",
        "baseline": "",
    }
    assert locate(
        tmp_path,
        working_directory="svc/",
        paths="src ops/x.py",
        config="canon.yaml",
        baseline=".lint-canon-baseline.json",
    ) == {"paths": "svc/src svc/ops/x.py", "config": "svc/canon.yaml", "baseline": "svc/.lint-canon-baseline.json"}
    assert locate(tmp_path, working_directory="svc", paths="", config="/etc/canon.yaml", baseline="") == {
        "paths": "svc/.",
        "config": "/etc/canon.yaml",
        "baseline": "",
    }


@needs_bash
def test_check_and_sarif_take_args_and_baseline(tmp_path):
    where = {
        "steps.where.outputs.config": "svc/canon.yaml",
        "steps.where.outputs.paths": "svc/src svc/ops",
        "steps.where.outputs.baseline": "svc/baseline.json",
        "inputs.args": "--select CANON1 --ignore CANON102",
        "inputs.fail-on-findings": "false",
    }
    calls, _ = run_step("Check (annotations)", tmp_path, env_of("Check (annotations)", where))
    assert calls == [
        "lint-canon [check] [--format] [github] [--config] [svc/canon.yaml] [--baseline] [svc/baseline.json]"
        " [--exit-zero] [--select] [CANON1] [--ignore] [CANON102] [svc/src] [svc/ops]"
    ]
    calls, _ = run_step("SARIF", tmp_path, env_of("SARIF", where))
    assert calls == [
        "lint-canon [check] [--format] [sarif] [--output] [lint-canon.sarif] [--exit-zero] [--config]"
        " [svc/canon.yaml] [--baseline] [svc/baseline.json] [--select] [CANON1] [--ignore] [CANON102] [svc/src] [svc/ops]"
    ]
    calls, outputs = run_step("Report", tmp_path, env_of("Report", where))
    assert calls == [
        "lint-canon [report] [--output] [ci_enforcement_report.json] [--config] [svc/canon.yaml] [--baseline]"
        " [svc/baseline.json] [svc/src] [svc/ops]"
    ]
    assert outputs == {"path": "ci_enforcement_report.json"}


@needs_bash
def test_without_optional_inputs_the_commands_are_as_before(tmp_path):
    calls, _ = run_step(
        "Check (annotations)",
        tmp_path,
        env_of("Check (annotations)", {"steps.where.outputs.paths": ".", "inputs.fail-on-findings": "true"}),
    )
    assert calls == ["lint-canon [check] [--format] [github] [.]"]
