"""`lint-canon init`: a draft canon.yaml from what the code uses, valid for lint-canon's own
loader, that `check --write-baseline` then adopts as it is."""

from __future__ import annotations

import shutil

from lint_canon_guard.config import load_canon
from tests.conftest import REPO
from tests.test_cli import lint_canon
from tests.test_inventory import FILES


def test_draft_of_a_small_repository(project):
    root = project(
        {**FILES, "app/alt.py": "import os\n\nTOKEN = os.environ['HUNTER_TOKEN']\n"},
        canon=None,
    )
    result = lint_canon("init", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "wrote canon.yaml: a draft canon with 2 tools (TOOL-001, TOOL-002), from 5 Python files\n"
        "next:\n"
        '  1. review canon.yaml: every "review:" comment (hubs, interactions, tiers, api_key_env)\n'
        "  2. lint-canon check --write-baseline .lint-canon-baseline.json   # record what stays\n"
        "  3. lint-canon check --baseline .lint-canon-baseline.json   # from then on (CI): only new findings\n"
    )
    assert (root / "canon.yaml").read_text() == (
        "# canon.yaml: a DRAFT written by `lint-canon init .` from what the code uses today\n"
        "# (5 Python files looked at). Nothing in it is approved yet: read every\n"
        '# "review:" comment, fix what it asks, then record what stays as the baseline:\n'
        "#   lint-canon check --write-baseline .lint-canon-baseline.json\n"
        '# The keys are described in lint-canon\'s README, section "The canon: canon.yaml".\n'
        "version: 1\n"
        "# review: does your organisation share a canon? Add to it instead of repeating it:\n"
        "# extends: ../platform/canon.yaml   (or package:NAME, an installed package's canon.yaml)\n"
        "# review: list the hubs (areas of the pipeline) tools may serve, e.g. [HUB-PEOPLE, HUB-BLOG];\n"
        "# a tool may serve only hubs listed here.\n"
        "hubs: []\n"
        "tools:\n"
        "  # hunter.io: 2 host uses in app/alt.py, app/enrich.py\n"
        "  - id: TOOL-001\n"
        "    name: hunter.io  # review: what the tool is for\n"
        "    vendor: hunter\n"
        "    # review: tier: TIER_0 | TIER_1 | TIER_2 (free, cheap, surgical); TIER_0 when left out\n"
        "    hubs: []  # review: the hubs it may serve\n"
        "    interactions: []  # review: READ | WRITE | ENRICH | VALIDATE\n"
        "    hosts: [api.hunter.io]\n"
        "    # review: our own service? then list its hosts in allowed_hosts instead of this tool\n"
        "    api_key_env: [HUNTER_API_KEY, HUNTER_TOKEN]  # review: every variable that may hold its key?\n"
        "    # review: gates (gate_state keys that must be true), human_approval\n"
        "  # OpenAI: 2 module uses in app/summary.py\n"
        "  - id: TOOL-002\n"
        "    name: OpenAI  # review: what the tool is for\n"
        "    vendor: openai\n"
        "    # review: tier: TIER_0 | TIER_1 | TIER_2 (free, cheap, surgical); TIER_0 when left out\n"
        "    hubs: []  # review: the hubs it may serve\n"
        "    interactions: []  # review: READ | WRITE | ENRICH | VALIDATE\n"
        "    modules: [openai]\n"
        "    api_key_env: OPENAI_API_KEY\n"
        "    # review: gates (gate_state keys that must be true), human_approval\n"
        "# review: secrets read that no vendor could be tied to; give each to its tool as\n"
        "# api_key_env, or they stay CANON203 findings (in the baseline):\n"
        "#   DEPLOY_TOKEN (app/deploy.py:3)\n"
    )
    canon = load_canon(root / "canon.yaml")
    assert [(t.id, t.vendor, t.modules, t.hosts, t.api_key_env) for t in canon.tools] == [
        ("TOOL-001", "hunter", (), ("api.hunter.io",), "HUNTER_API_KEY"),  # the first of its two
        ("TOOL-002", "openai", ("openai",), (), "OPENAI_API_KEY"),
    ]


def _outreach_without_canon(tmp_path):
    root = tmp_path / "outreach_repo"
    shutil.copytree(REPO / "fixtures" / "outreach_repo", root)
    (root / "canon.yaml").unlink()
    return root


