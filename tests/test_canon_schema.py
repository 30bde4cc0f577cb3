"""The canon's JSON Schema, generated from the validator's declaration, and every problem of a
canon reported in one run."""

from __future__ import annotations

import pickle
import subprocess
import sys

import jsonschema
import pytest
import yaml

from lint_canon_guard.config import ConfigErrors, load_canon
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.schema import SCHEMA_FILE, canon_schema, render, table
from tests.conftest import REPO, cli_env


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = canon_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator: jsonschema.Draft202012Validator, text: str) -> list[tuple[list[object], str]]:
    return sorted((list(e.absolute_path), e.validator) for e in validator.iter_errors(yaml.safe_load(text)))


def test_the_shipped_schema_is_the_generated_one():
    # Regenerate with: python -m lint_canon_guard.schema --write
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render()
    assert SCHEMA_FILE.name == "canon.schema.json"
    assert SCHEMA_FILE.parent.name == "lint_canon_guard"  # inside the package: in the wheel


def test_the_module_prints_where_the_schema_is():
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon_guard.schema"], capture_output=True, text=True, env=cli_env(), timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{SCHEMA_FILE}\n", "")


def test_the_schema_is_draft_2020_12_and_closed():
    schema = canon_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["version"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["tools"]["items"]["required"] == ["id", "vendor"]
    assert schema["properties"]["tools"]["items"]["properties"]["tier"]["enum"] == ["TIER_0", "TIER_1", "TIER_2"]


def test_the_sample_canon_is_valid(validator):
    text = (REPO / "fixtures" / "outreach_repo" / "canon.yaml").read_text()
    assert problems(validator, text) == []
    load_canon(REPO / "fixtures" / "outreach_repo" / "canon.yaml")  # and the validator agrees


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("version: 1\nhubs: HUB-A\n", [(["hubs"], "type")], id="wrong-type"),
        pytest.param(
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    gate: [x]\n",
            [(["tools", 0], "additionalProperties")],
            id="unknown-key",
        ),
        pytest.param(
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    tier: TIER_9\n",
            [(["tools", 0, "tier"], "enum")],
            id="bad-enum",
        ),
        pytest.param(
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    interactions: [READ, DELETE]\n",
            [(["tools", 0, "interactions", 1], "enum")],
            id="bad-enum-in-a-list",
        ),
        pytest.param("version: 2\n", [(["version"], "const")], id="version"),
        pytest.param("hubs: []\n", [([], "required")], id="no-version"),
        pytest.param("version: 1\nbanned:\n  - reason: old\n", [(["banned", 0], "anyOf")], id="ban-of-nothing"),
        pytest.param("version: 1\nallowed_hosts: ['https://x.io/']\n", [(["allowed_hosts", 0], "pattern")], id="host"),
        pytest.param("version: 1\nhubs: [A, A]\n", [(["hubs"], "uniqueItems")], id="listed-twice"),
        pytest.param("version: 1\nmax_file_size: 12\n", [(["max_file_size"], "oneOf")], id="size-too-small"),
        pytest.param(
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    api_key_env: HUNTER-KEY\n",
            [(["tools", 0, "api_key_env"], "anyOf")],
            id="env-name",
        ),
    ],
)
def test_the_schema_rejects_what_the_validator_rejects(validator, tmp_path, text, found):
    assert problems(validator, text) == found
    (tmp_path / "canon.yaml").write_text(text)
    with pytest.raises(ConfigError):
        load_canon(tmp_path / "canon.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nmax_file_size: 2MiB\n",
        "version: 1\nmax_file_size: 1048576\n",
        "version: 1\nallowed_hosts: [API.Example.com, '*.example.com']\n",
        "version: 1\ntools:\n  - id: T1\n    vendor: v\n    api_key_env: null\n",
        "version: 1\nbanned:\n  - reason: old\n    packages: [Clearbit_SDK]\n",
    ],
)
def test_the_schema_accepts_what_the_validator_accepts(validator, tmp_path, text):
    assert problems(validator, text) == []
    (tmp_path / "canon.yaml").write_text(text)
    load_canon(tmp_path / "canon.yaml")


