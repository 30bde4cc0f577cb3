"""Canons for an organisation: a service's canon ``extends`` a shared one (a path or an installed
package's resource) and adds to it; the merge rules, each conflict's message with both files'
lines, ``lint-canon canon show``, and the example under fixtures/organisation."""

from __future__ import annotations

from dataclasses import is_dataclass, replace
from pathlib import Path

import pytest

from lint_canon_guard.config import canon_from_text, explain_canon, load_canon
from lint_canon_guard.errors import ConfigError
from tests.conftest import REPO, run_cli, write_tree

ORGANISATION = REPO / "fixtures" / "organisation"
BASE = """version: 1
hubs: [HUB-PEOPLE, HUB-COMPANY]
tools:
  - id: TOOL-012
    vendor: apollo
    hubs: [HUB-PEOPLE]
    interactions: [READ]
    hosts: [api.apollo.io]
banned:
  - reason: "contract ended"
    modules: [clearbit]
    hosts: ["*.clearbit.com"]
allowed_hosts: ["*.internal.example.com"]
exclude: ["**/migrations/**"]
max_file_size: 1MB
"""


def service(tmp_path: Path, canon: str, base: str = BASE) -> Path:
    write_tree(tmp_path, {"shared/canon.yaml": base, "svc/canon.yaml": canon})
    return tmp_path / "svc" / "canon.yaml"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The tests of messages run in tmp_path: the paths they print are relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problem(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_canon(path)
    return "\n".join(getattr(caught.value, "lines", None) or (str(caught.value),))


# --- the example under fixtures/organisation ----------------------------------------------


def test_two_services_extending_the_platform_canon_get_its_rules_and_their_own():
    billing = run_cli(ORGANISATION / "billing-service", "check", "--no-cache", ".")
    assert (billing.returncode, billing.stderr) == (1, "")
    assert billing.stdout.splitlines() == [
        "billing/charge.py:3:8: CANON101 'braintree' is banned: use Stripe (TOOL-040) for every payment",
        "billing/charge.py:15:5: CANON301 call to TOOL-040 ('stripe') in 'refund', which lacks the guard; decorate it "
        'with @enforce_tool_canon("TOOL-040", "HUB-BILLING", InteractionType.WRITE)',
        "billing/lookup.py:3:8: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012",
        "billing/lookup.py:8:12: CANON301 call to TOOL-012 (host 'api.apollo.io') in 'payer', which lacks the guard; "
        'decorate it with @enforce_tool_canon("TOOL-012", HUB, InteractionType...) (HUB: one of HUB-PEOPLE, '
        "HUB-COMPANY-TARGET; InteractionType: one of READ, ENRICH)",
    ]
    search = run_cli(ORGANISATION / "search-service", "check", "--no-cache", ".")
    assert (search.returncode, search.stderr) == (1, "")
    assert search.stdout.splitlines() == [
        "search/api.py:5:6: CANON101 'elasticsearch' is banned: the search index is queried through search/index.py only",
        "search/api.py:9:5: CANON101 'subprocess.Popen' is banned: spawn processes through the platform's ops.shell only",
    ]


def test_canon_show_prints_the_merged_canon_with_each_entrys_file_and_line():
    shown = run_cli(ORGANISATION / "billing-service", "canon", "show")
    assert (shown.returncode, shown.stderr) == (0, "")
    lines = shown.stdout.splitlines()
    assert lines[:8] == [
        "# canon.yaml, extending ../platform-canon/canon.yaml",
        "# each entry: the file and line that wrote it",
        "version: 1  # canon.yaml:2",
        "hubs:",
        "  - HUB-PEOPLE  # ../platform-canon/canon.yaml:4",
        "  - HUB-COMPANY-TARGET  # ../platform-canon/canon.yaml:4",
        "  - HUB-BILLING  # canon.yaml:4",
        "tools:",
    ]
    assert "  - id: TOOL-012  # ../platform-canon/canon.yaml:6" in lines
    assert "  - id: TOOL-040  # canon.yaml:6" in lines
    assert "  - reason: use Stripe (TOOL-040) for every payment  # canon.yaml:14" in lines
    assert "  - '*.internal.example.com'  # ../platform-canon/canon.yaml:20" in lines
    # What it prints is a canon: the merged one.
    merged = load_canon(ORGANISATION / "billing-service" / "canon.yaml")
    printed = canon_from_text(ORGANISATION / "billing-service" / "canon.yaml", shown.stdout)
    for field in ("hubs", "tools", "banned", "allowed_hosts", "exclude", "guard_decorators", "max_file_size"):
        assert unplaced(getattr(printed, field)) == unplaced(getattr(merged, field)), field


def unplaced(value):
    """Tools and bans without their lines (the printed canon has its own)."""
    if isinstance(value, tuple):
        return tuple(replace(x, line=0) if is_dataclass(x) else x for x in value)
    return value


# --- merge rules --------------------------------------------------------------------------


def test_lists_are_joined_the_shared_ones_first_and_other_keys_are_the_services(tmp_path):
    path = service(
        tmp_path,
        "version: 1\nextends: ../shared/canon.yaml\nhubs: [HUB-COMPANY, HUB-BILLING]\n"
        "tools:\n  - id: TOOL-040\n    vendor: stripe\n    hubs: [HUB-BILLING]\n    modules: [stripe]\n"
        "banned:\n  - reason: one provider\n    modules: [braintree]\n"
        "exclude: [legacy/**]\nmax_file_size: 2MB\n",
    )
    canon = load_canon(path)
    assert canon.hubs == ("HUB-PEOPLE", "HUB-COMPANY", "HUB-BILLING")  # a hub both list: once
    assert [t.id for t in canon.tools] == ["TOOL-012", "TOOL-040"]
    assert [b.modules for b in canon.banned] == [("clearbit",), ("braintree",)]
    assert canon.allowed_hosts == ("*.internal.example.com",)  # the service lists none: the shared ones
    assert canon.exclude == ("**/migrations/**", "legacy/**")
    assert canon.max_file_size == 2_000_000  # the service's value wins where it gives one
    assert canon.extends == (tmp_path / "shared" / "canon.yaml",)
    explained = explain_canon(path)
    assert explained.origin(("tools", 0)) == (tmp_path / "shared" / "canon.yaml", 4)
    assert explained.origin(("tools", 1)) == (path, 5)


def test_a_chain_of_canons_and_a_canon_shipped_in_a_package(tmp_path, monkeypatch):
    # The organisation's canon as a pip package (acme_canon/canon.yaml), found without importing it.
    write_tree(tmp_path, {"site/acme_canon/__init__.py": "raise RuntimeError('never imported')\n"})
    write_tree(
        tmp_path, {"site/acme_canon/canon.yaml": BASE, "site/acme_canon/strict.yaml": "version: 1\nhubs: [HUB-X]\n"}
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    write_tree(tmp_path, {"team/canon.yaml": "version: 1\nextends: package:acme_canon\nhubs: [HUB-TEAM]\n"})
    write_tree(tmp_path, {"team/svc/canon.yaml": "version: 1\nextends: ../canon.yaml\nhubs: [HUB-SVC]\n"})
    canon = load_canon(tmp_path / "team" / "svc" / "canon.yaml")
    assert canon.hubs == ("HUB-PEOPLE", "HUB-COMPANY", "HUB-TEAM", "HUB-SVC")
    assert canon.extends == (tmp_path / "team" / "canon.yaml", tmp_path / "site" / "acme_canon" / "canon.yaml")
    write_tree(tmp_path, {"other/canon.yaml": "version: 1\nextends: package:acme_canon/strict.yaml\n"})
    assert load_canon(tmp_path / "other" / "canon.yaml").hubs == ("HUB-X",)


def test_an_edit_of_the_shared_canon_reaches_a_cached_run_of_the_service(tmp_path):
    service(tmp_path, "version: 1\nextends: ../shared/canon.yaml\n")
    write_tree(tmp_path, {"svc/app.py": "import braintree\n"})
    first = run_cli(tmp_path / "svc", "check", ".")
    assert (first.returncode, first.stdout) == (0, "")
    second = run_cli(tmp_path / "svc", "check", ".")  # a replay of the run's record
    assert (second.returncode, second.stdout) == (0, "")
    (tmp_path / "shared" / "canon.yaml").write_text(
        BASE.replace("banned:\n", "banned:\n  - reason: one provider\n    modules: [braintree]\n")
    )
    third = run_cli(tmp_path / "svc", "check", ".")
    assert (third.returncode, third.stdout) == (1, "app.py:1:8: CANON101 'braintree' is banned: one provider\n")


def test_the_runtime_guard_reads_the_merged_canon(tmp_path):
    from lint_canon_guard import InteractionType, ToolCanonViolationError, enforce_tool_canon

    path = service(tmp_path, "version: 1\nextends: ../shared/canon.yaml\nhubs: [HUB-BILLING]\n")

    @enforce_tool_canon("TOOL-012", "HUB-PEOPLE", InteractionType.READ, canon=load_canon(path), sinks=[])
    def shared_tool(gate_state=None):
        return "called"

    assert shared_tool() == "called"

    @enforce_tool_canon("TOOL-012", "HUB-BILLING", InteractionType.READ, canon=load_canon(path), sinks=[])
    def wrong_hub(gate_state=None):
        return "called"

    with pytest.raises(ToolCanonViolationError):
        wrong_hub()


# --- conflicts: each an error at the service's line, naming the shared canon's -----------


def test_a_service_cannot_redefine_a_tool_of_the_shared_canon(here, tmp_path):
    path = service(tmp_path, "version: 1\nextends: ../shared/canon.yaml\ntools:\n  - id: TOOL-012\n    vendor: other\n")
    assert problem(path) == (
        "svc/canon.yaml:4: tools[0].id: 'TOOL-012' is a tool of the canon this one extends (shared/canon.yaml:4); "
        "a canon adds tools to the one it extends, it does not redefine them: give this one another id"
    )


@pytest.mark.parametrize(
    ("entry", "line", "key", "value"),
    [
        (
            "tools:\n  - id: T\n    vendor: v\n    modules: [clearbit.enrichment]\n",
            6,
            "tools[0].modules[0]",
            "clearbit.enrichment",
        ),
        (
            "tools:\n  - id: T\n    vendor: v\n    hosts: [logo.clearbit.com]\n",
            6,
            "tools[0].hosts[0]",
            "logo.clearbit.com",
        ),
        ("allowed_hosts: [person.clearbit.com]\n", 3, "allowed_hosts[0]", "person.clearbit.com"),
        ("allowed_hosts: ['*.clearbit.com']\n", 3, "allowed_hosts[0]", "*.clearbit.com"),
        ("public_apis:\n  - name: free\n    modules: [clearbit]\n", 5, "public_apis[0].modules[0]", "clearbit"),
    ],
)
def test_a_service_cannot_lift_a_ban_of_the_shared_canon(here, tmp_path, entry, line, key, value):
    path = service(tmp_path, "version: 1\nextends: ../shared/canon.yaml\n" + entry)
    assert problem(path) == (
        f"svc/canon.yaml:{line}: {key}: '{value}' is banned by the canon this one extends (shared/canon.yaml:10: "
        "'contract ended'); a canon cannot lift the bans of the one it extends"
    )


@pytest.mark.parametrize("key", ["done_states:\n  doc: DONE.md\n", "sdk_models: [models/acme.json]\n"])
def test_a_shared_canon_names_no_files_of_one_repository(here, tmp_path, key):
    path = service(tmp_path, "version: 1\nextends: ../shared/canon.yaml\n", base=BASE + key)
    name = key.split(":")[0]
    assert problem(path) == (
        f"shared/canon.yaml:16: {name}: {name} names files of one repository: it belongs in the canon "
        "of the service that holds them, not in a canon others extend"
    )


def test_what_extends_names_must_be_there_and_no_circle(here, tmp_path):
    write_tree(tmp_path, {"a/canon.yaml": "version: 1\nextends: ../b/canon.yaml\n"})
    write_tree(tmp_path, {"b/canon.yaml": "version: 1\nextends: ../a/canon.yaml\n"})
    assert problem(tmp_path / "a" / "canon.yaml") == (
        "b/canon.yaml:2: extends: the canons extend each other in a circle "
        "(a/canon.yaml -> b/canon.yaml -> a/canon.yaml); remove one extends"
    )
    write_tree(tmp_path, {"c/canon.yaml": "version: 1\nextends: ../nowhere.yaml\n"})
    assert problem(tmp_path / "c" / "canon.yaml") == (
        "c/canon.yaml:2: extends: nowhere.yaml: no such file "
        "(a path is read from the folder of the canon that names it)"
    )
    write_tree(tmp_path, {"d/canon.yaml": "version: 1\nextends: package:no_such_canon_package\n"})
    assert problem(tmp_path / "d" / "canon.yaml") == (
        "d/canon.yaml:2: extends: no installed package 'no_such_canon_package'; install the package "
        "that ships the canon (pip install ...) in this environment, or name the canon by its path"
    )
    write_tree(tmp_path, {"e/canon.yaml": "version: 1\nextends: [a, b]\n"})
    assert problem(tmp_path / "e" / "canon.yaml") == (
        "e/canon.yaml:2: extends: name one canon: a path from this file's folder, package:NAME or package:NAME/FILE"
    )


def test_a_mistake_in_the_shared_canon_is_reported_at_its_own_line(here, tmp_path):
    path = service(
        tmp_path, "version: 1\nextends: ../shared/canon.yaml\n", base=BASE.replace("vendor: apollo", "vendr: apollo")
    )
    assert problem(path).splitlines() == [
        "shared/canon.yaml:5: tools[0].vendr: unknown key; did you mean 'vendor'?",
        "shared/canon.yaml:4: tools[0]: missing key 'vendor'",
    ]


def test_per_file_ignores_are_joined_and_a_glob_both_name_is_the_services(tmp_path):
    base = BASE + "per_file_ignores:\n  tests/**: [CANON2]\n  scripts/**: [CANON1]\n"
    path = service(
        tmp_path, "version: 1\nextends: ../shared/canon.yaml\nper_file_ignores:\n  tests/**: [CANON203]\n", base
    )
    assert load_canon(path).per_file_ignores == (("tests/**", ("CANON203",)), ("scripts/**", ("CANON1",)))
    assert explain_canon(path).origin(("per_file_ignores", "scripts/**")) == (tmp_path / "shared" / "canon.yaml", 18)