def test_adopting_the_sample_repository(tmp_path):
    root = _outreach_without_canon(tmp_path)
    inventory = lint_canon("inventory", cwd=root)
    assert inventory.returncode == 0
    assert "(no canon: the built-in vendor list)" in inventory.stdout

    result = lint_canon("init", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    canon = load_canon(root / "canon.yaml")
    # The hubs the guards in the code name; a tool keeps the one id its guards name.
    assert canon.hubs == ("HUB-BLOG", "HUB-COMPANY-TARGET", "HUB-DOL", "HUB-PEOPLE")
    assert [(t.id, t.vendor, t.modules, t.hosts, t.api_key_env, t.hubs) for t in canon.tools] == [
        ("TOOL-001", "anthropic", ("anthropic",), (), None, ()),
        ("TOOL-012", "apollo", (), ("api.apollo.io",), "APOLLO_API_KEY", ()),
        ("TOOL-003", "clearbit", ("clearbit",), ("logo.clearbit.com",), None, ()),
        ("TOOL-004", "dol", (), ("efast.dol.gov",), None, ()),
        ("TOOL-005", "example", (), ("crm.internal.example.com",), None, ()),
        ("TOOL-008", "hunter", ("pyhunter",), (), None, ()),
        ("TOOL-006", "zerobounce", ("zerobounce",), (), "ZEROBOUNCE_API_KEY", ()),
    ]
    text = (root / "canon.yaml").read_text()
    assert "    # review: the guards around its calls name TOOL-002, TOOL-020\n" in text

    # Today's findings against the draft become the baseline; then the check is clean.
    assert lint_canon("check", cwd=root).returncode == 1
    written = lint_canon("check", "--write-baseline", ".lint-canon-baseline.json", cwd=root)
    assert written.returncode == 0
    assert written.stderr.startswith("lint-canon: wrote a baseline of ")
    after = lint_canon("check", "--baseline", ".lint-canon-baseline.json", cwd=root)
    assert (after.returncode, after.stdout, after.stderr) == (0, "", "")


def test_init_refuses_to_overwrite_and_force_overwrites(project):
    root = project(FILES, canon=None)
    (root / "canon.yaml").write_text("version: 1\n")
    refused = lint_canon("init", cwd=root)
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        2,
        "",
        "lint-canon: canon.yaml: already exists; pass --force to overwrite it\n",
    )
    assert (root / "canon.yaml").read_text() == "version: 1\n"
    forced = lint_canon("init", "--force", cwd=root)
    assert forced.returncode == 0
    assert [t.vendor for t in load_canon(root / "canon.yaml").tools] == ["hunter", "openai"]
    assert [p.name for p in root.iterdir() if p.name.startswith(".canon-draft-")] == []


def test_output_goes_to_the_folder_given_or_where_asked(project):
    root = project({"svc/" + name: body for name, body in FILES.items()}, canon=None)
    result = lint_canon("init", "svc", cwd=root)
    assert result.returncode == 0
    assert result.stdout.startswith("wrote svc/canon.yaml: a draft canon with 2 tools")
    assert "  2. cd svc && lint-canon check --write-baseline .lint-canon-baseline.json" in result.stdout
    assert [t.vendor for t in load_canon(root / "svc" / "canon.yaml").tools] == ["hunter", "openai"]
    elsewhere = lint_canon("init", "svc", "--output", "draft.yaml", cwd=root)
    assert elsewhere.returncode == 0
    # svc/ now has a canon: its tools are read, and the draft keeps their ids.
    assert [t.id for t in load_canon(root / "draft.yaml").tools] == ["TOOL-001", "TOOL-002"]


def test_nothing_found_is_an_empty_registry(project):
    root = project({"app.py": "print('hello')\n"}, canon=None)
    result = lint_canon("init", cwd=root)
    assert result.returncode == 0
    assert load_canon(root / "canon.yaml").tools == ()
    assert (
        "# No vendor SDK call, external request or secret read was found.\ntools: []\n"
        in (root / "canon.yaml").read_text()
    )


def test_bad_input_is_one_line_and_exit_2(project):
    root = project({"app.py": "import openai\n"}, canon=None)
    missing = lint_canon("init", "nowhere", cwd=root)
    assert (missing.returncode, missing.stderr) == (2, "lint-canon: nowhere: no such file or folder\n")
    no_folder = lint_canon("init", "--output", "no/such/canon.yaml", cwd=root)
    assert no_folder.returncode == 2
    assert no_folder.stderr.startswith("lint-canon: no/such/canon.yaml: no such folder")
