"""``--fix`` never breaks the module: the guard's import stands above its first use, rebinds no
name the module binds, sits where isort (ruff's I001) puts it, and a fix that would leave the
file with a finding it did not have is not written. Each fixed module is imported for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lint_canon.frontends.cli import main
from tests import fix_corpus
from tests.conftest import dedent, run_check

CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: hunter
    hubs: [HUB-A]
    interactions: [ENRICH]
    hosts: [api.hunter.io]
"""
RUFF = Path(sys.executable).parent / "ruff"


def fix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``lint-canon check --fix ARGS`` in this process: (exit code, stderr)."""
    code = main(["check", "--no-cache", "--jobs", "1", "--fix", *args])
    return code, capsys.readouterr().err


def imports(root: Path, module: str = "app") -> subprocess.CompletedProcess[str]:
    """``import module`` in a fresh interpreter, from ``root``: what a fix must not break."""
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=root, capture_output=True, text=True, check=False, timeout=60
    )


def ruff_imports(root: Path) -> str:
    """What ruff's import rules (I: isort order, F401/F811: unused, redefined) say of app.py."""
    result = subprocess.run(
        [
            str(RUFF),
            "check",
            "-q",
            "--no-cache",
            "--isolated",
            "--select",
            "I,F",
            "--output-format",
            "concise",
            "app.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def test_an_import_of_the_guard_below_the_function_is_not_used(project, capsys):
    # Merged into the import below the function, the decorator would name the guard before the
    # module binds it (NameError on import): a new import goes above, with the others.
    root = project(
        {
            "app.py": """\
            import urllib.request


            def verify(email):
                return urllib.request.urlopen("https://api.hunter.io/v2/email-verifier?email=" + email)


            from lint_canon.guard import InteractionType, enforce_tool_canon  # noqa: E402
            """
        },
        canon=CANON,
    )
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    assert (
        (root / "app.py")
        .read_text()
        .startswith(
            "import urllib.request\n\nfrom lint_canon.guard import InteractionType, enforce_tool_canon\n\n\n"
            '@enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)\ndef verify(email):\n'
        )
    )
    assert imports(root).returncode == 0, imports(root).stderr


def test_the_guards_names_never_rebind_the_modules_own(project, capsys):
    # The module has an InteractionType of its own and a function named enforce_tool_canon:
    # the guard's are imported under names the module does not bind.
    root = project(
        {
            "app.py": """\
            import enum
            import urllib.request


            class InteractionType(enum.Enum):
                EMAIL = "email"


            def enforce_tool_canon(kind):
                return kind is InteractionType.EMAIL


            def verify(email):
                return urllib.request.urlopen("https://api.hunter.io/v2/verify?e=" + email)
            """
        },
        canon=CANON,
    )
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    text = (root / "app.py").read_text()
    assert text.startswith(
        "import enum\nimport urllib.request\n\n"
        "from lint_canon.guard import InteractionType as GuardInteractionType\n"
        "from lint_canon.guard import enforce_tool_canon as guard_enforce_tool_canon\n"
    ) or text.startswith(
        "import enum\nimport urllib.request\n\n"
        "from lint_canon.guard import InteractionType as GuardInteractionType, "
        "enforce_tool_canon as guard_enforce_tool_canon\n"
    )
    assert '@guard_enforce_tool_canon("TOOL-1", "HUB-A", GuardInteractionType.ENRICH)\ndef verify' in text
    check = subprocess.run(
        [sys.executable, "-c", "import app; assert app.enforce_tool_canon(app.InteractionType.EMAIL)"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


GUARD = "from lint_canon.guard import InteractionType, enforce_tool_canon\n"
CALL = '\n\ndef verify(email):\n    return urllib.request.urlopen("https://api.hunter.io/v2/v?e=" + email)\n'


@pytest.mark.parametrize(
    ("imports_before", "imports_after", "used"),
    [
        (  # a section of its own between the standard library's and the project's
            "import json\nimport urllib.request\n\nfrom app_helpers import log\n",
            "import json\nimport urllib.request\n\n" + GUARD + "\nfrom app_helpers import log\n",
            "json, log",
        ),
        (  # among the third-party lines, after the plain imports, in module order
            "import urllib.request\n\nimport attr\nimport yaml\nfrom jinja2 import Template\nfrom yaml import dump\n",
            "import urllib.request\n\nimport attr\nimport yaml\nfrom jinja2 import Template\n"
            + GUARD
            + "from yaml import dump\n",
            "attr, yaml, Template, dump",
        ),
        (  # first of its section: the comment above the section stays above it
            "from __future__ import annotations\n\nimport urllib.request\n\n# vendors\nfrom zeep import Client\n",
            "from __future__ import annotations\n\nimport urllib.request\n\n# vendors\n"
            + GUARD
            + "from zeep import Client\n",
            "Client",
        ),
        (  # no section of its own yet, after the future import and the docstring
            '"""Verification."""\n\nfrom __future__ import annotations\n\nimport urllib.request\n',
            '"""Verification."""\n\nfrom __future__ import annotations\n\nimport urllib.request\n\n' + GUARD,
            "annotations",
        ),
    ],
)
def test_the_import_goes_where_isort_puts_it(project, capsys, imports_before, imports_after, used):
    tail = f"\n\nUSED = ({used},)\n"
    root = project({"app.py": imports_before + CALL + tail, "app_helpers.py": "log = print\n"}, canon=CANON)
    assert ruff_imports(root) == ""  # clean before
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    assert (root / "app.py").read_text().startswith(imports_after + "\n\n@enforce_tool_canon(")
    assert ruff_imports(root) == ""  # and after


def test_a_fix_that_would_add_a_finding_is_not_written(project, capsys):
    # A canon that bans the guard's own module: the added import would be a CANON101.
    canon = CANON + 'banned:\n  - reason: "guards come from ops.guards"\n    modules: [lint_canon.guard]\n'
    source = 'import urllib.request\n\n\ndef verify(e):\n    return urllib.request.urlopen("https://api.hunter.io/v?e=" + e)\n'
    root = project({"app.py": source}, canon=canon)
    code, err = fix(capsys)
    assert err == (
        "lint-canon: app.py: not fixed: the fix would add CANON101 at line 3 ('lint_canon.guard' is banned: "
        "guards come from ops.guards); this is a bug of lint-canon, please report it\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )
    assert code == 1
    assert (root / "app.py").read_text() == dedent(source)


def test_a_project_that_does_not_declare_the_guard_is_told(project, capsys):
    source = 'import urllib.request\n\n\ndef verify(e):\n    return urllib.request.urlopen("https://api.hunter.io/v?e=" + e)\n'
    root = project(
        {"app.py": source, "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests"]\n'},
        canon=CANON,
    )
    told = (
        0,
        "lint-canon: the guards added import lint_canon.guard, from the lint-canon distribution, which "
        "pyproject.toml does not declare: add it to the project's dependencies, or, where only "
        "lint-canon-guard is installed, name lint_canon_guard.enforce_tool_canon first in the canon's "
        "guard.decorators\n"
        "lint-canon: fixed 1 finding in 1 file\n",
    )
    assert fix(capsys) == told
    # lint-canon-guard alone does not install lint_canon.guard (lint-canon's name for the guard)
    (root / "app.py").write_text(dedent(source))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["lint-canon-guard"]\n'
    )
    assert fix(capsys) == told
    # declared: nothing to say
    (root / "app.py").write_text(dedent(source))
    (root / "requirements.txt").write_text("lint-canon>=0.1\n")
    (root / "pyproject.toml").unlink()
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")


def test_a_canon_naming_the_guards_own_package_first_gets_its_import(project, capsys):
    # A service that installs only lint-canon-guard: the fix imports from lint_canon_guard, which
    # that distribution declares, and the module imports for real.
    source = 'import urllib.request\n\n\ndef verify(e):\n    return urllib.request.urlopen("https://api.hunter.io/v?e=" + e)\n'
    canon = CANON + "guard:\n  decorators: [lint_canon_guard.enforce_tool_canon]\n"
    root = project(
        {"app.py": source, "requirements.txt": "lint-canon-guard==0.1.0\n"},
        canon=canon,
    )
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    text = (root / "app.py").read_text()
    assert "from lint_canon_guard import InteractionType, enforce_tool_canon\n" in text
    assert '@enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)\n' in text
    assert imports(root).returncode == 0
    assert run_check(root) == []
    # declared by neither distribution's name: the note names the one that has the package
    (root / "app.py").write_text(dedent(source))
    (root / "requirements.txt").write_text("requests\n")
    assert fix(capsys) == (
        0,
        "lint-canon: the guards added import lint_canon_guard, from the lint-canon-guard distribution, which "
        "requirements.txt does not declare: add it to the project's dependencies\n"
        "lint-canon: fixed 1 finding in 1 file\n",
    )


CANON_305 = (
    fix_corpus.CANON
    + """\
  - id: TOOL-3
    vendor: clay
    hubs: [HUB-A, HUB-B]
    interactions: [READ, WRITE]
    hosts: [api.clay.com]
"""
)


def test_a_guard_naming_another_tool_gets_that_tools_hub_and_interaction(project, capsys):
    # Only the tool id swapped, the guard would refuse every call (CANON303/304): the new tool's
    # one hub and interaction come with it; a tool of several asks for --hub / --interaction.
    source = """\
        import urllib.request

        from lint_canon.guard import InteractionType, enforce_tool_canon


        @enforce_tool_canon("TOOL-2", "HUB-B", InteractionType.READ)
        def verify(email):
            return urllib.request.urlopen("https://api.hunter.io/v2/verify?e=" + email)


        @enforce_tool_canon("TOOL-1", hub_id="HUB-A", interaction_type="enrich")
        def table(row):
            return urllib.request.urlopen("https://api.clay.com/v1/rows?r=" + row)
        """
    root = project({"app.py": source}, canon=CANON_305)
    code, err = fix(capsys, "--unsafe-fixes")
    assert err == (
        "lint-canon: app.py:13:12: CANON305 not fixed: the guard's hub or interaction is not TOOL-3's and it "
        "has several: give --hub / --interaction\n"
        "lint-canon: fixed 1 finding in 1 file\n"
    )
    assert code == 1
    assert '@enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)\ndef verify' in (root / "app.py").read_text()
    code, err = fix(capsys, "--unsafe-fixes", "--hub", "HUB-A", "--interaction", "WRITE")
    assert (code, err) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    assert (
        '@enforce_tool_canon("TOOL-3", hub_id="HUB-A", interaction_type="WRITE")\ndef table'
        in (root / "app.py").read_text()
    )
    assert main(["check", "--no-cache"]) == 0


@pytest.mark.parametrize(
    ("extra", "applicability"),
    [
        ("", "safe"),  # one hub, one interaction, nothing else the guard checks: it cannot refuse
        ("    gates: [budget_ok]\n", "unsafe"),
        ("    human_approval: true\n", "unsafe"),
        ("    api_key_env: HUNTER_API_KEY\n", "unsafe"),
        ("", "unsafe two hubs"),
    ],
)
def test_adding_a_guard_is_safe_only_when_the_guard_cannot_refuse(project, capsys, extra, applicability):
    canon = CANON + extra
    if applicability == "unsafe two hubs":
        canon = canon.replace("hubs: [HUB-A]\n    interactions", "hubs: [HUB-A, HUB-B]\n    interactions").replace(
            "hubs: [HUB-A]\ntools", "hubs: [HUB-A, HUB-B]\ntools"
        )
        applicability = "unsafe"
    source = 'import urllib.request\n\n\ndef verify(e):\n    return urllib.request.urlopen("https://api.hunter.io/v?e=" + e)\n'
    root = project({"app.py": source}, canon=canon)
    (finding,) = run_check(root, select=("CANON301",))
    assert finding.fix is not None
    assert (finding.fix.kind, finding.fix.applicability, finding.fix.tool) == ("add-guard", applicability, "TOOL-1")
    code, err = fix(capsys)
    if applicability == "safe":
        assert (code, err) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    else:
        assert err == (
            "lint-canon: fixed 0 findings in 0 files (1 more with --unsafe-fixes: its fix may change what the "
            "program does)\n"
        )
        assert (root / "app.py").read_text() == dedent(source)


CANON_GATES = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: hunter
    hubs: [HUB-A]
    interactions: [ENRICH]
    hosts: [api.hunter.io]
    gates: [budget_ok]
  - id: TOOL-2
    vendor: apollo
    hubs: [HUB-A]
    interactions: [READ]
    hosts: [api.apollo.io]
    human_approval: true
  - id: TOOL-3
    vendor: clay
    hubs: [HUB-A]
    interactions: [READ]
    hosts: [api.clay.com]
"""


def test_a_guarded_function_that_can_never_pass_its_gates(project):
    root = project(
        {
            "app.py": """\
            from lint_canon.guard import InteractionType, enforce_tool_canon


            @enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)
            def never(domain):
                return domain


            @enforce_tool_canon("TOOL-2", "HUB-A", InteractionType.READ, gate_state_arg="state")
            def approval(domain, gate_state=None):
                return domain


            @enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)
            def passes(domain, gate_state):
                return domain


            @enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)
            def through_kwargs(domain, **options):
                return domain


            @enforce_tool_canon("TOOL-2", "HUB-A", InteractionType.READ, gate_state_arg="state")
            def named(domain, *, state):
                return domain


            @enforce_tool_canon("TOOL-3", "HUB-A", InteractionType.READ)
            def no_gates(domain):
                return domain
            """
        },
        canon=CANON_GATES,
    )
    found = run_check(root, select=("CANON306",))
    assert [(f.line, f.col, f.message) for f in found] == [
        (
            4,
            2,
            "the guard checks TOOL-1's budget_ok in the 'gate_state' argument, which 'never' does not take: every "
            "call is refused; add a 'gate_state' parameter its callers fill",
        ),
        (
            9,
            2,
            "the guard checks TOOL-2's human approval in the 'state' argument, which 'approval' does not take: every "
            "call is refused; add a 'state' parameter its callers fill",
        ),
    ]
    # what the guard does at run time: the first is refused whatever its caller does
    import importlib
    import sys

    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module("app")
        with pytest.raises(Exception, match="V-GATE-001|gates not met"):
            module.never("acme.com")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("app", None)


def test_a_guard_for_a_tool_with_gates_is_added_only_where_the_gate_state_can_come(project, capsys):
    source = """\
        import urllib.request


        def verify(email):
            return urllib.request.urlopen("https://api.hunter.io/v2/verify?e=" + email)


        def verify_gated(email, gate_state=None):
            return urllib.request.urlopen("https://api.hunter.io/v2/verify?e=" + email)
        """
    root = project({"app.py": source}, canon=CANON_GATES)
    code, err = fix(capsys, "--unsafe-fixes")
    assert err == (
        "lint-canon: app.py:5:12: CANON301 not fixed: TOOL-1 checks budget_ok in a 'gate_state' argument 'verify' "
        "does not take: the guard would refuse every call; add a gate_state parameter its callers fill, then fix "
        "again\n"
        "lint-canon: fixed 1 finding in 1 file\n"
    )
    assert code == 1
    text = (root / "app.py").read_text()
    assert '@enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)\ndef verify_gated' in text
    assert "\n\n\ndef verify(email):" in text


def test_the_json_report_says_what_each_fix_is_and_a_cached_run_says_the_same(project, capsys):
    import json

    canon = CANON + "  - id: TOOL-2\n    vendor: apollo\n    hubs: [HUB-A]\n    interactions: [READ, WRITE]\n"
    canon += "    hosts: [api.apollo.io]\n"
    source = (
        "import urllib.request\n\n\ndef verify(e):\n"
        '    return urllib.request.urlopen("https://api.hunter.io/v?e=" + e)\n\n\n'
        "def people(q):\n"
        '    return urllib.request.urlopen("https://api.apollo.io/v1/people?q=" + q)\n'
    )
    root = project({"app.py": source}, canon=canon)
    reports = []
    for turn in range(2):  # cold, then app.py from the per-file cache (another file changed: no replay)
        (root / "other.py").write_text(f"x = {turn}\n")
        main(["check", "--format", "json", "--exit-zero", "--jobs", "1"])
        reports.append([finding["fix"] for finding in json.loads(capsys.readouterr().out)["findings"]])
    assert list(root.glob(".lint_canon_cache/findings-*.json"))
    assert (
        reports[0]
        == reports[1]
        == [
            {
                "applicability": "safe",
                "message": 'decorate \'verify\' with @enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)',
            },
            {
                "applicability": "unsafe",
                "message": 'decorate \'people\' with @enforce_tool_canon("TOOL-2", "HUB-A", InteractionType...) '
                "(InteractionType: one of READ, WRITE)",
            },
        ]
    )


def test_the_comments_above_a_guard_import_the_fix_moves_stay(project, capsys):
    root = project(
        {
            "app.py": """\
            import urllib.request


            def verify(email):
                return urllib.request.urlopen("https://api.hunter.io/v2/verify?e=" + email)


            # the guard, imported late on purpose
            from lint_canon.guard import InteractionType, enforce_tool_canon  # noqa: E402

            # the end
            DONE = True
            """
        },
        canon=CANON,
    )
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    text = (root / "app.py").read_text()
    assert "# the guard, imported late on purpose\n" in text
    assert "# the end\nDONE = True\n" in text
    assert text.count("from lint_canon.guard import") == 1
    assert imports(root).returncode == 0
