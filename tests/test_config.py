"""canon.yaml: found, loaded, and every kind of mistake reported as FILE:LINE: key.path: problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint_canon.canon.search import find_canon_file, resolve_canon
from lint_canon_guard.config import load_canon
from lint_canon_guard.errors import ConfigError
from tests.conftest import dedent

GOOD = """\
version: 1
hubs: [HUB-COMPANY-TARGET, HUB-DOL]
tools:
  - id: TOOL-008
    name: Hunter.io domain search
    vendor: hunter
    tier: TIER_2
    hubs: [HUB-COMPANY-TARGET]
    interactions: [ENRICH]
    modules: [pyhunter]
    hosts: [api.hunter.io, "*.hunter.io"]
    api_key_env: HUNTER_API_KEY
    gates: [domain_verified, mx_present]
    human_approval: false
banned:
  - reason: "Clearbit contract ended; use TOOL-012"
    modules: [clearbit]
    packages: [Clearbit_SDK]
    hosts: ["*.clearbit.com"]
allowed_hosts: [localhost, "*.internal.example.com"]
vendor_modules: [acme_enrich]
guard:
  decorators: [lint_canon.guard.enforce_tool_canon]
done_states:
  doc: DONE_STATE_DEFINITIONS.md
  sql: [sql]
exclude: ["build/**"]
type_checking_imports: ignore
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "canon.yaml"
    path.write_text(dedent(text))
    return load_canon(path)


def error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> str:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value)


def test_the_product_example_loads(tmp_path):
    canon = load(tmp_path, GOOD)
    [tool] = canon.tools
    assert (tool.id, tool.vendor, tool.tier, tool.hubs, tool.hosts) == (
        "TOOL-008",
        "hunter",
        "TIER_2",
        ("HUB-COMPANY-TARGET",),
        ("api.hunter.io", "*.hunter.io"),
    )
    assert canon.tool("TOOL-008") is tool
    assert canon.banned[0].packages == ("clearbit-sdk",)
    assert canon.banned_module("clearbit.enrichment.Company")[0] == "clearbit"
    assert canon.banned_module("clearbit_helper") is None
    assert canon.banned_package("clearbit.SDK") is canon.banned[0]
    assert canon.root == tmp_path
    assert canon.done_doc == "DONE_STATE_DEFINITIONS.md"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nhubs: [A\n", "canon.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("version: 1\n  bad: indent\n", "canon.yaml:2: invalid YAML: mapping values are not allowed here"),
        ("", "canon.yaml:1: the canon is empty; start from the example in the README"),
        ("- 1\n- 2\n", "canon.yaml:1: expected a mapping, got a list"),
        ("hubs: []\n", "canon.yaml:1: missing key 'version'; the canon format is 'version: 1'"),
        ("version: 2\n", "canon.yaml:1: version: unsupported version 2; this lint-canon reads version 1"),
        ("version: 1\nhub: [A]\n", "canon.yaml:2: hub: unknown key; did you mean 'hubs'?"),
        ("version: 1\nhubs: [A]\nhubs: [B]\n", "canon.yaml:3: hubs: duplicate key"),
        ("version: 1\nhubs: HUB-A\n", "canon.yaml:2: hubs: expected a list of strings, got a string; write [HUB-A]"),
        ("version: 1\nhubs: [A, 3]\n", "canon.yaml:2: hubs[1]: expected a non-empty string, got a number"),
        ("version: 1\nhubs: [A, A]\n", "canon.yaml:2: hubs[1]: 'A' is listed twice"),
        (
            "version: 1\nhubs: [A]\ntools:\n  - id: T1\n    vendor: v\n    hubs: [A, B]\n",
            "canon.yaml:6: tools[0].hubs[1]: unknown hub 'B'; add it to 'hubs' or use one of: A",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n  - id: T1\n    vendor: w\n",
            "canon.yaml:5: tools[1].id: duplicate tool id 'T1' (first at tools[0])",
        ),
        ("version: 1\ntools:\n  - id: T1\n", "canon.yaml:3: tools[0]: missing key 'vendor'"),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    tier: TIER_9\n",
            "canon.yaml:5: tools[0].tier: 'TIER_9' is not one of TIER_0, TIER_1, TIER_2",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    interactions: [READ, DELETE]\n",
            "canon.yaml:5: tools[0].interactions[1]: 'DELETE' is not one of READ, WRITE, ENRICH, VALIDATE",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    hosts:\n      - api.ok.io\n      - https://api.hunter.io/v2\n",
            "canon.yaml:7: tools[0].hosts[1]: 'https://api.hunter.io/v2' is not a host pattern; write a host name "
            "such as api.example.com or *.example.com (no scheme, path or port)",
        ),
        (
            'version: 1\nallowed_hosts: ["*example.com"]\n',
            "canon.yaml:2: allowed_hosts[0]: '*example.com' is not a host pattern; write a host name such as "
            "api.example.com or *.example.com (no scheme, path or port)",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    human_approval: maybe\n",
            "canon.yaml:5: tools[0].human_approval: expected true or false, got a string",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    api_key_env: HUNTER-KEY\n",
            "canon.yaml:5: tools[0].api_key_env: 'HUNTER-KEY' is not an environment variable name",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    modules: [py-hunter]\n",
            "canon.yaml:5: tools[0].modules[0]: 'py-hunter' is not a dotted module name",
        ),
        (
            "version: 1\ntools:\n  - id: T1\n    vendor: v\n    gate: [x]\n",
            "canon.yaml:5: tools[0].gate: unknown key; did you mean 'gates'?",
        ),
        (
            "version: 1\nbanned:\n  - modules: [x]\n",
            "canon.yaml:3: banned[0]: missing key 'reason'; say why it is banned and what to use instead",
        ),
        (
            "version: 1\nbanned:\n  - reason: old\n",
            "canon.yaml:3: banned[0]: a ban needs at least one of 'modules', 'packages', 'hosts'",
        ),
        (
            "version: 1\nbanned:\n  - reason: old\n    packages: ['bad name']\n",
            "canon.yaml:4: banned[0].packages[0]: 'bad name' is not a distribution name",
        ),
        ("version: 1\nguard: [x]\n", "canon.yaml:2: guard: expected a mapping, got a list"),
        (
            "version: 1\ntype_checking_imports: warn\n",
            "canon.yaml:2: type_checking_imports: 'warn' is not one of ignore, flag",
        ),
        ("version: 1\ntools: {id: T1}\n", "canon.yaml:2: tools: expected a list of tools, got a mapping"),
    ],
)
def test_every_kind_of_mistake_is_one_line(tmp_path, monkeypatch, text, message):
    assert error(tmp_path, monkeypatch, text) == message


