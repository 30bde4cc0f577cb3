"""Issue 12's false alarms, each with a source that fires and one that stays silent."""

from __future__ import annotations

from pathlib import Path

from lint_canon.engine.checker import Checker
from lint_canon_guard.config import load_canon
from tests.conftest import brief, check_paths, run_check

CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: openai
    hubs: [HUB-A]
    interactions: [ENRICH]
    modules: [openai]
banned:
  - reason: "no boto"
    modules: [boto3]
"""


def test_writes_are_not_reads_of_a_secret(project):
    root = project(
        {
            "writes.py": """\
                import os

                os.environ["ACME_API_KEY"] = "x"
                del os.environ["ACME_TOKEN"], os.environ["ACME_SECRET"]
                os.environ.pop("ACME_TOKEN", None)
            """,
            "reads.py": """\
                import os

                value = os.environ.pop("ACME_TOKEN")
                os.environ["ACME_API_KEY"] += "more"
                print(os.environ["ACME_SECRET"])
            """,
        },
        canon=CANON,
    )
    assert brief(run_check(root, select=("CANON203",))) == [
        ("reads.py", 3, 9, "CANON203"),
        ("reads.py", 4, 1, "CANON203"),
        ("reads.py", 5, 7, "CANON203"),
    ]


def test_an_object_made_by_a_banned_module_is_not_its_import(project):
    root = project(
        {
            "store.py": """\
                import boto3


                class Store:
                    def __init__(self):
                        self.session = boto3.Session()

                    def bucket(self):
                        return self.session.client("s3")
            """,
        },
        canon=CANON,
    )
    assert brief(run_check(root, select=("CANON101",))) == [("store.py", 1, 8, "CANON101")]


def test_calls_that_send_nothing_are_not_vendor_calls(project):
    root = project(
        {
            "silent.py": """\
                import openai
                import zerobounce

                client = openai.OpenAI()
                client.close()
                client.is_closed()
            """,
            "sends.py": """\
                import openai
                import zerobounce

                zerobounce.validate("a@b.example")
                openai.OpenAI().chat.completions.create(model="m", messages=[])
            """,
        },
        canon=CANON,
    )
    assert brief(run_check(root, select=("CANON2", "CANON3"))) == [
        ("sends.py", 4, 1, "CANON201"),
        ("sends.py", 5, 1, "CANON301"),
    ]


def test_a_subscript_as_a_statement_still_reads(project):
    root = project({"probe.py": "import os\n\nos.environ['ACME_API_KEY']  # raises KeyError when unset: a read\n"})
    assert brief(run_check(root, select=("CANON203",))) == [("probe.py", 3, 1, "CANON203")]


def test_relative_imports_resolve_against_the_package(project):
    canon = 'version: 1\nbanned:\n  - reason: "retired"\n    modules: [myapp.legacy]\n'
    root = project(
        {
            "myapp/__init__.py": "",
            "myapp/legacy.py": "x = 1\n",
            "myapp/other.py": "y = 2\n",
            "myapp/views.py": "from . import legacy\nfrom . import other\nfrom .legacy import x\n",
            "myapp/sub/__init__.py": "",
            "myapp/sub/deep.py": "from ..legacy import x\nfrom .. import other\nfrom ... import legacy\n",
            "loose/script.py": "from . import legacy\n",  # no __init__.py: not a package
        },
        canon=canon,
    )
    expected = [
        ("myapp/sub/deep.py", 1, 8, "CANON101"),
        ("myapp/views.py", 1, 15, "CANON101"),
        ("myapp/views.py", 3, 7, "CANON101"),
    ]
    assert brief(run_check(root)) == expected
    unfiltered = Checker(load_canon(root / "canon.yaml"), use_prefilter=False)
    assert brief(check_paths(unfiltered, [Path(".")])) == expected
