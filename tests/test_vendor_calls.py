"""CANON201-305 on the corpus in tests/corpus/vendor_calls: every `# CANONxxx` comment marks a
line where exactly that finding is expected, every other line must stay silent — through the
engine, the lint-canon command and the real flake8."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_canon.analysis.values import Known
from lint_canon.analysis.vendors import host_of
from lint_canon.engine.checker import Checker
from lint_canon_guard.config import load_canon
from tests.conftest import CANON, brief, check_paths, cli_env, run_check

CORPUS = Path(__file__).parent / "corpus" / "vendor_calls"
MARK = re.compile(r"#.*?\b(CANON\d{3})\b")


def expected() -> set[tuple[str, int, str]]:
    marks = set()
    for file in sorted(CORPUS.glob("*.py")):
        for number, line in enumerate(file.read_text().splitlines(), 1):
            marks.update((file.name, number, code) for code in MARK.findall(line))
    return marks


def parse(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in output.splitlines():
        path, number, _col, rest = line.split(":", 3)
        found.add((Path(path).name, int(number), rest.split()[0]))
    return found


def test_corpus_has_every_code():
    assert {code for _, _, code in expected()} == {f"CANON{n}" for n in (201, 202, 203, 301, 302, 303, 304, 305)}


def test_engine_on_the_corpus(monkeypatch):
    monkeypatch.chdir(CORPUS)
    found = check_paths(Checker(load_canon(CORPUS / "canon.yaml")), [Path(".")], jobs=1)
    assert {(f.path, f.line, f.code) for f in found} == expected()


def test_cli_on_the_corpus(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--cache-dir", str(tmp_path / "cache"), "."],
        cwd=CORPUS,
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert parse(result.stdout) == expected()


def test_flake8_on_the_corpus():
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "CANON", "."],
        cwd=CORPUS,
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert parse(result.stdout) == expected()


def test_positions_and_messages(monkeypatch):
    monkeypatch.chdir(CORPUS)
    found = check_paths(Checker(load_canon(CORPUS / "canon.yaml")), [Path("guards.py")])
    by_line = {f.line: f for f in found}
    assert (by_line[49].col, by_line[49].end_col) == (21, 31)  # the tool id argument
    assert by_line[49].message == "guard names unknown tool 'TOOL-999'; registered tools: TOOL-008, TOOL-012, TOOL-030"
    assert by_line[54].message == "hub 'HUB-PEOPLE' is out of TOOL-008's scope; its hubs: HUB-COMPANY-TARGET"
    assert (
        by_line[59].message
        == "interaction type 'WRITE' is not allowed for TOOL-008; its interactions: ENRICH, VALIDATE"
    )
    assert by_line[67].message == (
        "the guard names TOOL-008 but this calls TOOL-012 (host 'api.apollo.io'); "
        "guard this call with TOOL-012 or call TOOL-008's vendor"
    )
    assert (by_line[14].line, by_line[14].col, by_line[14].end_line, by_line[14].end_col) == (14, 1, 14, 38)
    assert by_line[14].violation == "V-GATE-001"


VENDOR_CANON = (
    CANON
    + """\
tools:
  - id: TOOL-008
    vendor: hunter
    hubs: [HUB-COMPANY-TARGET]
    interactions: [ENRICH]
    hosts: [api.hunter.io]
"""
)


def test_builtin_vendor_list_can_be_switched_off(project):
    source = "import openai\nopenai.ChatCompletion.create(model='x')\n"
    root = project({"app.py": source}, canon=VENDOR_CANON)
    assert brief(run_check(root)) == [("app.py", 2, 1, "CANON201")]
    project({}, canon=VENDOR_CANON + "builtin_vendors: false\n")
    assert run_check(root) == []


def test_only_the_shared_guard_name_counts(project):
    source = """\
        import requests

        def enforce_tool_canon(*args):
            return lambda f: f

        @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH")
        def lookalike_guard(domain):
            return requests.get("https://api.hunter.io/v2/domain-search")
        """
    root = project({"app.py": source}, canon=VENDOR_CANON)
    assert brief(run_check(root)) == [("app.py", 8, 12, "CANON301")]


@pytest.mark.parametrize(
    "spelling",
    [
        "from lint_canon.guard import enforce_tool_canon",  # lint-canon's name for it
        "from lint_canon_guard import enforce_tool_canon",  # the guard's own distribution, alone in a service
        "from lint_canon_guard.guard import enforce_tool_canon",
    ],
)
def test_the_guard_counts_under_each_of_its_names(project, spelling):
    source = f"""\
        import requests
        {spelling}

        @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH")
        def guarded(domain):
            return requests.get("https://api.hunter.io/v2/domain-search")

        def unguarded(domain):
            return requests.get("https://api.hunter.io/v2/domain-search")
        """
    root = project({"app.py": source}, canon=VENDOR_CANON)
    assert brief(run_check(root)) == [("app.py", 9, 12, "CANON301")]


def test_noqa_on_vendor_calls(project):
    source = "import requests\nrequests.get('https://api.hunter.io/v2')  # noqa: CANON301\n"
    root = project({"app.py": source}, canon=VENDOR_CANON)
    assert run_check(root) == []


@pytest.mark.parametrize(
    ("text", "whole", "host"),
    [
        ("https://api.hunter.io/v2", True, "api.hunter.io"),
        ("https://api.hunter.io", True, "api.hunter.io"),
        ("https://api.hunter.io", False, None),  # more of the host may follow
        ("https://api.hunter.io/", False, "api.hunter.io"),
        ("https://api.hunter.io:8443", False, "api.hunter.io"),
        ("https://user:pw@API.Hunter.io/x", True, "api.hunter.io"),
        ("https://[2001:db8::1]:8080/x", True, "2001:db8::1"),
        ("wss://stream.example.com/ws", True, "stream.example.com"),
        ("ftp://files.example.com/x", True, None),
        ("/v2/domain-search", True, None),
        ("", False, None),
    ],
)
def test_host_of(text, whole, host):
    assert host_of(Known(text, whole)) == host


def test_requests_through_httpx2_are_judged_as_through_httpx(project):
    source = """\
        import httpx2

        BASE = "https://api.vendor.io/v1"


        def fetch(q):
            return httpx2.get(f"{BASE}/search", params={"q": q}).json()


        async def post(doc):
            async with httpx2.AsyncClient(base_url="https://api.bad.io") as client:
                return await client.post("/docs", json=doc)


        def local(q):
            with httpx2.Client(base_url="http://billing:8080") as client:
                return client.get("/q", params={"q": q})
        """
    canon = "version: 1\nhubs: [HUB-A]\nbanned:\n  - reason: 'not allowed'\n    hosts: [api.bad.io]\n"
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # an external host, a banned one through a client's base_url; our own service is not a vendor
    assert found == [(7, "CANON201"), (12, "CANON202")]
