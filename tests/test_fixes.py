"""``lint-canon check --fix`` / ``--diff``: each fix on a real file, compared whole (every other
byte kept), the cases where no fix is right, idempotence, and the command's exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint_canon.frontends.cli import main
from tests.conftest import dedent, run_check

CANON = """\
version: 1
hubs: [HUB-COMPANY-TARGET, HUB-PEOPLE]
tools:
  - id: TOOL-008
    vendor: hunter
    hubs: [HUB-COMPANY-TARGET]
    interactions: [ENRICH]
    modules: [pyhunter]
    hosts: [api.hunter.io]
  - id: TOOL-012
    vendor: apollo
    hubs: [HUB-COMPANY-TARGET, HUB-PEOPLE]
    interactions: [READ, ENRICH]
    hosts: [api.apollo.io]
  - id: TOOL-018
    vendor: acme
    hubs: [HUB-PEOPLE]
    interactions: [READ]
"""
FIXABLE = ("--select", "CANON301,CANON302,CANON305")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``lint-canon check ARGS`` in this process: (exit code, stdout, stderr)."""
    code = main(["check", "--no-cache", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def fixed(project, capsys, before: str, *args: str, canon: str = CANON) -> tuple[str, int, str, str]:
    """Write ``before`` as app.py, run --fix: (app.py after, exit code, stdout, stderr)."""
    root = project({"app.py": before}, canon=canon)
    code, out, err = check(capsys, "--fix", *args)
    return (root / "app.py").read_text(), code, out, err


# --- CANON301: the guard added ----------------------------------------------------------------

BEFORE_301 = '''\
"""Hunter enrichment."""

import functools

import requests
from pyhunter import PyHunter

hunter = PyHunter("key")  # a client: not a call yet


# Find the emails of a domain.
@functools.lru_cache(maxsize=32)
def find_emails(domain):
    # the paid call
    return hunter.domain_search(domain)


async def verify(email):
    return requests.get("https://api.hunter.io/v2/email-verifier", params={"email": email})


class Hunter:
    @staticmethod
    def count(domain):
        return hunter.email_count(domain)  # twice in one function:
        return hunter.email_count(domain)  # one guard


def outer(domain):
    def inner():
        return hunter.domain_search(domain)

    return inner
'''

AFTER_301 = '''\
"""Hunter enrichment."""

import functools

import requests
from lint_canon.guard import InteractionType, enforce_tool_canon
from pyhunter import PyHunter

hunter = PyHunter("key")  # a client: not a call yet


# Find the emails of a domain.
@functools.lru_cache(maxsize=32)
@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
def find_emails(domain):
    # the paid call
    return hunter.domain_search(domain)


@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
async def verify(email):
    return requests.get("https://api.hunter.io/v2/email-verifier", params={"email": email})


class Hunter:
    @staticmethod
    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    def count(domain):
        return hunter.email_count(domain)  # twice in one function:
        return hunter.email_count(domain)  # one guard


def outer(domain):
    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    def inner():
        return hunter.domain_search(domain)

    return inner
'''


def test_missing_guard_added_to_each_function_with_the_import(project, capsys):
    after, code, out, err = fixed(project, capsys, BEFORE_301)
    assert after == AFTER_301
    assert (code, out, err) == (0, "", "lint-canon: fixed 5 findings in 1 file\n")


def test_import_merged_into_an_existing_guard_import(project, capsys):
    before = """\
        import requests

        from lint_canon.guard import InteractionType


        def verify(email):
            return requests.get("https://api.hunter.io/v2/email-verifier")
        """
    after, code, _, _ = fixed(project, capsys, before)
    assert code == 0
    assert after == dedent(
        """\
        import requests

        from lint_canon.guard import InteractionType, enforce_tool_canon


        @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
        def verify(email):
            return requests.get("https://api.hunter.io/v2/email-verifier")
        """
    )


def test_parenthesised_import_and_an_aliased_guard(project, capsys):
    before = """\
        import requests

        from lint_canon.guard import (
            enforce_tool_canon as guard,
        )


        def verify(email):
            return requests.get("https://api.hunter.io/v2/email-verifier")
        """
    after, code, _, _ = fixed(project, capsys, before)
    assert code == 0
    assert after == dedent(
        """\
        import requests

        from lint_canon.guard import (
            InteractionType,
            enforce_tool_canon as guard,
        )


        @guard("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
        def verify(email):
            return requests.get("https://api.hunter.io/v2/email-verifier")
        """
    )


def test_file_without_imports_of_its_own_and_crlf_kept(project, capsys):
    root = project({}, canon=CANON)
    (root / "app.py").write_bytes(
        b"# header\r\ndef verify():\r\n    import pyhunter\r\n    return pyhunter.PyHunter().account_information()\r\n"
    )
    code, _, err = check(capsys, "--fix")
    assert err == "lint-canon: fixed 1 finding in 1 file\n"
    assert (root / "app.py").read_bytes() == (
        b"# header\r\nfrom lint_canon.guard import InteractionType, enforce_tool_canon\r\n\r\n\r\n"
        b'@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)\r\n'
        b"def verify():\r\n    import pyhunter\r\n    return pyhunter.PyHunter().account_information()\r\n"
    )
    assert code == 0


def test_the_canons_own_guard_decorator(project, capsys):
    canon = CANON + "guard:\n  decorators: [ops.guards.canon_guard]\n"
    before = """\
        import pyhunter


        def find(domain):
            return pyhunter.PyHunter().domain_search(domain)
        """
    after, code, _, _ = fixed(project, capsys, before, canon=canon)
    assert code == 0
    assert after == dedent(
        """\
        import pyhunter
        from lint_canon.guard import InteractionType
        from ops.guards import canon_guard


        @canon_guard("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
        def find(domain):
            return pyhunter.PyHunter().domain_search(domain)
        """
    )


APOLLO = """\
    import requests


    def people(domain):
        return requests.post("https://api.apollo.io/v1/mixed_people/search", json={"domain": domain})
    """


def test_ambiguous_tool_is_left_and_its_message_lists_the_choices(project, capsys):
    after, code, out, err = fixed(project, capsys, APOLLO)
    assert after == dedent(APOLLO)
    assert code == 1
    assert out == (
        "app.py:5:12: CANON301 call to TOOL-012 (host 'api.apollo.io') in 'people', which lacks the guard; "
        'decorate it with @enforce_tool_canon("TOOL-012", HUB, InteractionType...) '
        "(HUB: one of HUB-COMPANY-TARGET, HUB-PEOPLE; InteractionType: one of READ, ENRICH)\n"
    )
    assert (
        err
        == "lint-canon: fixed 0 findings in 0 files (1 more with --unsafe-fixes: its fix may change what the program does)\n"
    )


def test_hub_and_interaction_options_choose(project, capsys):
    # TOOL-012 has two hubs: its guard can refuse a call at run time, an unsafe fix
    after, code, out, err = fixed(
        project, capsys, APOLLO, "--unsafe-fixes", "--hub", "HUB-PEOPLE", "--interaction", "read"
    )
    assert (code, out, err) == (0, "", "lint-canon: fixed 1 finding in 1 file\n")
    assert after == dedent(
        """\
        import requests
        from lint_canon.guard import InteractionType, enforce_tool_canon


        @enforce_tool_canon("TOOL-012", "HUB-PEOPLE", InteractionType.READ)
        def people(domain):
            return requests.post("https://api.apollo.io/v1/mixed_people/search", json={"domain": domain})
        """
    )


def test_a_hub_that_is_not_the_tools_is_a_note(project, capsys):
    after, code, _, err = fixed(project, capsys, APOLLO, "--unsafe-fixes", "--hub", "HUB-DOL")
    assert after == dedent(APOLLO)
    assert code == 1
    assert err == (
        "lint-canon: app.py:5:12: CANON301 not fixed: --hub HUB-DOL is not one of TOOL-012's hubs "
        "(HUB-COMPANY-TARGET, HUB-PEOPLE); TOOL-012 has several interaction types: give --interaction (READ, ENRICH)\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )


def test_no_fix_outside_a_function_in_a_lambda_under_noqa_or_for_two_tools(project, capsys):
    before = """\
        import requests
        import pyhunter

        pyhunter.PyHunter().account_information()
        lookup = lambda domain: pyhunter.PyHunter().domain_search(domain)


        def wrapped(domain):
            return lambda: pyhunter.PyHunter().domain_search(domain)


        def quiet(domain):
            return pyhunter.PyHunter().domain_search(domain)  # noqa: CANON301


        def both(domain):
            pyhunter.PyHunter().domain_search(domain)
            requests.get("https://api.apollo.io/v1/people")
        """
    after, code, out, err = fixed(project, capsys, before)
    assert after == dedent(before)
    assert code == 1
    assert [line.split(": ", 1)[0] for line in out.splitlines()] == [
        "app.py:4:1",
        "app.py:5:25",
        "app.py:9:20",
        "app.py:17:5",
        "app.py:18:5",
    ]
    assert out.splitlines()[3] == (
        "app.py:17:5: CANON301 call to TOOL-008 ('pyhunter') in 'both', which lacks the guard; "
        "it calls TOOL-008, TOOL-012: one guard names one tool, so split it into one guarded function per tool"
    )
    assert err == "lint-canon: fixed 0 findings in 0 files\n"


# --- CANON302 and CANON305: the guard's tool id ------------------------------------------------

GUARDED = """\
    import requests

    from lint_canon.guard import InteractionType, enforce_tool_canon


    @enforce_tool_canon('TOOL-0008', "HUB-COMPANY-TARGET", InteractionType.ENRICH)  # a typo
    def hunter(domain):
        return requests.get("https://api.hunter.io/v2/domain-search")


    @enforce_tool_canon(hub_id="HUB-PEOPLE", tool_id="TOOL-08", interaction_type="READ")
    def either(domain): ...


    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    async def apollo(domain):
        # only Apollo here
        return requests.post("https://api.apollo.io/v1/mixed_people/search")


    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    def mixed(domain):
        requests.get("https://api.hunter.io/v2/domain-search")
        return requests.post("https://api.apollo.io/v1/mixed_people/search")
    """


def test_guard_tool_id_corrected(project, capsys):
    after, code, out, err = fixed(project, capsys, GUARDED, "--unsafe-fixes", *FIXABLE)
    assert after == dedent(GUARDED).replace("'TOOL-0008'", "'TOOL-008'").replace(
        '@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)\nasync',
        '@enforce_tool_canon("TOOL-012", "HUB-COMPANY-TARGET", InteractionType.ENRICH)\nasync',
    )
    assert code == 1
    assert out == (
        "app.py:11:50: CANON302 guard names unknown tool 'TOOL-08'; registered tools: TOOL-008, TOOL-012, TOOL-018\n"
        "app.py:24:12: CANON305 the guard names TOOL-008 but this calls TOOL-012 (host 'api.apollo.io'); "
        "guard this call with TOOL-012 or call TOOL-008's vendor\n"
    )
    assert err == "lint-canon: fixed 2 findings in 1 file\n"


def test_messages_that_propose_a_tool_id(project):
    root = project({"app.py": GUARDED}, canon=CANON)
    messages = {f.line: f.message for f in run_check(root, select=("CANON302", "CANON305"))}
    assert messages[6] == "guard names unknown tool 'TOOL-0008'; did you mean 'TOOL-008'?"
    assert messages[18] == (
        "the guard names TOOL-008 but this calls TOOL-012 (host 'api.apollo.io'), the only tool 'apollo' calls; "
        "make the guard name TOOL-012"
    )


# --- --diff, idempotence, files left alone, exit codes -------------------------------------------


def test_diff_prints_the_change_and_writes_nothing(project, capsys):
    root = project({"app.py": APOLLO}, canon=CANON)
    # unsafe (TOOL-012 has two hubs): --diff alone shows nothing and says so
    assert check(capsys, "--diff", "--hub", "HUB-PEOPLE", "--interaction", "ENRICH") == (
        0,
        "",
        "lint-canon: would fix 0 findings in 0 files (1 more with --unsafe-fixes: its fix may change what the "
        "program does)\n",
    )
    code, out, err = check(capsys, "--diff", "--unsafe-fixes", "--hub", "HUB-PEOPLE", "--interaction", "ENRICH")
    assert code == 1
    assert out == (
        "--- app.py\n"
        "+++ app.py\n"
        "@@ -1,5 +1,7 @@\n"
        " import requests\n"
        "+from lint_canon.guard import InteractionType, enforce_tool_canon\n"
        " \n"
        " \n"
        '+@enforce_tool_canon("TOOL-012", "HUB-PEOPLE", InteractionType.ENRICH)\n'
        " def people(domain):\n"
        '     return requests.post("https://api.apollo.io/v1/mixed_people/search", json={"domain": domain})\n'
    )
    assert err == "lint-canon: would fix 1 finding in 1 file\n"
    assert (root / "app.py").read_text() == dedent(APOLLO)


def test_diff_with_nothing_to_fix_exits_0(project, capsys):
    project({"app.py": APOLLO}, canon=CANON)
    assert check(capsys, "--diff") == (
        0,
        "",
        "lint-canon: would fix 0 findings in 0 files (1 more with --unsafe-fixes: its fix may change what the program does)\n",
    )
    assert check(capsys, "--unsafe-fixes") == (
        2,
        "",
        "lint-canon: --unsafe-fixes applies the unsafe fixes too: add --fix or --diff\n",
    )


def test_a_second_fix_changes_nothing_and_a_check_reports_nothing(project, capsys):
    root = project({"app.py": BEFORE_301, "guarded.py": GUARDED}, canon=CANON)
    check(capsys, "--fix", "--unsafe-fixes", *FIXABLE)
    first = {name: (root / name).read_bytes() for name in ("app.py", "guarded.py")}
    code, out, err = check(capsys, "--fix", "--unsafe-fixes", *FIXABLE)
    assert err == "lint-canon: fixed 0 findings in 0 files\n"
    assert {name: (root / name).read_bytes() for name in first} == first
    # what remains is what no fix applies to: TOOL-08 (two close ids) and the function of two tools
    assert [line.split(" ", 2)[:2] for line in out.splitlines()] == [
        ["guarded.py:11:50:", "CANON302"],
        ["guarded.py:24:12:", "CANON305"],
    ]
    assert code == 1


def test_file_changed_since_the_check_is_left_alone(project):
    from lint_canon.engine.suppressions import Selection
    from lint_canon.fixes import fix_findings

    root = project({"app.py": BEFORE_301}, canon=CANON)
    findings = run_check(root)
    (root / "app.py").write_text("\n" + BEFORE_301)
    outcome = fix_findings(findings, Selection())
    assert outcome.notes == ["app.py: not fixed: it changed since it was checked; check it again"]
    assert (outcome.fixed, outcome.files) == ([], [])
    assert (root / "app.py").read_text() == "\n" + BEFORE_301


def test_a_file_the_parser_cannot_check_again_in_time_is_left_alone(project):
    # Checked again before it is fixed, in a worker with the run's time limit: a file that now
    # takes the parser minutes (a chain of subscripts thousands long) is a note, not a hang.
    from lint_canon.engine.suppressions import Selection
    from lint_canon.fixes import fix_findings

    root = project({"app.py": BEFORE_301}, canon=CANON)
    findings = run_check(root)
    slow = BEFORE_301 + "x = a" + "[0]" * 3000 + "\n"
    (root / "app.py").write_text(slow)
    outcome = fix_findings(findings, Selection(), timeout=0.5)
    assert outcome.notes == ["app.py: not fixed: checking it again failed (a crash or a timeout of the parser)"]
    assert (outcome.fixed, outcome.files) == ([], [])
    assert (root / "app.py").read_text() == slow


def test_a_file_that_is_not_utf8_is_left_alone(project, capsys):
    source = "# -*- coding: latin-1 -*-\nimport pyhunter\n\n\ndef f():\n    return pyhunter.PyHunter().domain_search('\xe9')\n"
    root = project({"app.py": source.encode("latin-1")}, canon=CANON)
    code, out, err = check(capsys, "--fix")
    assert err == (
        "lint-canon: app.py: not fixed: only UTF-8 files are rewritten (it declares the encoding iso-8859-1)\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )
    assert (root / "app.py").read_bytes() == source.encode("latin-1")
    assert code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fix", "--diff"), "lint-canon: --fix and --diff: give one (--diff shows what --fix would write)\n"),
        (("--hub", "HUB-PEOPLE"), "lint-canon: --hub chooses the guards --fix adds: add --fix or --diff\n"),
        (
            ("--fix", "--interaction", "spend"),
            "lint-canon: --interaction SPEND: give one of READ, WRITE, ENRICH, VALIDATE\n",
        ),
        (
            ("--fix", "--write-baseline", "b.json"),
            "lint-canon: --fix and --write-baseline: run them one after the other\n",
        ),
    ],
)
def test_clashing_options_exit_2(project, capsys, args: tuple[str, ...], message: str):
    project({"app.py": APOLLO}, canon=CANON)
    assert check(capsys, *args) == (2, "", message)


def test_the_command_line(project):
    from tests.test_cli import lint_canon

    root = project({"app.py": BEFORE_301, "apollo.py": APOLLO}, canon=CANON)
    result = lint_canon("check", "--fix", cwd=root)
    assert result.returncode == 1  # apollo.py's finding remains
    assert result.stdout.startswith("apollo.py:5:12: CANON301")
    # apollo.py's guard would be TOOL-012's, of two hubs: unsafe, left for --unsafe-fixes
    assert result.stderr == (
        "lint-canon: fixed 5 findings in 1 file (1 more with --unsafe-fixes: its fix may change what the program "
        "does)\n"
    )
    assert Path(root / "app.py").read_text() == AFTER_301
    result = lint_canon("check", "--fix", "app.py", cwd=root)
    assert (result.returncode, result.stdout) == (0, "")