def test_found_by_walking_up(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_canon_file(deep) == tmp_path / "canon.yaml"
    assert find_canon_file(deep / "x.py") == tmp_path / "canon.yaml"


def test_pyproject_names_the_canon(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "tools.yaml").write_text("version: 1\nhubs: [X]\n")
    (tmp_path / "pyproject.toml").write_text('[tool.lint-canon]\nconfig = "policy/tools.yaml"\n')
    assert find_canon_file(tmp_path) == tmp_path / "policy" / "tools.yaml"
    assert resolve_canon(None, tmp_path).hubs == ("X",)


def test_pyproject_without_section_falls_through_to_canon_yaml(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_canon_file(tmp_path) == tmp_path / "canon.yaml"


def test_config_option_wins(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\nhubs: [FOUND]\n")
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\nhubs: [NAMED]\n")
    assert resolve_canon(other, tmp_path).hubs == ("NAMED",)


def test_no_canon_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        ConfigError, match=r"no canon.yaml here or in any parent folder; create one .* or pass --config FILE"
    ):
        resolve_canon(None, tmp_path)


def test_missing_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        resolve_canon(tmp_path / "nope.yaml", tmp_path)
    assert str(info.value) == "nope.yaml: no such file; check --config or [tool.lint-canon] config"


def test_bad_pyproject_section(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.lint-canon]\nconfig = 3\n")
    with pytest.raises(ConfigError) as info:
        find_canon_file(tmp_path)
    assert str(info.value) == "pyproject.toml: tool.lint-canon.config: expected the path of a canon.yaml"


def test_broken_pyproject_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.lint-canon]\nconfig = "x\n')
    with pytest.raises(ConfigError) as info:
        find_canon_file(tmp_path)
    assert str(info.value) == "pyproject.toml:2: invalid TOML: Illegal character '\\n'"
