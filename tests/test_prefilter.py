"""The prefilter: which files are parsed at all. It may let through a file without a finding,
never stop one with a finding: each case is checked against the rules run without it."""

from __future__ import annotations

import pytest

from lint_canon.engine.checker import Checker
from lint_canon_guard.config import load_canon
from tests.conftest import dedent

CANON = """\
version: 1
hubs: [HUB-COMPANY-TARGET]
tools:
  - id: TOOL-001
    vendor: Acme
    hubs: [HUB-COMPANY-TARGET]
    interactions: [READ]
    hosts: [api.acme.example.com]
    modules: [acme_sdk]
banned:
  - reason: "spawn processes through ops/shell.py only"
    modules: [subprocess.Popen, os.system]
  - reason: "untrusted data"
    modules: [pickle.loads, xmlrpc.client]
"""


@pytest.fixture
def checkers(project):
    root = project({}, canon=CANON)
    canon = load_canon(root / "canon.yaml")
    filtered = Checker(canon)
    unfiltered = Checker(canon, use_prefilter=False)
    return filtered, unfiltered


# (source, does it have a finding?) -- every one must pass the prefilter when it has one.
CASES = [
    # banned APIs reached through the names an import binds
    ("import os\nos.system('ls')\n", True),
    ("import os as o\no.system('ls')\n", True),
    ("import os\nos . system('ls')\n", True),
    ("import os\nos.\\\n    system('ls')\n", True),
    ("import os\n(os).system('ls')\n", True),
    ("from os import system\nsystem('ls')\n", True),
    ("from os import (\n    path,  # (the path module)\n    system,\n)\n", True),
    ("from os import path, \\\n    system\n", True),
    ("import sys, \\\n    os as o\no.system('ls')\n", True),
    ("import xmlrpc.client\n", True),
    ("import importlib\nimportlib.import_module('xmlrpc.client')\n", True),
    ("def f():\n    import pickle as p\n    return p.loads(b'')\n", True),
    ("if True: import os\nos.system('ls')\n", True),
    ("import sys\rimport os\ros.system('ls')\r", True),
    ("import sys\r\nimport os\r\nos.system('ls')\r\n", True),
    # the same words where no ban can be
    ("import os, platform\nplatform.system()\n", False),
    ("import json, pickle\njson.loads('1')\npickle.dumps(1)\n", False),
    ("import os\n# never call os.system\n", True),  # a comment: text cannot tell
    ("import os\nx = 'system'\n", False),
    ("from json import loads\nimport pickle\n", False),
    # HTTP calls need their library, the name of the call and the URL
    ("import requests\nrequests.get('https://api.acme.example.com/x')\n", True),
    ("from requests import post as send\nsend('https://evil.example.org/x')\n", True),
    ("import urllib.request\nurllib.request.urlopen('https://evil.example.org/x')\n", True),
    ("import urllib.parse\nDOC = 'see https://evil.example.org'\nurllib.parse.quote(DOC)\n", False),
    ("import httpx\nclient = httpx.Client()\nclient.stream('GET', 'https://evil.example.org')\n", True),
    ("import requests\nrequests.codes.ok  # https://evil.example.org\n", False),
    ('import requests\nSCHEME = "https"\nrequests.get(SCHEME + "://evil.example.org/x")\n', True),
    ('import requests\nHOST = "evil.example.org"\nrequests.get(f"https://{HOST}/x")\n', True),
    # secrets read from the environment, however the name is spelled
    ('import os\nos.environ["ACME_API_KEY"]\n', True),
    ('import os\nPREFIX = "ACME"\nos.environ[f"{PREFIX}_TOKEN"]\n', True),
    ('import os\nos.getenv("ACME_" + "SECRET")\n', True),
    ('import os\nos.environ["HOME"]  # the token lives elsewhere\n', False),
    # vendor SDKs
    ("import acme_sdk\nacme_sdk.lookup(1)\n", True),
    ("import openai\nopenai.completions.create()\n", True),
    ("# acme_sdk is gone\n", False),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=range(len(CASES)))
def test_prefilter_lets_through_every_file_with_a_finding(checkers, source, expected):
    filtered, unfiltered = checkers
    found = bool(unfiltered.check_source(source.encode(), "a.py"))
    passes = filtered.may_hold_finding(source.encode())
    if found:
        assert passes, "a file with a finding was stopped by the prefilter"
    assert passes is expected


def test_findings_are_the_same_with_and_without_the_prefilter(checkers, tmp_path):
    filtered, unfiltered = checkers
    source = dedent(
        """
        import os, platform, pickle, json
        import requests
        from urllib import request as r

        platform.system()
        json.loads("{}")
        pickle.loads(b"")
        r.urlopen("https://evil.example.org/a")
        requests.get("https://api.acme.example.com/b")
        """
    ).encode()
    (tmp_path / "a.py").write_bytes(source)
    got = [(f.line, f.col, f.code) for f in filtered.check_python_file(tmp_path / "a.py")]
    assert got == [(7, 1, "CANON101"), (8, 1, "CANON201"), (9, 1, "CANON301")]
    assert got == [(f.line, f.col, f.code) for f in unfiltered.check_python_file(tmp_path / "a.py")]