def test_the_readme_table_comes_from_the_declaration():
    rows = table().splitlines()
    assert rows[0] == "| Key | Type | Required | Default | What |"
    assert '| `tools[].tier` | `TIER_0` \\| `TIER_1` \\| `TIER_2` |  | `"TIER_0"` | Its cost tier. |' in rows
    assert rows[2] == "| `version` | `1` | yes |  | The canon format: 1. |"


BROKEN = """\
version: 2
hub: [A]
tools:
  - id: T1
    vendor: 3
    tier: TIER_9
  - id: T1
exclude: build/**
"""


def test_every_problem_of_a_canon_in_one_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "canon.yaml").write_text(BROKEN)
    with pytest.raises(ConfigErrors) as info:
        load_canon(tmp_path / "canon.yaml")
    assert str(info.value).splitlines() == [
        "canon.yaml:2: hub: unknown key; did you mean 'hubs'?",
        "canon.yaml:1: version: unsupported version 2; this lint-canon reads version 1",
        "canon.yaml:5: tools[0].vendor: expected a non-empty string, got a number",
        "canon.yaml:6: tools[0].tier: 'TIER_9' is not one of TIER_0, TIER_1, TIER_2",
        "canon.yaml:7: tools[1]: missing key 'vendor'",
        "canon.yaml:8: exclude: expected a list of strings, got a string; write [build/**]",
    ]
    # The first line is what a canon with only that problem reports; flake8 pickles it.
    assert (info.value.path, info.value.line, info.value.key) == ("canon.yaml", 2, "hub")
    assert str(pickle.loads(pickle.dumps(info.value))) == str(info.value)


def test_a_problem_in_a_tool_hides_no_problem_of_the_next(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "canon.yaml").write_text(
        "version: 1\nhubs: [A]\ntools:\n  - id: T1\n    vendor: v\n    hubs: [B]\n  - id: T1\n    vendor: w\n"
        "banned:\n  - reason: old\n"
    )
    with pytest.raises(ConfigErrors) as info:
        load_canon(tmp_path / "canon.yaml")
    assert str(info.value).splitlines() == [
        "canon.yaml:6: tools[0].hubs[0]: unknown hub 'B'; add it to 'hubs' or use one of: A",
        "canon.yaml:7: tools[1].id: duplicate tool id 'T1' (first at tools[0])",
        "canon.yaml:10: banned[0]: a ban needs at least one of 'modules', 'packages', 'hosts'",
    ]


def test_many_problems_are_cut_with_a_count(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "canon.yaml").write_text("version: 1\nhubs: [" + ", ".join(["3"] * 60) + "]\n")
    with pytest.raises(ConfigErrors) as info:
        load_canon(tmp_path / "canon.yaml")
    lines = str(info.value).splitlines()
    assert len(lines) == 51
    assert lines[0] == "canon.yaml:2: hubs[0]: expected a non-empty string, got a number"
    assert lines[-1] == "canon.yaml: 10 more problems not shown; fix these first"


def test_the_command_prints_every_problem_and_exits_2(tmp_path):
    (tmp_path / "canon.yaml").write_text(BROKEN)
    (tmp_path / "app.py").write_text("import os\n")
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache"],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "lint-canon: canon.yaml:2: hub: unknown key; did you mean 'hubs'?",
        "lint-canon: canon.yaml:1: version: unsupported version 2; this lint-canon reads version 1",
        "lint-canon: canon.yaml:5: tools[0].vendor: expected a non-empty string, got a number",
        "lint-canon: canon.yaml:6: tools[0].tier: 'TIER_9' is not one of TIER_0, TIER_1, TIER_2",
        "lint-canon: canon.yaml:7: tools[1]: missing key 'vendor'",
        "lint-canon: canon.yaml:8: exclude: expected a list of strings, got a string; write [build/**]",
    ]
